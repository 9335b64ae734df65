"""Erasing a source and deleting a project through the pages: only owners can, both need
a deliberate confirmation (without it nothing at all changes), each is one unit of work
with its audit event, and the flash says what went. Erasing a participant says which
cached exports went and where other sources still name them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coding.codebook import create_code
from coding.codings import Coding, add_coding
from coding.events import Event
from coding.kinds import CodeKind
from coding.memos import Memo, add_memo
from research.accounts import User
from research.db import transaction
from research.jobs import JobFile, create_job
from research.participants import create_participant
from research.projects import Project, Role
from research.segmenting import segment
from research.sources import Source, SourceKind, add_source
from research.speakers import SpeakerChoice, map_speakers
from tests.conftest import Auth, csrf_token, make_member, make_project, make_user
from tests.unit.coding.test_project_deletion import rows_of

TEXT = "I: Hur hittade ni banken?\nEva: Min granne tipsade oss om Fjällbanken.\n"
GROUP = "I: Välkomna.\nEva: Banken ringde.\nBo: Eva sa att banken ringde. Jag ringde Eva sen.\nI: Tack.\n"


@dataclass
class Team:
    project_id: int
    source_id: int
    other_id: int
    participant_id: int


@pytest.fixture
def team(session: Session) -> Team:
    """An owner, a coder and a viewer; Eva's interview with two codings, a memo on the
    source and one on a coding; a group interview where Bo names Eva twice; a cached export."""
    owner = make_user(session, "owner@example.org")
    project = make_project(session, owner, name="Bankresan")
    make_member(session, project, "coder@example.org", Role.CODER)
    make_member(session, project, "viewer@example.org", Role.VIEWER)
    with transaction(session):
        eva = create_participant(session, project_id=project.id, name="Eva")
        own = add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name="Eva hemma", text=TEXT,
                         spans=segment(TEXT), original=TEXT.encode(), participant_id=eva.id)
        group = add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name="Gruppen", text=GROUP,
                           spans=segment(GROUP), original=GROUP.encode())
        map_speakers(session, project_id=project.id, source_id=group.id,
                     choices={"I": SpeakerChoice("interviewer"), "Eva": SpeakerChoice("participant", eva.id),
                              "Bo": SpeakerChoice("new", name="Bo")})
        code = create_code(session, project_id=project.id, name="Tips", kind=CodeKind.THEME)
        first = add_coding(session, project_id=project.id, source_id=own.id, code_id=code.id, start=3, end=10,
                           user_id=owner.id)
        add_coding(session, project_id=project.id, source_id=own.id, code_id=code.id, start=31, end=45,
                   user_id=owner.id)
        add_memo(session, project_id=project.id, target_type="source", target_id=own.id, text="Bra intervju.",
                 author_id=owner.id)
        add_memo(session, project_id=project.id, target_type="coding", target_id=first.id, text="Grannen!",
                 author_id=owner.id)
        job = create_job(session, kind="project.export", project_id=project.id, user_id=owner.id)
        session.add(JobFile(job_id=job.id, name="export.zip", media_type="application/zip", data=b"PK"))
        return Team(project.id, own.id, group.id, eva.id)


def login(client: FlaskClient, email: str = "owner@example.org") -> str:
    Auth(client).login(email)
    return csrf_token(client.get("/").get_data(as_text=True))


def count(session: Session, model: type, *where: object) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def events(session: Session, action: str) -> list[Event]:
    session.rollback()
    return list(session.scalars(select(Event).where(Event.action == action)))


# --- erasing a source -------------------------------------------------------------------------------------------


def test_only_owners_see_the_way_to_erase_a_source(client: FlaskClient, team: Team) -> None:
    document = f"/projects/{team.project_id}/sources/{team.source_id}"
    login(client)
    assert f"{document}/erase" in client.get(document).get_data(as_text=True)
    for email in ("coder@example.org", "viewer@example.org"):
        Auth(client).logout()
        login(client, email)
        assert f"{document}/erase" not in client.get(document).get_data(as_text=True)
        assert client.get(f"{document}/erase").status_code == 403


def test_the_erase_page_says_what_goes_with_the_source(client: FlaskClient, team: Team) -> None:
    login(client)
    page = client.get(f"/projects/{team.project_id}/sources/{team.source_id}/erase").get_data(as_text=True)
    for line in ("Erase this source", "2 codings", "2 memos", "0 suggestions", "1 cached export file",
                 "The participant Eva stays", 'name="confirm" value="erase" required'):
        assert line in page, line


def test_without_the_confirmation_nothing_is_erased(client: FlaskClient, session: Session, team: Team) -> None:
    token = login(client)
    url = f"/projects/{team.project_id}/sources/{team.source_id}/erase"
    response = client.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert "Tick the box to confirm the erasure. Nothing was erased." in response.get_data(as_text=True)
    assert count(session, Source, Source.id == team.source_id) == 1
    assert count(session, Coding, Coding.source_id == team.source_id) == 2
    assert count(session, Memo) == 2 and count(session, JobFile) == 1
    assert events(session, "source.erase") == []


def test_coders_and_viewers_cannot_erase_a_source(client: FlaskClient, session: Session, team: Team) -> None:
    for email in ("coder@example.org", "viewer@example.org"):
        token = login(client, email)
        response = client.post(f"/projects/{team.project_id}/sources/{team.source_id}/erase",
                               data={"csrf_token": token, "confirm": "erase"})
        assert response.status_code == 403
        Auth(client).logout()
    assert count(session, Source, Source.id == team.source_id) == 1 and events(session, "source.erase") == []


def test_an_owner_erases_a_source_and_is_told_what_went(client: FlaskClient, session: Session, team: Team) -> None:
    token = login(client)
    response = client.post(f"/projects/{team.project_id}/sources/{team.source_id}/erase",
                           data={"csrf_token": token, "confirm": "erase"})
    assert response.headers["Location"] == f"/projects/{team.project_id}/sources"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ("The source was erased, with its 2 codings and 2 memos. 1 cached export file of the project was "
            "dropped as well, as it may quote it; export again when you need to.") in page
    assert "Eva hemma" not in page and "Gruppen" in page
    assert count(session, Source, Source.id == team.source_id) == 0
    assert count(session, Coding) == 0 and count(session, Memo) == 0 and count(session, JobFile) == 0
    [event] = events(session, "source.erase")
    assert (event.project_id, event.object_id) == (team.project_id, team.source_id)
    assert event.after == {"characters": len(TEXT), "codings": 2, "memos": 2, "suggestions": 0, "exports_dropped": 1}
    assert "Eva" not in str(event.after)


def test_erasing_a_source_of_another_project_is_not_found(client: FlaskClient, session: Session, team: Team) -> None:
    other = make_project(session, session.scalar(select(User).where(User.email == "owner@example.org")), name="Annat")
    token = login(client)
    response = client.post(f"/projects/{other.id}/sources/{team.source_id}/erase",
                           data={"csrf_token": token, "confirm": "erase"})
    assert response.status_code == 404
    assert count(session, Source, Source.id == team.source_id) == 1


# --- erasing a participant: the flash -----------------------------------------------------------------------------


def test_erasing_a_participant_reports_dropped_exports_and_where_others_still_name_them(
        client: FlaskClient, team: Team) -> None:
    token = login(client)
    response = client.post(f"/projects/{team.project_id}/participants/{team.participant_id}/erase",
                           data={"csrf_token": token, "confirm": "erase"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert ("The participant was erased: 1 source deleted and 1 passage cut from shared sources. "
            "1 cached export file of the project was dropped, as it may quote them. "
            "Other sources still name them 2 times, in “Gruppen”: pseudonymise those passages on the "
            "Pseudonymisation page.") in page


# --- deleting a project ---------------------------------------------------------------------------------------------


def test_the_owner_finds_the_danger_zone_in_the_settings(client: FlaskClient, team: Team) -> None:
    login(client)
    page = client.get(f"/projects/{team.project_id}/settings").get_data(as_text=True)
    for line in ("Delete this project", "2 sources", "1 code,", "2 codings", "2 memos", "2 participants",
                 "Type the project&#39;s name to confirm", f'action="/projects/{team.project_id}/delete"'):
        assert line in page, line


def test_a_wrong_or_missing_name_deletes_nothing(client: FlaskClient, session: Session, team: Team) -> None:
    before = rows_of(session, team.project_id)
    token = login(client)
    for typed in ("", "bankresan", "Bankresa"):
        response = client.post(f"/projects/{team.project_id}/delete",
                               data={"csrf_token": token, "delete-confirm_name": typed})
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "That is not the project&#39;s name, so nothing was deleted." in page
        assert 'aria-invalid="true"' in page and 'value="Bankresan"' in page, "the settings form is filled in"
    session.rollback()
    assert rows_of(session, team.project_id) == before
    assert events(session, "project.delete") == []


def test_coders_and_viewers_cannot_delete_the_project(client: FlaskClient, session: Session, team: Team) -> None:
    for email in ("coder@example.org", "viewer@example.org"):
        token = login(client, email)
        response = client.post(f"/projects/{team.project_id}/delete",
                               data={"csrf_token": token, "delete-confirm_name": "Bankresan"})
        assert response.status_code == 403
        Auth(client).logout()
    assert count(session, Project, Project.id == team.project_id) == 1


def test_the_name_may_be_typed_with_a_plain_dash_and_other_spacing(client: FlaskClient, session: Session) -> None:
    owner = make_user(session, "owner@example.org")
    project = make_project(session, owner, name="Vägen hem – och  kortet")
    token = login(client)
    response = client.post(f"/projects/{project.id}/delete",
                           data={"csrf_token": token, "delete-confirm_name": "Vägen hem - och kortet"})
    assert response.headers["Location"] == "/"
    assert count(session, Project, Project.id == project.id) == 0


def test_an_owner_deletes_the_project_and_it_is_gone_for_everyone(client: FlaskClient, session: Session,
                                                                    team: Team) -> None:
    token = login(client)
    response = client.post(f"/projects/{team.project_id}/delete",
                           data={"csrf_token": token, "delete-confirm_name": " Bankresan "})
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert ("The project was deleted with everything in it: 2 sources, 1 code, 2 codings, 2 memos and "
            "2 participants. 1 cached export file went with it. It is gone for every member.") in page
    assert "Bankresan" not in page
    assert {name: keys for name, keys in rows_of(session, team.project_id).items() if keys} == {}
    [event] = events(session, "project.delete")
    assert event.project_id is None and event.object_id == team.project_id
    assert client.get(f"/projects/{team.project_id}").status_code == 404
    Auth(client).logout()
    login(client, "coder@example.org")
    assert client.get(f"/projects/{team.project_id}").status_code == 404
