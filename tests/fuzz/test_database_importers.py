"""Fuzz targets for the importers that write to the database: survey answers, participant
lists, project backups and REFI-QDA projects (both databases).

For any input the importer either imports or refuses with the project's own clear error,
never another exception, and a refusal leaves nothing behind: the row counts are the
same as before (one transaction per import).
"""

from __future__ import annotations

import io
import zipfile

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from exports.backup import backup_bytes
from exports.refi.importer import import_file as import_refi_file
from exports.refi.writer import write_qdpx
from exports.restore import restore_backup
from research.accounts import User
from research.db import transaction
from research.errors import InvalidInput
from research.ingest import ImportOptions, SurveyColumns, import_file
from research.participant_import import import_participants
from research.participants import Participant
from research.projects import Project
from research.sources import Source, SourceKind
from research.tables import read_table
from tests.fuzz.budget import FUZZ_DATABASE
from tests.fuzz.inputs import mutated
from tests.fuzz.seeded import SURVEY, owner, project_id

PARTICIPANTS = "namn,ålder,kund sedan,företag\nÅsa,34,2020-01-02,ja\nBo,51,2019-11-30,nej\n".encode()
CSV_ISH = st.binary(max_size=1500) | mutated(SURVEY) | mutated(PARTICIPANTS) | st.lists(
    st.lists(st.sampled_from(["id", "svar", "typ", "", "\"", "å", "1", "2020-01-01", "ja", "🏠", "=1+1"]),
             min_size=1, max_size=5), min_size=1, max_size=6).map(
    lambda rows: "\n".join(",".join(r) for r in rows).encode())


def counts(session: Session) -> tuple[int, ...]:
    session.rollback()
    return tuple(session.scalar(select(func.count()).select_from(model)) or 0
                 for model in (Project, Source, Participant, User))


@FUZZ_DATABASE
@given(data=CSV_ISH, choice=st.data())
def test_any_survey_file_imports_or_is_rejected_with_a_reason_and_nothing_saved(session, data, choice):
    pid, user = project_id(session), owner(session).id
    columns = SurveyColumns(*choice.draw(st.tuples(
        st.sampled_from(["id", "svar", "typ", "x"]), st.lists(st.sampled_from(["svar", "typ", "id"]), max_size=2),
        st.lists(st.sampled_from(["typ", "x"]), max_size=1))))
    before = counts(session)
    result = import_file(session, project_id=pid, user_id=user, name="enkat.csv", data=data,
                         options=ImportOptions(kind=SourceKind.SURVEY, survey=columns))
    assert result.status in ("imported", "rejected", "duplicate")
    if result.status != "imported":  # a refusal names the file first; a duplicate names both copies
        assert result.reason.startswith("enkat.csv: ") or result.status == "duplicate"
        assert "enkat.csv" in result.reason and counts(session) == before


@FUZZ_DATABASE
@given(data=CSV_ISH, choice=st.data())
def test_any_participant_list_imports_or_is_refused_clearly_and_nothing_saved(session, data, choice):
    pid = project_id(session)
    before = counts(session)
    try:
        table = read_table("deltagare.csv", data)
        name_column = choice.draw(st.sampled_from([*table.columns, "namn"]))
        attributes = choice.draw(st.lists(st.sampled_from(table.columns), max_size=3, unique=True))
        with transaction(session):
            import_participants(session, project_id=pid, table=table, name_column=name_column,
                                attribute_columns=attributes, original_name="deltagare.csv")
    except InvalidInput as error:
        assert str(error).startswith("deltagare.csv") and counts(session) == before


@FUZZ_DATABASE
@given(st.data())
def test_any_backup_restores_or_is_refused_clearly_and_nothing_saved(session, data):
    user = owner(session)
    pid = project_id(session)
    with transaction(session):
        valid, _ = backup_bytes(session, pid)
    archive = data.draw(st.binary(max_size=2000) | mutated(valid) | _with_entry_replaced(valid))
    before = counts(session)
    try:
        with transaction(session):
            result = restore_backup(session, archive, owner_id=user.id)
    except InvalidInput as error:
        assert str(error).strip() and counts(session) == before
        return
    assert session.get(Project, result.project_id) is not None


@FUZZ_DATABASE
@given(st.data())
def test_any_refi_project_imports_or_is_refused_clearly_and_nothing_saved(session, data):
    user = owner(session)
    pid = project_id(session)
    buffer = io.BytesIO()
    with transaction(session):
        write_qdpx(session, pid, buffer)
    archive = data.draw(mutated(buffer.getvalue()) | _with_entry_replaced(buffer.getvalue()))
    before = counts(session)
    try:
        with transaction(session):
            import_refi_file(session, "fuzzed.qdpx", archive, owner_id=user.id)
    except InvalidInput as error:
        assert str(error).strip() and counts(session) == before


@st.composite
def _with_entry_replaced(draw: st.DrawFn, archive: bytes) -> bytes:
    """A zip whose container is sound but one entry's content is garbage or mutated."""
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    name = draw(st.sampled_from(sorted(entries)))
    entries[name] = draw(st.binary(max_size=300) | mutated(entries[name] or b"{}")
                         | st.sampled_from([b"", b"{}", b"[]", b"null", b'{"id": 1}', b"[1, 2]"]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry, content in entries.items():
            target.writestr(entry, content)
    return buffer.getvalue()
