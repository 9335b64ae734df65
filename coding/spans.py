"""Span arithmetic shared by the network and the journey map.

Everything here is a sweep over codings sorted by offset, so the cost grows with the
number of codings plus the number of overlaps found, never with all pairs.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator

from coding.facts import CodingFact

UnitKey = int | tuple[int, int, int]
"""Where a coding's evidence sits: its segment id, or (source, start, end) without one."""


def unit_key(coding: CodingFact) -> UnitKey:
    if coding.segment_id is not None:
        return coding.segment_id
    return (coding.source_id, coding.start, coding.end)


def by_source(codings: Iterable[CodingFact]) -> dict[int, list[CodingFact]]:
    grouped: dict[int, list[CodingFact]] = defaultdict(list)
    for coding in codings:
        grouped[coding.source_id].append(coding)
    return grouped


def overlapping_pairs(codings: list[CodingFact]) -> Iterator[tuple[CodingFact, CodingFact]]:
    """Every unordered pair of codings of one source whose spans share a code point."""
    ordered = sorted(codings, key=lambda c: (c.start, c.end, c.id))
    active: list[tuple[int, int, CodingFact]] = []  # heap by end
    for coding in ordered:
        while active and active[0][0] <= coding.start:
            heapq.heappop(active)
        if coding.end <= coding.start:
            continue
        for _, _, other in active:
            yield other, coding
        heapq.heappush(active, (coding.end, coding.id, coding))


def crossing_pairs(left: list[CodingFact], right: list[CodingFact]) -> Iterator[tuple[CodingFact, CodingFact]]:
    """Pairs (l, r) of one source, l from `left` and r from `right`, whose spans overlap."""
    events = sorted(
        [(c.start, c.end, 0, c) for c in left] + [(c.start, c.end, 1, c) for c in right],
        key=lambda e: (e[0], e[1], e[2], e[3].id),
    )
    active: tuple[list[tuple[int, int, CodingFact]], list[tuple[int, int, CodingFact]]] = ([], [])
    for start, end, side, coding in events:
        for heap in active:
            while heap and heap[0][0] <= start:
                heapq.heappop(heap)
        if end <= start:
            continue
        for _, _, other in active[1 - side]:
            yield (coding, other) if side == 0 else (other, coding)
        heapq.heappush(active[side], (end, coding.id, coding))


def phases_of(codings: Iterable[CodingFact], phase_codings: Iterable[CodingFact]) -> dict[int, frozenset[int]]:
    """Phase code ids of each coding (by coding id).

    A coding belongs to a phase when a coding of that phase code sits in the same segment,
    or overlaps it in the same source. A coding may belong to several phases, or none
    (then it is missing from the result).
    """
    phase_list = list(phase_codings)
    by_segment: dict[int, set[int]] = defaultdict(set)
    for phase in phase_list:
        if phase.segment_id is not None:
            by_segment[phase.segment_id].add(phase.code_id)
    found: dict[int, set[int]] = defaultdict(set)
    targets = by_source(codings)
    for coding_list in targets.values():
        for coding in coding_list:
            if coding.segment_id is not None and coding.segment_id in by_segment:
                found[coding.id].update(by_segment[coding.segment_id])
    phases_by_source = by_source(phase_list)
    for source_id, coding_list in targets.items():
        source_phases = phases_by_source.get(source_id)
        if source_phases:
            for coding, phase in crossing_pairs(coding_list, source_phases):
                found[coding.id].add(phase.code_id)
    return {coding_id: frozenset(codes) for coding_id, codes in found.items()}


def overlap_counts(codings: Iterable[CodingFact]) -> dict[int, int]:
    """For each coding id, how many other codings of its source overlap its span.

    Counted without listing pairs: of n spans with positive length, the ones that do not
    overlap [s, e) are those starting at or after e plus those ending at or before s
    (the two groups are disjoint), so the rest overlap it.
    """
    counts: dict[int, int] = {}
    for coding_list in by_source(codings).values():
        proper = [c for c in coding_list if c.end > c.start]
        starts = sorted(c.start for c in proper)
        ends = sorted(c.end for c in proper)
        n = len(proper)
        for c in coding_list:
            if c.end <= c.start:
                counts[c.id] = 0
                continue
            after = n - bisect_left(starts, c.end)
            before = bisect_right(ends, c.start)
            counts[c.id] = n - after - before - 1
    return counts


def distinct_units(codings: Iterable[CodingFact]) -> int:
    return len({unit_key(c) for c in codings})


def distinct_participants(codings: Iterable[CodingFact]) -> int:
    return len({c.participant_id for c in codings if c.participant_id is not None})
