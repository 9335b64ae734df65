"""The hostile project leaves through every export format intact and harmless:
escaped where the format renders markup, never a formula in a spreadsheet, and
well-formed XML where the format is XML."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from xml.etree.ElementTree import Element

import pytest
from defusedxml.ElementTree import fromstring
from docx import Document
from openpyxl import load_workbook

from tests.security.hostile import HOSTILE, SCRIPT, html_leaks, markdown_leaks, shown_escaped

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


@pytest.fixture
def export(kundstig, hostile, tmp_path):
    def run(fmt: str, *extra: str) -> Path:
        out = tmp_path / f"export.{fmt}"
        code, output = kundstig("export", str(hostile.project.project_id), "--format", fmt, "-o", str(out), *extra)
        assert code == 0, output
        return out

    return run


def _formula_like(value: str) -> bool:
    """A cell a spreadsheet would evaluate (plain negative numbers are data, not formulas)."""
    if not value.startswith(FORMULA_STARTS):
        return False
    return not value.lstrip("+-").replace(".", "", 1).isdigit()


def test_the_html_report_escapes_every_hostile_string(export):
    """ASVS 5.0 V1.2.1: HTML output encoding in the report file."""
    body = export("html").read_text(encoding="utf-8")
    assert html_leaks(body) == []
    assert shown_escaped(body)


def test_the_markdown_report_renders_hostile_text_as_written(export):
    """ASVS 5.0 V1.2.1, V1.2.2: no inline HTML and no javascript: links in Markdown."""
    body = export("md").read_text(encoding="utf-8")
    assert markdown_leaks(body) == []
    assert "alert(1)" in body  # the text is there, as text


@pytest.mark.parametrize("table", ["long", "codebook"])
def test_csv_cells_never_start_a_formula(export, table):
    """ASVS 5.0 V1.2.10: CSV and formula injection."""
    rows = list(csv.reader(io.StringIO(export("csv", "--table", table).read_text(encoding="utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert [cell for cell in cells if _formula_like(cell)] == []
    assert any(SCRIPT in cell for cell in cells)


def test_xlsx_holds_no_formula_and_escapes_formula_like_text(export):
    """ASVS 5.0 V1.2.10: formula injection in XLSX."""
    workbook = load_workbook(export("xlsx"))
    found = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and _formula_like(cell.value)):
                    found.append(f"{sheet.title}!{cell.coordinate}: {cell.value!r}")
    workbook.close()
    assert found == []


def test_the_docx_report_carries_hostile_text_as_plain_text(export):
    """ASVS 5.0 V1.2.1: the payload stays text inside well-formed WordprocessingML."""
    path = export("docx")
    with zipfile.ZipFile(path) as archive:
        fromstring(archive.read("word/document.xml"))
    document = Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert SCRIPT in text


def _labels(root: Element) -> list[str]:
    return [value for element in root.iter() for value in [element.text or "", *element.attrib.values()]]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_network_files_are_well_formed_xml_with_the_names_as_written(export, fmt):
    """ASVS 5.0 V1.2.1: encoding for the XML context (checked with a hardened parser)."""
    root = fromstring(export(fmt).read_bytes())
    assert any(HOSTILE in label for label in _labels(root)), "the actor's hostile name should survive unchanged"


def test_the_refi_project_file_is_well_formed_xml(export):
    """ASVS 5.0 V1.2.1: XML output encoding in the REFI-QDA exchange file."""
    with zipfile.ZipFile(export("qdpx")) as archive:
        root = fromstring(archive.read("project.qde"))
    assert any(HOSTILE in label for label in _labels(root))
