"""Matrices (both backends): code × participant, code × attribute value and code × code
co-occurrence, counted by hand on the small study; each count equals the number of
quotes the retrieval page shows for the cell; the sweep agrees with the definition."""

from __future__ import annotations

import itertools
import random

import pytest
from sqlalchemy.orm import Session

from coding.matrices import co_occurrence, code_by_code, code_by_participant
from coding.retrieval import QuoteFilters, intersect, retrieve, runs
from tests.unit.coding.analysis_data import Study, make_study


@pytest.fixture
def study(session: Session) -> Study:
    return make_study(session)


def test_codes_by_participant_count_distinct_spans_by_who_speaks(session, study):
    matrix = code_by_participant(session, project_id=study.project.id)
    c = study.codes
    assert [label for _, label in matrix.columns] == ["Anna", "Bo"]
    assert {code_id for code_id, _ in matrix.rows} == {c["goal"].id, c["agent"].id, c["bank"].id, c["search"].id}
    assert (matrix.count(c["goal"].id, study.anna), matrix.count(c["goal"].id, study.bo)) == (2, 1)
    assert (matrix.count(c["agent"].id, study.anna), matrix.count(c["agent"].id, study.bo)) == (2, 0)
    assert (matrix.count(c["bank"].id, study.anna), matrix.count(c["bank"].id, study.bo)) == (0, 3)
    assert matrix.count(c["search"].id, study.anna) == 1
    assert matrix.row_total(c["bank"].id) == 3


def test_codes_by_attribute_value_follow_the_values_order(session, study):
    matrix = code_by_participant(session, project_id=study.project.id, attribute_id=study.persona_id)
    assert [key for key, _ in matrix.columns] == ["Förstagångsköpare", "Familj"]
    assert matrix.count(study.codes["goal"].id, "Förstagångsköpare") == 2
    assert matrix.count(study.codes["goal"].id, "Familj") == 1
    assert matrix.count(study.codes["bank"].id, "Familj") == 3


def test_filters_by_coder_and_source_kind(session, study):
    by_coder = code_by_participant(session, project_id=study.project.id, coder_id=study.coder_id)
    assert by_coder.count(study.codes["bank"].id, study.bo) == 1
    assert by_coder.count(study.codes["agent"].id, study.anna) == 1
    surveys = code_by_participant(session, project_id=study.project.id, source_kind="survey")
    assert surveys.rows == [(study.codes["bank"].id, "Banken")] and surveys.count(study.codes["bank"].id, study.bo) == 1


def test_co_occurrence_counts_stretches_coded_with_both_codes(session, study):
    matrix = code_by_code(session, project_id=study.project.id)
    c = {name: code.id for name, code in study.codes.items()}
    assert matrix.count(c["goal"], c["search"]) == matrix.count(c["search"], c["goal"]) == 1
    assert matrix.count(c["agent"], c["search"]) == 1
    assert matrix.count(c["goal"], c["bank"]) == 1  # two bank codings and one goal coding overlap in one stretch
    assert matrix.count(c["agent"], c["goal"]) == 1
    assert matrix.count(c["bank"], c["search"]) == 0 and matrix.count(c["agent"], c["bank"]) == 0
    assert [matrix.count(c[n], c[n]) for n in ("goal", "agent", "search", "bank")] == [3, 2, 1, 3]
    assert matrix.as_rows()[0][0] == "code" and len(matrix.as_rows()) == len(matrix.rows) + 1


def test_only_the_chosen_codes_become_rows(session, study):
    chosen = [study.codes["goal"].id, study.codes["unused"].id]
    matrix = code_by_code(session, project_id=study.project.id, code_ids=chosen)
    assert {code_id for code_id, _ in matrix.rows} == set(chosen)
    assert matrix.count(study.codes["goal"].id, study.codes["goal"].id) == 3
    assert matrix.count(study.codes["unused"].id, study.codes["unused"].id) == 0


def test_every_cell_counts_the_quotes_its_link_opens(session, study):
    pid = study.project.id
    co = code_by_code(session, project_id=pid)
    for (a, _), (b, _) in itertools.product(co.rows, co.rows):
        mode = "any" if a == b else "all"
        assert retrieve(session, project_id=pid, code_ids=[a, b], mode=mode).total == co.count(a, b), (a, b)
    people = code_by_participant(session, project_id=pid)
    for (code_id, _), (participant_id, _) in itertools.product(people.rows, people.columns):
        found = retrieve(session, project_id=pid, code_ids=[code_id],
                         filters=QuoteFilters(participant_id=participant_id))
        assert found.total == people.count(code_id, participant_id)
    values = code_by_participant(session, project_id=pid, attribute_id=study.persona_id)
    for (code_id, _), (value, _) in itertools.product(values.rows, values.columns):
        found = retrieve(session, project_id=pid, code_ids=[code_id],
                         filters=QuoteFilters(attribute_id=study.persona_id, attribute_value=str(value)))
        assert found.total == values.count(code_id, value)


def test_the_sweep_agrees_with_the_definition_on_random_spans_in_any_order():
    rng = random.Random(11)
    codings = []
    for i in range(400):
        start = rng.randrange(0, 2000)
        codings.append((i, rng.randrange(1, 8), rng.randrange(1, 4), start, start + rng.randrange(1, 60), None))
    expected = {}
    for a, b in itertools.combinations(range(1, 8), 2):
        n = 0
        for source in (1, 2, 3):
            spans = {code: runs((c[3], c[4]) for c in codings if c[1] == code and c[2] == source) for code in (a, b)}
            n += len(intersect(spans[a], spans[b]))
        if n:
            expected[(a, b)] = n
    for order in (codings, list(reversed(codings)), rng.sample(codings, len(codings))):
        assert dict(co_occurrence(order)) == expected
