"""The export page: every format as a background job with a download, who may do what, the API call."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.api.openapi import document as openapi_document
from coding.events import Event
from research import accounts
from research.db import transaction
from research.jobs import Job, JobStatus
from tests.conftest import csrf_token
from tests.web.demo_team import demo_team


@pytest.fixture
def team(session):
    return demo_team(session)


def export(client, project_id: int, **form: object):
    page = client.get(f"/projects/{project_id}/exports").get_data(as_text=True)
    return client.post(f"/projects/{project_id}/exports", data={"csrf_token": csrf_token(page), **form})


def finished_job(session, kind: str = "export.file") -> Job:
    session.rollback()
    return session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id.desc())).first()


def test_the_page_says_what_each_format_is_for_under_the_export_tab(client, auth, team):
    auth.login("viewer@example.org")
    page = client.get(f"/projects/{team}/exports")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'href="/projects/{team}/exports" aria-current="page">Export</a>' in html
    for label in ("REFI-QDA project (.qdpx)", "REFI-QDA codebook (.qdc)", "Excel workbook (.xlsx)",
                  "CSV table (.csv)", "GraphML", "GEXF"):
        assert label in html
    assert "ATLAS.ti, NVivo, MAXQDA" in html and "Gephi" in html
    assert f'href="/projects/{team}/report"' in html and "Nothing exported yet." in html
    assert "Back up project" not in html and "Only the project's owners" in html


def test_a_viewer_exports_a_workbook_and_downloads_it_from_the_job_page(client, auth, team, session):
    auth.login("viewer@example.org")
    response = export(client, team, format="xlsx")
    assert response.status_code == 302
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Export file" in body and "hidden" not in body.split('id="job-download"')[1][:12]
    job = finished_job(session)
    assert job.status is JobStatus.DONE and job.progress == job.total
    assert job.result["counts"]["long"] == 287 and job.params == {"format": "xlsx"}
    download = client.get(f"/projects/{team}/jobs/{job.id}/download")
    assert download.status_code == 200
    assert re.search(rf'filename="kundstig-project-{team}-\d{{8}}-\d{{4}}\.xlsx"',
                     download.headers["Content-Disposition"])
    workbook = load_workbook(io.BytesIO(download.data), read_only=True)
    assert workbook.sheetnames[0] == "Codings" and "Codebook" in workbook.sheetnames
    workbook.close()
    viewer = accounts.get_user_by_email(session, "viewer@example.org")
    event = session.scalars(select(Event).where(Event.action == "export.file")).one()
    assert event.user_id == viewer.id and event.project_id == team and event.after == {"format": "xlsx"}


def test_every_format_gives_a_file_in_that_format(client, auth, team, session):
    auth.login("viewer@example.org")
    opens = {
        "qdpx": lambda data: "project.qde" in zipfile.ZipFile(io.BytesIO(data)).namelist(),
        "qdc": lambda data: b"<CodeBook" in data[:500],
        "graphml": lambda data: b"<graphml" in data[:500],
        "gexf": lambda data: b"<gexf" in data[:500],
        "csv": lambda data: next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[:2] == ["code", "kind"],
    }
    for fmt, check in opens.items():
        assert export(client, team, format=fmt, table="matrix").status_code == 302
        job = finished_job(session)
        assert job.status is JobStatus.DONE, (fmt, job.error)
        download = client.get(f"/projects/{team}/jobs/{job.id}/download")
        assert download.headers["Content-Disposition"].endswith(f'.{fmt}"'), fmt
        assert check(download.data), fmt
    assert job.params == {"format": "csv", "table": "matrix"} and "-matrix-" in download.headers["Content-Disposition"]


def test_unknown_formats_and_tables_are_refused_and_nothing_is_queued(client, auth, team, session):
    auth.login("viewer@example.org")
    response = export(client, team, format="pdf")
    assert response.status_code == 400 and "Unknown export format" in response.get_data(as_text=True)
    response = export(client, team, format="csv", table="pivot")
    assert response.status_code == 400 and "Unknown table" in response.get_data(as_text=True)
    response = client.post(f"/projects/{team}/exports", data={"format": "xlsx"})
    assert response.status_code == 400 and "submit it again" in response.get_data(as_text=True)  # no CSRF token
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Job)) == 0
    assert session.scalar(select(func.count()).where(Event.action == "export.file")) == 0


def test_recent_exports_offer_downloads_only_of_what_the_role_may_download(client, auth, team, session):
    auth.login("owner@example.org")
    export(client, team, format="qdc")
    page = client.get(f"/projects/{team}/exports").get_data(as_text=True)
    assert client.post(f"/projects/{team}/backup", data={"csrf_token": csrf_token(page)}).status_code == 302
    backup, codebook = finished_job(session, "project.backup"), finished_job(session)
    owner_page = client.get(f"/projects/{team}/exports").get_data(as_text=True)
    assert "Back up project" in owner_page
    assert f"/jobs/{backup.id}/download" in owner_page and f"/jobs/{codebook.id}/download" in owner_page
    auth.logout()
    auth.login("viewer@example.org")
    viewer_page = client.get(f"/projects/{team}/exports").get_data(as_text=True)
    assert "Project backup" in viewer_page and "REFI-QDA codebook (.qdc)" in viewer_page
    assert f"/jobs/{backup.id}/download" not in viewer_page and f"/jobs/{codebook.id}/download" in viewer_page


def test_outsiders_see_neither_the_page_nor_can_they_export(client, auth, team):
    auth.login("outsider@example.org")
    assert client.get(f"/projects/{team}/exports").status_code == 404
    page = client.get("/").get_data(as_text=True)
    assert client.post(f"/projects/{team}/exports",
                       data={"csrf_token": csrf_token(page), "format": "xlsx"}).status_code == 404


def test_the_api_starts_an_export_job_as_documented(client, team, session):
    viewer = accounts.get_user_by_email(session, "viewer@example.org")
    with transaction(session):
        token = accounts.create_token(session, user_id=viewer.id)
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(f"/api/v1/projects/{team}/exports", headers=headers,
                           json={"format": "csv", "table": "codebook"})
    assert response.status_code == 202
    job = response.get_json()
    spec = openapi_document()
    assert "202" in spec["paths"]["/projects/{project_id}/exports"]["post"]["responses"]
    assert set(spec["components"]["schemas"]["ExportRequest"]["properties"]) == {"format", "table"}
    assert set(spec["components"]["schemas"]["Job"]["required"]) <= set(job) and job["kind"] == "export.file"
    status = client.get(f"/api/v1/projects/{team}/jobs/{job['id']}", headers=headers).get_json()
    assert status["status"] == "done" and status["result"]["counts"] == {"rows": 81}
    bad = client.post(f"/api/v1/projects/{team}/exports", headers=headers, json={"format": "xlsx", "sheet": 1})
    assert bad.status_code == 400 and "sheet" in bad.get_json()["detail"]
    bad = client.post(f"/api/v1/projects/{team}/exports", headers=headers, json={"format": "pdf"})
    assert bad.status_code == 400 and "Unknown export format" in bad.get_json()["detail"]
