"""Every page of the app, opened on the demo project in a real browser: it loads
without errors (the `page` fixture fails on any JS error, CSP violation or
failed resource) and axe-core finds no serious or critical violation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.database import get_database
from coding.codebook import Code
from coding.memos import Memo
from research.jobs import Job
from research.participants import Participant
from research.sources import Source
from tests.e2e.conftest import serious_accessibility_violations

pytestmark = pytest.mark.e2e
NOT_PAGES = (".css", ".svg", "/text", "/download", "/healthz", "/static/")


def _page_urls(live_server) -> list[str]:
    """One URL per GET page (not API, assets or downloads), filled with demo objects."""
    app, project_id = live_server.app, live_server.demo.project_id
    with get_database(app).reader() as session:
        first = {
            "source_id": session.scalar(select(Source.id).where(Source.project_id == project_id)
                                        .order_by(Source.id)),
            "code_id": session.scalar(select(Code.id).where(Code.project_id == project_id, Code.is_folder.is_(False))
                                      .order_by(Code.id)),
            "memo_id": session.scalar(select(Memo.id).where(Memo.project_id == project_id).order_by(Memo.id)),
            "participant_id": session.scalar(select(Participant.id).where(Participant.project_id == project_id)
                                             .order_by(Participant.id)),
            "job_id": session.scalar(select(Job.id).where(Job.project_id == project_id).order_by(Job.id)),
        }
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith("/api/") or any(p in rule.rule for p in NOT_PAGES):
            continue
        values = {"project_id": project_id, **first}
        if not set(rule.arguments) <= set(values) or any(values[a] is None for a in rule.arguments):
            continue
        with app.test_request_context():
            from flask import url_for

            urls.append(url_for(rule.endpoint, **{a: values[a] for a in rule.arguments}))
    return sorted(set(urls))


def test_every_page_loads_cleanly_and_passes_axe(logged_in, live_server):
    findings: dict[str, list[str]] = {}
    urls = _page_urls(live_server)
    assert len(urls) >= 25, urls
    for url in urls:
        response = logged_in.goto(url)
        assert response is not None and response.status < 500, f"{url} answered {response and response.status}"
        problems = serious_accessibility_violations(logged_in)
        if problems:
            findings[url] = problems
    assert findings == {}
