"""Fuzz targets for the readers of whole files: zip containers, spreadsheets and REFI-QDA.

Any bytes at all give either a result or the project's own clear error (IngestError or
InvalidInput, with a message), never another exception. Valid files with a few bytes
flipped are the most telling input, so each target also mutates a well-formed example.
"""

from __future__ import annotations

import io
import zipfile

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from exports.refi.reader import read_refi
from research.archives import open_safe_zip
from research.errors import InvalidInput
from research.tables import read_table
from research.text import normalise
from tests.fuzz.budget import FUZZ
from tests.fuzz.inputs import mutated

QDC = ('<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="x"><Codes>'
       '<Code guid="11111111-1111-4111-8111-111111111111" name="Åsa" isCodable="true" color="#ff0000">'
       '<Description>Ett 🏠</Description></Code></Codes></CodeBook>').encode()
QDE = (b'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="P" origin="x">'
       b'<CodeBook><Codes><Code guid="11111111-1111-4111-8111-111111111111" name="Bank" isCodable="true"/></Codes>'
       b'</CodeBook><Sources><TextSource guid="22222222-2222-4222-8222-222222222222" name="Intervju" '
       b'plainTextPath="internal://22222222-2222-4222-8222-222222222222.txt"><PlainTextSelection '
       b'guid="33333333-3333-4333-8333-333333333333" startPosition="0" endPosition="4"><Coding '
       b'guid="44444444-4444-4444-8444-444444444444"><CodeRef targetGUID="11111111-1111-4111-8111-111111111111"/>'
       b'</Coding></PlainTextSelection></TextSource></Sources></Project>')


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


QDPX = _zip({"project.qde": QDE, "sources/22222222-2222-4222-8222-222222222222.txt": "Bank och 🏠".encode()})
XLSX = _xlsx([["id", "svar", "typ"], ["1", "Banken var snabb", "B2C"], ["2", "=1+1", "B2B"]])


def _refused_clearly(error: InvalidInput) -> None:
    assert str(error).strip(), "an error must say what is wrong"


@FUZZ
@given(st.binary(max_size=2000) | mutated(QDPX) | mutated(XLSX))
def test_any_bytes_open_as_a_checked_zip_or_are_refused_clearly(data):
    try:
        archive = open_safe_zip(data)
    except InvalidInput as error:
        _refused_clearly(error)
        return
    with archive:
        assert all(not info.filename.startswith("/") and ".." not in info.filename.split("/")
                   for info in archive.infolist())


@FUZZ
@given(st.dictionaries(st.sampled_from(["a.txt", "../up.txt", "/abs.txt", "C:/drive.txt", "dir/", "ok/b.xml"]),
                       st.binary(max_size=200), max_size=4))
def test_zips_with_path_tricks_are_refused_and_clean_ones_open(entries):
    tricky = any(name.startswith(("/", "..", "C:")) for name in entries)
    try:
        open_safe_zip(_zip(entries)).close()
    except InvalidInput as error:
        assert tricky, f"a clean archive was refused: {error}"
        return
    assert not tricky


@FUZZ
@given(st.binary(max_size=3000) | mutated(XLSX))
def test_any_spreadsheet_reads_as_a_rectangular_table_or_is_refused_clearly(data):
    try:
        table = read_table("answers.xlsx", data)
    except InvalidInput as error:
        assert str(error).startswith("answers.xlsx: ")
        return
    assert all(len(row) == len(table.columns) for row in table.rows)


CELL = st.lists(st.sampled_from([*"abcåäöøæÅÆØ🏠", "e\u0301"]), min_size=1, max_size=12).map("".join)


@FUZZ
@given(st.integers(1, 4).flatmap(lambda width: st.tuples(
    st.lists(CELL, min_size=width, max_size=width, unique_by=lambda name: normalise(name).casefold()),
    st.lists(st.lists(CELL, min_size=width, max_size=width), max_size=6))))
def test_a_generated_spreadsheet_reads_back_cell_for_cell(sheet):
    header, rows = sheet
    table = read_table("answers.xlsx", _xlsx([header, *rows]))
    assert (table.columns, table.rows) == ([normalise(c) for c in header], [[normalise(c) for c in r] for r in rows])


@FUZZ
@given(st.sampled_from(["p.qdpx", "p.qde", "c.qdc"]), st.binary(max_size=2000) | mutated(QDPX) | mutated(QDE)
       | mutated(QDC))
def test_any_refi_file_is_read_or_refused_clearly(name, data):
    try:
        project, _report = read_refi(name, data)
    except InvalidInput as error:
        _refused_clearly(error)
        return
    for source in project.sources:
        for selection in source.selections:
            assert 0 <= selection.start <= selection.end <= len(source.text)
