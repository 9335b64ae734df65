"""The team set-up of the README, for real: gunicorn with several workers on
PostgreSQL, a Redis queue, and a separate `kundstig worker` process."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from app.schema import upgrade
from research import accounts
from research.db import make_engine, make_session_factory
from tests import databases
from tests.conftest import PASSWORD, make_project, make_user
from tests.integration.test_job_consumer import REDIS_URL, _queue_url


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Browser:
    """A tiny cookie-keeping HTTP client, enough to log in and press buttons."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict[str, str]) -> tuple[str, str]:
        data = urllib.parse.urlencode(fields).encode()
        with self.opener.open(self.base + path, data=data, timeout=10) as response:
            return response.geturl(), response.read().decode()

    def token(self, path: str) -> str:
        match = re.search(r'name="csrf-token" content="([^"]+)"', self.get(path))
        assert match
        return match.group(1)


@pytest.fixture
def team_database(tmp_path):
    """A PostgreSQL database of this test's own, migrated (PostgreSQL is required here)."""
    name = f"kundstig_team_{os.getpid()}"
    databases._server_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    databases._server_admin(f"CREATE DATABASE {name}")
    url = databases.POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    databases.drop("postgresql", engine)


def test_gunicorn_workers_and_a_separate_worker_serve_a_backup_end_to_end(team_database, tmp_path, monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher())  # the real cost, as gunicorn will verify it
    database_url = team_database.url.render_as_string(hide_password=False)
    queue_url = _queue_url("redis", tmp_path)
    assert queue_url == REDIS_URL
    with make_session_factory(team_database, writer=False)() as session:
        owner = make_user(session)
        project = make_project(session, owner)
    port = _port()
    env = {**os.environ, "KUNDSTIG_DATABASE_URL": database_url, "KUNDSTIG_QUEUE_URL": queue_url,
           "KUNDSTIG_SECRET_KEY": "team-secret", "KUNDSTIG_INSTANCE_PATH": str(tmp_path),
           "KUNDSTIG_PRODUCTION": "false"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "-w", "3", "-b", f"127.0.0.1:{port}", "wsgi:app"], env=env,
                              cwd=Path(__file__).parents[2], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    worker = subprocess.Popen([sys.executable, "-m", "app.cli", "worker", "--threads", "2"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        for _ in range(100):
            try:
                browser.get("/login")
                break
            except OSError:
                time.sleep(0.1)
        browser.post("/login", {"email": owner.email, "password": PASSWORD, "csrf_token": browser.token("/login")})
        # Several requests land on different gunicorn workers: the server-side session works on all of them.
        for _ in range(6):
            assert project.name in browser.get("/")
        overview = f"/projects/{project.id}"
        url, _ = browser.post(f"{overview}/backup", {"csrf_token": browser.token(overview)})
        job_path = urllib.parse.urlsplit(url).path
        for _ in range(150):
            page = browser.get(job_path)
            if 'id="job-status" class="status status-done"' in page:
                break
            time.sleep(0.2)
        assert 'status-done' in page, page[-2000:]
        health = browser.get("/healthz")
        assert '"status":"ok"' in health.replace(" ", "")
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            process.communicate(timeout=30)
