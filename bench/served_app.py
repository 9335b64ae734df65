"""The app in a real server process on loopback, and a fresh database to serve, for benchmarks
that must see what a deployment sees: several processes, real sockets, no shared GIL with the
clients.

``served(url, server="gunicorn")`` runs ``gunicorn wsgi:app`` with one sync worker per core (a
save is CPU-bound Python, so more workers than cores add context switches and, on SQLite, more
processes polling for the write lock, which lengthens the slowest saves); ``server="waitress"``
runs ``kundstig serve --no-worker`` (one process, eight threads), which is how the app is deployed
without gunicorn.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SERVERS = ("gunicorn", "waitress")
DEFAULT_WORKERS = os.cpu_count() or 2


def describe(server: str, workers: int) -> str:
    return f"gunicorn, {workers} sync workers" if server == "gunicorn" else "kundstig serve (waitress, 8 threads)"


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server of ``server_url`` (whose own database is used only to
    create and drop it); yields its URL and drops it afterwards, even after an error."""
    name = f"kundstig_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    finally:
        admin.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _command(server: str, workers: int, port: int) -> list[str]:
    if server == "gunicorn":
        return [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                "--backlog", "64", "--log-level", "warning", "wsgi:app"]
    if server == "waitress":
        return [sys.executable, "-m", "app.cli", "serve", "--no-worker", "--port", str(port)]
    raise ValueError(f"unknown server {server!r}; choose one of {', '.join(SERVERS)}")


def _wait_until_answering(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode} before answering")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/login")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer on port {port} within {seconds:.0f} s")


def _process_tree(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            queue += [int(child) for child in task.read_text().split()]
    return found


@dataclass(frozen=True)
class Server:
    port: int
    pid: int

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) used so far by the server and its worker processes; None where
        /proc cannot tell (not Linux). Divided by the requests served it is the cost of one request,
        a figure the other load on the machine does not inflate the way it inflates latency."""
        try:
            ticks = 0
            for pid in _process_tree(self.pid):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
            return ticks / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError):
            return None


@contextmanager
def child_process(command: list[str], env: dict[str, str],
                  log: Path | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """A child process (output to ``log`` if given) for the length of the block; stopped, and
    killed if it will not stop, afterwards."""
    with log.open("wb") if log is not None else nullcontext() as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output,
                                   stderr=subprocess.STDOUT if output is not None else None)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@contextmanager
def served(database_url: str, instance: Path, *, server: str = "gunicorn",
           workers: int = DEFAULT_WORKERS) -> Iterator[Server]:
    """Serve the app on a free loopback port until the block ends."""
    port = free_port()
    env = {**os.environ, "KUNDSTIG_DATABASE_URL": database_url, "KUNDSTIG_INSTANCE_PATH": str(instance),
           "KUNDSTIG_SECRET_KEY": "bench-secret", "KUNDSTIG_QUEUE_URL": "memory://", "KUNDSTIG_NLP_ENABLED": "false"}
    with child_process(_command(server, workers, port), env) as process:
        _wait_until_answering(port, process)
        yield Server(port, process.pid)
