"""Spreadsheets of a project: codings (long and wide), the code × participant matrix and the codebook.

Each table is a header and rows of plain values; CSV writes one table, XLSX all four as
sheets. Any text a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is written with a leading apostrophe.
"""

from __future__ import annotations

import bisect
import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from coding.codebook import Code, code_paths, codes_of
from coding.codings import Coding
from coding.memos import Memo
from research.accounts import User
from research.errors import InvalidInput, NotFound
from research.participants import AttributeDef, AttributeValue, Participant
from research.projects import Project
from research.sources import Segment, Source

TABLES = ("long", "wide", "wide-participants", "matrix", "codebook")
# The per-segment wide sheet goes into a workbook only up to this many cells (a large
# project's would be tens of millions of cells, which spreadsheet programs cannot open).
MAX_WIDE_XLSX_CELLS = 1_000_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Row = list[Any]


def escape_cell(value: Any) -> Any:
    """``value`` made safe for a spreadsheet: text that would start a formula gets a leading apostrophe."""
    if value.__class__ is str and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass
class _Data:
    """A project's codes, sources, participants and codings, loaded once for every table."""

    project: Project
    codes: list[Code]
    paths: dict[int, str]
    sources: dict[int, Source]
    segments: dict[int, list[Any]]
    starts: dict[int, list[int]]
    participants: dict[int, Participant]
    attributes: list[AttributeDef]
    values: dict[int, dict[int, str]]
    codings: list[Any]
    coders: dict[int, str]
    memos: dict[int, list[str]]

    def participant_of(self, coding: Any) -> int | None:
        """The participant who said the coded words: the segment's speaker, else the source's owner."""
        segments = self.segments.get(coding.source_id, [])
        index = bisect.bisect_right(self.starts.get(coding.source_id, []), coding.start) - 1
        if index >= 0 and segments[index].end > coding.start and segments[index].participant_id is not None:
            return segments[index].participant_id
        return self.sources[coding.source_id].participant_id


def _load(session: Session, project_id: int) -> _Data:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"There is no project {project_id}.")
    codes = codes_of(session, project_id)
    sources = {s.id: s for s in session.scalars(select(Source).where(Source.project_id == project_id)
                                                 .order_by(Source.id))}
    segments: dict[int, list[Any]] = defaultdict(list)
    if sources:
        for segment in session.execute(select(Segment.source_id, Segment.start, Segment.end, Segment.participant_id)
                                       .where(Segment.source_id.in_(select(Source.id)
                                                                    .where(Source.project_id == project_id)))
                                       .order_by(Segment.source_id, Segment.start)):
            segments[segment.source_id].append(segment)
    starts = {source_id: [s.start for s in rows] for source_id, rows in segments.items()}
    participants = {p.id: p for p in session.scalars(select(Participant).where(Participant.project_id == project_id)
                                                     .order_by(Participant.name))}
    attributes = list(session.scalars(select(AttributeDef).where(AttributeDef.project_id == project_id)
                                      .order_by(AttributeDef.name)))
    values: dict[int, dict[int, str]] = defaultdict(dict)
    if participants:
        for value in session.scalars(select(AttributeValue)
                                     .where(AttributeValue.participant_id.in_(list(participants)))):
            values[value.participant_id][value.attribute_id] = value.value
    codings = list(session.execute(select(Coding.id, Coding.source_id, Coding.code_id, Coding.start, Coding.end,
                                          Coding.coder_id, Coding.origin).where(Coding.project_id == project_id)
                                   .order_by(Coding.source_id, Coding.start, Coding.end, Coding.id)))
    coder_ids = {c.coder_id for c in codings if c.coder_id is not None}
    coders = {u.id: u.display_name for u in session.scalars(select(User).where(User.id.in_(coder_ids)))} \
        if coder_ids else {}
    memos: dict[int, list[str]] = defaultdict(list)
    for memo in session.scalars(select(Memo).where(Memo.project_id == project_id, Memo.target_type == "coding")
                                .order_by(Memo.id)):
        if memo.target_id is not None:
            memos[memo.target_id].append(memo.text)
    return _Data(project, codes, code_paths(codes), sources, segments, starts, participants, attributes, values,
                 codings, coders, memos)


def _long(data: _Data) -> Iterator[Row]:
    yield ["code", "kind", "text", "source", "source kind", "start", "end", "participant",
           *(a.name for a in data.attributes), "coder", "memo", "origin"]
    codes = {c.id: (data.paths[c.id], c.kind.value) for c in data.codes}
    sources = {i: (s.text, s.name, s.kind.value) for i, s in data.sources.items()}
    blank = [""] * len(data.attributes)
    people: dict[int | None, list[Any]] = {None: ["", *blank]}
    for pid, person in data.participants.items():
        values = data.values.get(pid, {})
        people[pid] = [person.name, *(values.get(a.id, "") for a in data.attributes)]
    for coding in data.codings:
        text, name, kind = sources[coding.source_id]
        path, code_kind = codes[coding.code_id]
        memos = data.memos.get(coding.id)
        yield [path, code_kind, text[coding.start:coding.end], name, kind, coding.start, coding.end,
               *people.get(data.participant_of(coding), people[None]), data.coders.get(coding.coder_id or 0, ""),
               "\n\n".join(memos) if memos else "", coding.origin.value]


def _wide(data: _Data) -> Iterator[Row]:
    """One row per segment, 0/1 per codable code (a coding marks every segment it overlaps)."""
    codable = [c for c in data.codes if not c.is_folder]
    column = {c.id: i for i, c in enumerate(codable)}
    yield ["source", "segment start", "segment end", "participant", "text", *(data.paths[c.id] for c in codable)]
    marks: dict[int, dict[int, list[int]]] = defaultdict(dict)
    for coding in data.codings:
        if coding.code_id not in column:
            continue
        starts = data.starts.get(coding.source_id, [])
        first = max(bisect.bisect_right(starts, coding.start) - 1, 0)
        last = bisect.bisect_left(starts, coding.end)
        rows = marks[coding.source_id]
        for index in range(first, last):
            if data.segments[coding.source_id][index].end > coding.start:
                rows.setdefault(index, []).append(column[coding.code_id])
    empty = [0] * len(codable)
    names = {pid: p.name for pid, p in data.participants.items()}
    for source_id, segments in data.segments.items():
        source = data.sources[source_id]
        text, coded = source.text, marks.get(source_id, {})
        for index, segment in enumerate(segments):
            row = list(empty)
            for position in coded.get(index, ()):
                row[position] = 1
            yield [source.name, segment.start, segment.end,
                   names.get(segment.participant_id or source.participant_id or 0, ""),
                   text[segment.start:segment.end], *row]


def _wide_participants(data: _Data) -> Iterator[Row]:
    """One row per participant, 0/1 per codable code they were coded with."""
    codable = [c for c in data.codes if not c.is_folder]
    column = {c.id: i for i, c in enumerate(codable)}
    yield ["participant", *(data.paths[c.id] for c in codable)]
    marks: dict[int | None, list[int]] = {pid: [0] * len(codable) for pid in data.participants}
    marks[None] = [0] * len(codable)
    for coding in data.codings:
        if coding.code_id in column:
            marks.setdefault(data.participant_of(coding), [0] * len(codable))[column[coding.code_id]] = 1
    for pid, person in data.participants.items():
        yield [person.name, *marks[pid]]
    if any(marks[None]):
        yield ["(no participant)", *marks[None]]


def _matrix(data: _Data) -> Iterator[Row]:
    participants = list(data.participants.values())
    counts: dict[tuple[int, int | None], int] = defaultdict(int)
    for coding in data.codings:
        counts[(coding.code_id, data.participant_of(coding))] += 1
    yield ["code", "kind", *(p.name for p in participants), "no participant", "total"]
    for code in data.codes:
        if code.is_folder:
            continue
        row = [counts[(code.id, p.id)] for p in participants]
        unassigned = counts[(code.id, None)]
        yield [data.paths[code.id], code.kind.value, *row, unassigned, sum(row) + unassigned]


def _codebook(data: _Data) -> Iterator[Row]:
    phases = {p.id: p.name for p in data.project.phases}
    names = {c.id: c.name for c in data.codes}
    used: dict[int, int] = defaultdict(int)
    for coding in data.codings:
        used[coding.code_id] += 1
    yield ["code", "name", "kind", "folder", "colour", "description", "when to use", "when not to use", "examples",
           "aliases", "ownership", "actor type", "medium", "touchpoint type", "company role", "phase", "valence",
           "goal", "codings", "guid"]
    for code in data.codes:
        yield [data.paths[code.id], code.name, code.kind.value, "yes" if code.is_folder else "no", code.colour,
               code.description, code.when_to_use, code.when_not, code.examples, ", ".join(code.aliases),
               code.ownership or "", code.actor_type or "", code.medium or "", code.touchpoint_type or "",
               code.company_role or "", phases.get(code.phase_id or 0, ""),
               "" if code.valence is None else code.valence, names.get(code.goal_id or 0, ""), used[code.id],
               code.guid]


BUILDERS = {"long": _long, "wide": _wide, "wide-participants": _wide_participants, "matrix": _matrix,
            "codebook": _codebook}
SHEET_TITLES = {"long": "Codings", "wide": "Segments × codes", "wide-participants": "Participants × codes",
                "matrix": "Codes × participants", "codebook": "Codebook"}


def table_rows(session: Session, project_id: int, table: str) -> list[Row]:
    """One table as a header row and data rows (values not yet escaped)."""
    if table not in BUILDERS:
        raise InvalidInput(f"Unknown table '{table}'; choose one of {', '.join(TABLES)}.")
    return list(BUILDERS[table](_load(session, project_id)))


def write_csv(session: Session, project_id: int, out: IO[bytes], table: str = "long") -> int:
    """One table as UTF-8 CSV (with a byte-order mark, so spreadsheet programs read å ä ö); returns data rows."""
    if table not in BUILDERS:
        raise InvalidInput(f"Unknown table '{table}'; choose one of {', '.join(TABLES)}.")
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    count = -1
    starts = FORMULA_STARTS
    for row in BUILDERS[table](_load(session, project_id)):
        writer.writerow([("'" + v) if v.__class__ is str and v.startswith(starts) else v for v in row])
        count += 1
    text.flush()
    text.detach()
    return count


def _xlsx_cell(value: Any) -> Any:
    value = escape_cell(value)
    return _ILLEGAL_XLSX.sub("", value) if isinstance(value, str) else value


def write_xlsx(session: Session, project_id: int, out: IO[bytes]) -> dict[str, int]:
    """Every table as a sheet of one workbook; returns data rows per table.

    The per-segment wide table is left out when it would exceed ``MAX_WIDE_XLSX_CELLS``
    (its CSV has no limit)."""
    data = _load(session, project_id)
    workbook = Workbook(write_only=True)
    counts = {}
    wide_cells = sum(len(s) for s in data.segments.values()) * (5 + sum(not c.is_folder for c in data.codes))
    for table, build in BUILDERS.items():
        if table == "wide" and wide_cells > MAX_WIDE_XLSX_CELLS:
            continue
        sheet = workbook.create_sheet(SHEET_TITLES[table])
        count = -1
        for row in build(data):
            sheet.append([_xlsx_cell(v) for v in row])
            count += 1
        counts[table] = count
    workbook.save(out)
    return counts
