"""Every project route, for every role: owner, coder, viewer,
outsider (a member of another project) and anonymous.

A role below the route's need gets 403; an outsider gets 404 (a project you are
not in looks exactly like one that does not exist); anonymous visitors are sent
to the login page (web) or get 401 (API). A new route must be added to
``REQUIRED_ROLE`` below, or ``test_every_project_route_is_in_the_matrix`` fails.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from app.queue import get_queue
from coding.codebook import create_code
from coding.codings import add_coding
from coding.kinds import CodeKind
from research import accounts
from research.db import transaction
from research.projects import Role
from research.segmenting import Span
from research.sources import SourceKind, add_source
from tests.conftest import Auth, make_member, make_project, make_user

# (endpoint, method) -> the smallest role that may use it
REQUIRED_ROLE: dict[tuple[str, str], Role] = {
    ("projects.overview", "GET"): Role.VIEWER,
    ("projects.settings", "GET"): Role.OWNER,
    ("projects.settings", "POST"): Role.OWNER,
    ("projects.phases", "POST"): Role.OWNER,
    ("projects.members", "GET"): Role.VIEWER,
    ("projects.members", "POST"): Role.OWNER,
    ("projects.change_role", "POST"): Role.OWNER,
    ("projects.remove_member", "POST"): Role.OWNER,
    ("jobs.start_backup", "POST"): Role.OWNER,
    ("jobs.show", "GET"): Role.VIEWER,
    ("jobs.cancel", "POST"): Role.CODER,
    ("jobs.download", "GET"): Role.OWNER,
    ("api.get_project", "GET"): Role.VIEWER,
    ("api.list_members", "GET"): Role.VIEWER,
    ("api.add_member", "POST"): Role.OWNER,
    ("api.start_backup", "POST"): Role.OWNER,
    ("api.get_job_status", "GET"): Role.VIEWER,
}
ROLES = (Role.VIEWER, Role.CODER, Role.OWNER)  # the owner last: some of its calls remove things


def routes_with_ids(app: Flask) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if "project_id" in rule.arguments:
            for method in rule.methods - {"HEAD", "OPTIONS"}:  # type: ignore[operator]
                found.add((rule.endpoint, method))
    return found


def test_every_project_route_is_in_the_matrix(app):
    missing = routes_with_ids(app) - set(REQUIRED_ROLE)
    assert not missing, f"add these routes to REQUIRED_ROLE: {sorted(missing)}"


@pytest.fixture
def world(app, session):
    """A project with one member per role, objects of every kind, and an outsider."""
    owner = make_user(session, "owner@example.org")
    project = make_project(session, owner)
    users = {Role.OWNER: owner,
             Role.CODER: make_member(session, project, "coder@example.org", Role.CODER),
             Role.VIEWER: make_member(session, project, "viewer@example.org", Role.VIEWER)}
    outsider = make_user(session, "outsider@example.org")
    make_project(session, outsider, name="Someone else's study")
    with transaction(session):
        source = add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name="Intervju 1",
                            text="Vi ville köpa en bostad.", spans=[Span("paragraph", 0, 24)], original=b"x")
        code = create_code(session, project_id=project.id, name="Köpa en bostad", kind=CodeKind.GOAL)
        coding = add_coding(session, project_id=project.id, source_id=source.id, code_id=code.id, start=0, end=10,
                            user_id=owner.id)
        tokens = {role: accounts.create_token(session, user_id=user.id) for role, user in users.items()}
        tokens["outsider"] = accounts.create_token(session, user_id=outsider.id)
    job = get_queue(app).enqueue(session, "project.backup", project_id=project.id, user_id=owner.id)
    ids = {"project_id": project.id, "job_id": job.id, "user_id": users[Role.VIEWER].id, "source_id": source.id,
           "code_id": code.id, "coding_id": coding.id}
    return {"users": users, "ids": ids, "tokens": tokens}


def _url(app: Flask, endpoint: str, ids: dict[str, int]) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    missing = [arg for arg in rule.arguments if arg not in ids]
    assert not missing, f"the matrix fixture has no object for {missing}"
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{arg: ids[arg] for arg in rule.arguments})


def _call(client, method: str, url: str, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.open(url, method=method, headers=headers, json={} if method != "GET" and token else None)


@pytest.mark.parametrize(("endpoint", "method"), sorted(REQUIRED_ROLE))
def test_access_follows_the_role_matrix(app, client, world, endpoint, method):
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own tests; this one is about roles
    needed = REQUIRED_ROLE[(endpoint, method)]
    url = _url(app, endpoint, world["ids"])
    is_api = endpoint.startswith("api.")

    anonymous = _call(client, method, url)
    assert anonymous.status_code == (401 if is_api else 302), f"anonymous {method} {url}"

    if is_api:
        assert _call(client, method, url, world["tokens"]["outsider"]).status_code == 404
    else:
        Auth(client).login("outsider@example.org")
        assert _call(client, method, url).status_code == 404, f"outsider {method} {url}"

    for role in ROLES:
        fresh = app.test_client()
        token = world["tokens"][role] if is_api else None
        if not is_api:
            Auth(fresh).login(world["users"][role].email)
        status = _call(fresh, method, url, token).status_code
        if role.allows(needed):
            assert status not in (401, 403, 404), f"{role.value} {method} {url} -> {status}"
        else:
            assert status == 403, f"{role.value} {method} {url} -> {status}"


def test_an_object_of_another_project_is_not_found_even_for_an_owner(app, client, world, session):
    app.config["WTF_CSRF_ENABLED"] = False
    other_owner = make_user(session, "other@example.org")
    other = make_project(session, other_owner, name="Other")
    Auth(client).login("other@example.org")
    # The other project's owner asks for this project's job through their own project id.
    response = client.get(f"/projects/{other.id}/jobs/{world['ids']['job_id']}")
    assert response.status_code == 404


def test_nobody_can_revoke_another_persons_api_token(app, client, session):
    victim = make_user(session, "victim@example.org")
    with transaction(session):
        accounts.create_token(session, user_id=victim.id, name="script")
    token = session.scalar(select(accounts.ApiToken))
    make_user(session, "attacker@example.org")
    app.config["WTF_CSRF_ENABLED"] = False
    Auth(client).login("attacker@example.org")
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    session.rollback()
    assert session.get(accounts.ApiToken, token.id).revoked_at is None
