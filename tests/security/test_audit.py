"""Audit events: logins (both outcomes), role changes and removals, exports and
downloads, deletions and erasures each leave an event, and a project's owners read
them on the audit log page under the project settings."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coding.codebook import create_code
from coding.events import Event
from coding.kinds import CodeKind
from research.db import transaction
from research.participants import create_participant
from research.projects import Role
from research.segmenting import Span
from research.sources import Source, SourceKind, add_source
from tests.conftest import PASSWORD, Auth, csrf_token, make_member, make_project, make_user


@pytest.fixture
def team(session):
    owner = make_user(session, "owner@example.org", name="Olivia Ägare")
    project = make_project(session, owner)
    coder = make_member(session, project, "coder@example.org", Role.CODER)
    with transaction(session):
        person = create_participant(session, project_id=project.id, name="Deltagare 7")
        add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name="Intervju 7",
                   text="Banken ringde.", spans=[Span("paragraph", 0, 14)], original=b"7", participant_id=person.id)
        code = create_code(session, project_id=project.id, name="Bank", kind=CodeKind.ACTOR)
    return {"project": project.id, "owner": owner.id, "coder": coder.id, "participant": person.id, "code": code.id}


def events(session, action: str) -> list[Event]:
    session.rollback()
    return list(session.scalars(select(Event).where(Event.action == action).order_by(Event.id)))


def _owner(client) -> str:
    Auth(client).login("owner@example.org")
    return csrf_token(client.get("/").get_data(as_text=True))


def test_a_successful_login_is_recorded(client, session, team):
    """ASVS 5.0 V16.3.1: successful authentication is logged, with who."""
    Auth(client).login("coder@example.org")
    assert [e.user_id for e in events(session, "login")] == [team["coder"]]


def test_a_failed_login_is_recorded_with_the_address_tried_but_not_the_password(client, session, team):
    """ASVS 5.0 V16.3.1, V16.2.5: failed authentication is logged; the password never is."""
    Auth(client).login("coder@example.org", "wrong password 123")
    [failed] = events(session, "login.failed")
    assert failed.user_id is None and failed.after == {"email": "coder@example.org"}
    assert "wrong password" not in str(failed.after) and PASSWORD not in str(failed.after)


def test_a_role_change_and_a_removal_are_recorded(client, session, team):
    """ASVS 5.0 V16.3.3: changes to who may see the project are security events."""
    token = _owner(client)
    pid, coder = team["project"], team["coder"]
    client.post(f"/projects/{pid}/members/{coder}/role", data={"role": "viewer", "csrf_token": token})
    client.post(f"/projects/{pid}/members/{coder}/remove", data={"csrf_token": token})
    [change] = events(session, "member.role")
    assert (change.user_id, change.object_id, change.before, change.after) == (
        team["owner"], coder, {"role": "coder"}, {"role": "viewer"})
    [removal] = events(session, "member.remove")
    assert (removal.user_id, removal.object_id) == (team["owner"], coder)


def test_a_report_a_backup_and_its_download_are_recorded(client, session, team):
    """ASVS 5.0 V16.3.3: data leaving the server (exports, downloads) is logged."""
    token = _owner(client)
    pid = team["project"]
    assert client.post(f"/projects/{pid}/report", data={"csrf_token": token, "sections": "summary",
                                                        "format": "html"}).status_code == 302
    job_url = client.post(f"/projects/{pid}/backup", data={"csrf_token": token}).headers["Location"]
    assert client.get(job_url + "/download").status_code == 200
    assert [e.after["format"] for e in events(session, "export.report")] == ["html"]
    assert [e.user_id for e in events(session, "export.backup")] == [team["owner"]]
    [download] = events(session, "export.download")
    assert download.user_id == team["owner"] and download.after["kind"] == "project.backup"
    assert download.after["file"].endswith(".zip")


def test_deleting_a_code_and_erasing_a_participant_are_recorded(client, session, team):
    """ASVS 5.0 V16.3.3: deletions are logged with who and what (but no erased content)."""
    token = _owner(client)
    pid = team["project"]
    client.post(f"/projects/{pid}/codebook/{team['code']}/delete", data={"csrf_token": token, "delete-confirm": "y"})
    client.post(f"/projects/{pid}/participants/{team['participant']}/erase", data={"csrf_token": token,
                                                                                   "confirm": "erase"})
    [deleted] = events(session, "code.delete")
    assert deleted.user_id == team["owner"] and deleted.before["name"] == "Bank"
    [erased] = events(session, "participant.erase")
    assert erased.user_id == team["owner"] and erased.after["sources_deleted"] == 1
    assert "Deltagare 7" not in str(erased.after)


def test_erasing_a_source_is_recorded_with_counts_and_shown_in_the_audit_log(client, session, team):
    """ASVS 5.0 V16.3.3: an erasure is logged with who and how much, never what the source said."""
    token = _owner(client)
    pid = team["project"]
    source_id = session.scalar(select(Source.id).where(Source.project_id == pid))
    client.post(f"/projects/{pid}/sources/{source_id}/erase", data={"csrf_token": token, "confirm": "erase"})
    [erased] = events(session, "source.erase")
    assert (erased.user_id, erased.project_id, erased.object_id) == (team["owner"], pid, source_id)
    assert "Intervju 7" not in str(erased.after) and "Banken" not in str(erased.after)
    page = client.get(f"/projects/{pid}/settings/audit?only=deletions").get_data(as_text=True)
    assert "erased a source" in page and f"source #{source_id}: 0 coding(s), 0 memo(s)" in page


def test_deleting_a_project_is_recorded_by_an_event_that_outlives_it(client, session, team):
    """ASVS 5.0 V16.3.3: the project's own events go with it, so its deletion is an event
    without a project: who and when, the project's id and counts, not its name."""
    token = _owner(client)
    pid = team["project"]
    client.post(f"/projects/{pid}/delete", data={"csrf_token": token, "delete-confirm_name": "Home buying study"})
    [deleted] = events(session, "project.delete")
    assert (deleted.user_id, deleted.project_id, deleted.object_id) == (team["owner"], None, pid)
    assert deleted.after["sources"] == 1 and "Home buying" not in str(deleted.after)


def test_the_owner_reads_the_audit_log_and_filters_it(client, session, team):
    """ASVS 5.0 V16.3.3, V8.2.1: the audit trail is readable by the project's owners only."""
    token = _owner(client)
    pid, coder = team["project"], team["coder"]
    client.post(f"/projects/{pid}/members/{coder}/role", data={"role": "viewer", "csrf_token": token})
    client.post(f"/projects/{pid}/backup", data={"csrf_token": token})
    client.post(f"/projects/{pid}/codebook/{team['code']}/delete", data={"csrf_token": token, "delete-confirm": "y"})
    settings = client.get(f"/projects/{pid}/settings").get_data(as_text=True)
    assert f"/projects/{pid}/settings/audit" in settings
    page = client.get(f"/projects/{pid}/settings/audit").get_data(as_text=True)
    for line in ("changed a member&#39;s role", "coder → viewer", "made a backup", "deleted a code", "Bank (0 codings)",
                 "Olivia Ägare"):
        assert line in page, line
    exports = client.get(f"/projects/{pid}/settings/audit?only=exports").get_data(as_text=True)
    assert "made a backup" in exports and "deleted a code" not in exports
    assert client.get(f"/projects/{pid}/settings/audit?only=nonsense").status_code == 400
    Auth(client).logout()
    Auth(client).login("coder@example.org")
    assert client.get(f"/projects/{pid}/settings/audit").status_code == 403


def test_the_team_pages_link_to_each_other_for_owners_and_keep_settings_from_coders(client, team):
    _owner(client)
    pid = team["project"]
    for page in ("members", "settings", "settings/audit"):
        html = client.get(f"/projects/{pid}/{page}").get_data(as_text=True)
        for link in ("members", "settings", "settings/audit"):
            assert f'href="/projects/{pid}/{link}"' in html, (page, link)
    Auth(client).logout()
    Auth(client).login("coder@example.org")
    members = client.get(f"/projects/{pid}/members").get_data(as_text=True)
    assert f'href="/projects/{pid}/settings' not in members
