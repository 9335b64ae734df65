"""Administrators' checks: /healthz and `kundstig health`, `kundstig backup` and `restore`."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from app.health import beat, worker_name
from app.queue import get_queue
from coding.codings import Coding
from coding.demo.loader import _manifest, load_demo
from research.db import transaction
from tests.conftest import make_user


def test_healthz_reports_a_missing_worker_as_degraded_and_a_live_one_as_ok(app, client):
    report = client.get("/healthz").get_json()
    assert report["database"] == {"ok": True}
    assert report["queue"]["ok"] and report["workers"]["alive"] == 0
    assert report["status"] == "degraded"
    beat(get_queue(app).huey, worker_name())
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"
    assert response.get_json()["workers"]["names"] == [worker_name()]


def test_healthz_reveals_no_project_data(app, client):
    body = client.get("/healthz").get_data(as_text=True)
    assert "project" not in body and "@" not in body


def test_the_health_command_fails_without_a_worker(kundstig):
    code, out = kundstig("health")
    assert code == 1 and json.loads(out)["status"] == "degraded"


def test_backup_and_restore_commands_copy_a_project(kundstig, session, tmp_path):
    owner = make_user(session, "owner@example.org")
    with transaction(session):
        project = load_demo(session, owner=owner, manifest=_manifest())
    archive = tmp_path / "demo.zip"
    code, out = kundstig("backup", str(project.id), "-o", str(archive))
    assert code == 0 and "287 codings" in out and archive.exists()
    code, out = kundstig("restore", str(archive), "--owner", "owner@example.org")
    assert code == 0
    copy_id = int(out)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Coding).where(Coding.project_id == copy_id)) == 287
    code, out = kundstig("backup", "99999", "-o", str(tmp_path / "x.zip"))
    assert code == 1 and "no project 99999" in out and not (tmp_path / "x.zip.partial").exists()
