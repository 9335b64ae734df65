"""The disk filling up during an upload or an export: a clear error, and nothing half-written
(no partial source, no file of a job that counts as done, no partial export file)."""

from __future__ import annotations

import errno
import io
import pathlib
import secrets

from sqlalchemy import func, select

from app.database import get_database
from coding.events import Event
from research import accounts
from research.db import transaction
from research.jobs import Job, JobFile, JobStatus
from research.segmenting import segment
from research.sources import Segment, Source, SourceFile, SourceKind, add_source
from research.staging import StagedUpload
from tests.conftest import make_project, make_user
from tests.faults.disk_full import database_full

# About 120 kB of interview: far more than the few pages of room left on the full disk.
INTERVIEW = "\n\n".join(f"Intervjuare: Fråga {n}?\n\nÅsa: Svar nummer {n} om banken, mäklaren och lånet."
                        for n in range(1500)).encode()


def count(session, model, **where) -> int:
    session.rollback()
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return session.scalar(query)


def test_an_upload_onto_a_full_disk_is_refused_with_507_and_leaves_no_trace(app, client, auth, session):
    owner = make_user(session)
    project = make_project(session, owner)
    auth.login()

    def form() -> dict:
        return {"kind": "interview", "csrf_token": auth.token(f"/projects/{project.id}/import"),
                "files": (io.BytesIO(INTERVIEW), "intervju-åsa.txt")}

    with database_full(get_database(app).engine, "source"):
        refused = client.post(f"/projects/{project.id}/import", data=form(), headers={"Accept": "application/json"},
                              content_type="multipart/form-data")
    assert refused.status_code == 507
    assert refused.get_json()["error"] == "The server's disk is full"
    assert "Nothing of this request was saved" in refused.get_json()["detail"]
    for model in (Source, StagedUpload):
        assert count(session, model, project_id=project.id) == 0, model.__name__
    assert count(session, Segment) == count(session, SourceFile) == 0
    assert count(session, Event, project_id=project.id, action="source.import") == 0

    page = client.post(f"/projects/{project.id}/import", data=form(), content_type="multipart/form-data")
    assert page.status_code == 200 and "imported" in page.get_data(as_text=True)  # room again: it goes in
    assert count(session, Source, project_id=project.id) == 1


def project_with_a_big_source(session):
    owner = make_user(session)
    project = make_project(session, owner)
    noise = " ".join(secrets.token_hex(8) for _ in range(20_000))  # does not compress: a big archive
    with transaction(session):
        add_source(session, project_id=project.id, kind=SourceKind.DOCUMENT, name="Anteckningar", text=noise,
                   spans=segment(noise), original=noise.encode(), language="sv")
    return owner, project


def test_a_backup_job_on_a_full_disk_fails_with_the_reason_and_keeps_no_file(app, client, session):
    owner, project = project_with_a_big_source(session)
    with transaction(session):
        token = accounts.create_token(session, user_id=owner.id, name="fault test")
    bearer = {"Authorization": f"Bearer {token}"}
    with database_full(get_database(app).engine, "job_file"):
        started = client.post(f"/api/v1/projects/{project.id}/backup", headers=bearer)
    assert started.status_code == 202  # the job was queued; it is the job that met the full disk
    job_id = started.get_json()["id"]
    session.rollback()
    job = session.get(Job, job_id)
    assert job.status is JobStatus.FAILED
    assert "disk is full" in job.error and "kept nothing" in job.error
    assert session.get(JobFile, job_id) is None
    assert client.get(f"/projects/{project.id}/jobs/{job_id}/download", headers=bearer).status_code != 200


def test_the_export_command_on_a_full_disk_says_so_and_leaves_no_file(app, session, kundstig, tmp_path,
                                                                     monkeypatch):
    _, project = project_with_a_big_source(session)
    real_open = pathlib.Path.open

    def open_on_a_full_disk(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        return FullDisk(handle) if "w" in mode else handle

    monkeypatch.setattr(pathlib.Path, "open", open_on_a_full_disk)
    target = tmp_path / "backup.zip"
    code, output = kundstig("export", str(project.id), "--format", "backup", "-o", str(target))
    assert code == 1
    assert "No space left on device" in output and "Traceback" not in output
    assert list(tmp_path.glob("backup.zip*")) == []


class FullDisk(io.RawIOBase):
    """A file that takes the first 4 kB and then reports ENOSPC, as a filling disk does."""

    def __init__(self, handle: io.BufferedWriter) -> None:
        self.handle, self.room = handle, 4096

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self.handle.write(data)

    def close(self) -> None:
        self.handle.close()
        super().close()
