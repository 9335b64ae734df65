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
from coding.memos import add_memo
from coding.suggestions import Suggestion
from research import accounts
from research.db import transaction
from research.participants import create_participant
from research.projects import Role
from research.segmenting import Span
from research.sources import SourceKind, add_source
from research.staging import stage_upload
from tests.conftest import Auth, make_member, make_project, make_user

# (endpoint, method) -> the smallest role that may use it
REQUIRED_ROLE: dict[tuple[str, str], Role] = {
    ("projects.overview", "GET"): Role.VIEWER,
    ("projects.settings", "GET"): Role.OWNER,
    ("projects.settings", "POST"): Role.OWNER,
    ("projects.phases", "POST"): Role.OWNER,
    ("projects.delete", "POST"): Role.OWNER,
    ("projects.members", "GET"): Role.VIEWER,
    ("projects.members", "POST"): Role.OWNER,
    ("projects.change_role", "POST"): Role.OWNER,
    ("projects.remove_member", "POST"): Role.OWNER,
    ("audit.audit_log_page", "GET"): Role.OWNER,
    ("jobs.start_backup", "POST"): Role.OWNER,
    ("jobs.show", "GET"): Role.VIEWER,
    ("jobs.cancel", "POST"): Role.CODER,
    ("jobs.download", "GET"): Role.OWNER,  # a backup's file; a report's is a viewer's (tests/web/test_report_pages.py)
    ("report.report", "GET"): Role.VIEWER,
    ("report.report", "POST"): Role.VIEWER,
    ("api.start_report_job", "POST"): Role.VIEWER,
    ("exports.index", "GET"): Role.VIEWER,
    ("exports.index", "POST"): Role.VIEWER,
    ("api.start_export_job", "POST"): Role.VIEWER,
    ("api.get_project", "GET"): Role.VIEWER,
    ("api.list_members", "GET"): Role.VIEWER,
    ("api.add_member", "POST"): Role.OWNER,
    ("api.start_backup", "POST"): Role.OWNER,
    ("api.get_job_status", "GET"): Role.VIEWER,
    # sources, codes, codings, memos (the workbench)
    ("api.list_sources", "GET"): Role.VIEWER,
    ("api.get_source_api", "GET"): Role.VIEWER,
    ("api.list_codes", "GET"): Role.VIEWER,
    ("api.create_code_api", "POST"): Role.CODER,
    ("api.list_codings", "GET"): Role.VIEWER,
    ("api.create_coding", "POST"): Role.CODER,
    ("api.update_coding", "PATCH"): Role.CODER,
    ("api.delete_coding", "DELETE"): Role.CODER,
    ("api.list_memos", "GET"): Role.VIEWER,
    ("api.create_memo", "POST"): Role.CODER,
    ("api.undo", "POST"): Role.CODER,
    ("api.import_sources", "POST"): Role.CODER,
    ("workbench.sources", "GET"): Role.VIEWER,
    ("workbench.document", "GET"): Role.VIEWER,
    ("workbench.document_text", "GET"): Role.VIEWER,
    ("workbench.code_colours", "GET"): Role.VIEWER,
    ("workbench.codebook", "GET"): Role.VIEWER,
    ("workbench.codebook", "POST"): Role.CODER,
    ("workbench.codebook_template", "POST"): Role.CODER,
    ("workbench.edit_code", "GET"): Role.VIEWER,
    ("workbench.edit_code", "POST"): Role.CODER,
    ("workbench.move_code", "POST"): Role.CODER,
    ("workbench.merge_code", "POST"): Role.CODER,
    ("workbench.split_code", "POST"): Role.CODER,
    ("workbench.delete_code", "POST"): Role.CODER,
    ("workbench.add_code_memo", "POST"): Role.CODER,
    ("workbench.memos", "GET"): Role.VIEWER,
    ("workbench.memos", "POST"): Role.CODER,
    ("workbench.set_blind_mode", "POST"): Role.VIEWER,
    ("workbench.edit_memo_page", "GET"): Role.CODER,
    ("workbench.edit_memo_page", "POST"): Role.CODER,
    ("workbench.delete_memo_page", "POST"): Role.CODER,
    ("workbench.history", "GET"): Role.VIEWER,
    ("workbench.retrieve_page", "GET"): Role.VIEWER,
    ("workbench.matrices", "GET"): Role.VIEWER,
    ("workbench.agreement", "GET"): Role.VIEWER,
    ("workbench.compare", "GET"): Role.VIEWER,
    ("workbench.autocode", "GET"): Role.VIEWER,
    ("workbench.autocode", "POST"): Role.CODER,
    # network and journey map
    ("network.network", "GET"): Role.VIEWER,
    ("network.journey", "GET"): Role.VIEWER,
    ("network.journey_svg", "GET"): Role.VIEWER,
    ("network.quotes", "GET"): Role.VIEWER,
    ("api.get_network", "GET"): Role.VIEWER,
    ("api.get_journey", "GET"): Role.VIEWER,
    ("api.get_quotes", "GET"): Role.VIEWER,
    # the NLP helper
    ("suggestions.queue", "GET"): Role.VIEWER,
    ("suggestions.nlp_settings", "GET"): Role.VIEWER,
    ("suggestions.choose_model", "POST"): Role.OWNER,
    ("suggestions.run", "POST"): Role.CODER,
    ("api.list_suggestions", "GET"): Role.VIEWER,
    ("api.accept_suggestion", "POST"): Role.CODER,
    ("api.reject_suggestion", "POST"): Role.CODER,
    ("api.accept_all_suggestions", "POST"): Role.CODER,
    ("api.start_suggest", "POST"): Role.CODER,
    # bringing material in
    ("ingest.upload_page", "GET"): Role.CODER,
    ("ingest.upload", "POST"): Role.CODER,
    ("ingest.waiting_speakers", "GET"): Role.CODER,
    ("ingest.speakers", "GET"): Role.CODER,
    ("ingest.speakers", "POST"): Role.CODER,
    ("ingest.survey_page", "GET"): Role.CODER,
    ("ingest.survey_page", "POST"): Role.CODER,
    ("ingest.survey_preview", "GET"): Role.CODER,
    ("ingest.survey_preview", "POST"): Role.CODER,
    ("ingest.participants", "GET"): Role.VIEWER,
    ("ingest.participant_edit", "GET"): Role.VIEWER,
    ("ingest.participant_edit", "POST"): Role.CODER,
    ("ingest.participant_upload", "POST"): Role.CODER,
    ("ingest.participant_preview", "GET"): Role.CODER,
    ("ingest.participant_preview", "POST"): Role.CODER,
    ("ingest.participant_erase", "POST"): Role.OWNER,
    ("ingest.source_erase", "GET"): Role.OWNER,
    ("ingest.source_erase", "POST"): Role.OWNER,
    ("ingest.search", "GET"): Role.VIEWER,
    ("ingest.pseudonyms", "GET"): Role.OWNER,
    ("ingest.pseudonyms", "POST"): Role.OWNER,
    ("ingest.pseudonymise_source", "GET"): Role.OWNER,
    ("ingest.pseudonymise_source", "POST"): Role.OWNER,
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
    """A project with one member per role and an outsider. Every role gets objects of
    its own (a code, a coding, a memo, ...), so one role deleting its object leaves
    the next role something to ask for."""
    owner = make_user(session, "owner@example.org")
    project = make_project(session, owner)
    users = {Role.OWNER: owner,
             Role.CODER: make_member(session, project, "coder@example.org", Role.CODER),
             Role.VIEWER: make_member(session, project, "viewer@example.org", Role.VIEWER)}
    outsider = make_user(session, "outsider@example.org")
    make_project(session, outsider, name="Someone else's study")
    survey = b"id,answer\nR1,Banken ringde.\n"
    ids: dict[object, dict[str, int]] = {}
    with transaction(session):
        for role, user in users.items():
            source = add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name=f"Intervju {role}",
                                text="Vi ville köpa en bostad.", spans=[Span("paragraph", 0, 24)],
                                original=role.value.encode())
            code = create_code(session, project_id=project.id, name=f"Köpa en bostad ({role})", kind=CodeKind.GOAL)
            coding = add_coding(session, project_id=project.id, source_id=source.id, code_id=code.id, start=0,
                                end=10, user_id=user.id)
            memo = add_memo(session, project_id=project.id, target_type="project", target_id=None,
                            text="Arbetshypotes", author_id=user.id)
            participant = create_participant(session, project_id=project.id, name=f"Deltagare {role}")
            suggestion = Suggestion(project_id=project.id, source_id=source.id, start=3, end=8, code_id=code.id,
                                    score=0.9, rationale="test", suggester="actors")
            session.add(suggestion)
            session.flush()
            uploads = {purpose: stage_upload(session, project_id=project.id, user_id=user.id, purpose=purpose,
                                             name="svar.csv", data=survey).id
                       for purpose in ("survey", "participants")}
            ids[role] = {"project_id": project.id, "user_id": users[Role.VIEWER].id, "source_id": source.id,
                         "code_id": code.id, "coding_id": coding.id, "memo_id": memo.id,
                         "participant_id": participant.id, "suggestion_id": suggestion.id,
                         "upload_id": uploads["survey"]}
            ids[(role, "participants")] = {**ids[role], "upload_id": uploads["participants"]}
        tokens = {role: accounts.create_token(session, user_id=user.id) for role, user in users.items()}
        tokens["outsider"] = accounts.create_token(session, user_id=outsider.id)
    job = get_queue(app).enqueue(session, "project.backup", project_id=project.id, user_id=owner.id)
    for key in ids:
        ids[key]["job_id"] = job.id
    return {"users": users, "ids": ids, "tokens": tokens}


def _ids(world, endpoint: str, role: Role) -> dict[str, int]:
    key = (role, "participants") if endpoint.startswith("ingest.participant_preview") else role
    return world["ids"][key]


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
    url = _url(app, endpoint, _ids(world, endpoint, Role.OWNER))
    is_api = endpoint.startswith("api.")

    anonymous = _call(client, method, url)
    assert anonymous.status_code == (401 if is_api else 302), f"anonymous {method} {url}"

    if is_api:
        assert _call(client, method, url, world["tokens"]["outsider"]).status_code == 404
    else:
        Auth(client).login("outsider@example.org")
        assert _call(client, method, url).status_code == 404, f"outsider {method} {url}"

    for role in ROLES:
        url = _url(app, endpoint, _ids(world, endpoint, role))
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
    response = client.get(f"/projects/{other.id}/jobs/{world['ids'][Role.OWNER]['job_id']}")
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
