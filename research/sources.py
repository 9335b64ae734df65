"""Sources (interviews, observations, survey answers, documents) and their segments.

A source's text is normalised once on import and never changes afterwards:
every coding, search row and suggestion points into it by code-point offsets.
"""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from research.db import Base, new_guid, utcnow
from research.errors import Conflict, InvalidInput, NotFound
from research.search_index import index_segments
from research.segmenting import Span


class SourceKind(enum.StrEnum):
    INTERVIEW = "interview"
    OBSERVATION = "observation"
    SURVEY = "survey"
    DOCUMENT = "document"

    @property
    def label(self) -> str:
        return {"interview": "Interview", "observation": "Observation", "survey": "Survey answers",
                "document": "Document"}[self.value]


class Source(Base):
    __tablename__ = "source"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (migration 0008)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    kind: Mapped[SourceKind] = mapped_column(Enum(SourceKind, native_enum=False, length=12,
                                                  values_callable=lambda e: [m.value for m in e]))
    name: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    # What the original file was: kept so the import can be traced and re-done.
    original_name: Mapped[str] = mapped_column(String(300), default="")
    media_type: Mapped[str] = mapped_column(String(120), default="text/plain")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    encoding: Mapped[str | None] = mapped_column(String(40))
    encoding_warning: Mapped[str | None] = mapped_column(Text)
    # Observation details (date, place, observer, context) and other per-kind facts.
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    segments: Mapped[list[Segment]] = relationship(
        back_populates="source", order_by="Segment.start", cascade="all, delete-orphan", passive_deletes=True
    )


class SourceFile(Base):
    """The original bytes, apart from the source row so listings never load them."""

    __tablename__ = "source_file"

    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Segment(Base):
    """A paragraph, a speaker turn or one survey answer: the unit of search, NLP and networks."""

    __tablename__ = "segment"
    __table_args__ = (UniqueConstraint("source_id", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # paragraph | turn | answer
    start: Mapped[int]
    end: Mapped[int]
    speaker: Mapped[str | None] = mapped_column(String(200))
    timestamp_ms: Mapped[int | None]
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    question: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source] = relationship(back_populates="segments")


class SpeakerMapping(Base):
    """Which participant (or the interviewer) a speaker label in a source stands for."""

    __tablename__ = "speaker_mapping"
    __table_args__ = (UniqueConstraint("source_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    is_interviewer: Mapped[bool] = mapped_column(default=False)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def add_source(
    session: Session,
    *,
    project_id: int,
    kind: SourceKind,
    name: str,
    text: str,
    spans: list[Span],
    original: bytes,
    original_name: str = "",
    media_type: str = "text/plain",
    language: str | None = None,
    participant_id: int | None = None,
    encoding: str | None = None,
    encoding_warning: str | None = None,
    details: dict[str, Any] | None = None,
    created_by: int | None = None,
    identity: str | None = None,
) -> Source:
    """Store a normalised text with its segments and original bytes; refuses exact duplicates.

    ``identity`` replaces the file's hash as the duplicate key when one file
    yields several sources (the questions of a survey)."""
    digest = identity or sha256_of(original)
    duplicate = session.scalar(select(Source.name).where(Source.project_id == project_id, Source.sha256 == digest))
    if duplicate is not None:
        raise Conflict(f"'{original_name or name}' is already in this project as '{duplicate}'.")
    for span in spans:
        if not 0 <= span.start < span.end <= len(text):
            raise InvalidInput(f"Segment {span.start}-{span.end} lies outside the text of '{name}'.")
    source = Source(
        project_id=project_id, kind=kind, name=name.strip()[:300] or original_name[:300], text=text,
        language=language, participant_id=participant_id, original_name=original_name[:300],
        media_type=media_type, sha256=digest, size=len(original), encoding=encoding,
        encoding_warning=encoding_warning, details=dict(details or {}), created_by=created_by,
    )
    source.segments = [
        Segment(kind=s.kind, start=s.start, end=s.end, speaker=s.speaker, timestamp_ms=s.timestamp_ms,
                participant_id=participant_id)
        for s in spans
    ]
    session.add(source)
    session.flush()
    session.add(SourceFile(source_id=source.id, data=original))
    session.flush()
    index_segments(session, [(s.id, text[s.start:s.end]) for s in source.segments])
    return source


def get_source(session: Session, *, project_id: int, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None or source.project_id != project_id:
        raise NotFound("No such source in this project.")
    return source


def sources_of(session: Session, project_id: int) -> list[Source]:
    return list(session.scalars(
        select(Source).where(Source.project_id == project_id).order_by(Source.kind, Source.name)
    ))


def count_by_kind(session: Session, project_id: int) -> dict[SourceKind, int]:
    rows = session.execute(
        select(Source.kind, func.count()).where(Source.project_id == project_id).group_by(Source.kind)
    )
    return {kind: n for kind, n in rows}


def word_count(text: str) -> int:
    return len(text.split())
