"""What a walk through the analysis pages asked for: search-and-code codes only the ticked
hits, says which already carry the code and matches whole words; agreement warns about an
empty coder and names its CSV; matrices keep their corner and full column names; retrieved
quotes open their passage and download as CSV; memos on codings show what they are about
and can be deleted; the history speaks plainly and filters by person and date."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from flask import render_template_string
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from coding.agreement_study import agreement_for
from coding.codings import Coding, add_coding
from coding.events import Event, record
from coding.memos import Memo, add_memo
from research.db import transaction
from research.segmenting import Span
from research.sources import SourceKind, add_source
from tests.conftest import csrf_token
from tests.unit.coding.analysis_data import Study, make_study, span


@pytest.fixture
def study(session) -> Study:
    return make_study(session)


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def post(client, path: str, data: dict | list) -> object:
    token = csrf_token(client.get(path.split("?")[0]).get_data(as_text=True))
    pairs = list(data.items()) if isinstance(data, dict) else list(data)
    return client.post(path, data=MultiDict([*pairs, ("csrf_token", token)]))


def codings_of(session, code_id: int) -> list[tuple[int, int, int]]:
    session.rollback()
    return sorted(tuple(r) for r in session.execute(
        select(Coding.source_id, Coding.start, Coding.end).where(Coding.code_id == code_id)).all())


# --- search and code --------------------------------------------------------------------

def hit_keys(html: str) -> list[str]:
    return re.findall(r'name="hit" value="([0-9:]+)"', html)


def test_search_and_code_lists_every_hit_with_a_ticked_box_and_codes_only_the_ticked(client, auth, session, study):
    auth.login("coder@example.org")
    pid, unused = study.project.id, study.codes["unused"]
    html = client.get(f"/projects/{pid}/search-and-code?q=banken&scope=match").get_data(as_text=True)
    keys = hit_keys(html)
    assert len(keys) == 2
    assert html.count('class="hit-pick" name="hit"') == 2 and html.count(" checked") >= 2
    assert "Tick all" in html and "Tick none" in html
    survey_key = next(k for k in keys if k.startswith(f"{study.survey.id}:"))
    response = post(client, f"/projects/{pid}/search-and-code", {
        "q": "banken", "scope": "match", "words": "whole", "code_id": str(unused.id), "picked": "1", "hit": survey_key})
    assert response.status_code == 302
    assert codings_of(session, unused.id) == [(study.survey.id, 0, 6)]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Coded 1 hit with “Oanvänd”; 1 unticked hit left alone." in page


def test_hits_already_coded_with_the_chosen_code_are_marked_and_not_coded_twice(client, auth, session, study):
    auth.login()  # the owner coded both "banken" of the interview and "Banken" of the survey with Banken
    pid, bank = study.project.id, study.codes["bank"]
    before = codings_of(session, bank.id)
    html = client.get(f"/projects/{pid}/search-and-code?q=banken&scope=match&code_id={bank.id}").get_data(as_text=True)
    assert html.count("hit-already") >= 2 and html.count(" disabled") == 2
    assert "already coded with <span data-already-code>Banken</span>" in html
    assert f'data-codes="{bank.id}"' in html  # what the page's script marks when another code is chosen
    response = post(client, f"/projects/{pid}/search-and-code", [
        ("q", "banken"), ("scope", "match"), ("code_id", str(bank.id)), ("picked", "1"),
        *(("hit", key) for key in hit_keys(html))])
    assert response.status_code == 302
    assert codings_of(session, bank.id) == before
    assert "Coded 0 hits with “Banken”; 2 already had it" in client.get(response.headers["Location"]).get_data(
        as_text=True)


def test_the_code_choice_starts_empty_and_coding_without_one_is_refused(client, auth, session, study):
    auth.login("coder@example.org")
    pid = study.project.id
    html = client.get(f"/projects/{pid}/search-and-code?q=banken").get_data(as_text=True)
    select_html = html.split('name="code_id"')[1].split("</select>")[0]
    assert select_html.startswith('><option value="">Choose a code…</option>') and "selected" not in select_html
    assert "page-wide" in html  # as wide as the retrieval page
    response = post(client, f"/projects/{pid}/search-and-code",
                    [("q", "banken"), ("scope", "segment"), ("code_id", ""), ("picked", "1"),
                     *(("hit", key) for key in hit_keys(html))])
    assert "Choose a code to code the ticked hits with." in response.get_data(as_text=True)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Coding).where(Coding.coder_id == study.coder_id)) == 3


def test_search_and_code_matches_whole_words_unless_asked_for_word_starts(client, auth, study):
    auth.login("coder@example.org")
    pid = study.project.id
    assert "0 hits" in client.get(f"/projects/{pid}/search-and-code?q=bank").get_data(as_text=True)
    assert "2 hits" in client.get(f"/projects/{pid}/search-and-code?q=bank&words=start").get_data(as_text=True)
    assert "2 hits" in client.get(f"/projects/{pid}/search-and-code?q=banken").get_data(as_text=True)


# --- agreement --------------------------------------------------------------------------

def test_the_agreement_page_says_when_a_coder_has_not_coded_a_chosen_source(client, auth, study):
    auth.login()
    pid = study.project.id
    html = client.get(f"/projects/{pid}/agreement?a={study.owner_id}&b={study.coder_id}"
                      f"&source={study.interview.id}&source={study.survey.id}").get_data(as_text=True)
    assert "coder has not coded Enkät</strong> — the figures for those sources compare against an " \
           "empty coding." in html
    assert "owner has not coded" not in html
    assert "runs high when little of the text is coded" in html and "correct for that" in html
    shared = client.get(f"/projects/{pid}/agreement?a={study.owner_id}&b={study.coder_id}").get_data(as_text=True)
    assert "has not coded" not in shared


def test_the_agreement_csv_names_the_coders_the_sources_and_keeps_full_precision(client, auth, session, study):
    auth.login()
    pid = study.project.id
    response = client.get(f"/projects/{pid}/agreement?a={study.owner_id}&b={study.coder_id}&format=csv")
    disposition = response.headers["Content-Disposition"]
    assert disposition == (f'attachment; filename="agreement-owner-vs-coder-'
                           f'{date.today().isoformat()}.csv"')
    rows = rows_of(response)
    assert rows[0][:3] == ["code_id", "code", "characters"] and rows[0][-3:] == ["coder_a", "coder_b", "sources"]
    bank = next(r for r in rows if r[1] == "Banken")
    assert bank[-3:] == ["owner", "coder", "Intervju Anna och Bo"]
    report = agreement_for(session, project_id=pid, coder_a=study.owner_id, coder_b=study.coder_id)
    expected = next(r for r in report.codes if r.code_id == study.codes["bank"].id)
    assert float(bank[9]) == expected.observed_disagreement and float(bank[10]) == expected.expected_disagreement
    assert len(bank[10].split(".")[1]) > 4  # not rounded to four decimals


def test_the_comparison_lists_differences_as_whole_words(client, auth, session, study):
    with transaction(session):  # the coder's "Banke" stops one letter short of the owner's "Banken"
        add_coding(session, project_id=study.project.id, source_id=study.survey.id, code_id=study.codes["bank"].id,
                   start=0, end=5, user_id=study.coder_id)
    auth.login()
    html = client.get(f"/projects/{study.project.id}/agreement/sources/{study.survey.id}"
                      f"?a={study.owner_id}&b={study.coder_id}").get_data(as_text=True)
    assert '“Banke<mark class="agree-only_a">n</mark>”' in html


# --- matrices ---------------------------------------------------------------------------

def test_matrix_headers_carry_full_names_and_a_sticky_corner(client, auth, study):
    auth.login()
    pid = study.project.id
    html = client.get(f"/projects/{pid}/matrices").get_data(as_text=True)
    assert '<th scope="col" class="corner">Code</th>' in html
    assert 'title="Anna"' in html and 'title="Bo"' in html
    square = client.get(f"/projects/{pid}/matrices?kind=cooccurrence").get_data(as_text=True)
    assert '<th scope="col" class="corner">Code</th>' in square and 'title="Banken"' in square
    with client.get("/static/css/analysis.css") as response:
        css = response.get_data(as_text=True)
    assert re.search(r"\.matrix thead th\.corner \{[^}]*left: 0", css)


# --- retrieval --------------------------------------------------------------------------

def test_each_retrieved_quote_links_to_its_passage_in_the_document(client, auth, study):
    auth.login()
    pid, c = study.project.id, study.codes
    html = client.get(f"/projects/{pid}/retrieve?code={c['bank'].id}&code={c['goal'].id}&mode=all"
                      ).get_data(as_text=True)
    start, end = span("banken gav oss")
    assert f'href="/projects/{pid}/sources/{study.interview.id}?at={start}-{end}"' in html


def test_unknown_codes_and_sources_in_the_query_say_so(client, auth, study):
    auth.login()
    pid = study.project.id
    response = client.get(f"/projects/{pid}/retrieve?code=987654")
    assert response.status_code == 404 and "No such code" in response.get_data(as_text=True)
    response = client.get(f"/projects/{pid}/retrieve?code={study.codes['bank'].id}&source=987654")
    assert response.status_code == 404 and "No such source" in response.get_data(as_text=True)
    assert "0 quotes" not in response.get_data(as_text=True)


def test_the_retrieved_quotes_download_as_csv_with_the_same_filters(client, auth, session, study):
    with transaction(session):
        text = "=HYPERLINK(\"http://example.org\") sa banken."
        source = add_source(session, project_id=study.project.id, kind=SourceKind.DOCUMENT, name="-Farlig", text=text,
                            spans=[Span("paragraph", 0, len(text))], original=text.encode())
        add_coding(session, project_id=study.project.id, source_id=source.id, code_id=study.codes["bank"].id,
                   start=0, end=10, user_id=study.coder_id)
    auth.login()
    pid, bank = study.project.id, study.codes["bank"].id
    page = client.get(f"/projects/{pid}/retrieve?code={bank}&coder={study.coder_id}").get_data(as_text=True)
    assert "Download CSV" in page and "format=csv" in page
    response = client.get(f"/projects/{pid}/retrieve?code={bank}&coder={study.coder_id}&format=csv")
    assert response.mimetype == "text/csv" and ".csv" in response.headers["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0] == ["source", "participant", "codes", "coders", "start", "end", "quote", "context"]
    start, end = span("FB och banken")
    assert ["Intervju Anna och Bo", "Bo", "Banken", "coder", str(start), str(end), "FB och banken"] \
        == rows[1][:7] and "Jag ringde FB och banken gav oss" in rows[1][7]
    assert rows[2][:2] == ["'-Farlig", ""] and rows[2][6] == "'=HYPERLINK"  # formulas escaped
    assert len(rows) == 3  # the coder's two Banken quotes only: the filter holds


# --- memos ------------------------------------------------------------------------------

def test_memos_on_codings_show_the_code_the_words_and_the_source(client, auth, session, study):
    with transaction(session):
        coding = session.scalar(select(Coding).where(Coding.code_id == study.codes["agent"].id,
                                                     Coding.coder_id == study.owner_id))
        add_memo(session, project_id=study.project.id, target_type="coding", target_id=coding.id,
                 text="Mäklaren tar initiativet.", author_id=study.owner_id)
        add_memo(session, project_id=study.project.id, target_type="coding", target_id=987654,
                 text="Om en borttagen kodning.", author_id=study.owner_id)
    auth.login()
    pid = study.project.id
    html = client.get(f"/projects/{pid}/memos").get_data(as_text=True)
    start, end = span("mäklaren")
    assert "Mäklare</span>" in html and "“mäklaren”" in html
    assert f'href="/projects/{pid}/sources/{study.interview.id}?at={start}-{end}">Intervju Anna och Bo</a>' in html
    assert "on a removed coding" in html.lower()


def test_a_memo_is_deleted_by_its_author_only_with_the_confirmation_tick(client, auth, session, study):
    with transaction(session):
        memo = add_memo(session, project_id=study.project.id, target_type="project", target_id=None,
                        text="Kodarens memo", author_id=study.coder_id)
        owners = add_memo(session, project_id=study.project.id, target_type="project", target_id=None,
                          text="Ägarens memo", author_id=study.owner_id)
    auth.login("coder@example.org")
    pid = study.project.id
    edit = client.get(f"/projects/{pid}/memos/{memo.id}").get_data(as_text=True)
    assert "Delete memo" in edit and 'name="confirm"' in edit
    response = client.post(f"/projects/{pid}/memos/{memo.id}/delete", data={"csrf_token": csrf_token(edit)})
    assert response.status_code == 302
    session.rollback()
    assert session.get(Memo, memo.id) is not None  # no tick, no deletion
    response = client.post(f"/projects/{pid}/memos/{memo.id}/delete",
                           data={"csrf_token": csrf_token(edit), "confirm": "y"})
    assert response.status_code == 302
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Memo).where(Memo.id == memo.id)) == 0
    event = session.scalar(select(Event).where(Event.action == "memo.remove"))
    assert event.object_id == memo.id and event.user_id == study.coder_id and event.before["text"] == "Kodarens memo"
    assert client.post(f"/projects/{pid}/memos/{owners.id}/delete",
                       data={"csrf_token": csrf_token(edit), "confirm": "y"}).status_code == 403
    history = client.get(f"/projects/{pid}/history?only=memo.").get_data(as_text=True)
    assert "deleted a memo on the project" in history


# --- history ----------------------------------------------------------------------------

def test_the_history_says_events_in_plain_words_without_doubled_quotes(client, auth, session, study):
    with transaction(session):
        text = 'The manager says, "The others promised a week." The advisor answers.'
        source = add_source(session, project_id=study.project.id, kind=SourceKind.OBSERVATION, name="Mässan",
                            text=text, spans=[Span("paragraph", 0, len(text))], original=text.encode())
        start = text.index('"The others')
        add_coding(session, project_id=study.project.id, source_id=source.id, code_id=study.codes["bank"].id,
                   start=start, end=start + len('"The others promised a week."'), user_id=study.owner_id)
        record(session, "member.add", user_id=study.owner_id, project_id=study.project.id, object_type="user",
               object_id=study.coder_id, after={"role": "coder"})
        record(session, "code.merge", user_id=study.owner_id, project_id=study.project.id, object_type="code",
               object_id=study.codes["bank"].id, before={"merged": {"name": "Bankerna"}}, after={"codings_moved": 1})
    auth.login()
    html = client.get(f"/projects/{study.project.id}/history").get_data(as_text=True)
    assert "coded “The others promised a week.” in Mässan" in html and '“"' not in html
    assert "added a member" in html and "member add" not in html
    assert "(1 coding moved)" in html and "1 codings" not in html


def test_the_history_filters_by_person_and_by_dates(client, auth, session, study):
    auth.login()
    pid = study.project.id
    everyone = client.get(f"/projects/{pid}/history").get_data(as_text=True)
    assert "<strong>coder</strong>" in everyone and "<strong>owner</strong>" in everyone
    coder = client.get(f"/projects/{pid}/history?person={study.coder_id}").get_data(as_text=True)
    assert "<strong>coder</strong>" in coder and "<strong>owner</strong>" not in coder
    today = date.today()
    assert "Nothing matches these filters." in client.get(
        f"/projects/{pid}/history?from={(today + timedelta(days=2)).isoformat()}").get_data(as_text=True)
    assert "Nothing matches these filters." in client.get(
        f"/projects/{pid}/history?to={(today - timedelta(days=2)).isoformat()}").get_data(as_text=True)
    around = client.get(f"/projects/{pid}/history?from={(today - timedelta(days=1)).isoformat()}"
                        f"&to={(today + timedelta(days=1)).isoformat()}&person={study.coder_id}&only=coding."
                        ).get_data(as_text=True)
    assert "coded “FB och banken”" in around and "<strong>owner</strong>" not in around


def test_any_page_can_name_events_in_plain_words(app):
    with app.test_request_context():
        assert render_template_string("{{ 'member.add'|event_label }} / {{ 'memo.add'|event_label }}") == \
            "added a member / wrote a memo"
