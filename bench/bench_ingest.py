"""Ingest speed (words per second, one core) for txt, docx and csv, and search latency
(p95) on a large project. Targets (issue 3): >= 50k words/s for text formats; search
p95 <= 100 ms. Run: ``python -m bench.bench_ingest [--database URL]`` (SQLite in a
temporary folder by default; pass a PostgreSQL URL to measure it there).
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from research.db import make_engine, make_session_factory, transaction

FUNCTION_WORDS = ("och", "att", "det", "som", "en", "på", "är", "av", "för", "med", "till", "den", "har", "de",
                  "inte", "om", "ett", "han", "men", "var", "jag", "vi", "så", "hade", "från", "när", "kan")
DOMAIN_WORDS = ("banken", "lånet", "mäklaren", "visningen", "budgivningen", "kontraktet", "tillträdet", "räntan",
                "kalkylen", "appen", "handläggaren", "kunden", "samtalet", "mejlet", "lånelöftet", "bostaden",
                "huset", "lägenheten", "familjen", "tryggt", "snabbt", "svårt", "enkelt")
_SYLLABLES = ("ka", "lo", "mi", "ne", "sto", "rä", "bå", "fe", "gu", "hi", "jö", "ta", "vi", "sk", "ar", "en")


def _vocabulary(rng: random.Random, size: int = 6000) -> tuple[list[str], list[float]]:
    """Function words, then domain words, then a long tail: Zipf-like frequencies as in speech."""
    tail = {"".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size)}
    words = [*FUNCTION_WORDS, *DOMAIN_WORDS, *sorted(tail - set(DOMAIN_WORDS))]
    return words, [1 / (rank + 1) for rank in range(len(words))]


_VOCABULARY = _vocabulary(random.Random(0))


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_VOCABULARY[0], weights=_VOCABULARY[1], k=rng.randint(6, 18))
    return " ".join(words).capitalize() + "."


def transcript(words: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    turns, count = [], 0
    while count < words:
        body = " ".join(_sentence(rng) for _ in range(rng.randint(1, 4)))
        turns.append(f"{'I' if len(turns) % 2 == 0 else 'Anna'}: {body}")
        count += len(body.split())
    return "\n".join(turns) + "\n"


def _docx(text: str) -> bytes:
    from docx import Document

    document = Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _csv(rows: int, seed: int = 2) -> tuple[bytes, int]:
    rng = random.Random(seed)
    lines, words = ["id,segment,answer"], 0
    for n in range(rows):
        answer = _sentence(rng)
        words += len(answer.split())
        lines.append(f'r{n},{rng.choice(["B2B", "B2C"])},"{answer}"')
    return ("\n".join(lines) + "\n").encode(), words


def _best_of(runs: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def ingest_words_per_second(words: int = 200_000) -> dict[str, float]:
    """Parse + normalise + segment + detect language (no database), words per second."""
    from research.ingest import prepare_document
    from research.tables import read_table

    text = transcript(words)
    counted = len(text.split())
    txt, docx = text.encode(), _docx(text)
    csv, csv_words = _csv(words // 12)
    return {
        "txt": counted / _best_of(3, lambda: prepare_document("a.txt", txt)),
        "docx": counted / _best_of(3, lambda: prepare_document("a.docx", docx)),
        "csv": csv_words / _best_of(3, lambda: read_table("a.csv", csv)),
    }


def import_words_per_second(database_url: str, words: int = 200_000) -> dict[str, float]:
    """The whole import of one file into the database (parse, store, index), words per second."""
    from research.ingest import ImportOptions, SurveyColumns, import_file
    from research.sources import SourceKind

    sessions, project_id = _project(database_url)
    text = transcript(words, seed=7)
    counted = len(text.split())
    csv, csv_words = _csv(words // 12, seed=8)
    results = {}
    with sessions() as session:
        for label, name, data, options, n in (
            ("txt", "big.txt", text.encode(), ImportOptions(), counted),
            ("docx", "big.docx", _docx(transcript(words, seed=9)), ImportOptions(), counted),
            ("csv", "big.csv", csv, ImportOptions(kind=SourceKind.SURVEY,
                                                  survey=SurveyColumns("id", ["answer"], ["segment"])), csv_words),
        ):
            started = time.perf_counter()
            result = import_file(session, project_id=project_id, user_id=None, name=name, data=data, options=options)
            assert result.status == "imported", result.reason
            results[label] = n / (time.perf_counter() - started)
    return results


def _project(database_url: str):  # type: ignore[no-untyped-def]
    from app.schema import upgrade
    from coding.all_models import metadata  # noqa: F401  (every model registered)
    from research.accounts import create_user
    from research.projects import create_project

    engine = make_engine(database_url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions() as session, transaction(session):
        user = create_user(session, email=f"bench{time.time_ns()}@example.org", password="bench password 123")
        project = create_project(session, owner_id=user.id, name="Bench", phase_model="six")
    return sessions, project.id


def search_p95(database_url: str, sources: int = 400, words_per_source: int = 5_000,
               queries: int = 200) -> dict[str, float]:
    """p95/p50 of search_segments on a project of ``sources`` x ``words_per_source`` words."""
    from research.ingest import prepare_document, store_document
    from research.search import search_segments
    from research.sources import SourceKind

    sessions, project_id = _project(database_url)
    started = time.perf_counter()
    with sessions() as session:
        for n in range(sources):
            prepared = prepare_document(f"s{n}.txt", transcript(words_per_source, seed=100 + n).encode())
            with transaction(session):
                store_document(session, prepared, project_id=project_id, kind=SourceKind.INTERVIEW, user_id=None)
    build = time.perf_counter() - started
    rng = random.Random(3)
    # Prefix words, two-word queries and a phrase, from frequent to rare domain words.
    terms = ["lån", "mäklaren", "banken räntan", '"tryggt och"', "app", "kontraktet", "visningen svårt", "hand",
             "bostad", "familjen"]
    timings = []
    with sessions() as session:
        for _ in range(queries):
            query = rng.choice(terms)
            t0 = time.perf_counter()
            search_segments(session, project_id=project_id, query=query, limit=50)
            timings.append((time.perf_counter() - t0) * 1000)
            session.rollback()
    timings.sort()
    return {"words": sources * words_per_source, "build_s": build, "p50_ms": statistics.median(timings),
            "p95_ms": timings[int(len(timings) * 0.95) - 1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", help="Database URL (default: a new SQLite file)")
    parser.add_argument("--sources", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'bench.db'}"
        for label, rate in ingest_words_per_second().items():
            print(f"parse {label:5} {rate:12,.0f} words/s   (target >= 50,000 for text formats)")
        for label, rate in import_words_per_second(url).items():
            print(f"import {label:4} {rate:12,.0f} words/s   (parse + store + index)")
        result = search_p95(url, sources=args.sources)
        print(f"search on {result['words']:,} words (built in {result['build_s']:.0f} s): "
              f"p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms   (target p95 <= 100 ms)")


if __name__ == "__main__":
    main()
