"""A job's progress report is a commit point that leaves no transaction open, so on SQLite
the slow parts of a job (parsing, embedding, the suggesters) never keep coders' saves
waiting for the write lock."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from app import queue as job_queue
from app.schema import upgrade
from coding import suggest_service
from coding.project_deletion import delete_project
from research.accounts import create_user
from research.db import make_engine, make_session_factory, transaction
from research.jobs import Job, JobStatus, Report, create_job
from research.projects import create_project
from tests.unit.coding.suggest_data import make_world


@pytest.fixture
def database(tmp_path: Path) -> tuple[Path, sessionmaker[Session]]:
    path = tmp_path / "jobs.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return path, make_session_factory(engine, writer=True)


def another_writer_can_commit(path: Path) -> bool:
    """Whether a second connection gets the write lock at once (no waiting)."""
    connection = sqlite3.connect(path, timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return False
    finally:
        connection.close()


def test_after_a_progress_report_the_job_holds_no_write_lock(database, monkeypatch):
    path, sessions = database
    seen: dict[str, bool] = {}

    def body(session: Session, job: Job, report: Report) -> dict[str, Any]:
        job.message = "working"  # a write: the lock is held until the next commit point
        session.flush()
        seen["while writing"] = another_writer_can_commit(path)
        report(1, 2, "half way")
        seen["after the report"] = another_writer_can_commit(path)
        return {}

    monkeypatch.setitem(job_queue.JOB_KINDS, "probe", body)
    with sessions() as session, transaction(session):
        job_id = create_job(session, kind="probe", project_id=None, user_id=None, params={}).id

    job_queue.execute(sessions, job_id)

    assert seen == {"while writing": False, "after the report": True}
    with sessions() as session:
        assert session.get(Job, job_id).status is JobStatus.DONE


def test_the_suggesters_run_after_a_commit_point_of_the_job(database):
    _, sessions = database
    calls: list[str] = []

    class Probe:
        name, version = "probe", "1"

        def suggest(self, segments: list[Any], ctx: Any) -> list[Any]:
            calls.append("suggest")
            return []

    with sessions() as session:
        world = make_world(session)
        with transaction(session):
            suggest_service.run_suggestions(session, project_id=world.project.id, suggesters=[Probe()],
                                            progress=lambda done, total, message: calls.append(message))

    probe = calls.index("suggest")
    assert calls[probe - 1].startswith("Suggesting codes for"), calls


def test_a_job_whose_project_is_deleted_while_it_runs_stops_at_its_next_report(database, monkeypatch, caplog):
    _, sessions = database
    with sessions() as session, transaction(session):
        owner = create_user(session, email="owner@kundstig.example", password="a long enough password")
        project = create_project(session, owner_id=owner.id, name="Soon gone", company_name="Bank")
        job_id = create_job(session, kind="probe", project_id=project.id, user_id=owner.id, params={}).id
    reports: list[int] = []

    def body(session: Session, job: Job, report: Report) -> dict[str, Any]:
        for done in range(3):
            report(done, 3)
            reports.append(done)
            if done == 0:  # an owner deletes the project between two reports
                with sessions() as other, transaction(other):
                    delete_project(other, project_id=project.id, user_id=owner.id)
        return {}

    monkeypatch.setitem(job_queue.JOB_KINDS, "probe", body)
    job_queue.execute(sessions, job_id)

    assert reports == [0]
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    with sessions() as session:
        assert session.get(Job, job_id) is None
