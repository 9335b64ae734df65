"""Background jobs as rows: what the UI polls and what workers update.

The queue (Huey) only carries a job id; the job's kind, parameters, progress
and outcome live here, so any worker on any machine can pick a job up and any
web process can show it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, LargeBinary, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from research.db import Base, utcnow
from research.errors import NotFound


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)


class Job(Base):
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[JobStatus] = mapped_column(
        Enum(JobStatus, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e]),
        default=JobStatus.QUEUED,
    )
    progress: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    # "host:pid" of the worker process running it; a running job whose worker died is retried.
    worker: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    @property
    def percent(self) -> int:
        if self.status is JobStatus.DONE:
            return 100
        return int(100 * self.progress / self.total) if self.total else 0


class JobFile(Base):
    """A file a job produced (an export, a backup), kept in the database so a
    worker on another machine can hand it to the web process."""

    __tablename__ = "job_file"

    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(120))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class JobCancelled(Exception):
    """Raised inside a job body when someone asked to cancel it."""


# A job body: (session, job, report) -> result dict. ``report(done, total, message)``
# commits the work so far with the progress and raises JobCancelled on request.
Report = Callable[[int, int, str], None]
JobBody = Callable[[Session, Job, Report], dict[str, Any]]


# A job whose worker dies this many times is failed instead of retried again (it may be what kills it).
MAX_ATTEMPTS = 3


def create_job(session: Session, *, kind: str, project_id: int | None, user_id: int | None,
               params: dict[str, Any] | None = None) -> Job:
    job = Job(kind=kind, project_id=project_id, user_id=user_id, params=dict(params or {}))
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, *, job_id: int, project_id: int | None = None) -> Job:
    job = session.get(Job, job_id)
    if job is None or (project_id is not None and job.project_id != project_id):
        raise NotFound("No such job in this project.")
    return job


def jobs_of(session: Session, project_id: int, limit: int = 50) -> list[Job]:
    return list(session.scalars(
        select(Job).where(Job.project_id == project_id).order_by(Job.id.desc()).limit(limit)
    ))


def claim_job(session: Session, *, job_id: int, worker: str | None) -> Job | None:
    """Mark a queued job as running in ``worker``; None if it is not queued (finished,
    cancelled, or a duplicate delivery another worker claimed first). The check and the
    change are one UPDATE, so two workers can never both claim a job."""
    claimed = session.execute(
        update(Job).where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, worker=worker, started_at=utcnow(), attempts=Job.attempts + 1, error=None)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    job = session.get(Job, job_id, populate_existing=True)
    assert job is not None
    return job


def release_orphaned_jobs(session: Session, *, worker_alive: Callable[[str], bool]) -> list[int]:
    """Put running jobs whose worker is gone back in the queue; returns their ids (to enqueue).

    A job's partial work is already committed at its last ``report``, and job bodies are
    idempotent per unit (a source's suggestions replace that source's earlier ones), so a
    rerun resumes without doubling anything. A job cancelled meanwhile ends as cancelled,
    and one that has used up ``MAX_ATTEMPTS`` fails with a reason instead of looping."""
    requeued: list[int] = []
    running = session.execute(select(Job.id, Job.worker, Job.attempts, Job.cancel_requested)
                              .where(Job.status == JobStatus.RUNNING)).all()
    for job_id, worker, attempts, cancel_requested in running:
        if worker is not None and worker_alive(worker):
            continue
        if cancel_requested:
            values: dict[str, Any] = dict(status=JobStatus.CANCELLED, finished_at=utcnow(), message="Cancelled.")
        elif attempts >= MAX_ATTEMPTS:
            values = dict(status=JobStatus.FAILED, finished_at=utcnow(),
                          error=f"The worker running this job stopped {attempts} times; it was not retried again. "
                                "Tell the administrator (the worker may be running out of memory).")
        else:
            values = dict(status=JobStatus.QUEUED, message=f"Restarted: the worker running it stopped "
                                                           f"(attempt {attempts} of {MAX_ATTEMPTS}).")
        same_claim = Job.worker.is_(None) if worker is None else Job.worker == worker
        changed = session.execute(update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING, same_claim)
                                  .values(**values).execution_options(synchronize_session=False))
        if changed.rowcount == 1 and values["status"] is JobStatus.QUEUED:  # type: ignore[attr-defined]
            requeued.append(job_id)
    return requeued
