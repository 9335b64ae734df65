"""The analysis pages through the test client: who may open them, the quotes and counts
they show, the CSV downloads, memos (add, edit, conflicts), search-and-code and the history."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from coding.codings import Coding
from coding.memos import Memo, add_memo
from research.db import transaction
from research.projects import Role
from tests.conftest import csrf_token, make_member, make_user
from tests.unit.coding.analysis_data import Study, make_study

ROLES = [("owner", 200), ("coder", 200), ("viewer", 200), ("outsider", 404)]


@pytest.fixture
def study(session) -> Study:
    return make_study(session)


@pytest.fixture
def viewer(session, study):
    return make_member(session, study.project, "viewer@example.org", Role.VIEWER)


@pytest.fixture
def outsider(session):
    return make_user(session, email="outsider@example.org")


EMAILS = {"owner": "owner@example.org", "coder": "coder@example.org", "viewer": "viewer@example.org",
          "outsider": "outsider@example.org"}


def pages(study: Study) -> list[str]:
    pid, c = study.project.id, study.codes
    return [
        f"/projects/{pid}/retrieve", f"/projects/{pid}/retrieve?code={c['bank'].id}&code={c['goal'].id}&mode=all",
        f"/projects/{pid}/matrices", f"/projects/{pid}/matrices?kind=cooccurrence",
        f"/projects/{pid}/matrices?kind=attribute&attribute={study.persona_id}",
        f"/projects/{pid}/matrices?kind=cooccurrence&format=csv",
        f"/projects/{pid}/agreement", f"/projects/{pid}/agreement?format=csv",
        f"/projects/{pid}/agreement/sources/{study.interview.id}?a={study.owner_id}&b={study.coder_id}",
        f"/projects/{pid}/history", f"/projects/{pid}/memos", f"/projects/{pid}/search-and-code?q=banken",
    ]


@pytest.mark.parametrize("role, status", ROLES)
def test_analysis_pages_open_for_members_and_look_absent_to_outsiders(client, auth, study, viewer, outsider,
                                                                      role, status):
    auth.login(EMAILS[role])
    for path in pages(study):
        assert client.get(path).status_code == status, path


def test_analysis_pages_send_anonymous_visitors_to_the_login(client, study):
    for path in pages(study):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_the_retrieval_page_shows_the_and_passage_with_its_context(client, auth, study):
    auth.login()
    c = study.codes
    html = client.get(f"/projects/{study.project.id}/retrieve?code={c['bank'].id}&code={c['goal'].id}&mode=all"
                      ).get_data(as_text=True)
    assert "1 quote from 1 source" in html
    assert "Jag ringde FB och <mark>banken gav oss</mark> ett lånelöfte till slut." in html
    assert "Participant: Bo" in html


def test_the_retrieval_page_filters_by_attribute_value_from_the_form(client, auth, study):
    auth.login()
    html = client.get(f"/projects/{study.project.id}/retrieve?code={study.codes['goal'].id}"
                      f"&av={study.persona_id}:Förstagångsköpare").get_data(as_text=True)
    assert "2 quotes from 1 source" in html
    assert "persona = Förstagångsköpare" in html


def test_a_matrix_cell_links_to_exactly_its_quotes(client, auth, study):
    auth.login()
    pid = study.project.id
    html = client.get(f"/projects/{pid}/matrices?kind=cooccurrence").get_data(as_text=True)
    bank, goal = study.codes["bank"].id, study.codes["goal"].id
    link = f"/projects/{pid}/retrieve?code={bank}&amp;code={goal}&amp;mode=all"
    reverse = f"/projects/{pid}/retrieve?code={goal}&amp;code={bank}&amp;mode=all"
    assert link in html or reverse in html
    participants = client.get(f"/projects/{pid}/matrices").get_data(as_text=True)
    assert f"/projects/{pid}/retrieve?code={bank}&amp;mode=any&amp;participant={study.bo}" in participants


def test_the_matrix_csv_is_a_table_of_counts(client, auth, study):
    auth.login()
    response = client.get(f"/projects/{study.project.id}/matrices?format=csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["code", "Anna", "Bo"]
    assert ["Banken", "0", "3"] in rows


def test_the_agreement_table_and_csv_compare_two_coders_on_sources_both_coded(client, auth, study):
    auth.login()
    pid = study.project.id
    html = client.get(f"/projects/{pid}/agreement?a={study.owner_id}&b={study.coder_id}").get_data(as_text=True)
    assert "Over 1 source" in html and "Overall" in html and "Cohen" in html
    rows = list(csv.reader(io.StringIO(client.get(
        f"/projects/{pid}/agreement?a={study.owner_id}&b={study.coder_id}&format=csv").get_data(as_text=True)
        .lstrip("\ufeff"))))
    assert rows[0][:3] == ["code_id", "code", "characters"] and rows[-1][1] == "(overall)"
    bank = next(r for r in rows if r[1] == "Banken")
    assert (bank[3], bank[4], bank[5]) == ("21", "13", "13")  # "FB och banken gav oss" vs "FB och banken"


def test_the_same_coder_twice_is_refused_with_a_message(client, auth, study):
    auth.login()
    html = client.get(f"/projects/{study.project.id}/agreement?a={study.owner_id}&b={study.owner_id}"
                      ).get_data(as_text=True)
    assert "Choose two different coders." in html


def test_the_comparison_marks_shared_and_lone_codings(client, auth, study):
    auth.login()
    html = client.get(f"/projects/{study.project.id}/agreement/sources/{study.interview.id}"
                      f"?a={study.owner_id}&b={study.coder_id}").get_data(as_text=True)
    assert 'class="agree-both"' in html and 'class="agree-only_a"' in html and 'class="agree-differ"' in html
    assert "Where they differ" in html


def post(client, path: str, data: dict) -> object:
    token = csrf_token(client.get(path.split("?")[0]).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def test_a_coder_writes_a_code_memo_and_edits_it(client, auth, session, study):
    auth.login("coder@example.org")
    pid = study.project.id
    response = post(client, f"/projects/{pid}/memos", {"target": f"code:{study.codes['bank'].id}",
                                                       "text": "Banken dyker upp tidigt."})
    assert response.status_code == 302
    session.rollback()
    memo = session.scalar(select(Memo).where(Memo.project_id == pid))
    assert memo.target_type == "code" and memo.target_id == study.codes["bank"].id
    page = client.get(f"/projects/{pid}/memos").get_data(as_text=True)
    assert "Banken dyker upp tidigt." in page and "Code: Banken" in page and "coder" in page
    edit = client.get(f"/projects/{pid}/memos/{memo.id}").get_data(as_text=True)
    seen = edit.split('name="seen_at" type="hidden" value="')[1].split('"')[0]
    response = client.post(f"/projects/{pid}/memos/{memo.id}", data={
        "text": "Banken dyker upp tidigt och ofta.", "seen_at": seen, "csrf_token": csrf_token(edit)})
    assert response.status_code == 302
    session.rollback()
    assert session.get(Memo, memo.id).text == "Banken dyker upp tidigt och ofta."
    history = client.get(f"/projects/{pid}/history?only=memo.").get_data(as_text=True)
    assert "edited a memo on the code Banken" in history and "wrote a memo on the code Banken" in history


def test_a_stale_memo_edit_gets_a_conflict_message_and_changes_nothing(client, auth, session, study):
    with transaction(session):
        memo = add_memo(session, project_id=study.project.id, target_type="project", target_id=None, text="Först",
                        author_id=study.owner_id)
    auth.login()
    path = f"/projects/{study.project.id}/memos/{memo.id}"
    html = client.get(path).get_data(as_text=True)
    response = client.post(path, data={"text": "Min version", "seen_at": "2000-01-01T00:00:00+00:00",
                                       "csrf_token": csrf_token(html)})
    assert "Someone changed this memo" in response.get_data(as_text=True)
    session.rollback()
    assert session.get(Memo, memo.id).text == "Först"


def test_viewers_cannot_write_memos_and_coders_cannot_edit_others_memos(client, auth, session, study, viewer):
    with transaction(session):
        memo = add_memo(session, project_id=study.project.id, target_type="project", target_id=None,
                        text="Ägarens", author_id=study.owner_id)
    auth.login("viewer@example.org")
    assert post(client, f"/projects/{study.project.id}/memos", {"target": "project:", "text": "x"}).status_code == 403
    auth.logout()
    auth.login("coder@example.org")
    assert client.get(f"/projects/{study.project.id}/memos/{memo.id}").status_code == 403


def test_search_and_code_codes_every_hit_once_and_only_inside_the_chosen_code(client, auth, session, study):
    auth.login("coder@example.org")
    pid = study.project.id
    unused = study.codes["unused"].id
    preview = client.get(f"/projects/{pid}/search-and-code?q=banken").get_data(as_text=True)
    assert "2 hits" in preview and "Code all 2 hits" in preview
    inside = client.get(f"/projects/{pid}/search-and-code?q=banken&within={study.codes['search'].id}"
                        ).get_data(as_text=True)
    assert "0 hits" in inside
    data = {"q": "banken", "code_id": str(unused), "scope": "match", "within": "", "kind": ""}
    response = post(client, f"/projects/{pid}/search-and-code", data)
    assert response.status_code == 302
    session.rollback()
    spans = session.execute(select(Coding.source_id, Coding.start, Coding.end).where(Coding.code_id == unused)).all()
    texts = sorted((study.interview.text if s == study.interview.id else study.survey.text)[a:b] for s, a, b in spans)
    assert texts == ["Banken", "banken"]
    post(client, f"/projects/{pid}/search-and-code", data)  # again: nothing doubles
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Coding).where(Coding.code_id == unused)) == 2


def test_viewers_cannot_code_search_hits(client, auth, session, study, viewer):
    auth.login("viewer@example.org")
    response = post(client, f"/projects/{study.project.id}/search-and-code",
                    {"q": "banken", "code_id": str(study.codes["unused"].id), "scope": "segment"})
    assert response.status_code == 403
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Coding).where(
        Coding.code_id == study.codes["unused"].id)) == 0


def test_the_history_tells_codings_in_words(client, auth, study):
    auth.login()
    html = client.get(f"/projects/{study.project.id}/history?only=coding.").get_data(as_text=True)
    assert "coded “mäklaren” in Intervju Anna och Bo with Mäklare" in html


def test_the_history_pages_through_many_events(client, auth, session, study):
    with transaction(session):
        for i in range(60):
            add_memo(session, project_id=study.project.id, target_type="project", target_id=None,
                     text=f"memo {i}", author_id=study.owner_id)
    auth.login()
    first = client.get(f"/projects/{study.project.id}/history").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Older" in first
    second = client.get(f"/projects/{study.project.id}/history?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and "coded “köpa en bostad”" in second
