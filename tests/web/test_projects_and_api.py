"""Projects, phases and members through the pages and the JSON API."""

from sqlalchemy import select

from coding.events import Event
from research import accounts
from research.db import transaction
from research.projects import Membership, Project, Role
from tests.conftest import Auth, csrf_token, make_member, make_project, make_user


def _token(session, user) -> str:
    with transaction(session):
        return accounts.create_token(session, user_id=user.id)


def test_a_new_project_gets_the_chosen_phase_model_and_its_creator_as_owner(client, auth, session):
    make_user(session)
    auth.login()
    token = csrf_token(client.get("/projects/new").get_data(as_text=True))
    response = client.post("/projects/new", data={
        "name": "Kortterminalen", "description": "B2B", "language": "sv", "company_name": "Fjällbanken",
        "company_aliases": "FB, FB-appen\nFjällbankens", "phase_model": "b2b", "csrf_token": token})
    assert response.status_code == 302
    project = session.scalar(select(Project).where(Project.name == "Kortterminalen"))
    assert [p.name for p in project.phases] == ["Starting to think about a purchase", "Buying process",
                                                "Use of what was bought"]
    assert project.company_aliases == ["FB", "FB-appen", "Fjällbankens"]
    assert project.company_terms() == ["fb", "fb-appen", "fjällbanken", "fjällbankens"]
    assert session.scalar(select(Membership.role).where(Membership.project_id == project.id)) is Role.OWNER


def test_an_owner_edits_the_phase_model(client, auth, session):
    owner = make_user(session)
    project = make_project(session, owner, phase_model="before-during-after")
    auth.login()
    token = csrf_token(client.get(f"/projects/{project.id}/settings").get_data(as_text=True))
    client.post(f"/projects/{project.id}/phases",
                data={"phases-phases": "Före | innan tjänsten\nUnder\nEfter\nLängre fram | lojalitet",
                      "phases-csrf_token": token, "csrf_token": token})
    session.rollback()
    session.refresh(project)
    assert [(p.name, p.description) for p in project.phases] == [
        ("Före", "innan tjänsten"), ("Under", ""), ("Efter", ""), ("Längre fram", "lojalitet")]


def test_the_last_owner_cannot_step_down(client, auth, session):
    owner = make_user(session)
    project = make_project(session, owner)
    auth.login()
    token = csrf_token(client.get(f"/projects/{project.id}/members").get_data(as_text=True))
    response = client.post(f"/projects/{project.id}/members/{owner.id}/role", data={"role": "viewer",
                                                                                     "csrf_token": token},
                           follow_redirects=True)
    assert "at least one owner" in response.get_data(as_text=True)


def test_role_changes_are_recorded_in_the_audit_trail(client, auth, session):
    owner = make_user(session)
    project = make_project(session, owner)
    coder = make_member(session, project, "coder@example.org", Role.CODER)
    auth.login()
    token = csrf_token(client.get(f"/projects/{project.id}/members").get_data(as_text=True))
    client.post(f"/projects/{project.id}/members/{coder.id}/role", data={"role": "viewer", "csrf_token": token})
    event = session.scalar(select(Event).where(Event.action == "member.role"))
    assert (event.user_id, event.object_id, event.before, event.after) == (
        owner.id, coder.id, {"role": "coder"}, {"role": "viewer"})


def test_logins_are_audited_without_passwords(auth, session):
    make_user(session)
    auth.login(password="wrong password!")
    auth.login()
    actions = session.execute(select(Event.action, Event.after).order_by(Event.id)).all()
    assert [a for a, _ in actions] == ["login.failed", "login"]
    assert "wrong password" not in repr(actions)


def test_a_script_lists_and_creates_projects_with_a_bearer_token(client, session):
    owner = make_user(session)
    token = _token(session, owner)
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/projects", headers=headers,
                          json={"name": "API-studien", "company_name": "Fjällbanken", "phase_model": "five"})
    assert created.status_code == 201
    body = created.get_json()
    assert body["role"] == "owner" and [p["name"] for p in body["phases"]][0] == "Awareness"
    listed = client.get("/api/v1/projects", headers=headers).get_json()
    assert [p["name"] for p in listed] == ["API-studien"]


def test_the_api_refuses_fields_that_may_not_be_set(client, session):
    owner = make_user(session)
    response = client.post("/api/v1/projects", headers={"Authorization": f"Bearer {_token(session, owner)}"},
                           json={"name": "X", "id": 99, "created_at": "2020-01-01"})
    assert response.status_code == 400
    assert "created_at, id" in response.get_json()["detail"]


def test_a_revoked_or_unknown_token_gets_401(client, session):
    assert client.get("/api/v1/projects", headers={"Authorization": "Bearer ks_nope"}).status_code == 401
    assert client.get("/api/v1/projects").status_code == 401


def test_the_api_with_a_browser_session_needs_the_csrf_token(client, auth, session):
    make_user(session)
    auth.login()
    assert client.get("/api/v1/projects").status_code == 200
    refused = client.post("/api/v1/projects", json={"name": "X"})
    assert refused.status_code == 400
    token = csrf_token(client.get("/").get_data(as_text=True))
    accepted = client.post("/api/v1/projects", json={"name": "X"}, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201


def test_the_openapi_document_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            path = rule.rule.removeprefix("/api/v1").replace("<int:", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method) in documented, f"{method} {path} is not in the OpenAPI document"


def test_members_of_a_project_are_listed_for_viewers(client, session):
    owner = make_user(session)
    project = make_project(session, owner)
    viewer = make_member(session, project, "viewer@example.org", Role.VIEWER)
    response = client.get(f"/api/v1/projects/{project.id}/members",
                          headers={"Authorization": f"Bearer {_token(session, viewer)}"})
    assert sorted(m["role"] for m in response.get_json()) == ["owner", "viewer"]


def test_error_pages_explain_what_happened(app, client, auth, session):
    make_user(session)
    auth.login()
    page = client.get("/projects/424242")
    assert page.status_code == 404 and "not a member" in page.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    token = csrf_token(client.get("/").get_data(as_text=True))
    too_big = client.post("/projects/new", data={"name": "x" * 5000, "csrf_token": token})
    assert too_big.status_code == 413 and "KUNDSTIG_MAX_UPLOAD_MB" in too_big.get_data(as_text=True)


def test_an_unexpected_error_shows_a_calm_500_page(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "Nothing you did caused this" in response.get_data(as_text=True)
    assert "kaboom" not in response.get_data(as_text=True)


def test_owners_only_may_start_backups_and_download_them(client, session):
    owner = make_user(session)
    project = make_project(session, owner)
    viewer = make_member(session, project, "viewer@example.org", Role.VIEWER)
    job = client.post(f"/api/v1/projects/{project.id}/backup",
                      headers={"Authorization": f"Bearer {_token(session, owner)}"}).get_json()
    assert job["status"] == "done" and job["result"]["counts"]["phase"] == 6
    Auth(client).login("viewer@example.org")
    assert client.get(f"/projects/{project.id}/jobs/{job['id']}/download").status_code == 403
    assert viewer.id
