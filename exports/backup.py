"""Project backup: one zip with every row of a project as JSON, plus a manifest.

The archive is written table by table from the models, so a new column is
backed up without touching this file. Users appear only as e-mail and name
(never password hashes); restoring maps them to accounts of the target instance.
"""

from __future__ import annotations

import base64
import enum
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Select, select
from sqlalchemy.orm import DeclarativeBase, Session

from coding.codebook import Code
from coding.codings import Coding
from coding.events import Event
from coding.memos import Memo
from coding.suggestions import SegmentEmbedding, Suggestion
from research.accounts import User
from research.participants import AttributeDef, AttributeValue, Participant
from research.projects import Membership, Phase, Project
from research.sources import Segment, Source, SourceFile, SpeakerMapping

FORMAT = "kundstig-backup"
FORMAT_VERSION = 1
Progress = Callable[[int, int, str], None]


def _tables(project_id: int) -> list[tuple[str, Select[Any]]]:
    """Every table of a project, parents before children, with the query selecting its rows."""
    sources = select(Source.id).where(Source.project_id == project_id)
    participants = select(Participant.id).where(Participant.project_id == project_id)
    segments = select(Segment.id).where(Segment.source_id.in_(sources))
    return [
        ("project", select(Project).where(Project.id == project_id)),
        ("phase", select(Phase).where(Phase.project_id == project_id)),
        ("membership", select(Membership).where(Membership.project_id == project_id)),
        ("participant", select(Participant).where(Participant.project_id == project_id)),
        ("attribute_def", select(AttributeDef).where(AttributeDef.project_id == project_id)),
        ("attribute_value", select(AttributeValue).where(AttributeValue.participant_id.in_(participants))),
        ("source", select(Source).where(Source.project_id == project_id)),
        ("source_file", select(SourceFile).where(SourceFile.source_id.in_(sources))),
        ("segment", select(Segment).where(Segment.source_id.in_(sources))),
        ("speaker_mapping", select(SpeakerMapping).where(SpeakerMapping.source_id.in_(sources))),
        ("code", select(Code).where(Code.project_id == project_id).order_by(Code.id)),
        ("coding", select(Coding).where(Coding.project_id == project_id)),
        ("memo", select(Memo).where(Memo.project_id == project_id)),
        ("event", select(Event).where(Event.project_id == project_id)),
        ("suggestion", select(Suggestion).where(Suggestion.project_id == project_id)),
        ("segment_embedding", select(SegmentEmbedding).where(SegmentEmbedding.segment_id.in_(segments))),
    ]


def table_names() -> list[str]:
    """The tables of a backup, parents before children (the order of restoring)."""
    return [name for name, _ in _tables(0)]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode()}
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _rows(session: Session, query: Select[Any]) -> Iterator[dict[str, Any]]:
    for row in session.scalars(query.execution_options(yield_per=500)):
        assert isinstance(row, DeclarativeBase)
        yield {column.key: _plain(getattr(row, column.key)) for column in row.__mapper__.column_attrs}


def write_backup(session: Session, project_id: int, out: IO[bytes], progress: Progress | None = None) -> dict[str, int]:
    """Write the archive to ``out``; returns the row count per table."""
    tables = _tables(project_id)
    counts: dict[str, int] = {}
    user_ids: set[int] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, (name, query) in enumerate(tables):
            if progress is not None:
                progress(done, len(tables) + 1, f"Writing {name.replace('_', ' ')}s")
            with archive.open(f"tables/{name}.jsonl", "w") as handle:
                count = 0
                for row in _rows(session, query):
                    for key in ("user_id", "coder_id", "author_id", "created_by", "decided_by"):
                        if row.get(key) is not None:
                            user_ids.add(row[key])
                    handle.write(json.dumps(row, ensure_ascii=False).encode() + b"\n")
                    count += 1
            counts[name] = count
        users = [{"id": u.id, "email": u.email, "display_name": u.display_name}
                 for u in session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id))]
        archive.writestr("users.json", json.dumps(users, ensure_ascii=False, indent=1))
        manifest = {"format": FORMAT, "version": FORMAT_VERSION, "project_id": project_id, "counts": counts}
        archive.writestr("manifest.json", json.dumps(manifest, indent=1))
    return counts


def backup_bytes(session: Session, project_id: int, progress: Progress | None = None) -> tuple[bytes, dict[str, int]]:
    buffer = io.BytesIO()
    counts = write_backup(session, project_id, buffer, progress)
    return buffer.getvalue(), counts
