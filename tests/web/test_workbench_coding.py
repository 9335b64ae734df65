"""The document page and the coding API: who may see and change what, idempotent
coding, conflicts, undo, blind mode and Unicode offsets end to end."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coding.codings import Coding
from coding.events import Event
from coding.memos import Memo
from research import accounts
from research.db import transaction
from tests.conftest import Auth
from tests.web.workbench_data import TEXT, Team, make_team, span_of


@pytest.fixture
def team(session) -> Team:
    return make_team(session)


def bearer(session, user) -> dict[str, str]:
    with transaction(session):
        token = accounts.create_token(session, user_id=user.id, name="test")
    return {"Authorization": f"Bearer {token}"}


def page_paths(team: Team) -> list[str]:
    pid, sid = team.project.id, team.source.id
    return [f"/projects/{pid}/sources", f"/projects/{pid}/sources/{sid}", f"/projects/{pid}/sources/{sid}/text",
            f"/projects/{pid}/codes.css"]


@pytest.mark.parametrize("role, status", [("owner", 200), ("coder", 200), ("viewer", 200), ("outsider", 404)])
def test_workbench_pages_open_for_members_and_look_absent_to_outsiders(client, auth, team, role, status):
    auth.login(team.email(role))
    for path in page_paths(team):
        assert client.get(path).status_code == status, path


def test_workbench_pages_send_anonymous_visitors_to_the_login(client, team):
    for path in page_paths(team):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role, status", [("owner", 200), ("coder", 200), ("viewer", 200), ("outsider", 404)])
def test_the_read_api_answers_members_only(client, session, team, role, status):
    headers = bearer(session, getattr(team, role))
    pid = team.project.id
    for path in (f"/api/v1/projects/{pid}/codes", f"/api/v1/projects/{pid}/sources",
                 f"/api/v1/projects/{pid}/sources/{team.source.id}", f"/api/v1/projects/{pid}/codings",
                 f"/api/v1/projects/{pid}/memos"):
        assert client.get(path, headers=headers).status_code == status, path


def test_the_api_refuses_anonymous_requests(client, team):
    assert client.get(f"/api/v1/projects/{team.project.id}/codings").status_code == 401


@pytest.mark.parametrize("role, status", [("owner", 201), ("coder", 201), ("viewer", 403), ("outsider", 404)])
def test_coders_and_owners_may_code_but_viewers_and_outsiders_may_not(client, session, team, role, status):
    start, end = span_of("banken")
    response = client.post(f"/api/v1/projects/{team.project.id}/codings", headers=bearer(session, getattr(team, role)),
                           json={"source_id": team.source.id, "code_id": team.bank.id, "start": start, "end": end})
    assert response.status_code == status


@pytest.mark.parametrize("role, status", [("owner", 201), ("coder", 201), ("viewer", 403), ("outsider", 404)])
def test_creating_codes_needs_a_coder_or_owner(client, session, team, role, status):
    response = client.post(f"/api/v1/projects/{team.project.id}/codes", headers=bearer(session, getattr(team, role)),
                           json={"name": "Mäklaren", "kind": "actor", "parent_id": team.folder.id,
                                 "ownership": "third_party", "actor_type": "person", "colour": "#7a4ea3"})
    assert response.status_code == status
    if status == 201:
        body = response.get_json()
        assert body["path"] == "Aktörer / Mäklaren" and body["ownership"] == "third_party"


def test_a_code_refuses_kind_fields_outside_its_vocabulary(client, session, team):
    response = client.post(f"/api/v1/projects/{team.project.id}/codes", headers=bearer(session, team.owner),
                           json={"name": "Känsla", "kind": "emotion", "valence": 7})
    assert response.status_code == 400


def test_the_api_refuses_fields_it_does_not_know(client, session, team):
    response = client.post(f"/api/v1/projects/{team.project.id}/codings", headers=bearer(session, team.owner),
                           json={"source_id": team.source.id, "code_id": team.bank.id, "start": 0, "end": 3,
                                 "coder_id": 99})
    assert response.status_code == 400 and "coder_id" in response.get_json()["detail"]


def test_retrying_a_coding_with_the_same_client_key_never_doubles_it(client, session, team):
    headers = bearer(session, team.coder)
    start, end = span_of("banken")
    body = {"source_id": team.source.id, "code_id": team.bank.id, "start": start, "end": end, "client_key": "k" * 32,
            "memo": "Banken nämns först här."}
    first = client.post(f"/api/v1/projects/{team.project.id}/codings", headers=headers, json=body)
    again = client.post(f"/api/v1/projects/{team.project.id}/codings", headers=headers, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]
    listed = client.get(f"/api/v1/projects/{team.project.id}/codings?source_id={team.source.id}",
                        headers=headers).get_json()
    assert len(listed) == 1 and listed[0]["memo"] == "Banken nämns först här." and listed[0]["coder"] == "coder"


def test_offsets_are_code_points_so_text_after_an_emoji_and_a_combining_mark_is_coded_exactly(client, session, team):
    headers = bearer(session, team.owner)
    for phrase in ("Göteborg", "A\u030angström-lånet", "Ærø"):
        start, end = span_of(phrase)
        response = client.post(f"/api/v1/projects/{team.project.id}/codings", headers=headers,
                               json={"source_id": team.source.id, "code_id": team.home.id, "start": start,
                                     "end": end})
        assert response.status_code == 201
    document = client.get(f"/api/v1/projects/{team.project.id}/sources/{team.source.id}", headers=headers).get_json()
    assert document["text"] == TEXT
    assert sorted(document["text"][c["start"]:c["end"]] for c in document["codings"]) == \
        sorted(["Göteborg", "A\u030angström-lånet", "Ærø"])
    assert [s["speaker"] for s in document["segments"]] == ["Intervjuare", "Åsa", "Åsa"]


def test_a_coding_outside_the_text_is_refused(client, session, team):
    response = client.post(f"/api/v1/projects/{team.project.id}/codings", headers=bearer(session, team.owner),
                           json={"source_id": team.source.id, "code_id": team.bank.id, "start": 5,
                                 "end": len(TEXT) + 1})
    assert response.status_code == 400


def test_codings_can_be_filtered_by_source_and_code(client, session, team):
    headers = bearer(session, team.owner)
    url = f"/api/v1/projects/{team.project.id}/codings"
    for code, phrase in ((team.bank, "banken"), (team.home, "något eget")):
        start, end = span_of(phrase)
        client.post(url, headers=headers, json={"source_id": team.source.id, "code_id": code.id, "start": start,
                                                "end": end})
    assert len(client.get(f"{url}?source_id={team.source.id}", headers=headers).get_json()) == 2
    only_home = client.get(f"{url}?code_id={team.home.id}", headers=headers).get_json()
    assert [c["code_id"] for c in only_home] == [team.home.id]


def _coded(client, session, team, phrase="banken", user=None):
    headers = bearer(session, user or team.owner)
    start, end = span_of(phrase)
    coding = client.post(f"/api/v1/projects/{team.project.id}/codings", headers=headers,
                         json={"source_id": team.source.id, "code_id": team.bank.id, "start": start,
                               "end": end}).get_json()
    return coding, headers


def test_changing_boundaries_with_a_stale_version_is_a_conflict(client, session, team):
    coding, headers = _coded(client, session, team)
    url = f"/api/v1/projects/{team.project.id}/codings/{coding['id']}"
    start, end = span_of("till banken")
    changed = client.patch(url, headers=headers, json={"version": coding["version"], "start": start, "end": end})
    assert changed.status_code == 200 and changed.get_json()["version"] == coding["version"] + 1
    stale = client.patch(url, headers=headers, json={"version": coding["version"], "start": start + 1, "end": end})
    assert stale.status_code == 409 and "reload" in stale.get_json()["detail"]


def test_a_change_without_the_version_seen_is_refused(client, session, team):
    coding, headers = _coded(client, session, team)
    response = client.patch(f"/api/v1/projects/{team.project.id}/codings/{coding['id']}", headers=headers,
                            json={"start": 1})
    assert response.status_code == 400


@pytest.mark.parametrize("role, status", [("coder", 204), ("viewer", 403), ("outsider", 404)])
def test_removing_a_coding_needs_a_coder(client, session, team, role, status):
    coding, _ = _coded(client, session, team, user=team.coder if role == "coder" else team.owner)
    response = client.delete(f"/api/v1/projects/{team.project.id}/codings/{coding['id']}",
                             headers=bearer(session, getattr(team, role)))
    assert response.status_code == status


def test_a_coder_cannot_change_or_remove_another_coders_coding_but_an_owner_can(client, session, team):
    owners, owner_headers = _coded(client, session, team)
    coders, coder_headers = _coded(client, session, team, phrase="till banken", user=team.coder)
    url = f"/api/v1/projects/{team.project.id}/codings"
    refused = client.delete(f"{url}/{owners['id']}", headers=coder_headers)
    assert refused.status_code == 403
    assert refused.get_json()["detail"] == \
        f"This coding is {team.owner.display_name}'s; only they or a project owner can change or remove it."
    assert client.patch(f"{url}/{owners['id']}", headers=coder_headers,
                        json={"version": owners["version"], "start": 0}).status_code == 403
    assert client.patch(f"{url}/{coders['id']}", headers=owner_headers,
                        json={"version": coders["version"], "start": 0}).status_code == 200
    assert client.delete(f"{url}/{coders['id']}", headers=owner_headers).status_code == 204
    assert [c["id"] for c in client.get(url, headers=owner_headers).get_json()] == [owners["id"]]


def test_undo_reverts_the_last_actions_one_by_one(client, session, team):
    coding, headers = _coded(client, session, team)
    url = f"/api/v1/projects/{team.project.id}"
    client.delete(f"{url}/codings/{coding['id']}", headers=headers)
    restored = client.post(f"{url}/undo", headers=headers, json={})
    assert restored.status_code == 200 and restored.get_json()["action"] == "coding.remove"
    listed = client.get(f"{url}/codings", headers=headers).get_json()
    assert [c["id"] for c in listed] == [coding["id"]]
    removed = client.post(f"{url}/undo", headers=headers, json={})
    assert removed.get_json()["action"] == "coding.add"
    assert client.get(f"{url}/codings", headers=headers).get_json() == []
    assert client.post(f"{url}/undo", headers=headers, json={}).status_code == 409
    session.rollback()
    actions = session.scalars(select(Event.action).where(Event.project_id == team.project.id)
                              .order_by(Event.id)).all()
    assert actions[-4:] == ["coding.add", "coding.remove", "coding.undo", "coding.undo"]


def test_undo_from_a_document_stays_in_that_document_and_says_what_it_reverted(client, session, team):
    coding, headers = _coded(client, session, team)
    url = f"/api/v1/projects/{team.project.id}/undo"
    elsewhere = client.post(url, headers=headers, json={"source_id": team.source.id + 1000})
    assert elsewhere.status_code == 409
    assert elsewhere.get_json()["detail"] == "There is nothing of yours left to undo in this source."
    undone = client.post(url, headers=headers, json={"source_id": team.source.id}).get_json()
    assert (undone["coding_id"], undone["source_id"]) == (coding["id"], team.source.id)
    assert undone["message"] == f"Removed your coding “{team.bank.name}” on “banken”."
    assert client.post(url, headers=headers, json={"source_id": "one"}).status_code == 400


def test_coding_the_same_span_again_with_a_new_memo_adds_the_memo_to_the_coding(client, session, team):
    headers = bearer(session, team.owner)
    start, end = span_of("banken")
    url = f"/api/v1/projects/{team.project.id}/codings"
    body = {"source_id": team.source.id, "code_id": team.bank.id, "start": start, "end": end}
    first = client.post(url, headers=headers, json={**body, "memo": "Banken nämns först här."})
    again = client.post(url, headers=headers, json={**body, "memo": "Jämför med intervju 2."})
    repeated = client.post(url, headers=headers, json={**body, "memo": "Jämför med intervju 2."})
    assert (first.status_code, again.status_code, repeated.status_code) == (201, 200, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["memo"] == "Jämför med intervju 2."
    session.rollback()
    memos = session.scalars(select(Memo.text).where(Memo.target_id == first.get_json()["id"]).order_by(Memo.id))
    assert list(memos) == ["Banken nämns först här.", "Jämför med intervju 2."]


def test_api_errors_say_what_was_wrong(client, session, team):
    headers = bearer(session, team.owner)
    url = f"/api/v1/projects/{team.project.id}/codings"
    body = {"source_id": team.source.id, "code_id": team.bank.id}

    def detail(response, status):
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()["detail"]

    assert detail(client.post(url, headers=headers, json={**body, "start": 3}), 400) == "end is required."
    assert detail(client.post(url, headers=headers, json={**body, "start": 20, "end": 10}), 400) == \
        "A span must end after it starts (start 20, end 10)."
    refused = client.get(url, headers={"Authorization": "Bearer ks_not-a-token"})
    assert "unknown or revoked" in detail(refused, 401)
    assert refused.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    codes = f"/api/v1/projects/{team.project.id}/codes"
    clash = client.post(codes, headers=headers, json={"name": team.bank.name, "kind": team.bank.kind.value,
                                                      "parent_id": team.bank.parent_id})
    assert clash.status_code == 409 and clash.get_json()["error"] == "Conflict with what is stored"


def test_the_text_of_one_span_redraws_only_the_turns_it_touches(client, auth, team):
    auth.login()
    url = f"/projects/{team.project.id}/sources/{team.source.id}/text"
    start, end = span_of("banken")
    one = client.get(f"{url}?from={start}&to={end}").get_data(as_text=True)
    assert one.count('<section') == 1 and "banken" in one and "Mäklaren" not in one
    start, _ = span_of("Göteborg")
    _, end = span_of("Mäklaren")
    two = client.get(f"{url}?from={start}&to={end}").get_data(as_text=True)
    assert two.count('<section') == 2 and "Hur började det?" not in two
    assert client.get(url).get_data(as_text=True).count('<section') >= 3


def test_undo_only_touches_your_own_actions(client, session, team):
    _coded(client, session, team, user=team.coder)
    response = client.post(f"/api/v1/projects/{team.project.id}/undo", headers=bearer(session, team.owner), json={})
    assert response.status_code == 409
    session.rollback()
    assert len(session.scalars(select(Coding)).all()) == 1


def test_blind_mode_shows_a_coder_only_their_own_codings(client, auth, session, team):
    _coded(client, session, team, phrase="banken", user=team.owner)
    _coded(client, session, team, phrase="Göteborg", user=team.coder)
    auth.login(team.coder.email)
    url = f"/projects/{team.project.id}/sources/{team.source.id}"
    everything = client.get(url).get_data(as_text=True)
    blind = client.get(f"{url}?blind=1").get_data(as_text=True)
    assert everything.count('class="coded') == 2
    assert blind.count('class="coded') == 1 and "Blind mode: only my codings" in blind


def test_the_document_page_shows_turns_with_speaker_and_time_and_hides_the_raw_labels(client, auth, team):
    auth.login()
    page = client.get(f"/projects/{team.project.id}/sources/{team.source.id}").get_data(as_text=True)
    assert page.count('class="block block-turn') == 3
    assert '<span class="speaker">Åsa</span> <time>00:00:14</time>' in page
    assert "[00:00:14]" not in page
    assert 'nonce="' in page and "style=" not in page


def test_overlapping_codings_render_as_a_flat_sweep_of_pieces(client, auth, session, team):
    headers = bearer(session, team.owner)
    url = f"/api/v1/projects/{team.project.id}/codings"
    for code, phrase in ((team.home, "något eget 🏠 i Göteborg"), (team.bank, "🏠 i Göteborg, så jag")):
        start, end = span_of(phrase)
        client.post(url, headers=headers, json={"source_id": team.source.id, "code_id": code.id, "start": start,
                                                "end": end})
    auth.login()
    fragment = client.get(f"/projects/{team.project.id}/sources/{team.source.id}/text").get_data(as_text=True)
    assert "<span data-s" in fragment and "<span><span" not in fragment
    assert f'class="coded code-{team.bank.id} overlap"' in fragment
    assert ">🏠 i Göteborg</span>" in fragment


def test_the_overview_links_each_source_to_its_document_page(client, auth, team):
    auth.login()
    page = client.get(f"/projects/{team.project.id}").get_data(as_text=True)
    assert f'href="/projects/{team.project.id}/sources/{team.source.id}"' in page


def test_memos_can_be_written_on_a_coding_and_read_back(client, session, team):
    coding, headers = _coded(client, session, team)
    url = f"/api/v1/projects/{team.project.id}/memos"
    created = client.post(url, headers=headers, json={"target_type": "coding", "target_id": coding["id"],
                                                      "text": "Varför banken?"})
    assert created.status_code == 201
    listed = client.get(f"{url}?target_type=coding&target_id={coding['id']}", headers=headers).get_json()
    assert [m["text"] for m in listed] == ["Varför banken?"]


def test_a_memo_on_another_projects_object_is_not_found(client, session, team):
    headers = bearer(session, team.owner)
    response = client.post(f"/api/v1/projects/{team.project.id}/memos", headers=headers,
                           json={"target_type": "coding", "target_id": 999999, "text": "x"})
    assert response.status_code == 404


def test_the_browser_session_needs_the_csrf_header_to_write(client, auth, team):
    auth.login()
    start, end = span_of("banken")
    body = {"source_id": team.source.id, "code_id": team.bank.id, "start": start, "end": end}
    url = f"/api/v1/projects/{team.project.id}/codings"
    assert client.post(url, json=body).status_code == 400
    token = Auth(client).token("/")
    assert client.post(url, json=body, headers={"X-CSRFToken": token}).status_code == 201
