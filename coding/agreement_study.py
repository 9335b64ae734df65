"""Reading two coders' codings for ``coding.agreement`` and comparing them on one source.

* :func:`coders_of`: the project's coders with how many codings and sources each has.
* :func:`shared_sources`: the sources both of two coders coded (the default study).
* :func:`agreement_for`: the agreement report over chosen sources, in three queries.
* :func:`compare_source`: the text of one source cut into pieces (a flat sweep over
  both coders' spans); each piece says which codes coder A and coder B gave it, and
  whether they agree (both / only A / only B / different codes / neither).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coding.agreement import AgreementReport, compare_coders
from coding.codings import Coding
from coding.document import sweep
from research.accounts import User
from research.errors import InvalidInput
from research.sources import Source, get_source

Verdict = Literal["both", "only_a", "only_b", "differ", "none"]


@dataclass(frozen=True, slots=True)
class Coder:
    id: int
    name: str
    codings: int
    sources: int


@dataclass(frozen=True, slots=True)
class ComparedPiece:
    start: int
    end: int
    text: str
    codes_a: frozenset[int]
    codes_b: frozenset[int]

    @property
    def verdict(self) -> Verdict:
        if not self.codes_a and not self.codes_b:
            return "none"
        if self.codes_a == self.codes_b:
            return "both"
        if not self.codes_b:
            return "only_a"
        if not self.codes_a:
            return "only_b"
        return "differ"


def coders_of(session: Session, project_id: int) -> list[Coder]:
    rows = session.execute(
        select(Coding.coder_id, func.count(Coding.id), func.count(func.distinct(Coding.source_id)))
        .where(Coding.project_id == project_id, Coding.coder_id.is_not(None)).group_by(Coding.coder_id)
    ).all()
    ids = [r[0] for r in rows]
    names = {u.id: u.display_name or u.email for u in session.scalars(select(User).where(User.id.in_(ids)))}
    return sorted((Coder(r[0], names.get(r[0], f"User {r[0]}"), r[1], r[2]) for r in rows),
                  key=lambda c: c.name.lower())


def coded_sources(session: Session, project_id: int, coder_id: int) -> set[int]:
    return set(session.scalars(select(Coding.source_id).where(
        Coding.project_id == project_id, Coding.coder_id == coder_id).distinct()))


def uncoded_sources(session: Session, project_id: int, coder_id: int, source_ids: Sequence[int]) -> list[int]:
    """The sources of ``source_ids`` in which ``coder_id`` has no coding at all."""
    return sorted(set(source_ids) - coded_sources(session, project_id, coder_id))


def shared_sources(session: Session, project_id: int, coder_a: int, coder_b: int) -> list[int]:
    return sorted(coded_sources(session, project_id, coder_a) & coded_sources(session, project_id, coder_b))


def agreement_for(session: Session, *, project_id: int, coder_a: int, coder_b: int,
                  source_ids: Sequence[int] | None = None) -> AgreementReport:
    """Agreement of two coders over ``source_ids`` (default: every source both coded)."""
    if coder_a == coder_b:
        raise InvalidInput("Choose two different coders.")
    wanted = sorted(set(source_ids)) if source_ids else shared_sources(session, project_id, coder_a, coder_b)
    lengths: dict[int, int] = dict(session.execute(  # type: ignore[arg-type]
        select(Source.id, func.length(Source.text)).where(Source.project_id == project_id, Source.id.in_(wanted))
    ).all()) if wanted else {}
    spans = session.execute(
        select(Coding.coder_id, Coding.code_id, Coding.source_id, Coding.start, Coding.end).where(
            Coding.project_id == project_id, Coding.coder_id.in_([coder_a, coder_b]),
            Coding.source_id.in_(sorted(lengths)))
    ).all() if lengths else []
    return compare_coders(lengths, [tuple(s) for s in spans], coder_a, coder_b)  # type: ignore[misc]


def compare_source(session: Session, *, project_id: int, source_id: int, coder_a: int, coder_b: int,
                   code_id: int | None = None) -> list[ComparedPiece]:
    """Both coders' codings of one source as a flat sweep of pieces (only ``code_id``'s if given)."""
    source = get_source(session, project_id=project_id, source_id=source_id)
    stmt = select(Coding.id, Coding.coder_id, Coding.code_id, Coding.start, Coding.end).where(
        Coding.source_id == source.id, Coding.coder_id.in_([coder_a, coder_b]))
    if code_id is not None:
        stmt = stmt.where(Coding.code_id == code_id)
    rows = session.execute(stmt).all()
    who = {r[0]: (r[1], r[2]) for r in rows}
    pieces = []
    for piece in sweep(len(source.text), [(r[0], r[3], r[4]) for r in rows]):
        codes_a = frozenset(who[c][1] for c in piece.codings if who[c][0] == coder_a)
        codes_b = frozenset(who[c][1] for c in piece.codings if who[c][0] == coder_b)
        pieces.append(ComparedPiece(piece.start, piece.end, source.text[piece.start:piece.end], codes_a, codes_b))
    return pieces


def merge_pieces(pieces: Sequence[ComparedPiece]) -> list[ComparedPiece]:
    """Neighbouring pieces with the same codes joined, so the page has few elements."""
    merged: list[ComparedPiece] = []
    for piece in pieces:
        last = merged[-1] if merged else None
        if last is not None and last.codes_a == piece.codes_a and last.codes_b == piece.codes_b:
            merged[-1] = ComparedPiece(last.start, piece.end, last.text + piece.text, last.codes_a, last.codes_b)
        else:
            merged.append(piece)
    return merged


DIFFERENCE_SHOWN = 300  # a longer difference is shown as its start and end around "…"


@dataclass(frozen=True, slots=True)
class Difference:
    """A stretch where the two coders disagree: neighbouring differing pieces joined, and
    widened to whole words for reading (``lead`` and ``tail`` are the agreed parts of the
    first and last word)."""

    start: int
    end: int
    lead: str
    text: str
    tail: str
    verdicts: frozenset[Verdict]
    codes_a: frozenset[int]
    codes_b: frozenset[int]

    @property
    def verdict(self) -> Verdict:
        return next(iter(self.verdicts)) if len(self.verdicts) == 1 else "differ"


def _word_start(text: str, offset: int) -> int:
    while offset > 0 and (text[offset - 1].isalnum() or text[offset - 1] in "-'’"):
        offset -= 1
    return offset


def _word_end(text: str, offset: int) -> int:
    while offset < len(text) and (text[offset].isalnum() or text[offset] in "-'’"):
        offset += 1
    return offset


def _shorten(text: str) -> str:
    if len(text) <= DIFFERENCE_SHOWN:
        return text
    half = DIFFERENCE_SHOWN // 2
    return text[:_word_end(text, half)] + " … " + text[_word_start(text, len(text) - half):]


def differences(pieces: Sequence[ComparedPiece], text: str) -> list[Difference]:
    """Where the coders differ, as whole words: pieces that are next to each other, or
    share a word, become one difference (so a boundary a few letters apart is one entry
    that shows the word, not a fragment of it)."""
    groups: list[list[ComparedPiece]] = []
    for piece in pieces:
        if piece.verdict in ("none", "both"):
            continue
        if groups and _word_start(text, piece.start) <= _word_end(text, groups[-1][-1].end):
            groups[-1].append(piece)
        else:
            groups.append([piece])
    found = []
    for group in groups:
        start, end = group[0].start, group[-1].end
        shown_start, shown_end = _word_start(text, start), _word_end(text, end)
        found.append(Difference(
            start=start, end=end, lead=text[shown_start:start], text=_shorten(text[start:end]),
            tail=text[end:shown_end], verdicts=frozenset(p.verdict for p in group),
            codes_a=frozenset(c for p in group for c in p.codes_a),
            codes_b=frozenset(c for p in group for c in p.codes_b)))
    return found
