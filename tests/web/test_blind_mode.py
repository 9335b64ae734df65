"""Blind mode is a setting of the browser session, per project: turned on once, every document
page of that project shows only the researcher's own codings until it is turned off."""

from __future__ import annotations

import pytest

from coding.codings import apply_code
from research.db import transaction
from research.segmenting import segment
from research.sources import SourceKind, add_source
from tests.conftest import csrf_token, make_project
from tests.web.workbench_data import Team, make_team, span_of

OTHER_TEXT = "Intervjuare: Och banken?\n\nÅsa: Banken ringde aldrig tillbaka.\n"


@pytest.fixture
def team(session) -> Team:
    return make_team(session)


@pytest.fixture
def other_source(session, team):
    with transaction(session):
        return add_source(session, project_id=team.project.id, kind=SourceKind.INTERVIEW, name="Intervju: Åsa 2",
                          text=OTHER_TEXT, spans=segment(OTHER_TEXT), original=OTHER_TEXT.encode(), language="sv")


def code(session, team, source_id, start, end, user) -> None:
    with transaction(session):
        apply_code(session, project_id=team.project.id, source_id=source_id, code_id=team.bank.id, start=start,
                   end=end, user_id=user.id)


@pytest.fixture
def coded(session, team, other_source):
    """One coding by the owner and one by the coder in each source."""
    for phrase, user in (("banken", team.owner), ("Göteborg", team.coder)):
        code(session, team, team.source.id, *span_of(phrase), user)
    start = OTHER_TEXT.index("Banken ringde")
    code(session, team, other_source.id, start, start + 6, team.owner)
    code(session, team, other_source.id, start + 7, start + 13, team.coder)
    return other_source


def document(client, team, source_id, query: str = "") -> str:
    return client.get(f"/projects/{team.project.id}/sources/{source_id}{query}").get_data(as_text=True)


def toggle(client, team, source_id, on: bool):
    token = csrf_token(document(client, team, source_id))
    return client.post(f"/projects/{team.project.id}/sources/{source_id}/blind",
                       data={"blind": "1" if on else "0", "csrf_token": token})


def test_blind_mode_turned_on_holds_on_every_document_of_the_project_until_turned_off(client, auth, team, coded):
    auth.login(team.coder.email)
    assert document(client, team, team.source.id).count('class="coded') == 2
    response = toggle(client, team, team.source.id, on=True)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/projects/{team.project.id}/sources/{team.source.id}")
    first = document(client, team, team.source.id)
    assert first.count('class="coded') == 1 and 'aria-pressed="true"' in first
    second = document(client, team, coded.id)  # another document page, no parameter
    assert second.count('class="coded') == 1 and "Blind mode: only my codings" in second
    fragment = client.get(f"/projects/{team.project.id}/sources/{coded.id}/text").get_data(as_text=True)
    assert fragment.count('class="coded') == 1
    toggle(client, team, coded.id, on=False)
    off = document(client, team, team.source.id)
    assert off.count('class="coded') == 2 and 'aria-pressed="false"' in off


def test_the_toggle_is_a_form_with_a_csrf_token_and_refuses_a_post_without_it(client, auth, team):
    auth.login(team.coder.email)
    page = document(client, team, team.source.id)
    assert f'action="/projects/{team.project.id}/sources/{team.source.id}/blind"' in page
    assert 'name="csrf_token"' in page and 'id="blind-toggle"' in page
    refused = client.post(f"/projects/{team.project.id}/sources/{team.source.id}/blind", data={"blind": "1"})
    assert refused.status_code == 400
    assert 'aria-pressed="false"' in document(client, team, team.source.id)


def test_a_link_with_blind_1_turns_blind_mode_on_and_it_stays_on(client, auth, team, coded):
    auth.login(team.coder.email)
    assert document(client, team, team.source.id, "?blind=1").count('class="coded') == 1
    assert document(client, team, coded.id).count('class="coded') == 1


def test_blind_mode_is_per_project_and_per_session(client, auth, session, team, coded):
    other_project = make_project(session, team.coder, name="Another project")
    auth.login(team.coder.email)
    toggle(client, team, team.source.id, on=True)
    assert client.get(f"/projects/{other_project.id}/sources").status_code == 200
    with client.session_transaction() as stored:
        assert stored.get(f"blind.{team.project.id}") is True
        assert f"blind.{other_project.id}" not in stored
    auth.logout()
    auth.login(team.coder.email)
    assert document(client, team, team.source.id).count('class="coded') == 2


def test_the_page_asks_for_its_text_in_the_mode_it_was_drawn_in(client, auth, team, coded):
    auth.login(team.coder.email)
    toggle(client, team, team.source.id, on=True)
    page = document(client, team, team.source.id)
    assert f'data-text-url="/projects/{team.project.id}/sources/{team.source.id}/text?blind=1"' in page
    # Another tab turned it off: this page's own text keeps its mode, and the setting is not changed by it.
    fragment = client.get(f"/projects/{team.project.id}/sources/{team.source.id}/text?blind=0").get_data(as_text=True)
    assert fragment.count('class="coded') == 2
    assert document(client, team, team.source.id).count('class="coded') == 1


def test_someone_outside_the_project_cannot_set_it(client, auth, team):
    auth.login(team.outsider.email)
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post(f"/projects/{team.project.id}/sources/{team.source.id}/blind",
                           data={"blind": "1", "csrf_token": token})
    assert response.status_code == 404


def test_in_blind_mode_retrieval_and_matrices_count_only_the_coders_own_codings(client, auth, team, coded):
    auth.login(team.coder.email)
    pid = team.project.id
    retrieve = f"/projects/{pid}/retrieve?code={team.bank.id}&coder={team.owner.id}"
    assert "<mark>Göteborg</mark>" not in client.get(retrieve).get_data(as_text=True)  # the owner's codings
    toggle(client, team, team.source.id, on=True)

    quotes = client.get(retrieve).get_data(as_text=True)
    assert "<mark>Göteborg</mark>" in quotes and "<mark>banken</mark>" not in quotes and "Blind mode is on" in quotes
    assert client.get(f"/projects/{pid}/retrieve?code={team.bank.id}&format=csv").get_data(as_text=True) \
        .count("\n") == 3, "a header and the coder's two codings"
    matrix = client.get(f"/projects/{pid}/matrices?kind=cooccurrence&format=csv").get_data(as_text=True)
    assert matrix == client.get(f"/projects/{pid}/matrices?kind=cooccurrence&format=csv&coder={team.coder.id}") \
        .get_data(as_text=True)
