"""Reading survey exports and participant lists (CSV and XLSX) into one table shape.

Rules, chosen so that spreadsheet exports come in without hand editing:

- CSV in any common encoding (see :func:`research.text.decode`), delimiter sniffed among
  ``,`` ``;`` tab and ``|``, standard double-quote quoting (fields may span lines).
- Rows that are entirely blank are dropped; cells are stripped and empty cells are None.
- A row with *more* values than the header is an error naming its line, unless the
  extra values are all empty (trailing delimiters), which are dropped. A row with
  *fewer* values is padded with None and reported in one warning.
- Blank header names become "Column N"; repeated names get " (2)", " (3)", ...
  Columns with neither a name nor any value are dropped.
- XLSX: the zip is checked by :func:`research.archives.open_safe_zip` first; only the
  first sheet is read, with cached formula results. Dates become ``YYYY-MM-DD``,
  date-times ``YYYY-MM-DDTHH:MM:SS``; whole numbers lose their ``.0``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from research.archives import open_safe_zip
from research.errors import IngestError
from research.parsers.sniffing import sniff
from research.text import decode, normalise

_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_ROWS = 50

Cell = str | None


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    warnings: list[str] = field(default_factory=list)


def read_table(filename: str, data: bytes) -> Table:
    """Read a CSV or XLSX upload; every failure is an :class:`IngestError` naming the file."""
    try:
        return _read(filename, data)
    except IngestError as error:
        raise IngestError(f"{filename}: {error}") from error


def _read(filename: str, data: bytes) -> Table:
    extension = PurePath(filename).suffix.lower()
    if not data:
        raise IngestError("The file is empty.")
    found = sniff(data)
    if extension in (".csv", ".tsv", ".txt"):
        if found.kind != "text":
            raise IngestError(
                f"The name says a CSV file, but the content is {found.description}. "
                "Rename the file to its real type or upload the intended file."
            )
        return _read_csv(data)
    if extension == ".xlsx":
        if found.kind != "xlsx":
            raise IngestError(
                f"The name says an Excel workbook (.xlsx), but the content is "
                f"{found.description}. Save it as .xlsx or .csv and upload it again."
            )
        return _read_xlsx(data)
    raise IngestError(
        f"Files of type '{extension or 'without extension'}' cannot be read as a table; use .csv or .xlsx."
    )


# CSV ---------------------------------------------------------------------------------


def _read_csv(data: bytes) -> Table:
    decoded = decode(data)
    text = normalise(decoded.text)
    warnings = [decoded.warning] if decoded.warning else []
    records = list(_records(text, _sniff_delimiter(text)))
    if not records:
        raise IngestError("The file contains no rows.")
    (_, header), *body = records
    width = len(header)
    rows: list[list[Cell]] = []
    short_lines: list[int] = []
    for line, record in body:
        if len(record) > width:
            if any(value.strip() for value in record[width:]):
                raise IngestError(
                    f"Line {line} has {len(record)} values but the header has {width} "
                    "columns; check the delimiters and quotes on that line."
                )
            record = record[:width]
        elif len(record) < width:
            short_lines.append(line)
            record = record + [""] * (width - len(record))
        rows.append([_cell(value) for value in record])
    if short_lines:
        warnings.append(
            f"{len(short_lines)} row(s) had fewer values than there are columns (first at "
            f"line {short_lines[0]}); the missing values were left empty."
        )
    return _finish(header, rows, warnings)


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line number, values) for each non-blank CSV record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise IngestError(f"Line {line} cannot be read as CSV ({error}); check the quotes on that line.") from error
        if any(value.strip() for value in record):
            yield line, record
        line = reader.line_num + 1


def _sniff_delimiter(text: str) -> str:
    """Pick the delimiter under which the first rows agree best on their width."""
    sample = "\n".join(text.split("\n", _SNIFF_ROWS * 2)[: _SNIFF_ROWS * 2])
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        records: list[list[str]] = []
        try:
            for _, record in _records(sample, delimiter):
                records.append(record)
                if len(records) == _SNIFF_ROWS:
                    break
        except IngestError:
            pass  # the sample may end inside a quoted field; judge what was read
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        agreeing = sum(1 for record in records if len(record) == width)
        score = (agreeing, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


# XLSX --------------------------------------------------------------------------------


# What a damaged workbook raises, when it is opened or while its rows are read.
_DAMAGED = (InvalidFileException, KeyError, ValueError, TypeError, OSError, EOFError, zipfile.BadZipFile, zlib.error)
_DAMAGED_MESSAGE = ("The workbook is damaged and cannot be read; open it in Excel, save it again and upload "
                   "the new copy.")


def _read_xlsx(data: bytes) -> Table:
    open_safe_zip(data).close()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _DAMAGED as error:
        raise IngestError(_DAMAGED_MESSAGE) from error
    try:
        if not workbook.worksheets:
            raise IngestError("The workbook has no sheets.")
        sheet = workbook.worksheets[0]
        records = [
            [_xlsx_cell(value) for value in row]
            for row in sheet.iter_rows(values_only=True)
            if any(_xlsx_cell(value) is not None for value in row)
        ]
    except _DAMAGED as error:
        raise IngestError(_DAMAGED_MESSAGE) from error
    finally:
        workbook.close()
    if not records:
        raise IngestError("The first sheet of the workbook is empty.")
    header, *rows = records
    width = max(len(record) for record in records)
    padded = [row + [None] * (width - len(row)) for row in rows]
    names = [value or "" for value in header] + [""] * (width - len(header))
    return _finish(names, padded, [])


def _xlsx_cell(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.timedelta):
        return str(value)
    return _cell(normalise(str(value)))  # NFC like every other text that comes in


# Shared ------------------------------------------------------------------------------


def _cell(value: str) -> Cell:
    stripped = value.strip()
    return stripped or None


def _finish(header: Sequence[str | None], rows: list[list[Cell]], warnings: list[str]) -> Table:
    """Name the columns uniquely and drop columns with neither a name nor a value."""
    keep = [
        index
        for index, name in enumerate(header)
        if (name or "").strip() or any(row[index] is not None for row in rows)
    ]
    columns = _unique_names([(header[index] or "").strip() for index in keep], keep)
    return Table(columns, [[row[index] for index in keep] for row in rows], warnings)


def _unique_names(names: list[str], positions: list[int]) -> list[str]:
    used: set[str] = set()
    result = []
    for name, position in zip(names, positions, strict=True):
        base = name or f"Column {position + 1}"
        candidate, count = base, 1
        while candidate.casefold() in used:
            count += 1
            candidate = f"{base} ({count})"
        used.add(candidate.casefold())
        result.append(candidate)
    return result


# Attribute types ---------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
_DATE = re.compile(
    r"^(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?"
    r"|\d{1,2}[./]\d{1,2}[./]\d{4})$"
)
_BOOLEANS = frozenset({"true", "false", "yes", "no", "ja", "nej", "nei", "sant", "falskt", "sann", "usann", "y", "n"})
_MAX_CHOICES = 12
_MAX_CHOICE_LENGTH = 40


def infer_type(values: Iterable[Cell]) -> str:
    """Return "number", "date", "boolean", "choice" or "text" for a column's values.

    Empty values are ignored. "choice" means few distinct short values, at least one of
    which repeats (so a column of unique names stays "text").
    """
    present = [value.strip() for value in values if value is not None and value.strip()]
    if not present:
        return "text"
    if all(value.casefold() in _BOOLEANS for value in present):
        return "boolean"
    if all(_NUMBER.match(value) for value in present):
        return "number"
    if all(_DATE.match(value) and _valid_date(value) for value in present):
        return "date"
    distinct = {value.casefold() for value in present}
    short = all(len(value) <= _MAX_CHOICE_LENGTH for value in present)
    if short and len(distinct) <= _MAX_CHOICES and len(distinct) < len(present):
        return "choice"
    return "text"


def _valid_date(value: str) -> bool:
    if value[:4].isdigit() and value[4] == "-":
        try:
            dt.date.fromisoformat(value[:10])
        except ValueError:
            return False
        return True
    day, month, year = (int(part) for part in re.split(r"[./]", value))
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True
