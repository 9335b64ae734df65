"""Coding the hits of a text search in one go.

The search is the project's full-text search (``research.search``): a hit is a segment
(turn, paragraph, survey answer). Each hit is coded as a whole segment, or only the words
that matched (the first match in the segment, as the search shows it). With
``within_code_id`` only hits whose span overlaps a coding of that code are coded.

Everything happens in the caller's unit of work: either every hit is coded or none.
A span the same coder already coded with the code is left as it is (counted as
``already``), so running the same search twice codes nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from coding.codebook import get_code
from coding.codings import Coding, add_coding
from research.errors import InvalidInput
from research.search import COUNT_LIMIT, Hit, search_segments
from research.sources import SourceKind

Scope = Literal["segment", "match"]
PAGE = 200


@dataclass(frozen=True)
class Target:
    source_id: int
    start: int
    end: int
    hit: Hit


@dataclass(frozen=True)
class AutocodeResult:
    created: int
    already: int
    skipped_outside: int  # hits left out because they are not inside the chosen code
    capped: bool  # the search found more than COUNT_LIMIT hits; only the first were considered


def targets_of(session: Session, *, project_id: int, query: str, scope: Scope = "segment",
               within_code_id: int | None = None, kind: SourceKind | None = None) -> tuple[list[Target], int, bool]:
    """The spans a 'code all hits' would code, the hits left out by ``within_code_id``,
    and whether the search was capped."""
    if scope not in ("segment", "match"):
        raise InvalidInput("Code either the whole segment or only the matching words.")
    hits: list[Hit] = []
    capped = False
    offset = 0
    while True:
        result = search_segments(session, project_id=project_id, query=query, kind=kind, limit=PAGE, offset=offset)
        hits.extend(result.hits)
        capped = result.total_capped
        offset += PAGE
        if len(result.hits) < PAGE or offset >= COUNT_LIMIT:
            break
    targets = []
    for hit in hits:
        if scope == "match" and hit.match:
            targets.append(Target(hit.source_id, hit.match_start, hit.match_start + len(hit.match), hit))
        else:
            targets.append(Target(hit.source_id, hit.start, hit.end, hit))
    outside = 0
    if within_code_id is not None:
        get_code(session, project_id=project_id, code_id=within_code_id)
        spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for source_id, start, end in session.execute(
            select(Coding.source_id, Coding.start, Coding.end).where(
                Coding.project_id == project_id, Coding.code_id == within_code_id,
                Coding.source_id.in_(sorted({t.source_id for t in targets})))
        ):
            spans[source_id].append((start, end))
        kept = [t for t in targets if any(s < t.end and t.start < e for s, e in spans.get(t.source_id, ()))]
        outside = len(targets) - len(kept)
        targets = kept
    return targets, outside, capped


def code_hits(session: Session, *, project_id: int, query: str, code_id: int, user_id: int | None,
              scope: Scope = "segment", within_code_id: int | None = None,
              kind: SourceKind | None = None) -> AutocodeResult:
    """Code every hit of ``query`` with ``code_id`` (see the module docstring)."""
    code = get_code(session, project_id=project_id, code_id=code_id)
    if code.is_folder:
        raise InvalidInput(f"'{code.name}' is a folder; choose a code inside it.")
    targets, outside, capped = targets_of(session, project_id=project_id, query=query, scope=scope,
                                          within_code_id=within_code_id, kind=kind)
    existing = {tuple(r) for r in session.execute(
        select(Coding.source_id, Coding.start, Coding.end).where(
            Coding.project_id == project_id, Coding.code_id == code_id, Coding.coder_id == user_id))}
    created = already = 0
    seen: set[tuple[int, int, int]] = set()
    for target in targets:
        key = (target.source_id, target.start, target.end)
        if key in existing or key in seen:
            already += 1
            continue
        seen.add(key)
        add_coding(session, project_id=project_id, source_id=target.source_id, code_id=code_id,
                   start=target.start, end=target.end, user_id=user_id)
        created += 1
    return AutocodeResult(created, already, outside, capped)
