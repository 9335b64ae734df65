"""The suggestion API: running the helper, listing, accepting, rejecting, accept-all; roles."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coding.codings import Coding, Origin
from coding.suggestions import Suggestion, SuggestionStatus
from tests.conftest import csrf_token
from tests.web.suggestions_support import bearer, make_team, use_fake_embedder


@pytest.fixture
def team(session, monkeypatch):
    use_fake_embedder(monkeypatch)
    return make_team(session)


def start(client, team, role="coder", **body):
    return client.post(f"/api/v1/projects/{team.project.id}/suggest", json=body or None, headers=bearer(team, role))


def listed(client, team, role="viewer", query=""):
    return client.get(f"/api/v1/projects/{team.project.id}/suggestions{query}", headers=bearer(team, role))


def agent_suggestion(client, team):
    found = [s for s in listed(client, team).get_json() if s["code_id"] == team.agent_id and s["suggester"] == "actors"]
    assert found, "the helper proposed no agent"
    return found[0]


def test_a_coder_starts_the_helper_and_everyone_in_the_project_sees_the_suggestions(client, team):
    response = start(client, team)
    assert response.status_code == 202
    job = response.get_json()
    assert job["kind"] == "nlp.suggest" and job["status"] == "done" and job["result"]["stored"] > 0
    assert job["result"]["model_id"] == "test-hash"
    items = listed(client, team).get_json()
    assert len(items) == job["result"]["stored"]
    agent = agent_suggestion(client, team)
    assert agent["text"] == "mäklaren" and agent["code_name"] == "Mäklare" and agent["kind"] == "actor"
    assert "mäklaren" in agent["before"] + agent["text"] + agent["after"]
    assert agent["rationale"] and 0 < agent["score"] <= 1 and agent["status"] == "pending"


def test_a_run_for_some_sources_only_touches_those(client, team):
    response = start(client, team, source_ids=[team.source_id])
    assert response.status_code == 202 and response.get_json()["result"]["sources"] == 1
    assert start(client, team, source_ids=[999999]).status_code == 404
    assert start(client, team, source_ids="all").status_code == 400


def test_accepting_through_the_api_creates_a_suggested_coding(client, team, session):
    start(client, team)
    agent = agent_suggestion(client, team)
    response = client.post(f"/api/v1/projects/{team.project.id}/suggestions/{agent['id']}/accept",
                           headers=bearer(team, "coder"))
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] == "accepted" and data["coding"]["origin"] == "suggested"
    coding = session.get(Coding, data["coding"]["id"])
    assert (coding.code_id, coding.start, coding.end, coding.origin) == (
        team.agent_id, agent["start"], agent["end"], Origin.SUGGESTED)
    again = client.post(f"/api/v1/projects/{team.project.id}/suggestions/{agent['id']}/accept",
                        headers=bearer(team, "coder"))
    assert again.status_code == 409
    assert listed(client, team, query="?status=accepted").get_json()[0]["id"] == agent["id"]


def test_accepting_with_another_code_and_span_and_rejecting(client, team, session):
    start(client, team)
    items = listed(client, team).get_json()
    agent = agent_suggestion(client, team)
    url = f"/api/v1/projects/{team.project.id}/suggestions/{agent['id']}/accept"
    other = next(i for i in items if i["code_id"] and i["code_id"] != team.agent_id)
    response = client.post(url, json={"code_id": other["code_id"], "start": agent["start"] - 4, "end": agent["end"]},
                           headers=bearer(team, "owner"))
    assert response.status_code == 200
    assert response.get_json()["coding"]["code_id"] == other["code_id"]
    assert response.get_json()["coding"]["start"] == agent["start"] - 4
    rest = [i for i in items if i["id"] not in (agent["id"], other["id"])][0]
    rejected = client.post(f"/api/v1/projects/{team.project.id}/suggestions/{rest['id']}/reject",
                           headers=bearer(team, "coder"))
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    assert rejected.get_json()["coding"] is None
    assert session.get(Suggestion, rest["id"]).status is SuggestionStatus.REJECTED
    bad = client.post(url.replace(str(agent["id"]), str(rest["id"])).replace("accept", "accept"),
                      json={"colour": "#000000"}, headers=bearer(team, "coder"))
    assert bad.status_code == 400


def test_accept_all_takes_every_suggestion_of_a_code_from_a_score_up(client, team, session):
    start(client, team)
    agent = agent_suggestion(client, team)
    response = client.post(f"/api/v1/projects/{team.project.id}/suggestions/accept-all",
                           json={"code_id": team.agent_id, "min_score": agent["score"]}, headers=bearer(team, "coder"))
    assert response.status_code == 200
    data = response.get_json()
    assert data["accepted"] >= 1 and agent["id"] in data["suggestion_ids"]
    assert all(c["origin"] == "suggested" for c in data["codings"])
    assert client.post(f"/api/v1/projects/{team.project.id}/suggestions/accept-all", json={"min_score": 2},
                       headers=bearer(team, "coder")).status_code == 400


def test_the_browser_session_needs_the_csrf_token_for_decisions(client, team, auth):
    start(client, team)
    agent = agent_suggestion(client, team)
    auth.login("coder@example.org")
    url = f"/api/v1/projects/{team.project.id}/suggestions/{agent['id']}/reject"
    assert client.post(url).status_code == 400
    token = csrf_token(client.get(f"/projects/{team.project.id}/suggestions").get_data(as_text=True))
    assert client.post(url, headers={"X-CSRFToken": token}).status_code == 200


@pytest.mark.parametrize("role, expected", [("owner", 200), ("coder", 200), ("viewer", 200), ("outsider", 404),
                                            ("anonymous", 401)])
def test_listing_suggestions_by_role(client, team, role, expected):
    assert listed(client, team, role).status_code == expected


@pytest.mark.parametrize("role, expected", [("owner", 202), ("coder", 202), ("viewer", 403), ("outsider", 404),
                                            ("anonymous", 401)])
def test_starting_the_helper_by_role(client, team, role, expected):
    assert start(client, team, role).status_code == expected


@pytest.mark.parametrize("action", ["accept", "reject"])
@pytest.mark.parametrize("role, expected", [("owner", 200), ("coder", 200), ("viewer", 403), ("outsider", 404),
                                            ("anonymous", 401)])
def test_deciding_by_role(client, team, session, action, role, expected):
    start(client, team)
    agent = agent_suggestion(client, team)
    response = client.post(f"/api/v1/projects/{team.project.id}/suggestions/{agent['id']}/{action}",
                           headers=bearer(team, role))
    assert response.status_code == expected
    session.rollback()
    status = session.scalar(select(Suggestion.status).where(Suggestion.id == agent["id"]))
    assert (status is SuggestionStatus.PENDING) == (expected != 200)


def test_a_suggestion_of_another_project_is_not_found(client, team):
    start(client, team)
    agent = agent_suggestion(client, team)
    other = team.other_project.id
    response = client.post(f"/api/v1/projects/{other}/suggestions/{agent['id']}/accept",
                           headers=bearer(team, "outsider"))
    assert response.status_code == 404


def test_the_openapi_document_describes_the_suggestion_routes(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    for path, method in [("/projects/{project_id}/suggestions", "get"),
                         ("/projects/{project_id}/suggestions/{suggestion_id}/accept", "post"),
                         ("/projects/{project_id}/suggestions/{suggestion_id}/reject", "post"),
                         ("/projects/{project_id}/suggestions/accept-all", "post"),
                         ("/projects/{project_id}/suggest", "post")]:
        assert method in paths[path]
    assert "Suggestion" in document["components"]["schemas"]
