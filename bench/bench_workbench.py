"""Timing of the analysis services on a large synthetic project.

Target (issue 4): the co-occurrence matrix over 100k codings <= 2 s. Measured twice:
the sweep alone over codings already in memory, and the whole service (reading the
codings from the database, the sweep, the code names). Also timed: the code ×
participant matrix and one page of retrieval over the same project.

Through the real Flask app (``app.test_client()``, logged in): the document page of a
10k-word interview with 500 overlapping codings, p95 over 30 requests (target <= 150 ms),
and of a 300k-character document (reported, no target).

Saving a coding (target p95 <= 50 ms, zero errors, no "database is locked") is measured as
deployed: the app runs in its own server process(es) on loopback (``bench.served_app``:
gunicorn with one sync worker per core by default, or ``kundstig serve``), and 10 writer threads, each with
its own connection and bearer token, POST codings with a ``client_key`` back to back (no pause
between saves: every writer is always waiting on the server, so this is the worst case of ten
people saving at once). It runs on SQLite and on a fresh PostgreSQL database. Afterwards a count
proves no coding was lost or doubled (every 20th request is sent twice with the same key and must
come back as the first coding).

Run: ``python -m bench.bench_workbench [--codings 100000] [--sources 500] [--words 2000] [--database URL]
[--postgres URL | --no-postgres] [--server gunicorn|waitress] [--server-workers CORES] [--writers 10]
[--per-writer 200] [--requests 30] [--skip-analysis | --only-saving]`` (default: a fresh SQLite file in a
temporary folder, and a fresh database on the local PostgreSQL server for saving).
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError

from app.schema import upgrade
from bench import served_app
from bench.large_project import WORDS, generate
from coding.codebook import create_code
from coding.codings import Coding, add_coding
from coding.events import Event
from coding.kinds import CodeKind
from coding.matrices import co_occurrence, code_by_code, code_by_participant
from coding.retrieval import RawCoding, retrieve
from research import accounts
from research.db import make_engine, make_session_factory, transaction
from research.projects import Role, add_member, create_project
from research.segmenting import Span
from research.sources import SourceKind, add_source

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


PAGE_TARGET_MS = 150.0
SAVE_TARGET_MS = 50.0
PASSWORD = "bench password, long enough"


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def interview(rng: random.Random, words: int) -> tuple[str, list[Span]]:
    """An interview of ``words`` words in speaker turns with timestamps, interviewer and participant taking turns."""
    parts, spans, offset, second = [], [], 0, 0
    remaining, turn = words, 0
    while remaining > 0:
        size = min(remaining, rng.randrange(15, 120) if turn % 2 else rng.randrange(5, 25))
        speaker = "Åsa" if turn % 2 else "Intervjuare"
        body = " ".join(rng.choice(WORDS) for _ in range(size)).capitalize() + "."
        prefix = f"[{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}] {speaker}: "
        parts.append(prefix + body)
        start = offset + len(prefix)
        spans.append(Span("turn", start, start + len(body), speaker, second * 1000))
        offset += len(prefix) + len(body) + 2
        second += size // 2 + 3
        remaining -= size
        turn += 1
    return "\n\n".join(parts), spans


@dataclass
class Fixture:
    project_id: int
    interview_id: int
    long_id: int
    code_ids: list[int]
    owner_email: str
    tokens: list[str]
    writer_ids: list[int]
    text_length: int


def _fixture(engine: object, *, words: int, codings: int, long_characters: int, writers: int) -> Fixture:
    rng = random.Random(4)
    run = uuid.uuid4().hex[:8]
    sessions = make_session_factory(engine)  # type: ignore[arg-type]
    with sessions() as session, transaction(session):
        owner = accounts.create_user(session, email=f"bench-owner-{run}@kundstig.example", password=PASSWORD)
        project = create_project(session, owner_id=owner.id, name=f"Workbench bench {run}", company_name="Fjällbanken",
                                 phase_model="six")
        kinds = [k for k in CodeKind]
        codes = [create_code(session, project_id=project.id, name=f"Kod {i} åäö", kind=kinds[i % len(kinds)],
                             colour=f"#{(i * 2654435761) % 0xFFFFFF:06x}") for i in range(40)]
        text, spans = interview(rng, words)
        source = add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name="Intervju 10k",
                            text=text, spans=spans, original=text.encode(), language="sv")
        for _ in range(codings):  # overlapping spans of 5–400 characters, several codes per turn
            turn = spans[rng.randrange(len(spans))]
            start = rng.randrange(turn.start, turn.end - 1)
            end = min(len(text), start + rng.randrange(5, 400))
            add_coding(session, project_id=project.id, source_id=source.id, code_id=rng.choice(codes).id,
                       start=start, end=end, user_id=owner.id)
        long_text, long_spans = interview(rng, 10)
        while len(long_text) < long_characters:
            long_text, long_spans = interview(rng, int(long_characters / 6.5))
        long = add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name="Intervju 300k",
                          text=long_text, spans=long_spans, original=long_text.encode(), language="sv")
        for _ in range(codings):
            start = rng.randrange(0, len(long_text) - 500)
            add_coding(session, project_id=project.id, source_id=long.id, code_id=rng.choice(codes).id,
                       start=start, end=start + rng.randrange(5, 400), user_id=owner.id)
        tokens, writer_ids = [], []
        for w in range(writers):
            email = f"bench-writer-{run}-{w}@kundstig.example"
            writer = accounts.create_user(session, email=email, password=PASSWORD)
            add_member(session, project_id=project.id, email=email, role=Role.CODER)
            tokens.append(accounts.create_token(session, user_id=writer.id, name="bench"))
            writer_ids.append(writer.id)
        return Fixture(project.id, source.id, long.id, [c.id for c in codes], owner.email, tokens, writer_ids,
                       len(text))


def _app(database_url: str, folder: Path) -> object:
    """The app as wsgi.py builds it, start-up objects frozen out of the garbage collector."""
    from app import create_app
    from app.settings import Settings

    settings = Settings(instance_path=folder / "instance", database_url=database_url, secret_key="bench-secret",
                        queue_url="memory://", nlp_enabled=False, worker_threads=1)
    app = create_app({"SETTINGS": settings})
    gc.collect()
    gc.freeze()
    return app


def _logged_in_client(app: object, email: str) -> object:
    import re

    client = app.test_client()  # type: ignore[attr-defined]
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    if response.status_code != 302:
        raise RuntimeError(f"bench login failed with {response.status_code}")
    return client


def _page_timings(client: object, url: str, requests: int) -> list[float]:
    timings = []
    for _ in range(requests + 2):
        started = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        body = response.get_data()
        timings.append(time.perf_counter() - started)
        if response.status_code != 200 or not body:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return timings[2:]  # the first two warm the template cache and the connection pool


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 of ``values``."""
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


@dataclass
class Saving:
    latencies: list[float]
    errors: list[str]
    created: int
    repeats: int
    seconds: float
    server_cpu_seconds: float | None
    client_cpu_seconds: float


def _save_codings(server: served_app.Server, fixture: Fixture, per_writer: int, warm_up: int) -> Saving:
    """Every writer thread POSTs ``warm_up`` untimed then ``per_writer`` timed codings over its own
    connection with its own bearer token; every 20th timed request is sent twice with the same
    ``client_key`` and must come back as the first coding (200), never as a second one."""
    latencies: list[float] = []
    errors: list[str] = []
    counts = {"created": 0, "repeats": 0}
    lock = threading.Lock()
    ready = threading.Barrier(len(fixture.tokens) + 1)
    go = threading.Barrier(len(fixture.tokens) + 1)
    path = f"/api/v1/projects/{fixture.project_id}/codings"

    def write(index: int, token: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        rng = random.Random(index)
        mine: list[float] = []

        def post(i: int, attempt: int, timed: bool) -> None:
            start = (i * 37 + index) % (fixture.text_length - 400)
            body = json.dumps({"source_id": fixture.interview_id, "code_id": rng.choice(fixture.code_ids),
                               "start": start, "end": start + 10 + i % 50,
                               "client_key": f"bench-{fixture.project_id}-{index}-{i}"})
            started = time.perf_counter()
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                status, text = response.status, response.read().decode()
            except Exception as exc:  # noqa: BLE001 - every failure counts as an error
                connection.close()
                status, text = 0, repr(exc)
            if timed:
                mine.append(time.perf_counter() - started)
            with lock:
                if status == 201 and attempt == 0:
                    counts["created"] += 1
                elif status == 200 and attempt == 1:
                    counts["repeats"] += 1
                else:
                    errors.append(f"{status}: {text[:200]}")

        for i in range(warm_up):
            post(per_writer + i, 0, timed=False)
        ready.wait()
        go.wait()
        for i in range(per_writer):
            for attempt in range(2 if i % 20 == 0 else 1):
                post(i, attempt, timed=True)
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=write, args=(i, t)) for i, t in enumerate(fixture.tokens)]
    for thread in threads:
        thread.start()
    ready.wait()
    started, cpu_before, client_before = time.perf_counter(), server.cpu_seconds(), time.process_time()
    go.wait()
    for thread in threads:
        thread.join()
    seconds, cpu_after, client = time.perf_counter() - started, server.cpu_seconds(), time.process_time()
    cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    return Saving(latencies, errors, counts["created"], counts["repeats"], seconds, cpu, client - client_before)


def _stored_counts(engine: Engine, fixture: Fixture) -> tuple[int, int, int]:
    """(codings by the writers, distinct client keys among them, their coding.add events)."""
    writers = fixture.writer_ids
    with make_session_factory(engine, writer=False)() as session:
        mine = (Coding.project_id == fixture.project_id, Coding.coder_id.in_(writers))
        stored = session.scalar(select(func.count()).select_from(Coding).where(*mine)) or 0
        keys = session.scalar(select(func.count(func.distinct(Coding.client_key))).where(*mine)) or 0
        events = session.scalar(select(func.count()).select_from(Event).where(
            Event.project_id == fixture.project_id, Event.action == "coding.add", Event.user_id.in_(writers))) or 0
    return stored, keys, events


def fsync_seconds(folder: Path, count: int = 100) -> list[float]:
    """How long the disk under ``folder`` takes to make 4 KiB durable, ``count`` times. With
    ``synchronous=FULL`` every SQLite commit waits for one such flush and writers take turns, so
    ten writers saving at the same moment wait at least ten of these for the last one."""
    timings = []
    with tempfile.NamedTemporaryFile(dir=folder) as probe:
        for _ in range(count):
            probe.write(os.urandom(4096))
            probe.flush()
            started = time.perf_counter()
            os.fsync(probe.fileno())
            timings.append(time.perf_counter() - started)
    return timings


def saving_rows(database_url: str, *, server: str = "gunicorn", workers: int = served_app.DEFAULT_WORKERS,
                writers: int = 10, per_writer: int = 200, warm_up: int = 5) -> list[Row]:
    """Saving codings through a real server on loopback (see the module's docstring)."""
    engine = make_engine(database_url)
    backend = engine.url.get_backend_name()
    how = served_app.describe(server, workers)
    try:
        upgrade(engine)
        fixture = _fixture(engine, words=2_000, codings=50, long_characters=1_000, writers=writers)
        with tempfile.TemporaryDirectory() as folder, \
                served_app.served(database_url, Path(folder), server=server, workers=workers) as running:
            load = os.getloadavg()[0]
            saving = _save_codings(running, fixture, per_writer, warm_up)
        stored, keys, events = _stored_counts(engine, fixture)
    finally:
        engine.dispose()
    p50, p95_, p99 = (seconds * 1000 for seconds in percentiles(saving.latencies))
    label = f"[{backend}] save a coding, {writers} writers × {per_writer}, {how}"
    rate = len(saving.latencies) / saving.seconds
    rows: list[Row] = [
        (f"{label}: p50 / p99 ({rate:.0f} saves/s, load {load:.1f})", f"{p50:.1f} / {p99:.1f} ms", "", None),
        (f"{label}: p95", f"{p95_:.1f} ms", f"<= {SAVE_TARGET_MS:.0f} ms", p95_ <= SAVE_TARGET_MS),
    ]
    if saving.server_cpu_seconds is not None:
        cpu = saving.server_cpu_seconds / len(saving.latencies) * 1000
        client = saving.client_cpu_seconds / len(saving.latencies) * 1000
        rows.append((f"[{backend}] save a coding: CPU per save, server / the writers (same cores)",
                     f"{cpu:.1f} / {client:.1f} ms", "", None))
    if backend == "sqlite" and engine.url.database:
        flush50, flush95, _ = (seconds * 1000 for seconds in percentiles(fsync_seconds(
            Path(engine.url.database).parent)))
        rows.append(("[sqlite] one fsync on the database's disk (each save waits for one), p50 / p95",
                     f"{flush50:.1f} / {flush95:.1f} ms", "", None))
    locked = sum("database is locked" in e for e in saving.errors)
    rows.append((f"[{backend}] save a coding: errors (\"database is locked\": {locked})", f"{len(saving.errors)}",
                 "0", not saving.errors))
    expected = writers * (per_writer + warm_up)
    whole = stored == keys == events == saving.created == expected
    rows.append((f"[{backend}] codings stored / expected (events, repeats answered {saving.repeats})",
                 f"{stored} / {expected} ({events})", "equal", whole))
    if saving.errors:
        print("first errors:", *sorted(set(saving.errors))[:5], sep="\n  ")
    return rows


def postgres_saving_rows(server_url: str, **options: object) -> list[Row]:
    """``saving_rows`` on a fresh database of the PostgreSQL server at ``server_url``, created and
    dropped here; a server that cannot be reached gives one row saying so."""
    try:
        with served_app.fresh_postgres_database(server_url) as url:
            return saving_rows(url, **options)  # type: ignore[arg-type]
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else exc.__class__.__name__
        return [("[postgresql] save a coding: server not reachable", reason[:60], f"<= {SAVE_TARGET_MS:.0f} ms",
                 False)]


def page_rows(database_url: str, *, words: int = 10_000, codings: int = 500, requests: int = 30,
              long_characters: int = 300_000) -> list[Row]:
    """The document page through the Flask app in this process (see the module's docstring)."""
    engine = make_engine(database_url)
    upgrade(engine)
    backend = engine.url.get_backend_name()
    started = time.perf_counter()
    fixture = _fixture(engine, words=words, codings=codings, long_characters=long_characters, writers=0)
    label = f"[{backend}] workbench fixture: {words:,}-word interview, {codings} codings"
    rows: list[Row] = [(label, f"{time.perf_counter() - started:.1f} s", "", None)]
    with tempfile.TemporaryDirectory() as folder:
        app = _app(database_url, Path(folder))
        client = _logged_in_client(app, fixture.owner_email)
        base = f"/projects/{fixture.project_id}/sources"
        page = p95(_page_timings(client, f"{base}/{fixture.interview_id}", requests)) * 1000
        rows.append((f"[{backend}] document page, {words // 1000}k words, {codings} overlapping codings, p95",
                     f"{page:.0f} ms", f"<= {PAGE_TARGET_MS:.0f} ms", page <= PAGE_TARGET_MS))
        long = p95(_page_timings(client, f"{base}/{fixture.long_id}", max(5, requests // 3))) * 1000
        rows.append((f"[{backend}] document page, {long_characters // 1000}k characters, {codings} codings, p95",
                     f"{long:.0f} ms", "", None))
        from app.database import get_database

        get_database(app).engine.dispose()  # type: ignore[arg-type]
        gc.unfreeze()
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=100_000)
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--database", help="database URL for the analysis and page rows (default: a new SQLite file)")
    parser.add_argument("--postgres", default=served_app.DEFAULT_POSTGRES_URL,
                        help="PostgreSQL server for the saving rows (a fresh database is created and dropped there)")
    parser.add_argument("--no-postgres", action="store_true", help="measure saving on SQLite only")
    parser.add_argument("--server", choices=served_app.SERVERS, default="gunicorn")
    parser.add_argument("--server-workers", type=int, default=served_app.DEFAULT_WORKERS,
                        help="gunicorn worker processes (default: one per core)")
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--per-writer", type=int, default=200)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--skip-analysis", action="store_true", help="only the document page and saving codings")
    parser.add_argument("--only-saving", action="store_true", help="only saving codings")
    args = parser.parse_args()
    saving = dict(server=args.server, workers=args.server_workers, writers=args.writers, per_writer=args.per_writer)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'bench.db'}"
        rows: list[Row] = []
        if not (args.skip_analysis or args.only_saving):
            rows += workbench_rows(url, sources=args.sources, words=args.words, codings=args.codings)
        if not args.only_saving:
            rows += page_rows(url, requests=args.requests)
        rows += saving_rows(f"sqlite:///{Path(folder) / 'saving.db'}", **saving)  # type: ignore[arg-type]
        if not args.no_postgres:
            rows += postgres_saving_rows(args.postgres, **saving)
        for what, figure, target, met in rows:
            verdict = "" if met is None else ("met" if met else "MISSED")
            print(f"{what:<96} {figure:>16} {target:>9} {verdict}")


if __name__ == "__main__":
    main()
