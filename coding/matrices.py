"""Matrices of a project's codings: code × participant, code × attribute value, and
code × code co-occurrence. Every cell counts the quotes its link opens on the
retrieval page (``coding.retrieval``):

* **code × participant** (or × an attribute's values): the distinct coded spans of the
  code whose participant (``retrieval.SegmentIndex.participant``) is that participant
  (or has that value); the retrieval page shows them with ``mode=any``.
* **code × code**: the stretches coded with both codes (``retrieval.passages_all``):
  per source each code's codings are joined into runs, and every overlap of a run of
  one code with a run of another is one stretch. The diagonal holds each code's distinct
  coded spans.

The co-occurrence count is a sweep per source over the runs sorted by start: a run meets
only the runs still open when it starts, and a code has at most one open run at a time,
so the work grows with the number of codings times the codes open at once, never with
all pairs of codings.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from coding.codebook import Code, code_paths
from coding.retrieval import RawCoding, SegmentIndex, attribute_values, load_codings, runs, source_owners
from research.participants import AttributeDef, Participant

Cell = tuple[int, int | str]


@dataclass
class Matrix:
    """Rows are code ids; columns are (key, label) with participant ids, attribute values
    or code ids as keys."""

    rows: list[tuple[int, str]]
    columns: list[tuple[int | str, str]]
    cells: dict[Cell, int] = field(default_factory=dict)

    def count(self, code_id: int, column: int | str) -> int:
        return self.cells.get((code_id, column), 0)

    def row_total(self, code_id: int) -> int:
        return sum(n for (row, _), n in self.cells.items() if row == code_id)

    def as_rows(self) -> list[list[str | int]]:
        """A header and one row per code, for a CSV download."""
        table: list[list[str | int]] = [["code", *(label for _, label in self.columns)]]
        for code_id, label in self.rows:
            table.append([label, *(self.count(code_id, key) for key, _ in self.columns)])
        return table


def co_occurrence(codings: Iterable[RawCoding]) -> Counter[tuple[int, int]]:
    """Stretches coded with both codes, per pair (a, b) with a < b."""
    by_source: dict[int, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for coding in codings:
        by_source[coding[2]][coding[1]].append((coding[3], coding[4]))
    counts: Counter[tuple[int, int]] = Counter()
    for per_code in by_source.values():
        if len(per_code) < 2:
            continue
        events = sorted((start, end, code_id) for code_id, spans in per_code.items() for start, end in runs(spans))
        open_runs: dict[int, int] = {}  # code id -> end of its open run
        for start, end, code_id in events:
            for other, other_end in list(open_runs.items()):
                if other_end <= start:
                    del open_runs[other]
                elif other != code_id:
                    counts[(other, code_id) if other < code_id else (code_id, other)] += 1
            open_runs[code_id] = end
    return counts


def distinct_spans(codings: Iterable[RawCoding]) -> Counter[int]:
    """Per code, its distinct (source, start, end) spans."""
    return Counter(code_id for code_id, _, _, _ in {(c[1], c[2], c[3], c[4]) for c in codings})


def _rows(session: Session, project_id: int, used: set[int], only: Sequence[int] | None) -> list[tuple[int, str]]:
    codes = list(session.scalars(select(Code).where(Code.project_id == project_id).order_by(Code.position, Code.name)))
    paths = code_paths(codes)
    keep = set(only) if only else used
    return [(c.id, paths[c.id]) for c in codes if not c.is_folder and c.id in keep]


def code_by_participant(
    session: Session, *, project_id: int, attribute_id: int | None = None, code_ids: Sequence[int] | None = None,
    source_kind: str | None = None, coder_id: int | None = None,
) -> Matrix:
    """Codes × participants, or × the values of a participant attribute when ``attribute_id`` is given."""
    raw = load_codings(session, project_id, code_ids=code_ids or None, source_kind=source_kind, coder_id=coder_id)
    owners = source_owners(session, project_id)
    segments = SegmentIndex.load(session, {c[2] for c in raw})
    spans = {(c[1], c[2], c[3], c[4]) for c in raw}
    values = attribute_values(session, attribute_id) if attribute_id is not None else {}
    cells: Counter[Cell] = Counter()
    for code_id, source_id, start, _ in spans:
        participant_id = segments.participant(source_id, start, owners[source_id][2])
        if participant_id is None:
            continue
        if attribute_id is None:
            cells[(code_id, participant_id)] += 1
        elif participant_id in values:
            cells[(code_id, values[participant_id])] += 1
    columns: list[tuple[int | str, str]]
    if attribute_id is None:
        people = session.execute(select(Participant.id, Participant.name).where(
            Participant.project_id == project_id).order_by(Participant.name)).all()
        seen = {key for _, key in cells}
        columns = [(pid, name) for pid, name in people if pid in seen]
    else:
        definition = session.get(AttributeDef, attribute_id)
        order = list(definition.choices) if definition is not None else []
        found = {key for _, key in cells}
        columns = [(v, str(v)) for v in order if v in found]
        columns += [(v, str(v)) for v in sorted(found - set(order), key=_natural)]
    return Matrix(_rows(session, project_id, {c for c, _ in cells}, code_ids), columns, dict(cells))


def _natural(value: int | str) -> tuple[int, float, str]:
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, str(value).lower())


def code_by_code(
    session: Session, *, project_id: int, code_ids: Sequence[int] | None = None, source_kind: str | None = None,
    coder_id: int | None = None,
) -> Matrix:
    """The co-occurrence matrix, symmetric, with each code's distinct spans on the diagonal."""
    raw = load_codings(session, project_id, code_ids=code_ids or None, source_kind=source_kind, coder_id=coder_id)
    pairs = co_occurrence(raw)
    cells: dict[Cell, int] = {}
    for (a, b), n in pairs.items():
        cells[(a, b)] = cells[(b, a)] = n
    for code_id, n in distinct_spans(raw).items():
        cells[(code_id, code_id)] = n
    rows = _rows(session, project_id, {c[1] for c in raw}, code_ids)
    return Matrix(rows, [(code_id, label) for code_id, label in rows], cells)
