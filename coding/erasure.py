"""Erasing a participant (a data subject's request) or a source: the text and everything
derived from it or copied out of it.

Sources that are erased are deleted; the database cascades to their segments, original
files, speaker rows, codings, suggestions, embeddings and search rows. In shared sources
(group interviews, survey answers) an erased participant's turns or answers are cut out
of the text; the segments, codings and suggestions after a cut move with the text, those
inside a cut are deleted, and the original file (which still holds the participant's
words) is dropped. Memos on what was deleted go too, and so do the text copies in audit
events (memo texts, file names): the events keep their action, not their details. Cached
exports of the project (job files) may quote the erased text, so they are dropped.

What erasure cannot decide alone is reported: places where other people name the erased
participant, for the owner to pseudonymise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, text, update
from sqlalchemy.orm import Session

from coding.codings import Coding
from coding.events import Event, record
from coding.memos import Memo
from coding.suggestions import Suggestion
from research.jobs import Job, JobFile
from research.participants import get_participant
from research.pseudonyms import forget_term
from research.sources import Segment, Source, SourceFile, get_source


@dataclass(frozen=True)
class Mention:
    """Where a remaining text names an erased participant (``text[start:end]`` is the name)."""

    source_id: int
    start: int
    end: int


@dataclass(frozen=True)
class SourceFootprint:
    """What erasing one source takes with it: shown before the erasure, reported after it.
    ``exports`` are the project's cached export files, all dropped because any may quote it."""

    characters: int
    codings: int
    memos: int
    suggestions: int
    exports: int


@dataclass(frozen=True)
class ErasureReport:
    sources_deleted: int
    segments_cut: int
    sources_cut: int
    exports_dropped: int = 0
    mentions: tuple[Mention, ...] = ()
    removed: SourceFootprint | None = None  # erase_source: what went with the source


def erase_participant(session: Session, *, project_id: int, participant_id: int, user_id: int | None) -> ErasureReport:
    """Erase in the caller's unit of work (the caller commits once), with a ``participant.erase``
    audit event by ``user_id`` (None: the command line) that holds counts, never words."""
    overwrite_deleted_content(session)
    participant = get_participant(session, project_id=project_id, participant_id=participant_id)
    name = participant.name
    owned = list(session.scalars(select(Source.id).where(Source.project_id == project_id,
                                                         Source.participant_id == participant.id)))
    shared = list(session.scalars(
        select(Source).where(Source.project_id == project_id,
                             or_(Source.participant_id.is_(None), Source.participant_id != participant.id),
                             Source.id.in_(select(Segment.source_id).where(Segment.participant_id == participant.id)))
        .order_by(Source.id)))
    cut = 0
    for source in shared:
        cut += _cut_participant(session, project_id, source, participant.id)
    _forget_sources(session, project_id, owned)
    _forget_events(session, project_id, "participant", [participant.id])
    forget_term(session, project_id=project_id, term=name)
    session.delete(participant)
    session.flush()
    exports = _drop_exports(session, project_id)
    purge_search_index(session)
    report = ErasureReport(sources_deleted=len(owned), segments_cut=cut, sources_cut=len(shared),
                           exports_dropped=exports, mentions=tuple(_mentions(session, project_id, name)))
    record(session, "participant.erase", user_id=user_id, project_id=project_id, object_type="participant",
           object_id=participant_id, after={"sources_deleted": report.sources_deleted,
                                            "segments_cut": report.segments_cut,
                                            "exports_dropped": report.exports_dropped,
                                            "mentions": len(report.mentions)})
    return report


def erase_source(session: Session, *, project_id: int, source_id: int, user_id: int | None) -> ErasureReport:
    """Erase one source with everything derived from it (the caller commits once), with a
    ``source.erase`` audit event by ``user_id`` (None: the command line) that holds counts,
    never words. Its participant, if it has one, stays."""
    overwrite_deleted_content(session)
    removed = source_footprint(session, project_id=project_id, source_id=source_id)
    _forget_sources(session, project_id, [source_id])
    session.flush()
    exports = _drop_exports(session, project_id)
    purge_search_index(session)
    report = ErasureReport(sources_deleted=1, segments_cut=0, sources_cut=0, exports_dropped=exports, removed=removed)
    record(session, "source.erase", user_id=user_id, project_id=project_id, object_type="source",
           object_id=source_id, after=_source_erasure_details(report))
    return report


def _source_erasure_details(report: ErasureReport) -> dict[str, int]:
    """The details of a ``source.erase`` audit event: how much went, never what it said."""
    removed = report.removed or SourceFootprint(0, 0, 0, 0, 0)
    return {"characters": removed.characters, "codings": removed.codings, "memos": removed.memos,
            "suggestions": removed.suggestions, "exports_dropped": report.exports_dropped}


def source_footprint(session: Session, *, project_id: int, source_id: int) -> SourceFootprint:
    """What :func:`erase_source` would remove (NotFound for a source of another project)."""
    source = get_source(session, project_id=project_id, source_id=source_id)
    codings = select(Coding.id).where(Coding.source_id == source.id)
    on_source = (Memo.target_type == "source") & (Memo.target_id == source.id)
    on_codings = (Memo.target_type == "coding") & Memo.target_id.in_(codings)
    return SourceFootprint(
        characters=len(source.text),
        codings=session.scalar(select(func.count()).select_from(codings.subquery())) or 0,
        memos=session.scalar(select(func.count(Memo.id)).where(Memo.project_id == project_id,
                                                               or_(on_source, on_codings))) or 0,
        suggestions=session.scalar(select(func.count(Suggestion.id)).where(Suggestion.source_id == source.id)) or 0,
        exports=session.scalar(select(func.count()).select_from(JobFile).join(Job, Job.id == JobFile.job_id)
                               .where(Job.project_id == project_id)) or 0,
    )


def mentions_by_source(session: Session, mentions: Iterable[Mention]) -> list[tuple[int, str, int]]:
    """``(source id, source name, how many)`` of the sources that still name an erased
    participant, in the order of the mentions."""
    counts: dict[int, int] = {}
    for mention in mentions:
        counts[mention.source_id] = counts.get(mention.source_id, 0) + 1
    names: dict[int, str] = dict(session.execute(select(Source.id, Source.name).where(Source.id.in_(counts))).all())
    return [(source_id, names.get(source_id, f"source #{source_id}"), count) for source_id, count in counts.items()]


def _forget_sources(session: Session, project_id: int, source_ids: list[int]) -> None:
    """Delete sources, the memos on them and on their codings, and the details of their events."""
    if not source_ids:
        return
    codings = list(session.scalars(select(Coding.id).where(Coding.source_id.in_(source_ids))))
    _forget_memos(session, project_id, "coding", codings)
    _forget_memos(session, project_id, "source", source_ids)
    _forget_events(session, project_id, "coding", codings)
    _forget_events(session, project_id, "source", source_ids)
    session.execute(delete(Source).where(Source.project_id == project_id, Source.id.in_(source_ids)))
    session.expire_all()


def _forget_memos(session: Session, project_id: int, target_type: str, target_ids: Iterable[int]) -> None:
    ids = list(target_ids)
    if not ids:
        return
    memos = list(session.scalars(select(Memo.id).where(Memo.project_id == project_id, Memo.target_type == target_type,
                                                       Memo.target_id.in_(ids))))
    _forget_events(session, project_id, "memo", memos)
    session.execute(delete(Memo).where(Memo.id.in_(memos)))


def _forget_events(session: Session, project_id: int, object_type: str, object_ids: Iterable[int]) -> None:
    ids = list(object_ids)
    if ids:
        session.execute(update(Event).where(Event.project_id == project_id, Event.object_type == object_type,
                                            Event.object_id.in_(ids)).values(before=None, after=None))


def _drop_exports(session: Session, project_id: int) -> int:
    """Files made by the project's jobs (exports, backups, reports) before the erasure."""
    jobs = select(Job.id).where(Job.project_id == project_id)
    dropped = session.execute(delete(JobFile).where(JobFile.job_id.in_(jobs)))
    return int(getattr(dropped, "rowcount", 0) or 0)


def _mentions(session: Session, project_id: int, name: str) -> list[Mention]:
    if not name.strip():
        return []
    pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
    return [Mention(source_id, match.start(), match.end())
            for source_id, body in session.execute(select(Source.id, Source.text).where(
                Source.project_id == project_id).order_by(Source.id))
            for match in pattern.finditer(body)]


def _cut_participant(session: Session, project_id: int, source: Source, participant_id: int) -> int:
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
                if model is Coding:
                    _forget_memos(session, project_id, "coding", [row_id])
                    _forget_events(session, project_id, "coding", [row_id])
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


def overwrite_deleted_content(session: Session) -> None:
    """SQLite leaves deleted rows in free pages of the file unless told to zero them."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete = ON"))


def purge_search_index(session: Session) -> None:
    """FTS5 keeps deleted terms in its b-tree until its segments merge: merge them now."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO segment_search(segment_search) VALUES ('optimize')"))
