"""The codebook pages: who may see and change codes, and the template offered on an empty codebook."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coding.codebook import Code
from coding.codings import Coding, add_coding
from research.db import transaction
from tests.conftest import csrf_token, make_project, make_user
from tests.web.workbench_data import make_team, span_of


@pytest.mark.parametrize("role, status", [("owner", 200), ("coder", 200), ("viewer", 200), ("outsider", 404)])
def test_the_codebook_pages_open_for_members_only(client, auth, session, role, status):
    team = make_team(session)
    auth.login(team.email(role))
    assert client.get(f"/projects/{team.project.id}/codebook").status_code == status
    assert client.get(f"/projects/{team.project.id}/codebook/{team.bank.id}").status_code == status


@pytest.mark.parametrize("role, status", [("coder", 302), ("viewer", 403), ("outsider", 404)])
def test_creating_a_code_in_the_form_needs_a_coder(client, auth, session, role, status):
    team = make_team(session)
    auth.login(team.email(role))
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post(f"/projects/{team.project.id}/codebook",
                           data={"csrf_token": token, "name": "Förtroende", "kind": "emotion", "colour": "#b0467a",
                                 "valence": "2", "ownership": "company"})
    assert response.status_code == status, response.get_data(as_text=True)[-3000:]
    session.rollback()
    created = session.scalar(select(Code).where(Code.name == "Förtroende"))
    assert (created is not None) == (status == 302)
    if created:
        assert created.valence == 2 and created.ownership is None  # only the kind's own fields are kept


def test_an_empty_codebook_offers_the_customer_path_template_and_applies_it(client, auth, session):
    owner = make_user(session)
    project = make_project(session, owner)
    auth.login()
    page = client.get(f"/projects/{project.id}/codebook").get_data(as_text=True)
    assert "Start from the customer path codebook" in page
    response = client.post(f"/projects/{project.id}/codebook/template", data={"csrf_token": csrf_token(page)},
                           follow_redirects=True)
    assert "customer path codebook is in place" in response.get_data(as_text=True)
    session.rollback()
    assert session.scalar(select(Code).where(Code.project_id == project.id, Code.name == "Estate agent"))


def test_deleting_a_code_needs_the_confirmation_box(client, auth, session):
    team = make_team(session)
    auth.login()
    url = f"/projects/{team.project.id}/codebook/{team.home.id}"
    token = csrf_token(client.get(url).get_data(as_text=True))
    client.post(f"{url}/delete", data={"csrf_token": token})
    session.rollback()
    assert session.get(Code, team.home.id) is not None
    client.post(f"{url}/delete", data={"csrf_token": token, "delete-confirm": "y"})
    session.rollback()
    assert session.scalar(select(Code.id).where(Code.id == team.home.id)) is None


@pytest.mark.parametrize("role, status", [("coder", 302), ("viewer", 403)])
def test_a_coder_splits_a_code_from_its_page_and_a_viewer_may_not(client, auth, session, role, status):
    team = make_team(session)
    with transaction(session):
        kept, moved = (add_coding(session, project_id=team.project.id, source_id=team.source.id,
                                  code_id=team.bank.id, start=span_of(phrase)[0], end=span_of(phrase)[1],
                                  user_id=team.owner.id) for phrase in ("banken", "Mäklaren på Ærø"))
    kept_id, moved_id = kept.id, moved.id
    auth.login(team.email(role))
    url = f"/projects/{team.project.id}/codebook/{team.bank.id}"
    page = client.get(url).get_data(as_text=True)
    assert ("Split off the ticked codings" in page) == (role == "coder")
    response = client.post(f"{url}/split", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True)),
                                                 "split-new_name": "Mäklaren", "split-coding": [str(moved_id)]})
    assert response.status_code == status
    session.rollback()
    session.expire_all()
    new = session.scalar(select(Code).where(Code.project_id == team.project.id, Code.name == "Mäklaren"))
    assert (new is not None) == (role == "coder")
    if new is not None:
        assert (new.kind, new.parent_id, new.ownership) == (team.bank.kind, team.folder.id, "company")
        assert session.get(Coding, moved_id).code_id == new.id
        assert session.get(Coding, kept_id).code_id == team.bank.id
