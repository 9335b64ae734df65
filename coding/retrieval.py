"""Retrieval: the quotes of one code or of several, with their context and filters.

A *passage* is a stretch of one source's text that a researcher reads as one quote:

* **any** (OR): every distinct coded span (source, start, end) of any of the codes.
  Two coders, or two of the codes, on exactly the same span give one passage that lists
  them all.
* **all** (AND): the stretches coded with every one of the codes at once. For each code
  the codings of a source are joined into runs (overlapping or touching spans become one
  run); the passages are the intersections of the codes' runs. With one code this is
  the code's runs.

The co-occurrence matrix (``coding.matrices``) counts exactly these AND passages, so a
cell's number is the number of quotes its link opens.

Filters: the codings' coder, source and source kind apply to codings before they are
combined; the participant (the participant of the segment holding the passage's start,
else the source's participant, as ``coding.evidence`` decides it), a participant
attribute value and a phase apply to passages. A passage is in a phase when it overlaps
(shares a character with) a coding of that phase code in the same source, by any coder.

Everything is read in a fixed handful of queries, whatever the number of quotes; only
the texts of the sources on the requested page are loaded.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coding.codebook import Code
from coding.codings import Coding
from research.accounts import User
from research.participants import AttributeValue, Participant
from research.sources import Segment, Source, SourceKind

Mode = Literal["any", "all"]
MODES: tuple[Mode, ...] = ("any", "all")
CONTEXT_CHARS = 300  # at most this much text around a quote, cut at a space
WINDOW_CHARS = 160  # context taken around a quote outside any segment

RawCoding = tuple[int, int, int, int, int, int | None]
"""(coding id, code id, source id, start, end, coder id)."""


@dataclass(frozen=True, slots=True)
class QuoteFilters:
    """Which passages count. Empty fields filter nothing."""

    participant_id: int | None = None
    attribute_id: int | None = None
    attribute_value: str | None = None
    source_kind: str | None = None
    source_id: int | None = None
    phase_code_id: int | None = None
    coder_id: int | None = None

    def query_args(self) -> dict[str, str]:
        """The filters as the retrieval page's query string spells them."""
        pairs = {
            "participant": self.participant_id, "attribute": self.attribute_id,
            "value": self.attribute_value if self.attribute_id is not None else None,
            "source_kind": self.source_kind, "source": self.source_id, "phase": self.phase_code_id,
            "coder": self.coder_id,
        }
        return {k: str(v) for k, v in pairs.items() if v not in (None, "")}


@dataclass(frozen=True, slots=True)
class Passage:
    source_id: int
    start: int
    end: int
    coding_ids: tuple[int, ...]
    code_ids: tuple[int, ...]
    coder_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Quote:
    passage: Passage
    source_name: str
    source_kind: SourceKind
    participant: str | None
    speaker: str | None
    timestamp_ms: int | None
    codes: tuple[str, ...]
    coders: tuple[str, ...]
    before: str  # context before the quote (with a leading … when cut)
    text: str
    after: str


@dataclass
class Retrieval:
    code_ids: tuple[int, ...]
    mode: Mode
    filters: QuoteFilters
    quotes: list[Quote]  # the requested page
    total: int
    sources: int  # distinct sources over all passages
    offset: int
    limit: int
    code_names: dict[int, str] = field(default_factory=dict)


# --- pure span arithmetic -------------------------------------------------------------

def runs(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, with overlapping and touching intervals joined into one run."""
    joined: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined


def intersect(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The non-empty intersections of two sorted lists of disjoint intervals."""
    found: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            found.append((start, end))
        if a[i][1] <= b[j][1]:
            i += 1
        else:
            j += 1
    return found


def passages_any(codings: Iterable[RawCoding]) -> list[Passage]:
    """One passage per distinct (source, start, end), in text order."""
    grouped: dict[tuple[int, int, int], list[RawCoding]] = defaultdict(list)
    for coding in codings:
        grouped[(coding[2], coding[3], coding[4])].append(coding)
    return [_passage(key, found) for key, found in sorted(grouped.items())]


def passages_all(codings: Iterable[RawCoding], code_ids: Sequence[int]) -> list[Passage]:
    """The stretches coded with every code of ``code_ids`` (see the module docstring)."""
    wanted = list(dict.fromkeys(code_ids))
    if not wanted:
        return []
    by_source: dict[int, list[RawCoding]] = defaultdict(list)
    for coding in codings:
        if coding[1] in wanted:
            by_source[coding[2]].append(coding)
    passages: list[Passage] = []
    for source_id in sorted(by_source):
        found = by_source[source_id]
        per_code: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for coding in found:
            per_code[coding[1]].append((coding[3], coding[4]))
        if any(code_id not in per_code for code_id in wanted):
            continue
        common = runs(per_code[wanted[0]])
        for code_id in wanted[1:]:
            common = intersect(common, runs(per_code[code_id]))
        ordered = sorted(found, key=lambda c: (c[3], c[4]))
        starts = [c[3] for c in ordered]
        for start, end in common:
            # Codings overlapping [start, end): they start before its end and end after its start.
            inside = [c for c in ordered[: bisect_right(starts, end - 1)] if c[4] > start]
            passages.append(_passage((source_id, start, end), inside))
    return passages


def _passage(key: tuple[int, int, int], codings: Sequence[RawCoding]) -> Passage:
    return Passage(
        source_id=key[0], start=key[1], end=key[2],
        coding_ids=tuple(sorted({c[0] for c in codings})),
        code_ids=tuple(sorted({c[1] for c in codings})),
        coder_ids=tuple(sorted({c[5] for c in codings if c[5] is not None})),
    )


def overlaps_any(passage: Passage, spans: Sequence[tuple[int, int]], starts: Sequence[int]) -> bool:
    """Whether ``passage`` shares a character with one of ``spans`` (sorted by start;
    ``starts`` their starts). Spans are few per source, so the scan stays short."""
    for _, span_end in spans[: bisect_right(starts, passage.end - 1)]:
        if span_end > passage.start:
            return True
    return False


# --- segments and participants ----------------------------------------------------------

SegmentRow = tuple[int, int, int | None, str | None, int | None]
"""(start, end, participant id, speaker, timestamp ms) of a segment."""


class SegmentIndex:
    """The segments of some sources, to find the one holding an offset."""

    def __init__(self, rows: Iterable[tuple[int, SegmentRow]]) -> None:
        self._rows: dict[int, list[SegmentRow]] = defaultdict(list)
        for source_id, row in rows:
            self._rows[source_id].append(row)
        self._starts = {sid: [r[0] for r in found] for sid, found in self._rows.items()}

    @classmethod
    def load(cls, session: Session, source_ids: Iterable[int]) -> SegmentIndex:
        ids = sorted(set(source_ids))
        if not ids:
            return cls(())
        rows = session.execute(
            select(Segment.source_id, Segment.start, Segment.end, Segment.participant_id, Segment.speaker,
                   Segment.timestamp_ms)
            .where(Segment.source_id.in_(ids)).order_by(Segment.source_id, Segment.start)
        ).all()
        return cls((r[0], (r[1], r[2], r[3], r[4], r[5])) for r in rows)

    def at(self, source_id: int, offset: int) -> SegmentRow | None:
        starts = self._starts.get(source_id)
        if not starts:
            return None
        i = bisect_right(starts, offset) - 1
        if i < 0:
            return None
        row = self._rows[source_id][i]
        return row if offset < row[1] else None

    def participant(self, source_id: int, offset: int, source_participant: int | None) -> int | None:
        row = self.at(source_id, offset)
        if row is not None and row[2] is not None:
            return row[2]
        return source_participant


def load_codings(
    session: Session, project_id: int, *, code_ids: Iterable[int] | None = None, source_kind: str | None = None,
    source_id: int | None = None, coder_id: int | None = None,
) -> list[RawCoding]:
    """The project's codings as plain tuples, in one query."""
    stmt = select(Coding.id, Coding.code_id, Coding.source_id, Coding.start, Coding.end, Coding.coder_id).where(
        Coding.project_id == project_id)
    if code_ids is not None:
        stmt = stmt.where(Coding.code_id.in_(sorted(set(code_ids))))
    if source_kind:
        stmt = stmt.join(Source, Source.id == Coding.source_id).where(Source.kind == SourceKind(source_kind))
    if source_id is not None:
        stmt = stmt.where(Coding.source_id == source_id)
    if coder_id is not None:
        stmt = stmt.where(Coding.coder_id == coder_id)
    return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in session.execute(stmt.order_by(Coding.id))]


def source_owners(session: Session, project_id: int) -> dict[int, tuple[str, SourceKind, int | None]]:
    """Each source's (name, kind, participant id), without its text."""
    rows = session.execute(
        select(Source.id, Source.name, Source.kind, Source.participant_id).where(Source.project_id == project_id))
    return {r[0]: (r[1], SourceKind(r[2]), r[3]) for r in rows}


def attribute_values(session: Session, attribute_id: int) -> dict[int, str]:
    """participant id -> value of one attribute."""
    return dict(session.execute(  # type: ignore[arg-type]
        select(AttributeValue.participant_id, AttributeValue.value).where(AttributeValue.attribute_id == attribute_id)
    ).all())


# --- the service -----------------------------------------------------------------------

def retrieve(
    session: Session, *, project_id: int, code_ids: Sequence[int], mode: Mode = "any",
    filters: QuoteFilters | None = None, offset: int = 0, limit: int = 50,
) -> Retrieval:
    """The quotes of ``code_ids`` combined by ``mode``, filtered, one page of them with context."""
    filters = filters or QuoteFilters()
    codes = {c.id: c for c in session.scalars(select(Code).where(Code.project_id == project_id))}
    wanted = tuple(dict.fromkeys(c for c in code_ids if c in codes))
    names = {c.id: c.name for c in codes.values()}
    empty = Retrieval(wanted, mode, filters, [], 0, 0, offset, limit, names)
    if not wanted:
        return empty
    raw = load_codings(session, project_id, code_ids=wanted, source_kind=filters.source_kind,
                       source_id=filters.source_id, coder_id=filters.coder_id)
    passages = passages_all(raw, wanted) if mode == "all" else passages_any(raw)
    if not passages:
        return empty
    owners = source_owners(session, project_id)
    segments = SegmentIndex.load(session, {p.source_id for p in passages})
    participant_of = {p: segments.participant(p.source_id, p.start, owners[p.source_id][2]) for p in passages}
    if filters.participant_id is not None:
        passages = [p for p in passages if participant_of[p] == filters.participant_id]
    if filters.attribute_id is not None:
        values = attribute_values(session, filters.attribute_id)
        wanted_value = filters.attribute_value
        passages = [p for p in passages if (participant_of[p] in values) and
                    (not wanted_value or values[participant_of[p]] == wanted_value)]  # type: ignore[index]
    if filters.phase_code_id is not None:
        phase = load_codings(session, project_id, code_ids=[filters.phase_code_id])
        spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for coding in phase:
            spans[coding[2]].append((coding[3], coding[4]))
        for found in spans.values():
            found.sort()
        starts = {sid: [s for s, _ in found] for sid, found in spans.items()}
        passages = [p for p in passages if p.source_id in spans
                    and overlaps_any(p, spans[p.source_id], starts[p.source_id])]
    total = len(passages)
    page = passages[max(offset, 0): max(offset, 0) + max(limit, 1)]
    quotes = _quotes(session, project_id, page, owners, segments, participant_of, names) if page else []
    return Retrieval(wanted, mode, filters, quotes, total, len({p.source_id for p in passages}), offset, limit, names)


def _quotes(
    session: Session, project_id: int, page: list[Passage], owners: dict[int, tuple[str, SourceKind, int | None]],
    segments: SegmentIndex, participant_of: dict[Passage, int | None], names: dict[int, str],
) -> list[Quote]:
    source_ids = sorted({p.source_id for p in page})
    texts: dict[int, str] = dict(session.execute(  # type: ignore[arg-type]
        select(Source.id, Source.text).where(Source.project_id == project_id, Source.id.in_(source_ids))).all())
    people = {pid for pid in (participant_of[p] for p in page) if pid is not None}
    participants = dict(session.execute(select(Participant.id, Participant.name).where(
        Participant.id.in_(sorted(people)))).all()) if people else {}
    coder_ids = sorted({c for p in page for c in p.coder_ids})
    coders = {u.id: u.display_name or u.email for u in session.scalars(
        select(User).where(User.id.in_(coder_ids)))} if coder_ids else {}
    quotes = []
    for p in page:
        text = texts[p.source_id]
        before, after = context(text, p.start, p.end, segments.at(p.source_id, p.start),
                                segments.at(p.source_id, p.end - 1))
        segment = segments.at(p.source_id, p.start)
        participant_id = participant_of[p]
        quotes.append(Quote(
            passage=p, source_name=owners[p.source_id][0], source_kind=owners[p.source_id][1],
            participant=participants.get(participant_id) if participant_id is not None else None,
            speaker=segment[3] if segment else None, timestamp_ms=segment[4] if segment else None,
            codes=tuple(names.get(c, "?") for c in p.code_ids), coders=tuple(coders.get(c, "?") for c in p.coder_ids),
            before=before, text=text[p.start:p.end], after=after,
        ))
    return quotes


def context(text: str, start: int, end: int, first: SegmentRow | None, last: SegmentRow | None) -> tuple[str, str]:
    """The text around ``text[start:end]``: the rest of the segments it starts and ends
    in (or a window without segments), at most CONTEXT_CHARS each side, cut at a space."""
    left = first[0] if first is not None else max(0, start - WINDOW_CHARS)
    right = last[1] if last is not None else min(len(text), end + WINDOW_CHARS)
    left, right = min(left, start), max(right, end)
    before, after = text[left:start], text[end:right]
    if len(before) > CONTEXT_CHARS:
        cut = before[-CONTEXT_CHARS:]
        space = cut.find(" ")
        before = "…" + (cut[space + 1:] if 0 <= space < len(cut) - 1 else cut)
    elif first is None and left > 0:
        space = before.find(" ")
        before = "…" + (before[space + 1:] if space != -1 else before)
    if len(after) > CONTEXT_CHARS:
        cut = after[:CONTEXT_CHARS]
        space = cut.rfind(" ")
        after = (cut[:space] if space > 0 else cut) + "…"
    elif last is None and right < len(text):
        space = after.rfind(" ")
        after = (after[:space] if space > 0 else after) + "…"
    return before, after


QUOTE_HEADER = ("source", "participant", "codes", "coders", "start", "end", "quote", "context")


def quote_rows(
    session: Session, *, project_id: int, code_ids: Sequence[int], mode: Mode = "any",
    filters: QuoteFilters | None = None,
) -> list[tuple[str | int, ...]]:
    """Every quote :func:`retrieve` finds (not one page), as a header and rows for a CSV:
    source, participant, codes, coders, start, end (code points), the quote and the
    quote with its context around it."""
    found = retrieve(session, project_id=project_id, code_ids=code_ids, mode=mode, filters=filters,
                     offset=0, limit=1_000_000_000)
    rows: list[tuple[str | int, ...]] = [QUOTE_HEADER]
    for quote in found.quotes:
        rows.append((quote.source_name, quote.participant or "", "; ".join(quote.codes), "; ".join(quote.coders),
                     quote.passage.start, quote.passage.end, quote.text, quote.before + quote.text + quote.after))
    return rows


@dataclass(frozen=True, slots=True)
class CodingQuote:
    """What a memo on a coding is about: the coding's code, source and words."""

    coding_id: int
    code_id: int
    code_name: str
    source_id: int
    source_name: str
    start: int
    end: int
    text: str  # the coded words, shortened to ``QUOTE_SHORT`` characters at a space


QUOTE_SHORT = 120


def shorten(text: str, limit: int = QUOTE_SHORT) -> str:
    """``text`` on one line, cut at a space before ``limit`` characters with a "…"."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut) + "…"


def coding_quotes(session: Session, *, project_id: int, coding_ids: Iterable[int]) -> dict[int, CodingQuote]:
    """The codings of ``coding_ids`` that still exist, with their code, source and words
    (one query; only the coded stretch of each text is read)."""
    ids = sorted(set(coding_ids))
    if not ids:
        return {}
    words = func.substr(Source.text, Coding.start + 1, Coding.end - Coding.start)
    rows = session.execute(
        select(Coding.id, Coding.code_id, Code.name, Coding.source_id, Source.name, Coding.start, Coding.end, words)
        .join(Code, Code.id == Coding.code_id).join(Source, Source.id == Coding.source_id)
        .where(Coding.project_id == project_id, Coding.id.in_(ids))
    ).all()
    return {r[0]: CodingQuote(r[0], r[1], r[2], r[3], r[4], r[5], r[6], shorten(r[7] or "")) for r in rows}
