"""Timing of the analysis services on a large synthetic project.

Target (issue 4): the co-occurrence matrix over 100k codings <= 2 s. Measured twice:
the sweep alone over codings already in memory, and the whole service (reading the
codings from the database, the sweep, the code names). Also timed: the code ×
participant matrix and one page of retrieval over the same project.

Run: ``python -m bench.bench_workbench [--codings 100000] [--sources 500] [--words 2000] [--database URL]``
(default: a fresh SQLite file in a temporary folder).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from app.schema import upgrade
from bench.large_project import generate
from coding.codings import Coding
from coding.matrices import co_occurrence, code_by_code, code_by_participant
from coding.retrieval import RawCoding, retrieve
from research.db import make_engine, make_session_factory

TARGET_SECONDS = 2.0
Row = tuple[str, str, str, bool | None]


def synthetic_codings(n: int = 100_000, *, sources: int = 500, codes: int = 300, length: int = 60_000,
                      seed: int = 1) -> list[RawCoding]:
    """Codings spread over sources, spans of 5–200 characters, as large_project lays them out."""
    rng = random.Random(seed)
    found: list[RawCoding] = []
    for i in range(n):
        start = rng.randrange(0, length)
        found.append((i, rng.randrange(codes), rng.randrange(sources), start, start + rng.randrange(5, 200), None))
    return found


def best_of(call: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best


def time_co_occurrence(n: int = 100_000) -> float:
    """Seconds for the co-occurrence sweep alone over ``n`` codings in memory."""
    codings = synthetic_codings(n)
    return best_of(lambda: co_occurrence(codings))


def workbench_rows(database_url: str, *, sources: int, words: int, codings: int) -> list[Row]:
    engine = make_engine(database_url)
    upgrade(engine)
    project = generate(engine, sources=sources, words_per_source=words, codings=codings)
    rows: list[Row] = [(f"generate {project.sources} sources, {project.codings:,} codings", f"{project.seconds:.1f} s",
                        "", None)]
    sweep = time_co_occurrence(project.codings)
    rows.append((f"co-occurrence sweep, {project.codings:,} codings in memory", f"{sweep:.2f} s",
                 f"<= {TARGET_SECONDS:.0f} s", sweep <= TARGET_SECONDS))
    with make_session_factory(engine, writer=False)() as session:
        pid = project.project_id
        whole = best_of(lambda: code_by_code(session, project_id=pid))
        rows.append((f"co-occurrence matrix from the database, {project.codings:,} codings", f"{whole:.2f} s",
                     f"<= {TARGET_SECONDS:.0f} s", whole <= TARGET_SECONDS))
        people = best_of(lambda: code_by_participant(session, project_id=pid), repeat=1)
        rows.append(("code × participant matrix", f"{people:.2f} s", "", None))
        some = list(session.scalars(select(Coding.code_id).where(Coding.project_id == pid).distinct().limit(2)))
        page = best_of(lambda: retrieve(session, project_id=pid, code_ids=some, mode="any", limit=50))
        rows.append(("retrieval of two codes, first page of 50 quotes", f"{page * 1000:.0f} ms", "", None))
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=100_000)
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'bench.db'}"
        for what, figure, target, met in workbench_rows(url, sources=args.sources, words=args.words,
                                                         codings=args.codings):
            verdict = "" if met is None else ("met" if met else "MISSED")
            print(f"{what:<62} {figure:>10} {target:>8} {verdict}")


if __name__ == "__main__":
    main()
