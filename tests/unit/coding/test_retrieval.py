"""Retrieval of quotes (both backends): OR and AND of codes, context, every filter,
paging, and a query count that does not grow with the number of quotes."""

from __future__ import annotations

import itertools
import random

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from coding.codings import add_coding
from coding.retrieval import QuoteFilters, context, intersect, passages_all, passages_any, retrieve, runs
from research.db import transaction
from tests.unit.coding.analysis_data import SURVEY, TEXT, TURNS, Study, make_study, span


@pytest.fixture
def study(session: Session) -> Study:
    return make_study(session)


def texts(result) -> list[str]:
    return [q.text for q in result.quotes]


def test_runs_join_overlapping_and_touching_spans_but_keep_gaps():
    assert runs([(5, 8), (0, 3), (3, 4), (7, 10), (12, 13), (6, 6)]) == [(0, 4), (5, 10), (12, 13)]


def test_intersect_keeps_only_shared_stretches():
    assert intersect([(0, 4), (6, 10)], [(2, 7), (9, 12)]) == [(2, 4), (6, 7), (9, 10)]
    assert intersect([(0, 4)], [(4, 8)]) == []


def test_passages_all_equal_the_characters_every_code_covers_for_any_order_of_codings():
    rng = random.Random(7)
    codings = []
    for i in range(60):
        start = rng.randrange(0, 200)
        codings.append((i, rng.choice([1, 2, 3]), 1, start, start + rng.randrange(1, 25), None))
    for order in (codings, list(reversed(codings)), sorted(codings, key=lambda c: c[4])):
        found = passages_all(order, [1, 2, 3])
        covered = {x for p in found for x in range(p.start, p.end)}
        by_code = {code: {x for c in codings if c[1] == code for x in range(c[3], c[4])} for code in (1, 2, 3)}
        assert covered == by_code[1] & by_code[2] & by_code[3]
        for a, b in itertools.pairwise(found):
            assert a.end < b.start  # separate stretches never touch


def test_passages_any_lists_each_distinct_span_once_with_every_coder():
    found = passages_any([(1, 7, 1, 0, 5, 10), (2, 7, 1, 0, 5, 11), (3, 8, 1, 0, 5, 10), (4, 7, 1, 2, 5, 10)])
    assert [(p.start, p.end, p.code_ids, p.coder_ids) for p in found] == [(0, 5, (7, 8), (10, 11)),
                                                                          (2, 5, (7,), (10,))]


def test_one_code_gives_its_distinct_spans_with_source_participant_and_coders(session, study):
    result = retrieve(session, project_id=study.project.id, code_ids=[study.codes["bank"].id])
    assert result.total == 3 and result.sources == 2
    assert texts(result) == ["FB och banken", "banken gav oss", "Banken"]
    first = result.quotes[0]
    assert first.participant == "Bo" and first.speaker == "Bo" and first.source_name == "Intervju Anna och Bo"
    assert sorted(first.coders) == ["coder", "owner"]  # display names (the part before the @ by default)
    assert result.quotes[2].source_kind.value == "survey" and result.quotes[2].participant == "Bo"


def test_or_of_two_codes_lists_every_span_of_either(session, study):
    result = retrieve(session, project_id=study.project.id, code_ids=[study.codes["bank"].id,
                                                                     study.codes["goal"].id], mode="any")
    assert result.total == 6


def test_and_of_two_codes_gives_only_the_stretch_both_cover(session, study):
    result = retrieve(session, project_id=study.project.id,
                      code_ids=[study.codes["bank"].id, study.codes["goal"].id], mode="all")
    assert texts(result) == ["banken gav oss"]
    quote = result.quotes[0]
    assert set(quote.codes) == {"Banken", "Köpa en bostad"}
    assert len(quote.passage.coding_ids) == 4  # both "FB och banken", "banken gav oss", the coder's goal
    agent_goal = retrieve(session, project_id=study.project.id,
                          code_ids=[study.codes["agent"].id, study.codes["goal"].id], mode="all")
    assert texts(agent_goal) == ["Mamma"]
    nothing = retrieve(session, project_id=study.project.id,
                       code_ids=[study.codes["agent"].id, study.codes["bank"].id], mode="all")
    assert nothing.total == 0 and nothing.quotes == []


def test_and_of_one_code_joins_its_overlapping_codings(session, study):
    result = retrieve(session, project_id=study.project.id, code_ids=[study.codes["bank"].id], mode="all")
    assert texts(result) == ["FB och banken gav oss", "Banken"]


def test_each_quote_comes_with_the_rest_of_its_turn_as_context(session, study):
    result = retrieve(session, project_id=study.project.id, code_ids=[study.codes["agent"].id])
    first = result.quotes[0]
    assert (first.before, first.text, first.after) == ("Vi ville köpa en bostad, så ", "mäklaren",
                                                       " visade oss en tvåa.")
    assert first.before + first.text + first.after == TURNS[0]


def test_long_context_is_cut_at_a_space_and_text_outside_segments_gets_a_window():
    text = ("ord " * 200) + "CITAT" + (" ord" * 200)
    start = text.index("CITAT")
    before, after = context(text, start, start + 5, (0, len(text), None, None, None), (0, len(text), None, None, None))
    assert before.startswith("…") and after.endswith("…")
    assert len(before) <= 301 and len(after) <= 301 and before.endswith("ord ") and after.startswith(" ord")
    before, after = context(text, start, start + 5, None, None)
    assert before.startswith("…ord") and after.endswith("ord…") and len(before) < 170


@pytest.mark.parametrize("filters, expected", [
    (lambda s: QuoteFilters(participant_id=s.bo), ["FB och banken", "banken gav oss", "Banken"]),
    (lambda s: QuoteFilters(participant_id=s.anna), []),
    (lambda s: QuoteFilters(attribute_id=s.persona_id, attribute_value="Familj"),
     ["FB och banken", "banken gav oss", "Banken"]),
    (lambda s: QuoteFilters(attribute_id=s.persona_id, attribute_value="Förstagångsköpare"), []),
    (lambda s: QuoteFilters(source_kind="survey"), ["Banken"]),
    (lambda s: QuoteFilters(source_id=s.interview.id), ["FB och banken", "banken gav oss"]),
    (lambda s: QuoteFilters(coder_id=s.coder_id), ["FB och banken"]),
    (lambda s: QuoteFilters(phase_code_id=s.codes["search"].id), []),
])
def test_filters_of_the_bank_quotes(session, study, filters, expected):
    result = retrieve(session, project_id=study.project.id, code_ids=[study.codes["bank"].id],
                      filters=filters(study))
    assert texts(result) == expected and result.total == len(expected)


def test_the_phase_filter_keeps_quotes_overlapping_a_coding_of_the_phase_code(session, study):
    result = retrieve(session, project_id=study.project.id, code_ids=[study.codes["goal"].id, study.codes["agent"].id],
                      filters=QuoteFilters(phase_code_id=study.codes["search"].id))
    assert texts(result) == ["köpa en bostad", "mäklaren"]


def test_the_persona_filter_goes_by_the_speaker_of_the_turn(session, study):
    result = retrieve(session, project_id=study.project.id, code_ids=[study.codes["goal"].id],
                      filters=QuoteFilters(attribute_id=study.persona_id, attribute_value="Förstagångsköpare"))
    assert texts(result) == ["köpa en bostad", "Mamma hjälpte till"]
    any_value = retrieve(session, project_id=study.project.id, code_ids=[study.codes["goal"].id],
                         filters=QuoteFilters(attribute_id=study.persona_id))
    assert any_value.total == 3


def test_paging_keeps_the_total_and_the_order(session, study):
    ids = [study.codes["bank"].id, study.codes["goal"].id]
    everything = texts(retrieve(session, project_id=study.project.id, code_ids=ids))
    pages = [retrieve(session, project_id=study.project.id, code_ids=ids, offset=o, limit=4) for o in (0, 4)]
    assert [p.total for p in pages] == [6, 6]
    assert texts(pages[0]) + texts(pages[1]) == everything


def test_codes_of_another_project_or_none_at_all_give_nothing(session, study):
    assert retrieve(session, project_id=study.project.id, code_ids=[]).total == 0
    assert retrieve(session, project_id=study.project.id, code_ids=[999_999]).total == 0
    assert retrieve(session, project_id=study.project.id, code_ids=[study.codes["unused"].id]).quotes == []


def _selects(session: Session, study: Study) -> int:
    engine = session.get_bind()
    statements: list[str] = []

    def listener(conn, cursor, statement, *args):  # noqa: ANN001
        statements.append(statement.lstrip().upper())

    event.listen(engine, "before_cursor_execute", listener)
    try:
        session.rollback()
        retrieve(session, project_id=study.project.id, code_ids=[study.codes["bank"].id, study.codes["goal"].id],
                 filters=QuoteFilters(attribute_id=study.persona_id, phase_code_id=study.codes["search"].id))
        retrieve(session, project_id=study.project.id, code_ids=[study.codes["bank"].id, study.codes["goal"].id])
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len([s for s in statements if s.startswith("SELECT")])


def test_retrieval_takes_the_same_few_queries_whatever_the_number_of_quotes(session, study):
    before = _selects(session, study)
    with transaction(session):
        for i in range(30):
            phrase = TURNS[i % 3]
            start, end = span(phrase)
            add_coding(session, project_id=study.project.id, source_id=study.interview.id,
                       code_id=study.codes["bank"].id, start=start + i % 5, end=end, user_id=study.owner_id)
    assert _selects(session, study) == before
    assert before <= 20


def test_survey_text_is_quoted_whole(session, study):
    result = retrieve(session, project_id=study.project.id, code_ids=[study.codes["bank"].id],
                      filters=QuoteFilters(source_kind="survey"))
    assert result.quotes[0].before + result.quotes[0].text + result.quotes[0].after == SURVEY
    assert TEXT  # the interview text is not needed for a survey-only page
