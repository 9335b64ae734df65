"""Survey import: respondents become participants, closed columns their
attributes, and each open question a source whose answers are segments."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from research.errors import InvalidInput
from research.participants import Participant, define_attribute, set_attribute
from research.segmenting import Span
from research.sources import Source, SourceKind, add_source
from research.tables import Table, infer_type

ANSWER_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class SurveyImport:
    sources: list[Source]
    respondents: int
    answers: int


def import_survey(
    session: Session,
    *,
    project_id: int,
    table: Table,
    id_column: str,
    text_columns: list[str],
    attribute_columns: list[str],
    original: bytes,
    original_name: str,
    user_id: int | None,
    language: str | None = None,
    question_column: str | None = None,
) -> SurveyImport:
    """Import a survey table in one unit of work (the caller commits).

    ``question_column`` is for long exports (one row per respondent and question, the
    question's wording in a column): answers are then grouped by that column's value,
    one source per question."""
    index = {name: i for i, name in enumerate(table.columns)}
    chosen = [id_column, *text_columns, *attribute_columns, *([question_column] if question_column else [])]
    missing = [c for c in chosen if c not in index]
    if missing:
        raise InvalidInput(f"{original_name}: no column named {', '.join(repr(m) for m in missing)}.")
    if not text_columns:
        raise InvalidInput(f"{original_name}: choose at least one open-ended question column.")
    if id_column in text_columns or id_column in attribute_columns:
        raise InvalidInput(f"{original_name}: the respondent id column cannot also be a question or attribute.")
    if set(text_columns) & set(attribute_columns):
        raise InvalidInput(f"{original_name}: a column cannot be both an open question and an attribute.")

    existing = {p.name: p for p in session.scalars(select(Participant).where(Participant.project_id == project_id))}
    respondents: dict[str, Participant] = {}
    attributes = {
        column: define_attribute(session, project_id=project_id, name=column,
                                 type=infer_type(row[index[column]] for row in table.rows))
        for column in attribute_columns
    }
    for line, row in enumerate(table.rows, start=2):
        respondent = (row[index[id_column]] or "").strip()
        if not respondent:
            raise InvalidInput(f"{original_name}: row {line} has no respondent id in '{id_column}'.")
        participant = respondents.get(respondent) or existing.get(respondent)
        if participant is None:
            # Added without a flush per row: thousands of respondents are written in one go below.
            participant = Participant(project_id=project_id, name=respondent[:200], values=[])
            session.add(participant)
        respondents[respondent] = participant
        for column, attribute in attributes.items():
            set_attribute(session, participant, attribute, row[index[column]], flush=False)
    session.flush()

    file_hash = hashlib.sha256(original).digest()
    sources, answers = [], 0
    for name, question, column, rows in _questions(table, index, text_columns, question_column):
        answered = [((row[index[column]] or "").strip(), respondents[(row[index[id_column]] or "").strip()].id)
                    for row in rows]
        answered = [(answer, participant_id) for answer, participant_id in answered if answer]
        if not answered:
            continue
        text = ANSWER_SEPARATOR.join(answer for answer, _ in answered)
        spans, offset = [], 0
        for answer, _ in answered:
            spans.append(Span("answer", offset, offset + len(answer)))
            offset += len(answer) + len(ANSWER_SEPARATOR)
        # One file gives one source per question; each is identified by the file and the question.
        identity = hashlib.sha256(file_hash + f"{column}\x00{question}".encode()).hexdigest() \
            if question_column else hashlib.sha256(file_hash + question.encode()).hexdigest()
        source = add_source(
            session, project_id=project_id, kind=SourceKind.SURVEY, name=name, text=text,
            spans=spans, original=original, original_name=original_name,
            media_type="text/csv" if original_name.lower().endswith(".csv") else
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            language=language, details={"question": question, "id_column": id_column}, created_by=user_id,
            identity=identity,
        )
        for segment, (_, participant_id) in zip(source.segments, answered, strict=True):
            segment.participant_id = participant_id
            segment.question = question
        sources.append(source)
        answers += len(answered)
    session.flush()
    return SurveyImport(sources=sources, respondents=len(respondents), answers=answers)


def _questions(table: Table, index: dict[str, int], text_columns: list[str],
               question_column: str | None) -> list[tuple[str, str, str, list[list[str | None]]]]:
    """(source name, question, answer column, rows) for each question of the table."""
    if question_column is None:
        return [(column, column, column, table.rows) for column in text_columns]
    groups: dict[str, list[list[str | None]]] = {}
    for row in table.rows:
        groups.setdefault((row[index[question_column]] or "").strip() or "(no question)", []).append(row)
    return [
        (question if len(text_columns) == 1 else f"{question} ({column})", question, column, rows)
        for column in text_columns
        for question, rows in groups.items()
    ]
