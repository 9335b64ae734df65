"""The home-buying journey of DOMAIN.md as hand-made facts, shared by the tests.

Participant 1 (first-time buyer), source 10:
  segment 100: goal "Buy a home" 101, family 102, phase Search 103
  segment 101: sub-goal "Find a flat" 104, estate agent 105, phase Search 106, worried 111
  segment 102: bank 107, bank app 108, phase Purchase 109, goal 110, need 112
Participant 2 (family), source 20:
  segment 200: sub-goal 201, estate agent 202, phase Search 203, pain point 204, calm 209
  segment 201: bank 205, estate agent 206, phase Purchase 207, relieved 208
"""

from coding.facts import CodeFact, CodingFact

GOAL, SUB_GOAL, BANK, AGENT, FAMILY, SEARCH, PURCHASE, APP, PAIN = 1, 2, 3, 4, 5, 6, 7, 8, 9
WORRIED, RELIEVED, NEED, CALM = 10, 11, 12, 13

CODES = [
    CodeFact(GOAL, "Buy a home", "goal"),
    CodeFact(SUB_GOAL, "Find a flat", "sub_goal", goal_id=GOAL),
    CodeFact(BANK, "Bank", "actor", ownership="company"),
    CodeFact(AGENT, "Estate agent", "actor"),
    CodeFact(FAMILY, "Family", "actor", ownership="customer_sphere"),
    CodeFact(SEARCH, "Search", "phase", phase_position=0),
    CodeFact(PURCHASE, "Purchase", "phase", phase_position=1),
    CodeFact(APP, "Bank app", "touchpoint", ownership="company", touchpoint_type="owned"),
    CodeFact(PAIN, "Too few viewings", "pain_point"),
    CodeFact(WORRIED, "Worried", "emotion", valence=-2),
    CodeFact(RELIEVED, "Relieved", "emotion", valence=2),
    CodeFact(NEED, "Quick answers", "need"),
    CodeFact(CALM, "Calm", "emotion", valence=0),
]

_PEOPLE = {10: (1, "first-time buyer"), 20: (2, "family")}


def coding(
    coding_id: int,
    code_id: int,
    source_id: int,
    segment_id: int | None,
    start: int,
    end: int,
    text: str = "",
) -> CodingFact:
    participant, persona = _PEOPLE[source_id]
    return CodingFact(
        id=coding_id, code_id=code_id, source_id=source_id, start=start, end=end,
        segment_id=segment_id, participant_id=participant, persona=persona, coder_id=1,
        source_kind="interview", text=text or f"quote {coding_id}",
    )  # fmt: skip


CODINGS = [
    coding(101, GOAL, 10, 100, 0, 20),
    coding(102, FAMILY, 10, 100, 5, 15),
    coding(103, SEARCH, 10, 100, 0, 40),
    coding(104, SUB_GOAL, 10, 101, 40, 60),
    coding(105, AGENT, 10, 101, 45, 55),
    coding(106, SEARCH, 10, 101, 40, 80),
    coding(111, WORRIED, 10, 101, 50, 58),
    coding(107, BANK, 10, 102, 80, 90),
    coding(108, APP, 10, 102, 85, 95),
    coding(109, PURCHASE, 10, 102, 80, 120),
    coding(110, GOAL, 10, 102, 100, 110),
    coding(112, NEED, 10, 102, 82, 88),
    coding(201, SUB_GOAL, 20, 200, 0, 10),
    coding(202, AGENT, 20, 200, 20, 30),
    coding(203, SEARCH, 20, 200, 0, 50),
    coding(204, PAIN, 20, 200, 30, 40),
    coding(209, CALM, 20, 200, 41, 45),
    coding(205, BANK, 20, 201, 50, 60),
    coding(206, AGENT, 20, 201, 55, 65),
    coding(207, PURCHASE, 20, 201, 50, 100),
    coding(208, RELIEVED, 20, 201, 60, 70),
]
