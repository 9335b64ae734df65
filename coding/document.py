"""The coding view of one source: its text cut into blocks (turns, answers,
paragraphs) and pieces, where every piece is a stretch of text covered by the
same set of codings (a flat span sweep, never nested markup).

Offsets are code points, 0-based and end-exclusive, like everywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from coding.codings import Coding
from research.accounts import User
from research.participants import Participant
from research.sources import Segment, Source, SpeakerMapping
from research.text import BIDI_CONTROL


@dataclass(frozen=True, slots=True)
class Piece:
    """text[start:end], covered by ``codings`` (outermost first, innermost last)."""

    start: int
    end: int
    codings: tuple[int, ...] = ()


def sweep(length: int, spans: Iterable[tuple[int, int, int]], cuts: Iterable[int] = ()) -> list[Piece]:
    """Cut ``[0, length)`` at every span boundary and every cut.

    ``spans`` are ``(id, start, end)``; spans are clipped to the text and empty ones
    ignored. The pieces cover the whole text without gaps, in order.
    """
    clipped = [(i, max(0, s), min(length, e)) for i, s, e in spans]
    clipped = [(i, s, e) for i, s, e in clipped if s < e]
    bounds = {0, length}
    bounds.update(c for c in cuts if 0 < c < length)
    for _, s, e in clipped:
        bounds.add(s)
        bounds.add(e)
    ordered = sorted(bounds)
    starting: dict[int, list[tuple[int, int, int]]] = {}
    for span in sorted(clipped, key=lambda t: (t[1], -t[2], t[0])):
        starting.setdefault(span[1], []).append(span)
    active: list[tuple[int, int, int]] = []
    pieces: list[Piece] = []
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a in starting:
            active.extend(starting[a])
        active = [span for span in active if span[2] > a]
        pieces.append(Piece(a, b, tuple(span[0] for span in active)))
    return pieces


def bidi_control_cuts(text: str) -> list[int]:
    """Cuts on both sides of every bidirectional control character, so that each is a
    piece of its own: the page wraps it in a visible mark (app/bidi_marks.py) while every
    piece still holds exactly one text node, which the page's offset counting relies on."""
    return [cut for match in BIDI_CONTROL.finditer(text) for cut in (match.start(), match.end())]


_PREFIX_TIME = re.compile(r"^\s*[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?\s*[-–—]?\s*")


def is_turn_prefix(gap: str, speaker: str | None) -> bool:
    """Whether the text before a turn holds only its timestamp and speaker label
    (shown in the turn's header instead)."""
    rest = _PREFIX_TIME.sub("", gap.strip(), count=1).strip()
    if speaker:
        for label in (f"[{speaker}]", speaker):
            if rest.startswith(label):
                rest = rest[len(label):].strip()
                break
        rest = _PREFIX_TIME.sub("", rest, count=1).strip()
    return rest in ("", ":")


@dataclass
class Block:
    kind: str  # turn | answer | paragraph | text
    start: int
    end: int
    segment_id: int | None = None
    speaker: str | None = None
    timestamp: str | None = None
    participant: str | None = None
    is_interviewer: bool = False
    pieces: list[Piece] = field(default_factory=list)


def _timestamp(ms: int | None) -> str | None:
    if ms is None:
        return None
    seconds = ms // 1000
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


_PARAGRAPH = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|$))+")


def _paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Non-blank stretches of text[start:end] separated by blank lines."""
    found = []
    for match in _PARAGRAPH.finditer(text, start, end):
        block = match.group()
        lead = len(block) - len(block.lstrip())
        trail = len(block) - len(block.rstrip())
        found.append((match.start() + lead, match.end() - trail))
    return found


def layout(text: str, segments: Sequence[Segment], pieces: list[Piece],
           participants: dict[int, str] | None = None, interviewers: frozenset[str] = frozenset()) -> list[Block]:
    """Blocks in text order: one per segment, plus paragraphs for text outside every
    segment unless it is only a turn's label. Each block gets the pieces inside it."""
    participants = participants or {}
    blocks: list[Block] = []
    position = 0
    for segment in sorted(segments, key=lambda s: s.start):
        if segment.start > position:
            gap = _paragraphs(text, position, segment.start)
            if gap and segment.kind == "turn" and is_turn_prefix(text[gap[-1][0]:gap[-1][1]], segment.speaker):
                gap.pop()  # the turn's own "[00:01:05] Åsa:" label, shown in its header instead
            blocks.extend(Block("text", s, e) for s, e in gap)
        blocks.append(Block(
            kind=segment.kind, start=segment.start, end=segment.end, segment_id=segment.id, speaker=segment.speaker,
            timestamp=_timestamp(segment.timestamp_ms),
            participant=participants.get(segment.participant_id) if segment.participant_id else None,
            is_interviewer=segment.speaker in interviewers if segment.speaker else False,
        ))
        position = max(position, segment.end)
    if position < len(text):
        blocks.extend(Block("paragraph" if not segments else "text", s, e)
                      for s, e in _paragraphs(text, position, len(text)))
    index = 0
    for block in blocks:
        while index < len(pieces) and pieces[index].end <= block.start:
            index += 1
        j = index
        while j < len(pieces) and pieces[j].start < block.end:
            piece = pieces[j]
            block.pieces.append(Piece(max(piece.start, block.start), min(piece.end, block.end), piece.codings))
            j += 1
    return blocks


@dataclass
class DocumentView:
    source: Source
    codings: list[Coding]
    blocks: list[Block]
    coders: dict[int, str]

    def piece_text(self, piece: Piece) -> str:
        return self.source.text[piece.start:piece.end]

    def code_of(self) -> dict[int, int]:
        return {c.id: c.code_id for c in self.codings}


def document_view(session: Session, source: Source, *, coder_id: int | None = None,
                  code_ids: frozenset[int] | None = None) -> DocumentView:
    """Everything the document page shows; ``coder_id`` limits it to one coder's codings
    (blind mode), ``code_ids`` to some codes."""
    stmt = select(Coding).where(Coding.source_id == source.id).order_by(Coding.start, Coding.end, Coding.id)
    if coder_id is not None:
        stmt = stmt.where(Coding.coder_id == coder_id)
    if code_ids is not None:
        stmt = stmt.where(Coding.code_id.in_(code_ids))
    codings = list(session.scalars(stmt))
    segments = list(session.scalars(select(Segment).where(Segment.source_id == source.id).order_by(Segment.start)))
    cuts = [b for s in segments for b in (s.start, s.end)] + bidi_control_cuts(source.text)
    pieces = sweep(len(source.text), ((c.id, c.start, c.end) for c in codings), cuts)
    participant_ids = {s.participant_id for s in segments if s.participant_id}
    participants = dict(session.execute(
        select(Participant.id, Participant.name).where(Participant.id.in_(participant_ids))).all()) \
        if participant_ids else {}
    interviewers = frozenset(session.scalars(select(SpeakerMapping.label).where(
        SpeakerMapping.source_id == source.id, SpeakerMapping.is_interviewer.is_(True))))
    coder_ids = {c.coder_id for c in codings if c.coder_id is not None}
    coders = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(coder_ids))).all()) \
        if coder_ids else {}
    return DocumentView(source=source, codings=codings,
                        blocks=layout(source.text, segments, pieces, participants, interviewers), coders=coders)
