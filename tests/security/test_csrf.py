"""CSRF on every state-changing route: a logged-in owner's browser that sends a
form or a fetch without the session's CSRF token changes nothing. The routes come
from the access matrix (every project route) plus the account routes."""

from __future__ import annotations

from flask import Flask, url_for

from app.queue import get_queue
from tests.conftest import Auth
from tests.web.test_access_matrix import REQUIRED_ROLE

ACCOUNT_ROUTES = [("auth.logout", {}), ("auth.revoke_other_sessions", {}), ("auth.create_token", {}),
                  ("auth.change_password", {}), ("projects.new", {})]


def _unsafe_routes(app: Flask, ids: dict[str, int]) -> list[tuple[str, str]]:
    found = []
    with app.test_request_context():
        for endpoint, method in sorted(REQUIRED_ROLE):
            if method == "GET":
                continue
            rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
            found.append((method, url_for(endpoint, **{arg: ids[arg] for arg in rule.arguments})))
        found += [("POST", url_for(endpoint, **values)) for endpoint, values in ACCOUNT_ROUTES]
    return found


def test_no_state_changing_route_accepts_a_request_without_the_csrf_token(app, client, session, hostile):
    """ASVS 5.0 V3.5.1: anti-forgery tokens on every form post and cookie-authenticated
    API call (bearer-token scripts carry no cookie and need none)."""
    ids = dict(hostile.project.ids, job_id=get_queue(app).enqueue(
        session, "project.backup", project_id=hostile.project.project_id, user_id=None).id)
    Auth(client).login(hostile.owner_email)
    accepted = []
    for method, url in _unsafe_routes(app, ids):
        body = {"json": {}} if url.startswith("/api/") else {"data": {"confirm": "erase"}}
        response = client.open(url, method=method, **body)
        if response.status_code != 400 or "CSRF" not in response.get_data(as_text=True):
            accepted.append(f"{method} {url} -> {response.status_code}")
    assert accepted == []
    assert client.get("/").status_code == 200, "still logged in: logout refused without the token too"
