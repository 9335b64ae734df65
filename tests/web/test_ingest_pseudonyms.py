"""Pseudonymisation by owners, and erasing a participant through the page."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from research.participants import Participant
from research.projects import Role
from research.pseudonyms import PseudonymKey
from research.sources import Source
from tests.conftest import Auth, csrf_token, make_member
from tests.web.ingest_support import Setup, logged_in_project

TEXT = ("I: Hur hittade ni huset i Kiruna?\n"
        "Anna: Min kollega Erik på Fjällbanken tipsade oss. Anna Berg heter jag förresten.\n")


@pytest.fixture
def setup(client: FlaskClient, auth: Auth, session: Session) -> Setup:
    return logged_in_project(client, auth, session)


def test_an_owner_reviews_the_names_and_gets_a_pseudonymised_copy_with_a_separate_key(setup: Setup) -> None:
    [result] = setup.results(("anna.txt", TEXT.encode()))
    source_id = result["source_ids"][0]
    pid = setup.project.id
    setup.client.post(f"/projects/{pid}/import/sources/{source_id}/speakers", data={
        "csrf_token": setup.token, "choice-0": "interviewer", "choice-1": "new", "name-1": "Anna Berg"})
    setup.client.post(f"/projects/{pid}/pseudonyms", data={"csrf_token": setup.token,
                                                           "terms": "Fjällbanken | organisation\nKiruna | place"})
    page = setup.client.get(f"/projects/{pid}/pseudonyms/sources/{source_id}").get_data(as_text=True)
    found = dict(re.findall(r'name="term-(\d+)" value="([^"]*)"', page))
    assert set(found.values()) >= {"Anna Berg", "Anna", "Fjällbanken", "Kiruna", "Erik"}
    form: dict[str, str] = {"csrf_token": setup.token, "count": re.search(r'name="count" value="(\d+)"', page)[1]}
    for index, term in found.items():
        if term:
            replacement = re.search(rf'name="replacement-{index}" value="([^"]*)"', page)[1]
            form.update({f"use-{index}": "1", f"term-{index}": term, f"replacement-{index}": replacement,
                         f"kind-{index}": "person"})
    assert setup.client.post(f"/projects/{pid}/pseudonyms/sources/{source_id}", data=form).status_code == 302
    original, copy = setup.sources()
    assert original.text == TEXT
    assert copy.name == "anna (pseudonymised)"
    assert "Anna" not in copy.text and "Erik" not in copy.text and "Kiruna" not in copy.text
    assert "Fjällbanken" not in copy.text
    assert copy.text.startswith("I: Hur hittade ni huset i L01?\nP01: Min kollega")
    assert "P01 heter jag" in copy.text
    anna = setup.session.scalar(select(Participant).where(Participant.name == "Anna Berg"))
    assert copy.participant_id == anna.id
    assert {s.speaker: s.participant_id for s in copy.segments} == {"I": None, "P01": anna.id}
    key = setup.session.scalar(select(PseudonymKey))
    assert key.source_id == copy.id and ["Anna Berg", "P01", "person"] in key.entries
    keys_page = setup.client.get(f"/projects/{pid}/pseudonyms").get_data(as_text=True)
    assert "Anna Berg" in keys_page and "P01" in keys_page


def test_coders_cannot_see_keys_or_pseudonymise(client: FlaskClient, auth: Auth, session: Session) -> None:
    setup = logged_in_project(client, auth, session)
    make_member(session, setup.project, "coder@example.org", Role.CODER)
    auth.logout()
    auth.login("coder@example.org")
    assert client.get(f"/projects/{setup.project.id}/pseudonyms").status_code == 403
    assert client.get(f"/projects/{setup.project.id}/pseudonyms/sources/1").status_code == 403


def test_an_owner_erases_a_participant_from_the_participant_page(setup: Setup) -> None:
    [result] = setup.results(("anna.txt", TEXT.encode()))
    source_id = result["source_ids"][0]
    pid = setup.project.id
    setup.client.post(f"/projects/{pid}/import/sources/{source_id}/speakers", data={
        "csrf_token": setup.token, "choice-0": "interviewer", "choice-1": "new", "name-1": "Anna Berg"})
    anna = setup.session.scalar(select(Participant).where(Participant.name == "Anna Berg"))
    page = setup.client.get(f"/projects/{pid}/participants/{anna.id}").get_data(as_text=True)
    assert "Erase this participant" in page
    token = csrf_token(page)
    response = setup.client.post(f"/projects/{pid}/participants/{anna.id}/erase",
                                 data={"csrf_token": token, "confirm": "erase"}, follow_redirects=True)
    assert "1 source deleted" in response.get_data(as_text=True)
    assert setup.sources() == []
    assert setup.session.scalars(select(Source)).all() == []
