"""Participant lists from CSV/XLSX (create or update, matched by name or id), typed
attribute values, editing one participant, and column guesses for previews."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from research.errors import InvalidInput
from research.participants import (
    AttributeDef,
    Participant,
    create_participant,
    define_attribute,
    set_attribute,
)
from research.tables import Table, infer_type

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
_TRUE = frozenset({"true", "yes", "ja", "sant", "sann", "y", "1"})
_FALSE = frozenset({"false", "no", "nej", "nei", "falskt", "usann", "n", "0"})
_ID_NAME = re.compile(r"(^|\W)(id|nr|no|nummer|number|respondent|respondent id|deltagare|participant|name|namn)($|\W)",
                      re.IGNORECASE)


@dataclass(frozen=True)
class ParticipantImport:
    created: int
    updated: int
    attributes: list[str]


def check_value(attribute: AttributeDef, value: str | None) -> str:
    """The value to store for a typed attribute, or :class:`InvalidInput` saying what is wrong."""
    text = (value or "").strip()
    if not text:
        return ""
    if attribute.type == "number" and not _NUMBER.match(text):
        raise InvalidInput(f"'{attribute.name}' takes a number, not '{text}'.")
    if attribute.type == "date":
        return _iso_date(attribute.name, text)
    if attribute.type == "boolean":
        folded = text.casefold()
        if folded not in _TRUE | _FALSE:
            raise InvalidInput(f"'{attribute.name}' takes yes or no, not '{text}'.")
        return "yes" if folded in _TRUE else "no"
    return text


def _iso_date(name: str, text: str) -> str:
    candidate = text[:10]
    try:
        if re.fullmatch(r"\d{1,2}[./]\d{1,2}[./]\d{4}", text):
            day, month, year = (int(part) for part in re.split(r"[./]", text))
            return dt.date(year, month, day).isoformat()
        return dt.date.fromisoformat(candidate).isoformat() + text[10:]
    except ValueError as error:
        raise InvalidInput(f"'{name}' takes a date (YYYY-MM-DD), not '{text}'.") from error


def import_participants(session: Session, *, project_id: int, table: Table, name_column: str,
                        attribute_columns: list[str], original_name: str) -> ParticipantImport:
    """Create participants that are new and update the attributes of those that exist
    (matched by the value of ``name_column``). Empty cells leave a value unchanged."""
    index = {name: i for i, name in enumerate(table.columns)}
    missing = [c for c in [name_column, *attribute_columns] if c not in index]
    if missing:
        raise InvalidInput(f"{original_name}: no column named {', '.join(repr(m) for m in missing)}.")
    if name_column in attribute_columns:
        raise InvalidInput(f"{original_name}: the name column cannot also be an attribute.")
    existing = {p.name: p for p in session.scalars(select(Participant).where(Participant.project_id == project_id))}
    attributes = {
        column: define_attribute(session, project_id=project_id, name=column,
                                 type=infer_type(row[index[column]] for row in table.rows))
        for column in attribute_columns
    }
    created = updated = 0
    seen: set[str] = set()
    for line, row in enumerate(table.rows, start=2):
        name = (row[index[name_column]] or "").strip()
        if not name:
            raise InvalidInput(f"{original_name}: row {line} has no value in '{name_column}'.")
        if name in seen:
            raise InvalidInput(f"{original_name}: '{name}' occurs twice (again on row {line}); each participant "
                               "must have one row.")
        seen.add(name)
        participant = existing.get(name)
        if participant is None:
            participant = create_participant(session, project_id=project_id, name=name)
            existing[name] = participant
            created += 1
        else:
            updated += 1
        for column, attribute in attributes.items():
            cell = row[index[column]]
            if cell is None:
                continue
            try:
                value = check_value(attribute, cell)
            except InvalidInput as error:
                raise InvalidInput(f"{original_name}, row {line}: {error}") from error
            set_attribute(session, participant, attribute, value, flush=False)
    session.flush()
    return ParticipantImport(created, updated, list(attributes))


def update_participant(session: Session, participant: Participant, *, name: str, description: str,
                       values: dict[int, str]) -> Participant:
    """Rename, describe and set typed attribute values (an empty value removes it)."""
    name = name.strip()
    if not name:
        raise InvalidInput("A participant needs a name or an id.")
    clash = session.scalar(select(Participant.id).where(Participant.project_id == participant.project_id,
                                                        Participant.name == name, Participant.id != participant.id))
    if clash is not None:
        raise InvalidInput(f"Another participant is already called '{name}'.")
    participant.name, participant.description = name[:200], description.strip()
    attributes = {a.id: a for a in session.scalars(select(AttributeDef).where(
        AttributeDef.project_id == participant.project_id))}
    for attribute_id, raw in values.items():
        attribute = attributes.get(attribute_id)
        if attribute is None:
            raise InvalidInput("No such attribute in this project.")
        set_attribute(session, participant, attribute, check_value(attribute, raw))
    session.flush()
    return participant


def guess_survey_roles(table: Table) -> dict[str, str]:
    """A first guess of each column's role: "id", "question", "attribute" or "ignore"."""
    roles: dict[str, str] = {}
    for position, column in enumerate(table.columns):
        values = [row[position] for row in table.rows[:500] if row[position] is not None]
        if not values:
            roles[column] = "ignore"
            continue
        unique = len(set(values)) == len(values)
        average = sum(len(v) for v in values) / len(values)
        if "id" not in roles.values() and _ID_NAME.search(column) and (unique or "respondent" in column.lower()):
            roles[column] = "id"
        elif average >= 40 or (infer_type(values) == "text" and average >= 25):
            roles[column] = "question"
        elif infer_type(values) in ("choice", "number", "boolean", "date"):
            roles[column] = "attribute"
        else:
            roles[column] = "ignore"
    return roles
