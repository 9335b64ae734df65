"""Spreadsheets of a project: codings (long and wide), the code × participant matrix and the codebook.

Each table is a header and rows of plain values; CSV writes one table, XLSX all of them as
sheets. Any text a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is written with a leading apostrophe: the table builders
yield rows already escaped, so both writers put values down as they come.

A large project has a hundred thousand codings, so nothing here loads ORM objects per
coding: the small things (codes, sources without their text, participants with their
attributes, segment speakers) are loaded once, the codings are streamed as plain tuples
ordered by source, and each source's text is read when its codings come up.
"""

from __future__ import annotations

import codecs
import csv
import io
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, groupby
from operator import itemgetter
from typing import IO, Any, NamedTuple

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from coding.codebook import Code, code_paths, codes_of
from coding.codings import Coding
from coding.memos import Memo
from exports.xlsx_writer import write_workbook
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
SHEET_TITLES = {"long": "Codings", "wide": "Segments × codes", "wide-participants": "Participants × codes",
                "matrix": "Codes × participants", "codebook": "Codebook"}
_STREAM = {"yield_per": 5000}

Row = list[Any]


def escape_cell(value: Any) -> Any:
    """``value`` made safe for a spreadsheet: text that would start a formula gets a leading apostrophe."""
    if value.__class__ is str and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _SourceInfo(NamedTuple):
    name: str
    kind: str
    participant_id: int | None


class _Speakers(NamedTuple):
    """A source's segments in order: where each starts and ends, and who speaks in it."""

    starts: list[int]
    ends: list[int]
    participants: list[int | None]


@dataclass
class _Project:
    """What every table needs, loaded once; the codings themselves are streamed."""

    session: Session
    project: Project
    codes: list[Code]
    paths: dict[int, str]
    sources: dict[int, _SourceInfo]
    speakers: dict[int, _Speakers]
    participants: dict[int, str]
    attributes: list[AttributeDef]
    values: dict[int, dict[int, str]]

    @property
    def codable(self) -> list[Code]:
        return [c for c in self.codes if not c.is_folder]

    def participant_at(self, source_id: int, start: int) -> int | None:
        """Who said the words at ``start``: the segment's speaker, else the source's participant."""
        speakers = self.speakers.get(source_id)
        if speakers is not None:
            index = bisect_right(speakers.starts, start) - 1
            if index >= 0 and speakers.ends[index] > start and speakers.participants[index] is not None:
                return speakers.participants[index]
        return self.sources[source_id].participant_id

    def codings_by_source(self, *columns: Any) -> Iterator[tuple[int, list[Any]]]:
        """``(source_id, rows)`` for every source with codings, in source order; each row is
        ``(source_id, *columns)`` and a source's rows come ordered by start, end and id."""
        with self.session.connection().execute(
                select(Coding.source_id, *columns).where(Coding.project_id == self.project.id)
                .order_by(Coding.source_id, Coding.start, Coding.end, Coding.id), execution_options=_STREAM) as result:
            for source_id, group in groupby(chain.from_iterable(result.partitions()), key=itemgetter(0)):
                yield source_id, list(group)

    @contextmanager
    def texts_in_order(self) -> Iterator[Callable[[int], str]]:
        """A reader of source texts asked for in increasing source order: one streamed query
        instead of one per source, holding only a few texts at a time."""
        with self.session.connection().execute(
                select(Source.id, Source.text).where(Source.project_id == self.project.id).order_by(Source.id),
                execution_options={"yield_per": 20}) as result:
            texts = iter(result)

            def text_of(source_id: int) -> str:
                for text_id, text in texts:
                    if text_id == source_id:
                        return str(text)
                raise LookupError(f"source {source_id} asked for out of order")

            yield text_of

    @cached_property
    def code_participant_counts(self) -> Counter[tuple[int, int | None]]:
        """How many codings each (code, participant) pair has; ``None`` for nobody's words."""
        counts: Counter[tuple[int, int | None]] = Counter()
        for source_id, rows in self.codings_by_source(Coding.code_id, Coding.start):
            for _, code_id, start in rows:
                counts[(code_id, self.participant_at(source_id, start))] += 1
        return counts


def _load(session: Session, project_id: int) -> _Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"There is no project {project_id}.")
    codes = codes_of(session, project_id)
    sources = {row.id: _SourceInfo(row.name, row.kind.value, row.participant_id) for row in session.execute(
        select(Source.id, Source.name, Source.kind, Source.participant_id)
        .where(Source.project_id == project_id).order_by(Source.id))}
    speakers: dict[int, _Speakers] = {}
    segments = session.execute(
        select(Segment.source_id, Segment.start, Segment.end, Segment.participant_id)
        .join(Source, Source.id == Segment.source_id).where(Source.project_id == project_id)
        .order_by(Segment.source_id, Segment.start), execution_options=_STREAM)
    for source_id, rows in groupby(segments, key=itemgetter(0)):
        _, starts, ends, participants = zip(*rows, strict=True)
        speakers[source_id] = _Speakers(list(starts), list(ends), list(participants))
    participants = {pid: name for pid, name in session.execute(
        select(Participant.id, Participant.name).where(Participant.project_id == project_id)
        .order_by(Participant.name))}
    attributes = list(session.scalars(select(AttributeDef).where(AttributeDef.project_id == project_id)
                                      .order_by(AttributeDef.name)))
    values: dict[int, dict[int, str]] = {}
    for participant_id, attribute_id, value in session.execute(
            select(AttributeValue.participant_id, AttributeValue.attribute_id, AttributeValue.value)
            .join(Participant, Participant.id == AttributeValue.participant_id)
            .where(Participant.project_id == project_id)):
        values.setdefault(participant_id, {})[attribute_id] = value
    return _Project(session, project, codes, code_paths(codes), sources, speakers, participants, attributes, values)


def _coders_and_memos(data: _Project) -> tuple[dict[int, str], dict[int, str]]:
    """Each coder's name and each coding's memos (joined by blank lines), escaped."""
    session, project_id = data.session, data.project.id
    coders = {user_id: escape_cell(name) for user_id, name in session.execute(
        select(User.id, User.display_name).where(User.id.in_(
            select(Coding.coder_id).where(Coding.project_id == project_id).distinct())))}
    notes: dict[int, list[str]] = {}
    for target_id, text in session.execute(select(Memo.target_id, Memo.text).where(
            Memo.project_id == project_id, Memo.target_type == "coding").order_by(Memo.id)):
        if target_id is not None:
            notes.setdefault(target_id, []).append(text)
    return coders, {coding_id: escape_cell("\n\n".join(texts)) for coding_id, texts in notes.items()}


def _long(data: _Project) -> Iterator[Row]:
    """One row per coding: the code, the coded words, where they are, who said them, who coded them."""
    yield [escape_cell(v) for v in ("code", "kind", "text", "source", "source kind", "start", "end", "participant",
                                    *(a.name for a in data.attributes), "coder", "memo", "origin")]
    codes = {c.id: (escape_cell(data.paths[c.id]), c.kind.value) for c in data.codes}
    nobody = [""] * (1 + len(data.attributes))
    people: dict[int | None, list[Any]] = {None: nobody}
    for pid, name in data.participants.items():
        given = data.values.get(pid, {})
        people[pid] = [escape_cell(v) for v in (name, *(given.get(a.id, "") for a in data.attributes))]
    coders, memos = _coders_and_memos(data)
    starts = FORMULA_STARTS
    with data.texts_in_order() as text_of:
        for source_id, rows in data.codings_by_source(Coding.id, Coding.code_id, Coding.start, Coding.end,
                                                      Coding.coder_id, type_coerce(Coding.origin, String)):
            source = data.sources[source_id]
            text, name, kind = text_of(source_id), escape_cell(source.name), source.kind
            for _, coding_id, code_id, start, end, coder_id, origin in rows:
                path, code_kind = codes[code_id]
                quote = text[start:end]
                if quote.startswith(starts):
                    quote = "'" + quote
                yield [path, code_kind, quote, name, kind, start, end,
                       *people.get(data.participant_at(source_id, start), nobody), coders.get(coder_id, ""),
                       memos.get(coding_id, ""), origin]


def _segment_marks(speakers: _Speakers, rows: list[Any], column: dict[int, int]) -> dict[int, list[int]]:
    """For each segment (by index) the columns of the codes whose codings overlap it."""
    marks: dict[int, list[int]] = {}
    for _, code_id, start, end in rows:
        if code_id in column:
            first = max(bisect_right(speakers.starts, start) - 1, 0)
            for index in range(first, bisect_left(speakers.starts, end)):
                if speakers.ends[index] > start:
                    marks.setdefault(index, []).append(column[code_id])
    return marks


def _wide(data: _Project) -> Iterator[Row]:
    """One row per segment, 0/1 per codable code (a coding marks every segment it overlaps)."""
    codable = data.codable
    column = {c.id: i for i, c in enumerate(codable)}
    yield [escape_cell(v) for v in ("source", "segment start", "segment end", "participant", "text",
                                    *(data.paths[c.id] for c in codable))]
    names = {pid: escape_cell(name) for pid, name in data.participants.items()}
    empty = [0] * len(codable)
    with closing(data.codings_by_source(Coding.code_id, Coding.start, Coding.end)) as coded, \
            data.texts_in_order() as text_of:
        pending = next(coded, None)
        for source_id, speakers in data.speakers.items():  # both in source order
            while pending is not None and pending[0] < source_id:
                pending = next(coded, None)
            marks = _segment_marks(speakers, pending[1], column) if pending and pending[0] == source_id else {}
            source = data.sources[source_id]
            text, name = text_of(source_id), escape_cell(source.name)
            for index, (start, end, speaker) in enumerate(zip(speakers.starts, speakers.ends, speakers.participants,
                                                              strict=True)):
                row = list(empty)
                for position in marks.get(index, ()):
                    row[position] = 1
                yield [name, start, end, names.get(speaker or source.participant_id or 0, ""),
                       escape_cell(text[start:end]), *row]


def _wide_participants(data: _Project) -> Iterator[Row]:
    """One row per participant, 0/1 per codable code they were coded with."""
    codable = data.codable
    yield [escape_cell(v) for v in ("participant", *(data.paths[c.id] for c in codable))]
    counts = data.code_participant_counts
    for pid, name in data.participants.items():
        yield [escape_cell(name), *(1 if counts[(c.id, pid)] else 0 for c in codable)]
    nobody = [1 if counts[(c.id, None)] else 0 for c in codable]
    if any(nobody):
        yield ["(no participant)", *nobody]


def _matrix(data: _Project) -> Iterator[Row]:
    """Codings per codable code and participant, with the words nobody said and the total."""
    yield [escape_cell(v) for v in ("code", "kind", *data.participants.values(), "no participant", "total")]
    counts = data.code_participant_counts
    for code in data.codable:
        row = [counts[(code.id, pid)] for pid in data.participants]
        unassigned = counts[(code.id, None)]
        yield [escape_cell(data.paths[code.id]), code.kind.value, *row, unassigned, sum(row) + unassigned]


def _codebook(data: _Project) -> Iterator[Row]:
    phases = {p.id: p.name for p in data.project.phases}
    names = {c.id: c.name for c in data.codes}
    used = {code_id: count for code_id, count in data.session.execute(
        select(Coding.code_id, func.count()).where(Coding.project_id == data.project.id)
        .group_by(Coding.code_id))}
    yield ["code", "name", "kind", "folder", "colour", "description", "when to use", "when not to use", "examples",
           "aliases", "ownership", "actor type", "medium", "touchpoint type", "company role", "phase", "valence",
           "goal", "codings", "guid"]
    for code in data.codes:
        yield [escape_cell(v) for v in (
            data.paths[code.id], code.name, code.kind.value, "yes" if code.is_folder else "no", code.colour,
            code.description, code.when_to_use, code.when_not, code.examples, ", ".join(code.aliases),
            code.ownership or "", code.actor_type or "", code.medium or "", code.touchpoint_type or "",
            code.company_role or "", phases.get(code.phase_id or 0, ""),
            "" if code.valence is None else code.valence, names.get(code.goal_id or 0, ""), used.get(code.id, 0),
            code.guid)]


BUILDERS: dict[str, Callable[[_Project], Iterator[Row]]] = {
    "long": _long, "wide": _wide, "wide-participants": _wide_participants, "matrix": _matrix, "codebook": _codebook}


def write_csv(session: Session, project_id: int, out: IO[bytes], table: str = "long") -> int:
    """One table as UTF-8 CSV (with a byte-order mark, so spreadsheet programs read å ä ö); returns data rows."""
    if table not in BUILDERS:
        raise InvalidInput(f"Unknown table '{table}'; choose one of {', '.join(TABLES)}.")
    rows = BUILDERS[table](_load(session, project_id))
    out.write(codecs.BOM_UTF8)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    writerow = csv.writer(text).writerow
    count = -1  # the header is no data row
    for row in rows:
        writerow(row)
        count += 1
    text.flush()
    text.detach()
    return count


def write_xlsx(session: Session, project_id: int, out: IO[bytes],
               on_sheet: Callable[[int, int, str], None] | None = None) -> dict[str, int]:
    """Every table as a sheet of one workbook; returns data rows per table.

    The per-segment wide table is left out when it would exceed ``MAX_WIDE_XLSX_CELLS``
    (its CSV has no limit). ``on_sheet(done, total, message)`` is told before each sheet
    is written, at a point where no query is streaming (a job may commit its progress)."""
    data = _load(session, project_id)
    wide_cells = sum(len(s.starts) for s in data.speakers.values()) * (5 + len(data.codable))
    tables = [t for t in BUILDERS if t != "wide" or wide_cells <= MAX_WIDE_XLSX_CELLS]

    def sheet(index: int, table: str) -> Iterator[Row]:
        if on_sheet is not None:
            on_sheet(index, len(tables), f"Writing the sheet {SHEET_TITLES[table]}")
        yield from BUILDERS[table](data)

    rows = write_workbook(out, [(SHEET_TITLES[t], sheet(i, t)) for i, t in enumerate(tables)])
    return {table: count - 1 for table, count in zip(tables, rows, strict=True)}
