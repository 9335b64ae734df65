"""The streaming XLSX writer: what goes in comes back out of openpyxl, and what cannot be a cell is handled."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from exports.xlsx_writer import MAX_CELL_TEXT, column_letter, write_workbook


def round_trip(sheets) -> tuple[list[int], dict[str, list[tuple]]]:
    buffer = io.BytesIO()
    counts = write_workbook(buffer, sheets)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    return counts, {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"),
                                                (701, "ZZ"), (702, "AAA"), (16383, "XFD")])
def test_columns_are_named_like_a_spreadsheet_names_them(index, letters):
    assert column_letter(index) == letters


def test_text_numbers_and_empty_cells_come_back_as_written():
    rows = [["namn", "antal", "andel", "klar"],
            ["Åsa & <Öberg>", 3, 0.25, True],
            ["  mellanslag  ", -7, 1e-9, False],
            ["rad ett\nrad två", None, "", "'=1+1"]]
    counts, sheets = round_trip([("Blad", iter(rows))])
    assert counts == [4]
    assert sheets["Blad"] == [("namn", "antal", "andel", "klar"), ("Åsa & <Öberg>", 3, 0.25, True),
                              ("  mellanslag  ", -7, 1e-9, False), ("rad ett\nrad två", None, None, "'=1+1")]


def test_a_carriage_return_survives_and_characters_xml_cannot_carry_are_dropped():
    _, sheets = round_trip([("Blad", [["a\rb", "bell\x07 and\x00 nul", "tab\tstays"]])])
    assert sheets["Blad"] == [("a\rb", "bell and nul", "tab\tstays")]


def test_text_longer_than_a_cell_holds_is_cut_to_the_limit():
    _, sheets = round_trip([("Blad", [["x" * (MAX_CELL_TEXT + 10), "&" * (MAX_CELL_TEXT + 10)]])])
    assert [len(value) for value in sheets["Blad"][0]] == [MAX_CELL_TEXT, MAX_CELL_TEXT]


def test_wide_rows_and_several_sheets_keep_their_order_and_titles():
    wide = [[f"code {i}" for i in range(300)], list(range(300))]
    counts, sheets = round_trip([("Segments × codes", wide), ("Codebook", [["code"], ["Bank"]])])
    assert counts == [2, 2] and list(sheets) == ["Segments × codes", "Codebook"]
    assert sheets["Segments × codes"][0][-1] == "code 299" and sheets["Segments × codes"][1][-1] == 299


def test_the_file_is_a_sound_zip_with_a_frozen_header_and_no_formula_anywhere():
    buffer = io.BytesIO()
    write_workbook(buffer, [("Blad", [["=SUM(A1)", "+46"], [1, 2]])])
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        assert archive.testzip() is None
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert 'state="frozen"' in sheet and "<f>" not in sheet
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    assert workbook["Blad"].freeze_panes == "A2"
    assert all(cell.data_type != "f" for row in workbook["Blad"].iter_rows() for cell in row)


@pytest.mark.parametrize("titles", [[], ["a" * 32], ["Koder/teman"], ["Blad", "BLAD"], ["'citat"]])
def test_sheet_titles_a_spreadsheet_would_refuse_are_refused(titles):
    with pytest.raises(ValueError):
        write_workbook(io.BytesIO(), [(title, []) for title in titles])
