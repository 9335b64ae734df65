"""The journey map of the hand-made home-buying codings (see home_buying.py)."""

import json
import math

import pytest

from coding.facts import CodeFact
from coding.journey import build_journey
from tests.unit.coding.home_buying import AGENT, CODES, CODINGS, PURCHASE, SEARCH, SUB_GOAL, coding

PHASES = [(SEARCH, "Search"), (PURCHASE, "Purchase")]


def test_columns_follow_the_phase_model_and_every_lane_has_a_cell_per_phase() -> None:
    journey = build_journey(CODES, CODINGS, PHASES)
    assert journey.columns == ((SEARCH, "Search"), (PURCHASE, "Purchase"))
    assert [lane.key for lane in journey.lanes] == [
        "goals", "touchpoints", "company_actors", "other_actors", "pain_points", "needs",
    ]  # fmt: skip
    assert all(len(lane.cells) == 2 for lane in journey.lanes)


@pytest.mark.parametrize(
    ("lane", "phase", "codings", "participants"),
    [
        ("goals", SEARCH, 3, 2),
        ("goals", PURCHASE, 1, 1),
        ("touchpoints", SEARCH, 0, 0),
        ("touchpoints", PURCHASE, 1, 1),
        ("company_actors", PURCHASE, 2, 2),
        ("other_actors", SEARCH, 3, 2),
        ("other_actors", PURCHASE, 1, 1),
        ("pain_points", SEARCH, 1, 1),
        ("needs", PURCHASE, 1, 1),
    ],
)
def test_each_cell_counts_codings_and_participants(lane: str, phase: int, codings: int, participants: int) -> None:
    cell = build_journey(CODES, CODINGS, PHASES).cell(lane, phase)
    assert (cell.codings, cell.participants) == (codings, participants)


def test_a_cell_lists_its_codes_most_coded_first_with_evidence() -> None:
    cell = build_journey(CODES, CODINGS, PHASES).cell("goals", SEARCH)
    assert [(c.code_id, c.codings, c.evidence) for c in cell.codes] == [
        (SUB_GOAL, 2, (104, 201)),
        (1, 1, (101,)),
    ]


def test_strongest_quotes_are_the_most_coded_passages_first() -> None:
    """Other actors in Search: agent 105 is overlapped by 3 codings (sub-goal, phase,
    worried), family 102 by 2 (goal, phase), agent 202 by 1 (phase)."""
    cell = build_journey(CODES, CODINGS, PHASES).cell("other_actors", SEARCH)
    assert [q.coding_id for q in cell.quotes] == [105, 102, 202]
    assert cell.quotes[0].text == "quote 105"


def test_quotes_are_at_most_three_longest_passage_first_on_ties_and_never_repeat_a_passage() -> None:
    """2 and 3 quote one passage that overlaps another coding; of the rest the longest
    passages (in code points, whatever text the facts carry) come first."""
    codes = [CodeFact(1, "Search", "phase"), CodeFact(2, "Agent", "actor")]
    codings = [coding(1, 1, 10, 1, 0, 1000)]
    codings += [
        coding(2, 2, 10, 1, 0, 10, "short"),
        coding(3, 2, 10, 1, 0, 10, "short"),  # same passage as 2
        coding(4, 2, 10, 1, 100, 140, "x"),
        coding(5, 2, 10, 1, 200, 220, "a long text on a shorter passage"),
        coding(6, 2, 10, 1, 300, 310, "tiny"),
    ]
    cell = build_journey(codes, codings, [(1, "Search")]).cell("other_actors", 1)
    assert [q.coding_id for q in cell.quotes] == [2, 4, 5]
    assert cell.codings == 5


def test_quote_texts_can_be_filled_in_after_the_map_is_built() -> None:
    journey = build_journey(CODES, CODINGS, PHASES)
    quoted = journey.quote_ids()
    assert 105 in quoted and quoted == sorted(quoted)
    filled = journey.with_quote_texts({105: "mäklaren"})
    assert filled.cell("other_actors", SEARCH).quotes[0].text == "mäklaren"
    assert filled.cell("other_actors", SEARCH).quotes[1].text == "quote 102"  # no text given: kept
    assert filled.cell("goals", SEARCH) == journey.cell("goals", SEARCH)  # 105 is not quoted there


def test_the_emotion_curve_gives_mean_n_and_spread_per_phase() -> None:
    """Search: worried (-2) and calm (0): mean -1, n 2, sample sd sqrt(2).
    Purchase: relieved (+2) alone: mean 2, n 1, no spread."""
    search, purchase = build_journey(CODES, CODINGS, PHASES).emotion
    assert (search.mean, search.n, search.evidence) == (-1, 2, (111, 209))
    assert search.sd == pytest.approx(math.sqrt(2))
    assert (purchase.mean, purchase.n, purchase.sd) == (2, 1, None)


def test_codings_outside_every_phase_are_counted_as_unassigned() -> None:
    stray = coding(900, AGENT, 10, 999, 500, 510)
    journey = build_journey(CODES, [*CODINGS, stray], PHASES)
    assert journey.unassigned == 1
    assert journey.cell("other_actors", SEARCH).codings == 3


def test_an_empty_phase_has_empty_cells_and_no_emotion_mean() -> None:
    journey = build_journey(CODES, [], PHASES)
    assert journey.cell("goals", SEARCH).codes == ()
    assert (journey.emotion[0].mean, journey.emotion[0].n) == (None, 0)


def test_the_map_serialises_to_json() -> None:
    data = json.loads(json.dumps(build_journey(CODES, CODINGS, PHASES).to_dict()))
    assert [col["phase_id"] for col in data["columns"]] == [SEARCH, PURCHASE]
    other = next(lane for lane in data["lanes"] if lane["key"] == "other_actors")
    assert other["cells"][0]["quotes"][0]["coding_id"] == 105
    assert data["emotion"][1] == {"phase_id": PURCHASE, "mean": 2.0, "n": 1, "sd": None, "evidence": [208]}
