"""`make bench`: builds the large synthetic project and prints one table.

    python -m bench [--sources 500] [--words 10000] [--codings 100000] [--database URL] [--no-embeddings] [--skip-load]
                    [--postgres URL]

Each row: what was measured, the figure, the target, and whether it was met.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from app.schema import upgrade
from bench import bench_exports, bench_ingest, bench_load, bench_network, bench_nlp, bench_workbench, served_app
from bench.large_project import generate
from coding.matrices import code_by_code
from coding.summary import summarise
from exports.backup import write_backup
from research.db import make_engine, make_session_factory

Row = tuple[str, str, str, bool | None]


def _timings(call: Callable[[], object], repeat: int) -> list[float]:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return seconds


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def foundation_rows(database_url: str, sources: int, words: int, codings: int) -> list[Row]:
    engine = make_engine(database_url)
    upgrade(engine)
    project = generate(engine, sources=sources, words_per_source=words, codings=codings)
    rows: list[Row] = [(f"generate {project.sources} sources, {project.words:,} words, {project.codings:,} codings",
                        f"{project.seconds:.1f} s", "", None)]
    sessions = make_session_factory(engine, writer=False)
    with sessions() as session:
        overview = _timings(lambda: summarise(session, project.project_id), 20)
        rows.append(("project overview numbers, p95", f"{_p95(overview) * 1000:.0f} ms", "", None))
        with tempfile.TemporaryFile() as out:
            backup = _timings(lambda: write_backup(session, project.project_id, out), 1)[0]
            size = out.tell()
        rows.append((f"project backup archive ({size / 1e6:.0f} MB)", f"{backup:.1f} s", "", None))
        rows += _limited("network", bench_network.run_database(session, project.project_id),
                         {"network_for": 2.0, "journey_for": 1.0})
        matrix = _timings(lambda: code_by_code(session, project_id=project.project_id), 1)[0]
        rows.append(("co-occurrence matrix from the database", f"{matrix:.2f} s", "≤ 2 s", matrix <= 2))
        rows += _limited("export", bench_exports.run(session, project.project_id),
                         {"CSV (codings, long": 3.0, "XLSX": 15.0, "DOCX": 10.0, "QDPX": 60.0, "GraphML": 2.0})
    engine.dispose()
    for label, megabytes in bench_exports.peak_memory(database_url, project.project_id):
        rows.append((f"export: peak memory, {label}", f"{megabytes:.0f} MB", f"≤ {bench_exports.MEMORY_TARGET_MB} MB",
                     megabytes <= bench_exports.MEMORY_TARGET_MB))
    sweep = bench_workbench.time_co_occurrence(codings)
    rows.append(("co-occurrence sweep in memory", f"{sweep:.2f} s", "≤ 2 s", sweep <= 2))
    return rows


def _limited(prefix: str, timings: list[tuple[str, float]], targets: dict[str, float]) -> list[Row]:
    rows: list[Row] = []
    for label, seconds in timings:
        target = next((t for key, t in targets.items() if key in label), None)
        rows.append((f"{prefix}: {label}", f"{seconds:.2f} s", f"≤ {target:g} s" if target else "",
                     seconds <= target if target else None))
    return rows


def ingest_rows(database_url: str) -> list[Row]:
    rows: list[Row] = []
    for label, rate in bench_ingest.ingest_words_per_second().items():
        rows.append((f"ingest: parse {label}", f"{rate:,.0f} words/s", "≥ 50,000 words/s", rate >= 50_000))
    for label, rate in bench_ingest.import_words_per_second(database_url).items():
        rows.append((f"ingest: import {label} (parse, store, index)", f"{rate:,.0f} words/s", "", None))
    search = bench_ingest.search_p95(database_url)
    rows.append((f"search p95 on {search['words']:,} words", f"{search['p95_ms']:.0f} ms", "≤ 100 ms",
                 search["p95_ms"] <= 100))
    return rows


def network_rows() -> list[Row]:
    return _limited("network", bench_network.run(), {"build_network": 2.0, "betweenness": 1.0, "build_journey": 1.0})


def nlp_rows(embeddings: bool) -> list[Row]:
    rules = bench_nlp.rule_throughput()
    transcript = bench_nlp.transcript_with_stored_vectors()
    retrain = bench_nlp.retraining()
    rows: list[Row] = [
        ("NLP: rule-based suggesters", f"{rules['words_per_s']:,.0f} words/s", "≥ 20,000 words/s",
         rules["words_per_s"] >= 20_000),
        ("NLP: 10k-word transcript, vectors stored", f"{transcript['seconds']:.2f} s", "≤ 5 s",
         transcript["seconds"] <= 5),
        ("NLP: one selection, p95", f"{transcript['one_selection_p95_ms']:.1f} ms", "≤ 200 ms",
         transcript["one_selection_p95_ms"] <= 200),
        ("NLP: retrain learner on 5,000 decisions", f"{retrain['seconds']:.2f} s", "≤ 5 s", retrain["seconds"] <= 5),
    ]
    if embeddings:
        for label, embed in bench_nlp.embedding_throughput().items():
            rows.append((f"NLP: segment embeddings, multilingual e5, {label.replace('_', ' ')}",
                         f"{embed['segments_per_s']:.0f} segments/s", "≥ 50 segments/s",
                         embed["segments_per_s"] >= 50))
    return rows


def print_table(rows: list[Row]) -> None:
    widths = [max(len(str(row[i])) for row in rows) for i in range(3)]
    header = ("measurement", "result", "target")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + "  met"
    print(line)
    print("-" * len(line))
    for name, result, target, met in rows:
        mark = "" if met is None else ("yes" if met else "NO")
        print(f"{name.ljust(widths[0])}  {result.ljust(widths[1])}  {target.ljust(widths[2])}  {mark}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--codings", type=int, default=100_000)
    parser.add_argument("--database", default=None, help="database URL (default: a new SQLite file)")
    parser.add_argument("--no-embeddings", action="store_true", help="leave out timing the embedding model")
    parser.add_argument("--postgres", default=served_app.DEFAULT_POSTGRES_URL,
                        help="PostgreSQL server for saving codings (a fresh database is created and dropped there)")
    parser.add_argument("--skip-load", action="store_true",
                        help="leave out the load test (gunicorn, a worker and 20 coders on SQLite and PostgreSQL)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database or f"sqlite:///{Path(directory) / 'bench.db'}"
        rows = foundation_rows(url, args.sources, args.words, args.codings)
        rows += bench_workbench.page_rows(
            f"sqlite:///{Path(directory) / 'workbench.db'}" if args.database is None else url)
        rows += bench_workbench.saving_rows(f"sqlite:///{Path(directory) / 'saving.db'}")
        rows += bench_workbench.postgres_saving_rows(args.postgres)
        rows += ingest_rows(f"sqlite:///{Path(directory) / 'ingest.db'}" if args.database is None else url)
        rows += network_rows()
        rows += nlp_rows(embeddings=not args.no_embeddings)
    if not args.skip_load:
        rows += bench_load.rows_for(["sqlite", "postgresql"], postgres_url=args.postgres)
    print_table(rows)


if __name__ == "__main__":
    main()
