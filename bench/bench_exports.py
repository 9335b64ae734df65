"""Timing of the spreadsheet and REFI-QDA exports on one project (issue 7).

Targets on the large project: CSV <= 3 s, XLSX <= 15 s, full QDPX <= 60 s, DOCX report with
2,000 quotes <= 10 s, GraphML of the actor network (built from the database) <= 2 s, and the
spreadsheets within 1 GB of memory. ``run`` writes to temporary
files so memory holds one export at a time; ``peak_memory`` runs each spreadsheet export in a
fresh process and reads its peak resident size. Run it through ``make bench`` or
``python -m bench.bench_exports DATABASE_URL PROJECT_ID``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import IO

from sqlalchemy.orm import Session

from coding.evidence import network_for
from exports.network_files import write_graphml
from exports.refi.writer import write_qdc, write_qdpx
from exports.report import build_report, write_docx
from exports.spreadsheets import write_csv, write_xlsx
from research.db import make_engine, make_session_factory

TARGETS = {"CSV (codings, long form)": 3.0, "XLSX (four sheets)": 15.0, "QDPX (full project)": 60.0,
           "DOCX report": 10.0, "GraphML": 2.0}
REPORT_QUOTES = 2000
MEMORY_TARGET_MB = 1024
SPREADSHEETS = {"CSV (codings, long form)": "csv", "XLSX (four sheets)": "xlsx"}  # bench.spreadsheet_memory


def _timed(call: Callable[[IO[bytes]], object]) -> tuple[float, float, int, object]:
    """Wall seconds, this process's CPU seconds (a fairer figure on a busy machine), bytes
    written, and what the call returned."""
    with tempfile.TemporaryFile() as out:
        started, cpu = time.perf_counter(), time.process_time()
        returned = call(out)
        return time.perf_counter() - started, time.process_time() - cpu, out.tell(), returned


def run(session: Session, project_id: int) -> list[tuple[str, float]]:
    """(what, seconds) for each export of ``project_id``."""
    steps: list[tuple[str, Callable[[IO[bytes]], object]]] = [
        ("CSV (codings, long form)", lambda out: write_csv(session, project_id, out, "long")),
        ("CSV (segments × codes, wide form)", lambda out: write_csv(session, project_id, out, "wide")),
        ("XLSX (four sheets)", lambda out: write_xlsx(session, project_id, out)),
        ("QDC (codebook)", lambda out: write_qdc(session, project_id, out)),
        ("QDPX (full project)", lambda out: write_qdpx(session, project_id, out)),
    ]
    steps.append(("DOCX report", lambda out: docx_report(session, project_id, out)))
    steps.append(("GraphML (actor network from the database)", lambda out: graphml(session, project_id, out)))
    results = []
    for label, call in steps:
        seconds, cpu, size, returned = _timed(call)
        quotes = f", {returned:,} quotes" if label == "DOCX report" else ""
        results.append((f"{label}{quotes}, {size / 1e6:.1f} MB, CPU {cpu:.2f} s", seconds))
        session.expire_all()
    return results


def peak_memory(database_url: str, project_id: int) -> list[tuple[str, float]]:
    """(what, peak resident MB) of a fresh process writing each spreadsheet export."""
    results = []
    for label, what in SPREADSHEETS.items():
        printed = subprocess.run([sys.executable, "-m", "bench.spreadsheet_memory", database_url, str(project_id),
                                  what], check=True, capture_output=True, text=True).stdout
        results.append((label, float(printed)))
    return results


def graphml(session: Session, project_id: int, out: IO[bytes]) -> None:
    """The actor network with its metrics, built from the database and written as GraphML."""
    write_graphml(network_for(session, project_id).network, out)


def docx_report(session: Session, project_id: int, out: IO[bytes], quotes: int = REPORT_QUOTES) -> int:
    """The full report (every section) with about ``quotes`` key quotes, built and written
    as DOCX; returns the number of quotes in it."""
    from sqlalchemy import func, select

    from coding.codebook import Code
    from coding.kinds import CodeKind

    groups = session.scalar(select(func.count(Code.id)).where(
        Code.project_id == project_id, Code.is_folder.is_(False), Code.kind.in_([CodeKind.PHASE, CodeKind.GOAL]))) or 1
    report = build_report(session, project_id, quotes_per_group=max(5, -(-quotes // groups)))
    write_docx(report, out)
    return len(report.quotes())


def main() -> None:
    url, project_id = sys.argv[1], int(sys.argv[2])
    sessions = make_session_factory(make_engine(url), writer=False)
    with sessions() as session:
        for label, seconds in run(session, project_id):
            target = next((t for key, t in TARGETS.items() if label.startswith(key)), None)
            verdict = "" if target is None else f"  (target ≤ {target:g} s: {'met' if seconds <= target else 'MISSED'})"
            print(f"{label:<50} {seconds:7.2f} s{verdict}")
    for label, megabytes in peak_memory(url, project_id):
        verdict = "met" if megabytes <= MEMORY_TARGET_MB else "MISSED"
        print(f"{'peak memory, ' + label:<50} {megabytes:7.0f} MB  (target ≤ {MEMORY_TARGET_MB} MB: {verdict})")


if __name__ == "__main__":
    main()
