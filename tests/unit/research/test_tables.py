import datetime as dt
import io

import pytest
from openpyxl import Workbook

from research.tables import infer_type, read_table


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("Andra").append(["ignored"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_csv_delimiter_is_sniffed(delimiter: str) -> None:
    data = delimiter.join(["id", "svar", "ålder"]) + "\n" + delimiter.join(["1", "bra", "34"])
    table = read_table("enkat.csv", data.encode())
    assert table.columns == ["id", "svar", "ålder"]
    assert table.rows == [["1", "bra", "34"]]


def test_quoted_fields_keep_delimiters_quotes_and_line_breaks() -> None:
    data = b'id;svar\r\n1;"Bra; men ""dyrt""\r\nandra raden"\r\n2;kort\r\n'
    table = read_table("enkat.csv", data)
    assert table.rows == [["1", 'Bra; men "dyrt"\nandra raden'], ["2", "kort"]]


def test_a_windows_1252_csv_with_a_bom_free_header_decodes_nordic_letters() -> None:
    data = "namn;kommentar\nÅsa;Väldigt bra, tack\nØystein;Så som så\n".encode("cp1252")
    table = read_table("enkat.csv", data)
    assert table.rows == [["Åsa", "Väldigt bra, tack"], ["Øystein", "Så som så"]]
    assert table.warnings == []


def test_a_utf8_bom_is_not_part_of_the_first_column_name() -> None:
    assert read_table("e.csv", "\ufeffid,svar\n1,ja\n".encode()).columns == ["id", "svar"]


def test_blank_rows_are_dropped_and_empty_cells_become_none() -> None:
    table = read_table("e.csv", b"id,svar,kommentar\n\n1,  ja ,\n,,\n2,nej,x\n")
    assert table.rows == [["1", "ja", None], ["2", "nej", "x"]]


def test_short_rows_are_padded_with_a_warning_and_trailing_empty_values_are_dropped() -> None:
    table = read_table("e.csv", b"id,svar,kommentar\n1,ja\n2,nej,x,,\n3\n")
    assert table.rows == [["1", "ja", None], ["2", "nej", "x"], ["3", None, None]]
    assert table.warnings == [
        "2 row(s) had fewer values than there are columns (first at line 2); the missing values were left empty."
    ]


def test_duplicate_and_blank_header_names_are_made_unique() -> None:
    table = read_table("e.csv", b"Fraga,,fraga,Fraga\n1,2,3,4\n")
    assert table.columns == ["Fraga", "Column 2", "fraga (2)", "Fraga (3)"]


def test_a_trailing_delimiter_on_every_line_adds_no_column() -> None:
    assert read_table("e.csv", b"a,b,\n1,2,\n").columns == ["a", "b"]


def test_xlsx_reads_the_first_sheet_with_iso_dates_and_whole_numbers() -> None:
    data = xlsx(
        [
            ["id", "datum", "tid", "poäng", "andel", "ok", None],
            [1, dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 1, 14, 30), 3.0, 0.25, True, None],
            [None, None, None, None, None, None, None],
            [2, dt.date(2023, 12, 24), None, 10, 1.5, False, None],
        ]
    )
    table = read_table("enkat.xlsx", data)
    assert table.columns == ["id", "datum", "tid", "poäng", "andel", "ok"]
    assert table.rows == [
        ["1", "2024-03-01", "2024-03-01T14:30:00", "3", "0.25", "TRUE"],
        ["2", "2023-12-24", None, "10", "1.5", "FALSE"],
    ]


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["3", "4.5", None, "-2", "1,5"], "number"),
        (["2024-03-01", "2023-12-24", ""], "date"),
        (["01.02.2024", "31/12/2023"], "date"),
        (["ja", "nej", "Ja"], "boolean"),
        (["TRUE", "FALSE"], "boolean"),
        (["B2B", "B2C", "B2B"], "choice"),
        (["18-29", "30-44", "18-29", "45+"], "choice"),
        (["Anna", "Per", "Lisa"], "text"),
        (["2024-02-30"], "text"),
        ([None, " "], "text"),
    ],
)
def test_infer_type_names_the_attribute_type_of_a_column(values: list[str | None], kind: str) -> None:
    assert infer_type(values) == kind
