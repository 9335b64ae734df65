"""The report page, its job and download, the API call, and who may do what."""

from __future__ import annotations

import io

import pytest
from docx import Document
from sqlalchemy import select

from app.api.openapi import document as openapi_document
from research import accounts
from research.db import transaction
from research.jobs import Job, JobStatus
from tests.conftest import csrf_token, make_user
from tests.web.demo_team import demo_team


@pytest.fixture
def team(session):
    return demo_team(session)


def generate(client, project_id: int, **form: object):
    page = client.get(f"/projects/{project_id}/report").get_data(as_text=True)
    return client.post(f"/projects/{project_id}/report", data={"csrf_token": csrf_token(page), **form})


def test_a_viewer_generates_a_report_and_downloads_it_from_the_job_page(client, auth, team, session):
    auth.login("viewer@example.org")
    page = client.get(f"/projects/{team}/report")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Generate report" in html and 'value="network"' in html and "Småföretagare" in html
    assert f'href="/projects/{team}/exports" aria-current="page">Export</a>' in html  # the report is under Export
    response = generate(client, team, sections=["summary", "network", "stuck"], format="docx",
                        persona="Förstagångsköpare")
    assert response.status_code == 302
    job_page = client.get(response.headers["Location"])
    body = job_page.get_data(as_text=True)
    assert "Export report" in body and "Download" in body and "hidden" not in body.split('id="job-download"')[1][:12]
    session.rollback()
    job = session.scalars(select(Job).where(Job.kind == "export.report")).one()
    assert job.status is JobStatus.DONE and job.progress == job.total == 5
    assert job.result["sections"] == ["summary", "network", "stuck"]
    download = client.get(f"/projects/{team}/jobs/{job.id}/download")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].endswith('.docx"')
    docx = Document(io.BytesIO(download.data))
    assert [p.text for p in docx.paragraphs if p.style.name == "Heading 1"] == \
        ["Summary", "Actor network", "Where customers get stuck"]
    assert any("Persona: Förstagångsköpare" in p.text for p in docx.paragraphs)


def test_outsiders_see_neither_the_page_nor_the_file(client, auth, team, session):
    auth.login("viewer@example.org")
    job_url = generate(client, team, sections=["codebook"], format="md").headers["Location"]
    auth.logout()
    auth.login("outsider@example.org")
    assert client.get(f"/projects/{team}/report").status_code == 404
    assert client.get(job_url).status_code == 404
    assert client.get(job_url + "/download").status_code == 404
    page = client.get("/").get_data(as_text=True)
    assert client.post(f"/projects/{team}/report", data={"csrf_token": csrf_token(page), "sections": "summary",
                                                         "format": "md"}).status_code == 404


def test_a_backup_stays_downloadable_by_owners_only(client, auth, team, session):
    auth.login("owner@example.org")
    page = client.get(f"/projects/{team}").get_data(as_text=True)
    job_url = client.post(f"/projects/{team}/backup", data={"csrf_token": csrf_token(page)}).headers["Location"]
    assert client.get(job_url + "/download").status_code == 200
    auth.logout()
    auth.login("viewer@example.org")
    assert 'id="job-download" hidden' in client.get(job_url).get_data(as_text=True)
    assert client.get(job_url + "/download").status_code == 403


def test_the_form_refuses_no_sections_and_unknown_formats(client, auth, team):
    auth.login("viewer@example.org")
    response = generate(client, team, format="docx")
    assert response.status_code == 400 and "Choose at least one section" in response.get_data(as_text=True)
    response = generate(client, team, sections="summary", format="pdf")
    assert response.status_code == 400 and "Unknown report format" in response.get_data(as_text=True)


def test_the_api_starts_a_report_job_as_documented(client, team, session):
    viewer = accounts.get_user_by_email(session, "viewer@example.org")
    with transaction(session):
        token = accounts.create_token(session, user_id=viewer.id)
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(f"/api/v1/projects/{team}/report", headers=headers,
                           json={"sections": ["journey"], "filters": {"source_kind": "interview"}, "format": "html"})
    assert response.status_code == 202
    job = response.get_json()
    spec = openapi_document()
    operation = spec["paths"]["/projects/{project_id}/report"]["post"]
    assert "202" in operation["responses"]
    job_schema = spec["components"]["schemas"]["Job"]
    assert set(job_schema["required"]) <= set(job) and job["kind"] == "export.report"
    assert set(spec["components"]["schemas"]["ReportRequest"]["properties"]) == {"sections", "filters", "format"}
    status = client.get(f"/api/v1/projects/{team}/jobs/{job['id']}", headers=headers).get_json()
    assert status["status"] == "done" and status["result"]["format"] == "html"
    bad = client.post(f"/api/v1/projects/{team}/report", headers=headers, json={"sections": ["nope"]})
    assert bad.status_code == 400 and "Unknown section" in bad.get_json()["detail"]
    other = make_user(session, email="stranger@example.org")
    with transaction(session):
        stranger = accounts.create_token(session, user_id=other.id)
    assert client.post(f"/api/v1/projects/{team}/report", headers={"Authorization": f"Bearer {stranger}"},
                       json={}).status_code == 404
