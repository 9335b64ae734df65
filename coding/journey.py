"""The journey map: phases as columns, lanes of codes as rows, and an emotion curve.

A coding belongs to a phase when a coding of that phase sits in the same segment or
overlaps it in its source (``coding.spans.phases_of``); it may fall in several phases.
The caller filters (persona, participant, source kind, coder) by passing fewer codings.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from coding.facts import (
    ACTOR,
    CHANNEL,
    EMOTION,
    GOAL,
    NEED,
    PAIN_POINT,
    SUB_GOAL,
    TOUCHPOINT,
    CodeFact,
    CodingFact,
    is_company,
)
from coding.spans import distinct_participants, overlap_counts, phases_of

LANES: tuple[tuple[str, str], ...] = (
    ("goals", "Goals and sub-goals"),
    ("touchpoints", "Touchpoints and channels"),
    ("company_actors", "The company's actors"),
    ("other_actors", "Other actors"),
    ("pain_points", "Pain points"),
    ("needs", "Needs"),
)
MAX_QUOTES = 3


@dataclass(frozen=True, slots=True)
class Quote:
    coding_id: int
    code_id: int
    source_id: int
    start: int
    end: int
    text: str
    participant_id: int | None


@dataclass(frozen=True, slots=True)
class CellCode:
    code_id: int
    name: str
    kind: str
    codings: int
    participants: int
    evidence: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Cell:
    lane: str
    phase_id: int
    codings: int
    participants: int
    codes: tuple[CellCode, ...]  # most codings first
    quotes: tuple[Quote, ...]


@dataclass(frozen=True, slots=True)
class Lane:
    key: str
    label: str
    cells: tuple[Cell, ...]  # one per column, in phase order


@dataclass(frozen=True, slots=True)
class EmotionPoint:
    phase_id: int
    mean: float | None
    n: int
    sd: float | None  # sample standard deviation, None below two codings
    evidence: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class JourneyMap:
    columns: tuple[tuple[int, str], ...]
    lanes: tuple[Lane, ...]
    emotion: tuple[EmotionPoint, ...]
    unassigned: int  # lane codings that fall in none of the phases

    def quote_ids(self) -> list[int]:
        """The codings quoted anywhere on the map."""
        return sorted({q.coding_id for lane in self.lanes for cell in lane.cells for q in cell.quotes})

    def with_quote_texts(self, texts: Mapping[int, str]) -> JourneyMap:
        """The same map with each quote's text taken from ``texts`` (by coding id): the
        map can be built from codings read without text, and only the quotes it shows
        fetched afterwards."""
        lanes = tuple(
            replace(lane, cells=tuple(
                replace(cell, quotes=tuple(replace(q, text=texts.get(q.coding_id, q.text)) for q in cell.quotes))
                for cell in lane.cells))
            for lane in self.lanes
        )
        return replace(self, lanes=lanes)

    def cell(self, lane: str, phase_id: int) -> Cell:
        column = [phase for phase, _ in self.columns].index(phase_id)
        return next(row for row in self.lanes if row.key == lane).cells[column]

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": [{"phase_id": phase, "name": name} for phase, name in self.columns],
            "lanes": [
                {"key": lane.key, "label": lane.label, "cells": [_cell_dict(c) for c in lane.cells]}
                for lane in self.lanes
            ],
            "emotion": [
                {
                    "phase_id": p.phase_id,
                    "mean": p.mean,
                    "n": p.n,
                    "sd": p.sd,
                    "evidence": list(p.evidence),
                }
                for p in self.emotion
            ],
            "unassigned": self.unassigned,
        }


def lane_of(code: CodeFact) -> str | None:
    if code.kind in (GOAL, SUB_GOAL):
        return "goals"
    if code.kind in (TOUCHPOINT, CHANNEL):
        return "touchpoints"
    if code.kind == ACTOR:
        return "company_actors" if is_company(code) else "other_actors"
    if code.kind == PAIN_POINT:
        return "pain_points"
    if code.kind == NEED:
        return "needs"
    return None


def build_journey(
    codes: Iterable[CodeFact],
    codings: Iterable[CodingFact],
    phases: Sequence[tuple[int, str]],
) -> JourneyMap:
    """Build the map for `phases`, a list of (phase code id, name) in the model's order."""
    code_map = {code.id: code for code in codes}
    known = [c for c in codings if c.code_id in code_map]
    phase_ids = {phase_id for phase_id, _ in phases}
    code_lanes = {code_id: lane for code_id, code in code_map.items() if (lane := lane_of(code)) is not None}
    in_lanes = [(c, code_lanes[c.code_id]) for c in known if c.code_id in code_lanes]
    code_valences = {
        code_id: float(code.valence)
        for code_id, code in code_map.items()
        if code.kind == EMOTION and code.valence is not None
    }
    emotions = [c for c in known if c.code_id in code_valences]
    valences = {c.id: code_valences[c.code_id] for c in emotions}
    found = phases_of([*(c for c, _ in in_lanes), *emotions], (c for c in known if c.code_id in phase_ids))

    cells: dict[tuple[str, int], list[CodingFact]] = defaultdict(list)
    unassigned = 0
    for coding, lane in in_lanes:
        coding_phases = found.get(coding.id, frozenset()) & phase_ids
        unassigned += not coding_phases
        for phase_id in coding_phases:
            cells[(lane, phase_id)].append(coding)

    density = overlap_counts(known)
    lanes = tuple(
        Lane(
            key=key,
            label=label,
            cells=tuple(
                _cell(key, phase_id, cells.get((key, phase_id), []), code_map, density) for phase_id, _ in phases
            ),
        )
        for key, label in LANES
    )
    return JourneyMap(
        columns=tuple(phases),
        lanes=lanes,
        emotion=tuple(_emotion_point(phase_id, emotions, found, valences) for phase_id, _ in phases),
        unassigned=unassigned,
    )


def _cell(
    lane: str,
    phase_id: int,
    codings: list[CodingFact],
    code_map: dict[int, CodeFact],
    density: dict[int, int],
) -> Cell:
    per_code: dict[int, list[CodingFact]] = defaultdict(list)
    for coding in codings:
        per_code[coding.code_id].append(coding)
    codes = sorted(
        (
            CellCode(
                code_id=code_id,
                name=code_map[code_id].name,
                kind=code_map[code_id].kind,
                codings=len(found),
                participants=distinct_participants(found),
                evidence=tuple(sorted(c.id for c in found)),
            )
            for code_id, found in per_code.items()
        ),
        key=lambda c: (-c.codings, c.name, c.code_id),
    )
    return Cell(
        lane=lane,
        phase_id=phase_id,
        codings=len(codings),
        participants=distinct_participants(codings),
        codes=tuple(codes),
        quotes=_strongest_quotes(codings, density),
    )


def _strongest_quotes(codings: list[CodingFact], density: dict[int, int]) -> tuple[Quote, ...]:
    """At most MAX_QUOTES quotes: the most coded passages first (most other codings
    overlapping the span), then the longest passage (in code points, so the ranking needs
    no text), then the oldest coding; a passage coded twice is quoted once."""
    ranked = sorted(codings, key=lambda c: (-density.get(c.id, 0), c.start - c.end, c.id))
    quotes: list[Quote] = []
    seen: set[tuple[int, int, int]] = set()
    for coding in ranked:
        span = (coding.source_id, coding.start, coding.end)
        if span in seen:
            continue
        seen.add(span)
        quotes.append(
            Quote(
                coding_id=coding.id,
                code_id=coding.code_id,
                source_id=coding.source_id,
                start=coding.start,
                end=coding.end,
                text=coding.text,
                participant_id=coding.participant_id,
            )
        )
        if len(quotes) == MAX_QUOTES:
            break
    return tuple(quotes)


def _emotion_point(
    phase_id: int,
    emotions: list[CodingFact],
    found: dict[int, frozenset[int]],
    valences: dict[int, float],
) -> EmotionPoint:
    in_phase = [c for c in emotions if phase_id in found.get(c.id, frozenset())]
    values = [valences[c.id] for c in in_phase]
    return EmotionPoint(
        phase_id=phase_id,
        mean=statistics.fmean(values) if values else None,
        n=len(values),
        sd=statistics.stdev(values) if len(values) >= 2 else None,
        evidence=tuple(sorted(c.id for c in in_phase)),
    )


def _cell_dict(cell: Cell) -> dict[str, Any]:
    return {
        "lane": cell.lane,
        "phase_id": cell.phase_id,
        "codings": cell.codings,
        "participants": cell.participants,
        "codes": [
            {
                "code_id": c.code_id,
                "name": c.name,
                "kind": c.kind,
                "codings": c.codings,
                "participants": c.participants,
                "evidence": list(c.evidence),
            }
            for c in cell.codes
        ],
        "quotes": [
            {
                "coding_id": q.coding_id,
                "code_id": q.code_id,
                "source_id": q.source_id,
                "start": q.start,
                "end": q.end,
                "text": q.text,
                "participant_id": q.participant_id,
            }
            for q in cell.quotes
        ],
    }
