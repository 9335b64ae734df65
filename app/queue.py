"""The job queue behind a narrow interface: ``enqueue``, ``status``, ``cancel``.

Huey carries only a job id. ``sqlite://`` (default) keeps the queue in the
instance folder, ``redis://`` lets workers on other machines share it, and
``memory://`` runs jobs immediately (unit tests).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper
from sqlalchemy.orm import Session, sessionmaker

from app.database import get_database
from app.job_kinds import JOB_KINDS
from research.db import transaction, utcnow
from research.errors import DomainError
from research.jobs import Job, JobCancelled, JobStatus, create_job, get_job

log = logging.getLogger(__name__)


class Queue:
    def __init__(self, huey: Huey, run: TaskWrapper) -> None:
        self.huey = huey
        self._run = run

    def enqueue(self, session: Session, kind: str, *, project_id: int | None, user_id: int | None,
                **params: Any) -> Job:
        """Create the job row and hand its id to the queue once the row is committed."""
        if kind not in JOB_KINDS:
            raise ValueError(f"unknown job kind {kind!r}")
        with transaction(session):
            job = create_job(session, kind=kind, project_id=project_id, user_id=user_id, params=params)
        self._run(job.id)
        with transaction(session):
            session.refresh(job)  # an immediate queue (tests) has already run it
        return job

    def status(self, session: Session, job_id: int) -> Job:
        return get_job(session, job_id=job_id)

    def cancel(self, session: Session, job_id: int) -> Job:
        with transaction(session):
            job = get_job(session, job_id=job_id)
            if not job.status.finished:
                job.cancel_requested = True
                if job.status is JobStatus.QUEUED:
                    job.status, job.finished_at = JobStatus.CANCELLED, utcnow()
                    job.message = "Cancelled before it started."
        return job


def build_huey(queue_url: str, name: str = "kundstig") -> Huey:
    if queue_url.startswith("redis://") or queue_url.startswith("rediss://"):
        return RedisHuey(name, url=queue_url)
    if queue_url.startswith("memory://"):
        return MemoryHuey(name, immediate=True)
    if queue_url.startswith("sqlite:///"):
        return SqliteHuey(name, filename=queue_url.removeprefix("sqlite:///"))
    raise ValueError(f"KUNDSTIG_QUEUE_URL must start with sqlite:///, redis:// or memory://, not {queue_url!r}")


def init_app(app: Flask, queue_url: str) -> Queue:
    huey = build_huey(queue_url)
    sessions = get_database(app).writer

    def run_job(job_id: int) -> None:
        execute(sessions, job_id)

    queue = Queue(huey, huey.task(name="run_job")(run_job))
    app.extensions["kundstig.queue"] = queue
    return queue


def get_queue(app: Flask | None = None) -> Queue:
    return (app or current_app).extensions["kundstig.queue"]  # type: ignore[no-any-return]


def execute(sessions: sessionmaker[Session], job_id: int) -> None:
    """Run one job: claim it, call its body with a progress reporter, record the outcome.

    ``report(done, total, message)`` is a commit point: it saves the progress
    together with the work done so far (SQLite allows one writer at a time, so
    progress cannot be written beside an open write transaction), then raises
    ``JobCancelled`` if someone asked to stop. Bodies call it between units of
    work they can resume from. A job already finished (a duplicate delivery) is
    left alone.
    """
    with sessions() as session, transaction(session):
        job = session.get(Job, job_id)
        if job is None or job.status.finished:
            return
        job.status, job.started_at, job.attempts = JobStatus.RUNNING, utcnow(), job.attempts + 1
        job.error = None
        kind = job.kind
    body = JOB_KINDS[kind]

    with sessions() as session:
        def report(done: int, total: int, message: str = "") -> None:
            row = session.get(Job, job_id)
            assert row is not None
            row.progress, row.total, row.message = done, total, message
            session.commit()
            session.refresh(row)
            if row.cancel_requested:
                raise JobCancelled()

        try:
            with transaction(session):
                job = session.get(Job, job_id)
                assert job is not None
                result = body(session, job, report)
        except JobCancelled:
            _finish(sessions, job_id, JobStatus.CANCELLED, message="Cancelled.")
        except DomainError as exc:
            _finish(sessions, job_id, JobStatus.FAILED, error=str(exc))
        except Exception:
            log.exception("job %s (%s) failed", job_id, kind)
            _finish(sessions, job_id, JobStatus.FAILED,
                    error="The job stopped because of an unexpected error; it has been logged.")
        else:
            _finish(sessions, job_id, JobStatus.DONE, result=result, message="Finished.")


def _finish(sessions: sessionmaker[Session], job_id: int, status: JobStatus, *, error: str | None = None,
            result: dict[str, Any] | None = None, message: str = "") -> None:
    with sessions() as session, transaction(session):
        job = session.get(Job, job_id)
        assert job is not None
        job.status, job.finished_at, job.error = status, utcnow(), error
        job.message = message or job.message
        if result is not None:
            job.result = result

