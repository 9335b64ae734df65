"""Plain facts the analysis layer works on.

The services read codes and codings from the database and hand them over as these frozen
dataclasses, so the network, journey map and agreement code never see a session, a model
class or a request, and the tests can build any situation by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from coding.kinds import CodeKind

# Short names for the kinds; CodeKind members are strings, so plain kind strings compare equal.
GOAL, SUB_GOAL, ACTOR, PHASE = CodeKind.GOAL, CodeKind.SUB_GOAL, CodeKind.ACTOR, CodeKind.PHASE
TOUCHPOINT, CHANNEL, PAIN_POINT = CodeKind.TOUCHPOINT, CodeKind.CHANNEL, CodeKind.PAIN_POINT
NEED, EMOTION, THEME = CodeKind.NEED, CodeKind.EMOTION, CodeKind.THEME

COMPANY = "company"
THIRD_PARTY = "third_party"


@dataclass(frozen=True, slots=True)
class CodeFact:
    """A code of the codebook with the kind-specific fields the analysis needs."""

    id: int
    name: str
    kind: str  # goal, sub_goal, actor, phase, touchpoint, channel, pain_point, need, emotion, theme
    ownership: str | None = None  # actors/touchpoints: company, partner, third_party, customer_sphere
    goal_id: int | None = None  # sub_goal -> its goal
    phase_position: int | None = None  # phase codes: order in the project's phase model (0-based)
    valence: int | None = None  # emotion codes: -2..2
    touchpoint_type: str | None = None  # owned/paid/earned/user_generated


@dataclass(frozen=True, slots=True)
class CodingFact:
    """One coded span: offsets are code points, 0-based, end-exclusive."""

    id: int
    code_id: int
    source_id: int
    start: int
    end: int
    segment_id: int | None
    participant_id: int | None
    persona: str | None
    coder_id: int
    source_kind: str
    text: str = ""  # the quoted text, for quote lists


def actor_ownership(code: CodeFact) -> str | None:
    """Ownership as the analysis reads it: an actor nobody classified is a third party."""
    if code.kind == ACTOR and code.ownership is None:
        return THIRD_PARTY
    return code.ownership


def is_company(code: CodeFact) -> bool:
    return actor_ownership(code) == COMPANY
