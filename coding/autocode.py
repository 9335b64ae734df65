"""Coding the hits of a text search in one go.

The search is the project's full-text search (``research.search``): a hit is a segment
(turn, paragraph, survey answer). Each hit is coded as a whole segment, or only the words
that matched (the first match in the segment, as the search shows it). With
``within_code_id`` only hits whose span overlaps a coding of that code are coded.

Words match whole words only (``whole_words=True``: "week" finds "week", never
"weekends"), or also the longer words they begin (the search's own rule, useful for
Nordic compounds: "lån" finds "lånet").

The researcher ticks the hits to code (``chosen``: the :attr:`Target.key` of each); a hit
the same coder already coded with the code, on a span that holds the hit's whole span,
is left as it is (counted as ``already``), so running the same search twice codes
nothing twice. Everything happens in the caller's unit of work: either every ticked hit
is coded or none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from coding.codebook import get_code
from coding.codings import Coding, add_coding
from research.errors import InvalidInput
from research.search import COUNT_LIMIT, Hit, parse_query, search_segments
from research.sources import SourceKind

Scope = Literal["segment", "match"]
PAGE = 200


@dataclass(frozen=True)
class Target:
    source_id: int
    start: int
    end: int
    hit: Hit

    @property
    def key(self) -> str:
        """How a form names this target: ``source:start:end``."""
        return f"{self.source_id}:{self.start}:{self.end}"


@dataclass(frozen=True)
class AutocodeResult:
    created: int
    already: int  # ticked hits the coder had already coded with the code
    skipped_outside: int  # hits left out because they are not inside the chosen code
    capped: bool  # the search found more than COUNT_LIMIT hits; only the first were considered
    unticked: int = 0  # hits found but not ticked


def whole_words_query(query: str) -> str:
    """``query`` with every bare word quoted, so it matches only itself, not longer words."""
    return " ".join('"' + " ".join(term.words) + '"' for term in parse_query(query))


def targets_of(session: Session, *, project_id: int, query: str, scope: Scope = "segment",
               within_code_id: int | None = None, kind: SourceKind | None = None,
               whole_words: bool = False) -> tuple[list[Target], int, bool]:
    """The spans a 'code all hits' would code, the hits left out by ``within_code_id``,
    and whether the search was capped."""
    if scope not in ("segment", "match"):
        raise InvalidInput("Code either the whole segment or only the matching words.")
    if whole_words:
        query = whole_words_query(query)
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


def codes_on_targets(session: Session, *, project_id: int, targets: Iterable[Target],
                     coder_id: int | None) -> dict[str, set[int]]:
    """For each target (by key), the codes ``coder_id`` already gave a span holding all of it."""
    targets = list(targets)
    found: dict[str, set[int]] = {t.key: set() for t in targets}
    if not targets:
        return found
    by_source: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for code_id, source_id, start, end in session.execute(
        select(Coding.code_id, Coding.source_id, Coding.start, Coding.end).where(
            Coding.project_id == project_id, Coding.coder_id == coder_id if coder_id is not None
            else Coding.coder_id.is_(None), Coding.source_id.in_(sorted({t.source_id for t in targets})))
    ):
        by_source[source_id].append((start, end, code_id))
    for target in targets:
        for start, end, code_id in by_source.get(target.source_id, ()):
            if start <= target.start and target.end <= end:
                found[target.key].add(code_id)
    return found


def code_hits(session: Session, *, project_id: int, query: str, code_id: int, user_id: int | None,
              scope: Scope = "segment", within_code_id: int | None = None,
              kind: SourceKind | None = None, whole_words: bool = False,
              chosen: Collection[str] | None = None) -> AutocodeResult:
    """Code the hits of ``query`` with ``code_id``: the ``chosen`` ones (by key), or every
    hit when ``chosen`` is None (see the module docstring)."""
    code = get_code(session, project_id=project_id, code_id=code_id)
    if code.is_folder:
        raise InvalidInput(f"'{code.name}' is a folder; choose a code inside it.")
    targets, outside, capped = targets_of(session, project_id=project_id, query=query, scope=scope,
                                          within_code_id=within_code_id, kind=kind, whole_words=whole_words)
    found = len(targets)
    if chosen is not None:
        wanted = set(chosen)
        targets = [t for t in targets if t.key in wanted]
        if not targets:
            raise InvalidInput("Tick at least one hit to code.")
    coded = codes_on_targets(session, project_id=project_id, targets=targets, coder_id=user_id)
    created = already = 0
    seen: set[str] = set()
    for target in targets:
        if code_id in coded[target.key] or target.key in seen:
            already += 1
            continue
        seen.add(target.key)
        add_coding(session, project_id=project_id, source_id=target.source_id, code_id=code_id,
                   start=target.start, end=target.end, user_id=user_id)
        created += 1
    return AutocodeResult(created, already, outside, capped, found - len(targets))
