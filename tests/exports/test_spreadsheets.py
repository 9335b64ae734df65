"""Spreadsheets opened back with csv and openpyxl; formula-like cells are escaped."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from coding.codebook import Code, create_code
from coding.codings import Coding, add_coding
from coding.kinds import CodeKind
from coding.memos import add_memo
from exports.spreadsheets import escape_cell, write_csv, write_xlsx
from research.db import transaction
from research.errors import InvalidInput
from research.participants import create_participant, define_attribute, set_attribute
from research.segmenting import segment
from research.sources import Segment, SourceKind, add_source
from tests.conftest import make_project, make_user


def read_csv(session, project_id: int, table: str) -> list[list[str]]:
    buffer = io.BytesIO()
    write_csv(session, project_id, buffer, table)
    return list(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"))))


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+46 70", "'+46 70"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("vanlig text", "vanlig text"), (-2, -2), (None, None)])
def test_cells_a_spreadsheet_would_run_as_formulas_get_an_apostrophe(value, expected):
    assert escape_cell(value) == expected


def test_the_long_table_has_one_row_per_coding_with_text_participant_and_attributes(session, demo):
    rows = read_csv(session, demo[1], "long")
    header, body = rows[0], rows[1:]
    assert len(body) == session.scalar(select(func.count()).select_from(Coding)) == 287
    assert header[:8] == ["code", "kind", "text", "source", "source kind", "start", "end", "participant"]
    assert {"persona", "segment", "region"} <= set(header)
    for row in body:
        record = dict(zip(header, row, strict=True))
        assert int(record["start"]) < int(record["end"])
        assert len(record["text"]) == int(record["end"]) - int(record["start"])
    assert any(r[header.index("memo")] for r in body)
    assert any(r[header.index("participant")] == "Anna Lindqvist" for r in body)


def test_wide_matrix_and_codebook_tables_add_up(session, demo):
    wide = read_csv(session, demo[1], "wide")
    assert set(v for row in wide[1:] for v in row[5:]) == {"0", "1"}
    by_person = read_csv(session, demo[1], "wide-participants")
    # 50 participants, and one row for codings nobody said (observations).
    assert len(by_person) - 1 == 51 and by_person[-1][0] == "(no participant)"
    assert set(v for row in by_person[1:] for v in row[1:]) == {"0", "1"}
    matrix = read_csv(session, demo[1], "matrix")
    assert sum(int(row[-1]) for row in matrix[1:]) == 287
    codebook = read_csv(session, demo[1], "codebook")
    assert len(codebook) - 1 == session.scalar(select(func.count()).select_from(Code)) == 81
    with pytest.raises(InvalidInput):
        read_csv(session, demo[1], "pivot")


def test_the_workbook_has_a_sheet_for_every_table_matching_the_csv_files(session, demo):
    buffer = io.BytesIO()
    counts = write_xlsx(session, demo[1], buffer)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)
    assert workbook.sheetnames == ["Codings", "Segments × codes", "Participants × codes", "Codes × participants",
                                   "Codebook"]
    assert counts == {"long": 287, "wide": len(read_csv(session, demo[1], "wide")) - 1, "wide-participants": 51,
                      "matrix": len(read_csv(session, demo[1], "matrix")) - 1, "codebook": 81}
    rows = list(workbook["Codings"].iter_rows(values_only=True))
    assert len(rows) == 288 and rows[0][0] == "code"
    workbook.close()


def test_formula_like_names_texts_and_memos_are_escaped_in_csv_and_xlsx(session):
    owner = make_user(session)
    project = make_project(session, owner)
    text = "=HYPERLINK(\"http://example.org\") sa kunden.\n\n+46 70 123 45 67 ringde."
    with transaction(session):
        person = create_participant(session, project_id=project.id, name="@anna")
        set_attribute(session, person, define_attribute(session, project_id=project.id, name="region"), "-Umeå")
        source = add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name="=cmd|' /C calc'!A0",
                            text=text, spans=segment(text), original=text.encode(), participant_id=person.id)
        code = create_code(session, project_id=project.id, name="+Smärtpunkt", kind=CodeKind.PAIN_POINT)
        coding = add_coding(session, project_id=project.id, source_id=source.id, code_id=code.id, start=0, end=34,
                            user_id=owner.id)
        add_memo(session, project_id=project.id, target_type="coding", target_id=coding.id, text="=1+1",
                 author_id=owner.id)
    header, row = read_csv(session, project.id, "long")
    record = dict(zip(header, row, strict=True))
    assert record["code"] == "'+Smärtpunkt" and record["source"] == "'=cmd|' /C calc'!A0"
    assert record["text"] == "'=HYPERLINK(\"http://example.org\") s" and record["memo"] == "'=1+1"
    assert record["participant"] == "'@anna" and record["region"] == "'-Umeå"
    buffer = io.BytesIO()
    write_xlsx(session, project.id, buffer)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    for sheet in workbook.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@"))
    assert workbook["Codings"]["A2"].value == "'+Smärtpunkt"


def test_codings_belong_to_the_segments_speaker_else_to_the_sources_participant_in_every_table(session):
    owner = make_user(session)
    project = make_project(session, owner)
    first, second = "Ingen kodning här.\n\nInte heller här.", "Banken ringde mig.\n\nSedan kom mäklaren."
    with transaction(session):
        anna = create_participant(session, project_id=project.id, name="Anna")
        bo = create_participant(session, project_id=project.id, name="Bo")
        add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name="A", text=first,
                   spans=segment(first), original=b"a", participant_id=anna.id)
        coded = add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name="B", text=second,
                           spans=segment(second), original=b"b", participant_id=anna.id)
        add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name="C", text=first,
                   spans=segment(first), original=b"c", participant_id=anna.id)
        said_by_bo = session.scalars(select(Segment).where(Segment.source_id == coded.id)
                                     .order_by(Segment.start)).first()
        said_by_bo.participant_id = bo.id
        bank = create_code(session, project_id=project.id, name="Banken", kind=CodeKind.ACTOR)
        agent = create_code(session, project_id=project.id, name="Mäklaren", kind=CodeKind.ACTOR)
        add_coding(session, project_id=project.id, source_id=coded.id, code_id=bank.id, start=0, end=6,
                   user_id=owner.id)
        for start in (10, 20):  # from Bo's segment into the next, and within the next
            add_coding(session, project_id=project.id, source_id=coded.id, code_id=agent.id, start=start, end=38,
                       user_id=owner.id)
    header, *long = read_csv(session, project.id, "long")
    assert [(row[0], row[2], row[header.index("participant")]) for row in long] == [
        ("Banken", "Banken", "Bo"), ("Mäklaren", "gde mig.\n\nSedan kom mäklaren", "Bo"),
        ("Mäklaren", "Sedan kom mäklaren", "Anna")]
    header, *wide = read_csv(session, project.id, "wide")
    assert header[5:] == ["Banken", "Mäklaren"]
    assert [(row[0], row[3], row[5:]) for row in wide] == [
        ("A", "Anna", ["0", "0"]), ("A", "Anna", ["0", "0"]), ("B", "Bo", ["1", "1"]), ("B", "Anna", ["0", "1"]),
        ("C", "Anna", ["0", "0"]), ("C", "Anna", ["0", "0"])]
    assert read_csv(session, project.id, "matrix")[1:] == [["Banken", "actor", "0", "1", "0", "1"],
                                                        ["Mäklaren", "actor", "1", "1", "0", "2"]]


def test_the_workbook_says_which_sheet_it_is_writing(session, demo):
    told: list[tuple[int, int, str]] = []
    write_xlsx(session, demo[1], io.BytesIO(), on_sheet=lambda *progress: told.append(progress))
    assert told == [(0, 5, "Writing the sheet Codings"), (1, 5, "Writing the sheet Segments × codes"),
                    (2, 5, "Writing the sheet Participants × codes"), (3, 5, "Writing the sheet Codes × participants"),
                    (4, 5, "Writing the sheet Codebook")]
