"""Erasure leaves no trace: after erasing a participant or a source, a word only they said
is found nowhere, not in any column of any table (read through the models' metadata),
not in the search index, not inside cached exports, not in the instance folder, and (on
SQLite) not in the database file itself. Mentions of an erased participant by name in
other people's turns are reported, so the owner can pseudonymise them (both databases).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.database import get_database
from coding.all_models import metadata
from coding.codebook import CodeKind, create_code
from coding.codings import add_coding
from coding.erasure import erase_participant, erase_source
from coding.memos import add_memo
from coding.suggestions import SegmentEmbedding, Suggestion
from exports.backup import backup_bytes
from research.db import transaction
from research.jobs import JobFile, create_job
from research.participants import Participant
from research.segmenting import segment
from research.sources import Segment, Source, SourceKind, add_source
from research.speakers import SpeakerChoice, map_speakers
from tests.conftest import make_project, make_user

MARKER = "Zorblaxtuni"  # a word nobody else in the project says
OWN = f"I: Berätta om köpet.\nÅsa: {MARKER} i Kiruna var min första bostad.\n"
GROUP = f"I: Välkomna.\nÅsa: Jag minns {MARKER} och banken.\nBo: Jag pratade med Åsa om lånet.\nI: Tack.\n"
OTHER = "I: Hur gick det?\nBo: Banken ringde tillbaka.\nI: Bra.\n"


@dataclass
class Study:
    project_id: int
    asa_id: int
    own_id: int
    group_id: int
    other_id: int


def _add_interview(session: Session, project_id: int, name: str, body: str) -> Source:
    return add_source(session, project_id=project_id, kind=SourceKind.INTERVIEW, name=name, text=body,
                      spans=segment(body), original=body.encode(), language="sv")


def _code_with_memo_and_suggestion(session: Session, project_id: int, user_id: int, code_id: int, source: Source,
                                   phrase: str) -> None:
    """A coding of ``phrase``, a memo quoting it, and a suggestion whose rationale quotes it."""
    start = source.text.index(phrase)
    coding = add_coding(session, project_id=project_id, source_id=source.id, code_id=code_id, start=start,
                        end=start + len(phrase), user_id=user_id)
    add_memo(session, project_id=project_id, target_type="coding", target_id=coding.id,
             text=f"Hon säger ”{phrase}”.", author_id=user_id)
    session.add(Suggestion(project_id=project_id, source_id=source.id, start=start, end=start + len(phrase),
                           score=0.9, suggester="actors", rationale=f"named place: {phrase}"))


def plant(session: Session) -> Study:
    """Åsa's own interview and a group interview where she speaks, both full of her marker
    word: codings, memos (on codings and on her source), suggestions, embeddings, a cached
    backup export; and an interview where only Bo speaks."""
    owner = make_user(session)
    project = make_project(session, owner)
    with transaction(session):
        asa = Participant(project_id=project.id, name="Åsa")
        session.add(asa)
        session.flush()
        own = _add_interview(session, project.id, "Åsa hemma", OWN)
        group = _add_interview(session, project.id, "Grupp", GROUP)
        other = _add_interview(session, project.id, "Bo hemma", OTHER)
        map_speakers(session, project_id=project.id, source_id=own.id,
                     choices={"I": SpeakerChoice("interviewer"), "Åsa": SpeakerChoice("participant", asa.id)})
        map_speakers(session, project_id=project.id, source_id=group.id,
                     choices={"I": SpeakerChoice("interviewer"), "Åsa": SpeakerChoice("participant", asa.id),
                              "Bo": SpeakerChoice("new", name="Bo")})
        code = create_code(session, project_id=project.id, name="Platser", kind=CodeKind.THEME)
        for source in (own, group):
            _code_with_memo_and_suggestion(session, project.id, owner.id, code.id, source, MARKER)
        add_memo(session, project_id=project.id, target_type="source", target_id=own.id,
                 text=f"Intervjun där {MARKER} nämns första gången.", author_id=owner.id)
        for row in session.scalars(select(Segment).join(Source)):  # stands in for a vector made from the text
            session.add(SegmentEmbedding(segment_id=row.id, model_id="m",
                                         vector=row.source.text[row.start:row.end].encode()))
        job = create_job(session, kind="project.backup", project_id=project.id, user_id=owner.id)
        session.flush()
        archive, _ = backup_bytes(session, project.id)
        session.add(JobFile(job_id=job.id, name="backup.zip", media_type="application/zip", data=archive))
        study = Study(project.id, asa.id, own.id, group.id, other.id)
    assert list(traces(session, MARKER)), "the marker was not planted"
    return study


def _holds(value: object, needle: str) -> bool:
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        if needle.encode() in data or needle.casefold().encode() in data:
            return True
        if data[:2] == b"PK":  # a cached export: look inside every entry
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    return any(_holds(archive.read(name), needle) for name in archive.namelist())
            except zipfile.BadZipFile:
                return False
        return False
    if isinstance(value, dict | list):
        return needle.casefold() in json.dumps(value, ensure_ascii=False).casefold()
    return isinstance(value, str) and needle.casefold() in value.casefold()


def traces(session: Session, needle: str) -> Iterator[str]:
    """Where ``needle`` still occurs: table.column of every model, the search index's own
    tables, and cached export files."""
    session.expire_all()
    for table in metadata.sorted_tables:
        for row in session.execute(select(table)).mappings():
            for column, value in row.items():
                if _holds(value, needle):
                    yield f"{table.name}.{column}"
    if session.get_bind().dialect.name == "sqlite":
        names = session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table' "
                                     "AND name LIKE 'segment_search%'")).all()
        for name in names:
            for row in session.execute(text(f'SELECT * FROM "{name}"')):
                if any(_holds(value, needle) for value in row):
                    yield name
    else:
        vectors = session.execute(text("SELECT count(*) FROM segment WHERE search_vector::text ILIKE :n"),
                                  {"n": f"%{needle}%"}).scalar_one()
        if vectors:
            yield "segment.search_vector"


def files_holding(folder: Path, needle: str) -> list[str]:
    return [str(path) for path in folder.rglob("*") if path.is_file() and _holds(path.read_bytes(), needle)]


def database_file_holds(app: Flask, session: Session, needle: str) -> bool:
    """SQLite keeps deleted rows in free pages and in its write-ahead log unless told not to.

    The files are read by another process: closing a file descriptor of the database here would
    drop every POSIX lock this process holds on it, SQLite's open connections' included, and a
    later connection, taking itself for the last one, would delete the WAL index under them."""
    engine = get_database(app).engine
    if engine.dialect.name != "sqlite":
        return False
    session.rollback()
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database = Path(engine.url.database or "")
    files = [str(path) for path in (database, Path(f"{database}-wal")) if path.exists()]
    found = subprocess.run(["grep", "--quiet", "--fixed-strings", "--binary-files=text", "-e", needle, "--", *files],
                           env={**os.environ, "LC_ALL": "C"}, check=False)
    assert found.returncode in (0, 1), "grep could not read the database files"
    return found.returncode == 0


def test_erasing_a_participant_leaves_no_trace_of_their_words_anywhere(app: Flask, session: Session) -> None:
    study = plant(session)
    with transaction(session):
        report = erase_participant(session, project_id=study.project_id, participant_id=study.asa_id, user_id=None)

    assert list(traces(session, MARKER)) == []
    assert files_holding(Path(app.instance_path), MARKER) == []
    assert not database_file_holds(app, session, MARKER)
    assert report.exports_dropped == 1
    assert session.scalar(select(func.count()).select_from(Source)) == 2
    # Bo named her in his own turn: the owner is told where, to pseudonymise it.
    group = session.get(Source, study.group_id)
    assert [(m.source_id, group.text[m.start:m.end]) for m in report.mentions] == [(study.group_id, "Åsa")]
    assert "Jag pratade med Åsa om lånet." in group.text


def test_erasing_a_source_leaves_no_trace_of_its_text_anywhere(app: Flask, session: Session) -> None:
    study = plant(session)
    with transaction(session):
        report = erase_source(session, project_id=study.project_id, source_id=study.own_id, user_id=None)
    with transaction(session):  # the group interview holds the marker too
        erase_source(session, project_id=study.project_id, source_id=study.group_id, user_id=None)

    assert list(traces(session, MARKER)) == []
    assert files_holding(Path(app.instance_path), MARKER) == []
    assert not database_file_holds(app, session, MARKER)
    assert (report.sources_deleted, report.exports_dropped) == (1, 1)
    assert session.get(Participant, study.asa_id) is not None, "erasing a source keeps its participant"
    assert [s.id for s in session.scalars(select(Source))] == [study.other_id]
