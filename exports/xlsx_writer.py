"""A streaming XLSX writer: every sheet goes row by row into the zip, nothing is held back.

openpyxl builds an object per cell (about 10 µs each), and a large project's codings sheet
has well over a million cells. This writer emits only the parts Excel, LibreOffice and
openpyxl need (content types, relationships, the workbook, a one-style style sheet and one
worksheet per table) and writes text as inline strings, so there is no shared-string table
to collect before the sheets. The header row is frozen.

Values are written as given: text as text (an inline string is never a formula, but
callers still escape formula-like text for programs that re-read cells on edit), ints and
floats as numbers, ``None`` and ``""`` as empty cells. Characters XML 1.0 cannot carry are
dropped; text longer than a cell can hold is cut to ``MAX_CELL_TEXT`` characters.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO, Any

MAX_CELL_TEXT = 32_767  # Excel's limit on the characters of one cell
_ROWS_PER_WRITE = 500
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_NEEDS_ESCAPING = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_HEAD = (f'{_DECLARATION}<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
               '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
               '<sheetData>')
_SHEET_TAIL = "</sheetData></worksheet>"
_STYLES = (f'{_DECLARATION}<styleSheet xmlns="{_MAIN}">'
           '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
           '</styleSheet>')
_ROOT_RELS = (f'{_DECLARATION}<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
              f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
              '</Relationships>')
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

Sheet = tuple[str, Iterable[Sequence[Any]]]


def write_workbook(out: IO[bytes], sheets: Sequence[Sheet], *, compresslevel: int = 1) -> list[int]:
    """Write ``(title, rows)`` sheets as one workbook to ``out``; returns the rows of each sheet.

    ``rows`` may be a generator: each is consumed once, while its sheet is written. The
    low default ``compresslevel`` keeps compression from costing more than building the
    XML (the file is about a third larger than at zlib's default)."""
    titles = [title for title, _ in sheets]
    _check_titles(titles)
    counts = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        archive.writestr("[Content_Types].xml", _content_types(len(titles)))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _workbook(titles))
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(titles)))
        archive.writestr("xl/styles.xml", _STYLES)
        for number, (_, rows) in enumerate(sheets, start=1):
            with archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as part:
                counts.append(_write_sheet(part, rows))
    return counts


def _write_sheet(part: IO[bytes], rows: Iterable[Sequence[Any]]) -> int:
    """The sheet's XML, written in batches of rows; returns how many rows there were."""
    part.write(_SHEET_HEAD.encode())
    letters: list[str] = []
    batch: list[str] = []
    number = 0
    for number, row in enumerate(rows, start=1):
        if len(row) > len(letters):
            letters = [column_letter(i) for i in range(len(row))]
        batch.append(f'<row r="{number}">')
        for index, value in enumerate(row):
            kind = value.__class__
            if kind is str:
                if value:
                    batch.append(f'<c r="{letters[index]}{number}" t="inlineStr"><is><t xml:space="preserve">'
                                 f'{_xml_text(value) if _NEEDS_ESCAPING.search(value) else value[:MAX_CELL_TEXT]}'
                                 '</t></is></c>')
            elif kind is int or (kind is float and math.isfinite(value)):
                batch.append(f'<c r="{letters[index]}{number}"><v>{value!r}</v></c>')
            elif kind is bool:
                batch.append(f'<c r="{letters[index]}{number}" t="b"><v>{int(value)}</v></c>')
            elif value is not None:
                text = _xml_text(str(value))
                batch.append(f'<c r="{letters[index]}{number}" t="inlineStr"><is><t xml:space="preserve">{text}'
                             '</t></is></c>')
        batch.append("</row>")
        if number % _ROWS_PER_WRITE == 0:
            part.write("".join(batch).encode())
            batch.clear()
    batch.append(_SHEET_TAIL)
    part.write("".join(batch).encode())
    return number


def _xml_text(value: str) -> str:
    """``value`` cut to a cell's length, without characters XML cannot carry, escaped for element text
    (a carriage return as ``&#13;``, which XML parsers would otherwise read as a line feed)."""
    value = _NOT_XML.sub("", value)[:MAX_CELL_TEXT]
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _attribute(value: str) -> str:
    return _xml_text(value).replace('"', "&quot;")


def column_letter(index: int) -> str:
    """``A`` for 0, ``Z`` for 25, ``AA`` for 26: a column's name."""
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(65 + remainder) + name
    return name


def _check_titles(titles: list[str]) -> None:
    if not titles:
        raise ValueError("A workbook needs at least one sheet.")
    for title in titles:
        if not title or len(title) > 31 or _SHEET_TITLE_FORBIDDEN.search(title) or title.startswith("'"):
            raise ValueError(f"{title!r} cannot be a sheet title (1–31 characters, none of [ ] : * ? / \\).")
    if len({t.casefold() for t in titles}) != len(titles):
        raise ValueError("Sheet titles must differ (ignoring case).")


def _content_types(sheets: int) -> str:
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_WORKSHEET_TYPE}"/>'
                        for n in range(1, sheets + 1))
    return (f'{_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>")


def _workbook(titles: list[str]) -> str:
    sheets = "".join(f'<sheet name="{_attribute(title)}" sheetId="{n}" r:id="rId{n}"/>'
                     for n, title in enumerate(titles, start=1))
    return f'{_DECLARATION}<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><sheets>{sheets}</sheets></workbook>'


def _workbook_rels(sheets: int) -> str:
    parts = "".join(f'<Relationship Id="rId{n}" Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                    for n in range(1, sheets + 1))
    styles = f'<Relationship Id="rId{sheets + 1}" Type="{_RELATIONSHIPS}/styles" Target="styles.xml"/>'
    return f'{_DECLARATION}<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">{parts}{styles}</Relationships>'
