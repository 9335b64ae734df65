"""A worker killed (SIGKILL) in the middle of a job: the next worker to start puts the job
back in the queue, the job resumes, and what it had already written is not doubled."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from sqlalchemy import func, select

from app import create_app
from app.database import get_database
from app.queue import get_queue
from coding.suggestions import Suggestion
from research.db import transaction
from research.jobs import MAX_ATTEMPTS, Job, JobStatus, claim_job, create_job, release_orphaned_jobs
from research.segmenting import segment
from research.sources import SourceKind, add_source
from tests.conftest import make_project, make_user, settings_for

SOURCES = 6
# Each interview names actors, goals and pain points the rule-based suggesters pick up.
TEXT = ("Vi ville köpa en bostad i Uppsala, så vi gick till banken för att få ett lånelöfte. "
        "Mäklaren ringde oss, och vi fick ett lån hos Fjällbanken. Det var krångligt med papperen, "
        "vi var frustrerade. Sen hjälpte min svärfar oss med kontantinsatsen.")


def _worker(env: dict[str, str], *module_args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", *module_args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)


def _job(session, job_id: int) -> Job:
    session.rollback()  # see the worker's commits
    job = session.get(Job, job_id)
    session.refresh(job)
    return job


def _wait(session, job_id: int, done, seconds: float, what: str) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = _job(session, job_id)
        if done(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id}: {what} did not happen within {seconds} s")


def _suggestion_keys(session, project_id: int) -> list[tuple]:
    session.rollback()
    return list(session.execute(select(Suggestion.source_id, Suggestion.start, Suggestion.end, Suggestion.code_id,
                                       Suggestion.proposed_name, Suggestion.suggester)
                                .where(Suggestion.project_id == project_id)).all())


def test_a_suggestion_job_whose_worker_is_killed_resumes_in_the_next_worker_without_doubles(app, session,
                                                                                            tmp_path):
    database_url = get_database(app).engine.url.render_as_string(hide_password=False)
    queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
    producer = create_app({"SETTINGS": settings_for(database_url, tmp_path, queue_url=queue_url), "TESTING": True})
    owner = make_user(session)
    project = make_project(session, owner)
    with transaction(session):
        for number in range(SOURCES):
            add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name=f"Intervju {number}",
                       text=f"{number}. {TEXT}", spans=segment(f"{number}. {TEXT}"),
                       original=f"{number}. {TEXT}".encode(), language="sv")
    with get_database(producer).writer() as db:
        job = get_queue(producer).enqueue(db, "nlp.suggest", project_id=project.id, user_id=owner.id,
                                          source_ids=None, all=True, embedding_model="none")
    get_database(producer).engine.dispose()
    env = {**os.environ, "KUNDSTIG_DATABASE_URL": database_url, "KUNDSTIG_QUEUE_URL": queue_url,
           "KUNDSTIG_SECRET_KEY": "test-secret", "KUNDSTIG_INSTANCE_PATH": str(tmp_path)}

    slow = _worker(env, "tests.faults.slow_worker", "1.0")
    try:
        halfway = _wait(session, job.id, lambda j: j.progress >= 1, 60, "a first source suggested")
        slow.send_signal(signal.SIGKILL)
        slow.wait(timeout=10)
    finally:
        if slow.poll() is None:
            slow.kill()
        slow.communicate(timeout=10)
    killed = _job(session, job.id)
    assert killed.status is JobStatus.RUNNING and killed.progress < SOURCES
    assert killed.worker == f"{socket.gethostname()}:{slow.pid}" and killed.attempts == 1
    partial = _suggestion_keys(session, project.id)
    assert partial, "the sources finished before the kill were committed"
    assert 1 <= halfway.progress < SOURCES

    worker = _worker(env, "app.cli", "worker", "--threads", "1")
    try:
        finished = _wait(session, job.id, lambda j: j.status.finished, 60, "the job finishing")
    finally:
        worker.terminate()
        output = worker.communicate(timeout=20)[0].decode(errors="replace")
    assert finished.status is JobStatus.DONE, output
    assert finished.attempts == 2 and finished.progress == finished.total == SOURCES
    keys = _suggestion_keys(session, project.id)
    assert len(keys) == len(set(keys)), "a suggestion was stored twice"
    assert set(partial) <= set(keys), "what was written before the kill is kept (or replaced by its equal)"
    per_source = session.execute(select(Suggestion.source_id, func.count()).where(
        Suggestion.project_id == project.id).group_by(Suggestion.source_id)).all()
    assert len(per_source) == SOURCES, "every source got its suggestions, also those after the kill"


def test_a_job_that_kills_its_worker_every_time_fails_with_a_reason_instead_of_looping(app, session):
    owner = make_user(session)
    project = make_project(session, owner)
    with transaction(session):
        job = create_job(session, kind="nlp.suggest", project_id=project.id, user_id=owner.id)
        job.status, job.worker, job.attempts = JobStatus.RUNNING, "elsewhere:1", MAX_ATTEMPTS
        alive = create_job(session, kind="nlp.suggest", project_id=project.id, user_id=owner.id)
        alive.status, alive.worker, alive.attempts = JobStatus.RUNNING, "elsewhere:2", 1
    with transaction(session):
        requeued = release_orphaned_jobs(session, worker_alive=lambda name: name == "elsewhere:2")
    assert requeued == []
    failed, running = _job(session, job.id), _job(session, alive.id)
    assert failed.status is JobStatus.FAILED and "stopped 3 times" in failed.error
    assert running.status is JobStatus.RUNNING


def test_orphaned_jobs_are_queued_again_unless_cancelled_and_a_running_job_is_never_claimed_twice(app, session):
    owner = make_user(session)
    project = make_project(session, owner)
    with transaction(session):
        orphan = create_job(session, kind="nlp.suggest", project_id=project.id, user_id=owner.id)
        orphan.status, orphan.worker, orphan.attempts = JobStatus.RUNNING, "gone:1", 1
        cancelled = create_job(session, kind="nlp.suggest", project_id=project.id, user_id=owner.id)
        cancelled.status, cancelled.worker, cancelled.attempts = JobStatus.RUNNING, "gone:1", 1
        cancelled.cancel_requested = True
    with transaction(session):
        assert claim_job(session, job_id=orphan.id, worker="another:2") is None  # it is running: not claimable
        requeued = release_orphaned_jobs(session, worker_alive=lambda name: False)
    assert requeued == [orphan.id]
    again, stopped = _job(session, orphan.id), _job(session, cancelled.id)
    assert again.status is JobStatus.QUEUED and "Restarted" in again.message
    assert stopped.status is JobStatus.CANCELLED
    with transaction(session):
        claimed = claim_job(session, job_id=orphan.id, worker="another:2")
    assert claimed is not None and claimed.worker == "another:2" and claimed.attempts == 2
