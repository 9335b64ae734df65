"""The job queue behind a narrow interface: ``enqueue``, ``status``, ``cancel``.

Huey carries only a job id. ``sqlite://`` (default) keeps the queue in the
instance folder, ``redis://`` lets workers on other machines share it, and
``memory://`` runs jobs immediately (unit tests).

A worker that dies in the middle of a job (killed, out of memory, machine lost)
takes Huey's message with it, so the job row is what gets a job going again: a
running job records the worker running it, and a starting worker puts the jobs
of workers that are no longer alive back in the queue (``Queue.recover``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.database import get_database
from app.errors import disk_full
from app.job_kinds import JOB_KINDS
from research.db import transaction, utcnow
from research.errors import DomainError
from research.jobs import Job, JobCancelled, JobStatus, claim_job, create_job, get_job, release_orphaned_jobs

log = logging.getLogger(__name__)
CLAIM_RETRIES = 10
CLAIM_RETRY_SECONDS = 15


class Queue:
    def __init__(self, huey: Huey, run: TaskWrapper, sessions: sessionmaker[Session]) -> None:
        self.huey = huey
        self._run = run
        self._sessions = sessions
        # The name this process's jobs are claimed under ("host:pid"); empty in web processes.
        self.worker = ""

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

    def recover(self, worker: str, worker_alive: Callable[[str], bool]) -> list[int]:
        """Start serving as ``worker``: re-enqueue the running jobs of workers that are gone.

        Jobs claimed under this worker's own name are from an earlier process that had the
        same name (a restarted container often gets the same pid), so they count as orphaned.
        """
        self.worker = worker
        return self._requeue_orphans(lambda name: name != worker and worker_alive(name))

    def watch(self, worker_alive: Callable[[str], bool], every: float) -> threading.Thread:
        """Keep re-enqueueing the jobs of workers that die while this one runs (on other machines).
        This worker's own jobs are never taken for orphans, even if one of its beats went missing."""
        def run() -> None:
            while True:
                time.sleep(every)
                try:
                    self._requeue_orphans(lambda name: name == self.worker or worker_alive(name))
                except Exception:  # noqa: BLE001 - a missed round is repeated by the next
                    log.exception("looking for the jobs of stopped workers failed")

        thread = threading.Thread(target=run, name="kundstig-orphans", daemon=True)
        thread.start()
        return thread

    def _requeue_orphans(self, worker_alive: Callable[[str], bool]) -> list[int]:
        with self._sessions() as session, transaction(session):
            requeued = release_orphaned_jobs(session, worker_alive=worker_alive)
        for job_id in requeued:
            log.warning("job %s was running in a worker that stopped; queued again", job_id)
            self._run(job_id)
        return requeued

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
        execute(sessions, job_id, worker=queue.worker or None)

    # ``execute`` raises when the database could not be used (locked past its timeout,
    # restarting, unreachable). Huey then delivers the job again later: a job that could not
    # be claimed gets claimed then, and the claim makes a second delivery of one that did start
    # harmless.
    task = huey.task(name="run_job", retries=CLAIM_RETRIES, retry_delay=CLAIM_RETRY_SECONDS)
    queue = Queue(huey, task(run_job), sessions)
    app.extensions["kundstig.queue"] = queue
    return queue


def get_queue(app: Flask | None = None) -> Queue:
    return (app or current_app).extensions["kundstig.queue"]  # type: ignore[no-any-return]


def execute(sessions: sessionmaker[Session], job_id: int, *, worker: str | None = None) -> None:
    """Run one job: claim it, call its body with a progress reporter, record the outcome.

    ``report(done, total, message)`` is a commit point: it saves the progress
    together with the work done so far (SQLite allows one writer at a time, so
    progress cannot be written beside an open write transaction), then raises
    ``JobCancelled`` if someone asked to stop. It returns with no transaction open, so
    work done next without touching the database (parsing, embedding, the suggesters)
    keeps no other writer waiting. Bodies call it between units of work they can resume
    from. Only a queued job is claimed: one finished, cancelled or already running
    elsewhere (a duplicate delivery) is left alone. A job whose row is gone (its project was
    deleted while it ran) stops at its next report as if cancelled, and nothing is recorded.
    """
    with sessions() as session, transaction(session):
        job = claim_job(session, job_id=job_id, worker=worker)
        if job is None:
            return
        kind = job.kind
    body = JOB_KINDS[kind]

    with sessions() as session:
        def report(done: int, total: int, message: str = "") -> None:
            if session.scalar(select(Job.id).where(Job.id == job_id)) is None:
                raise JobCancelled()  # its project was deleted: what it did so far is rolled back
            row = session.get(Job, job_id)
            assert row is not None
            row.progress, row.total, row.message = done, total, message
            session.commit()
            session.refresh(row)
            cancelled = row.cancel_requested
            session.commit()  # ends the read of the flag: the body goes on holding no lock
            if cancelled:
                raise JobCancelled()

        try:
            with transaction(session):
                job = session.get(Job, job_id)
                if job is None:
                    raise JobCancelled()
                result = body(session, job, report)
        except JobCancelled:
            _finish(sessions, job_id, JobStatus.CANCELLED, message="Cancelled.")
        except DomainError as exc:
            _finish(sessions, job_id, JobStatus.FAILED, error=str(exc))
        except Exception as exc:
            if disk_full(exc):
                log.error("job %s (%s) stopped: the disk is full", job_id, kind)
                error = ("The server's disk is full, so the job stopped and kept nothing of its unfinished "
                         "result. Tell the administrator; start it again once there is space.")
            else:
                log.exception("job %s (%s) failed", job_id, kind)
                error = "The job stopped because of an unexpected error; it has been logged."
            _finish(sessions, job_id, JobStatus.FAILED, error=error)
        else:
            _finish(sessions, job_id, JobStatus.DONE, result=result, message="Finished.")


def _finish(sessions: sessionmaker[Session], job_id: int, status: JobStatus, *, error: str | None = None,
            result: dict[str, Any] | None = None, message: str = "") -> None:
    with sessions() as session, transaction(session):
        job = session.get(Job, job_id)
        if job is None:
            log.info("job %s ended with its project, which was deleted", job_id)
            return
        job.status, job.finished_at, job.error = status, utcnow(), error
        job.message = message or job.message
        if result is not None:
            job.result = result

