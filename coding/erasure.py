"""Erasing a participant (a data subject's request): their sources, their passages in
shared sources, and everything derived from them.

Sources that belong to the participant are deleted; the database cascades to their
segments, original files, speaker rows, codings, suggestions, embeddings and search
rows. In shared sources (group interviews, survey answers) the participant's turns or
answers are cut out of the text; the segments, codings and suggestions after a cut move
with the text, those inside a cut are deleted, and the original file (which still holds
the participant's words) is dropped. Audit events about the deleted sources keep their
action but lose their details (names of files).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.orm import Session

from coding.codings import Coding
from coding.events import Event
from coding.suggestions import Suggestion
from research.participants import get_participant
from research.pseudonyms import forget_term
from research.sources import Segment, Source, SourceFile


@dataclass(frozen=True)
class ErasureReport:
    sources_deleted: int
    segments_cut: int
    sources_cut: int


def erase_participant(session: Session, *, project_id: int, participant_id: int) -> ErasureReport:
    """Erase in the caller's unit of work (the caller commits once)."""
    participant = get_participant(session, project_id=project_id, participant_id=participant_id)
    owned = list(session.scalars(select(Source.id).where(Source.project_id == project_id,
                                                         Source.participant_id == participant.id)))
    shared = list(session.scalars(
        select(Source).where(Source.project_id == project_id,
                             or_(Source.participant_id.is_(None), Source.participant_id != participant.id),
                             Source.id.in_(select(Segment.source_id).where(Segment.participant_id == participant.id)))
        .order_by(Source.id)))
    cut = 0
    for source in shared:
        cut += _cut_participant(session, source, participant.id)
    session.execute(update(Event).where(Event.project_id == project_id, Event.object_type == "source",
                                        Event.object_id.in_(owned)).values(before=None, after=None))
    session.execute(update(Event).where(Event.project_id == project_id, Event.object_type == "participant",
                                        Event.object_id == participant.id).values(before=None, after=None))
    forget_term(session, project_id=project_id, term=participant.name)
    session.delete(participant)
    session.flush()
    _purge_search_index(session)
    return ErasureReport(sources_deleted=len(owned), segments_cut=cut, sources_cut=len(shared))


def _cut_participant(session: Session, source: Source, participant_id: int) -> int:
    """Remove the participant's segments (with their speaker labels) from a shared source."""
    segments = list(session.scalars(select(Segment).where(Segment.source_id == source.id).order_by(Segment.start)))
    theirs = [s for s in segments if s.participant_id == participant_id]
    ranges = _merge([_removal(source.text, s.start, s.end) for s in theirs])
    text = source.text
    kept_text = "".join(text[a:b] for a, b in _complement(ranges, len(text)))
    for segment in theirs:
        session.delete(segment)
    session.flush()
    for model in (Coding, Suggestion):
        rows = session.execute(select(model.id, model.start, model.end).where(model.source_id == source.id)).all()
        for row_id, start, end in rows:
            if any(start < b and a < end for a, b in ranges):
                session.execute(delete(model).where(model.id == row_id))
            else:
                session.execute(update(model).where(model.id == row_id).values(
                    start=_shift(start, ranges), end=_shift(end, ranges)))
    source.text = kept_text
    session.flush()
    for segment in (s for s in segments if s.participant_id != participant_id):
        new_start, new_end = _shift(segment.start, ranges), _shift(segment.end, ranges)
        if (new_start, new_end) != (segment.start, segment.end):
            session.execute(update(Segment).where(Segment.id == segment.id).values(start=new_start, end=new_end))
    session.execute(delete(SourceFile).where(SourceFile.source_id == source.id))
    source.details = {**source.details, "erased_passages": source.details.get("erased_passages", 0) + len(theirs),
                      "original_removed": True}
    session.flush()
    session.expire(source)
    return len(theirs)


def _removal(text: str, start: int, end: int) -> tuple[int, int]:
    """The span to cut for a segment: from the start of its line (its speaker label) to
    the end, with the line breaks after it (or, at the very end, before it)."""
    line_start = text.rfind("\n", 0, start) + 1
    stop = end
    while stop < len(text) and text[stop] == "\n":
        stop += 1
    if stop == len(text):
        while line_start > 0 and text[line_start - 1] == "\n":
            line_start -= 1
    return line_start, stop


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _complement(ranges: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    kept, position = [], 0
    for start, end in ranges:
        kept.append((position, start))
        position = end
    kept.append((position, length))
    return kept


def _shift(offset: int, ranges: list[tuple[int, int]]) -> int:
    return offset - sum(end - start for start, end in ranges if end <= offset)


def _purge_search_index(session: Session) -> None:
    """FTS5 keeps deleted terms in its b-tree until its segments merge: merge them now."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO segment_search(segment_search) VALUES ('optimize')"))
