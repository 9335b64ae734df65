"""Jobs go through a real Huey consumer in its own process (`kundstig worker`),
with the queue in SQLite (one machine) and in Redis (a team's workers)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from app import create_app
from app.database import get_database
from app.queue import get_queue
from research.jobs import Job, JobFile, JobStatus
from tests.conftest import make_project, make_user, settings_for

REDIS_URL = os.environ.get("KUNDSTIG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _queue_url(kind: str, directory: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{directory / 'queue.db'}"
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        raise RuntimeError(f"Redis is needed for the queue tests at {REDIS_URL} ({exc}).") from exc
    return REDIS_URL


@pytest.mark.parametrize("queue", ["sqlite", "redis"])
def test_a_backup_job_runs_in_a_separate_worker_and_reports_its_progress(app, session, tmp_path, queue):
    database_url = get_database(app).engine.url.render_as_string(hide_password=False)
    queue_url = _queue_url(queue, tmp_path)
    producer = create_app({"SETTINGS": settings_for(database_url, tmp_path, queue_url=queue_url), "TESTING": True})
    get_queue(producer).huey.flush()
    owner = make_user(session)
    project = make_project(session, owner)

    with get_database(producer).writer() as db:
        job = get_queue(producer).enqueue(db, "project.backup", project_id=project.id, user_id=owner.id)
    env = {**os.environ, "KUNDSTIG_DATABASE_URL": database_url, "KUNDSTIG_QUEUE_URL": queue_url,
           "KUNDSTIG_SECRET_KEY": "test-secret", "KUNDSTIG_INSTANCE_PATH": str(tmp_path)}
    worker = subprocess.Popen([sys.executable, "-m", "app.cli", "worker", "--threads", "1"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        finished = _wait_for(session, job.id, seconds=60)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=20)[0].decode(errors="replace")
        get_database(producer).engine.dispose()
    assert finished.status is JobStatus.DONE, output
    assert finished.total > 0 and finished.progress == finished.total and finished.percent == 100
    assert finished.result["counts"]["project"] == 1
    assert finished.attempts == 1
    archive = session.get(JobFile, job.id)
    assert archive is not None and archive.data[:2] == b"PK"


def _wait_for(session, job_id: int, seconds: float) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        session.rollback()  # see the worker's commits
        job = session.get(Job, job_id)
        session.refresh(job)
        if job.status.finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish within {seconds} s")
