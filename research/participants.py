"""Participants (REFI-QDA "cases") and their typed attributes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from research.db import Base, new_guid, utcnow
from research.errors import InvalidInput, NotFound

ATTRIBUTE_TYPES = ("text", "number", "date", "boolean", "choice")


class Participant(Base):
    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("project_id", "name"), {"sqlite_autoincrement": True})  # see migration 0008

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    values: Mapped[list[AttributeValue]] = relationship(back_populates="participant", cascade="all, delete-orphan")


class AttributeDef(Base):
    __tablename__ = "attribute_def"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(10), default="text")
    choices: Mapped[list[str]] = mapped_column(default=list)


class AttributeValue(Base):
    __tablename__ = "attribute_value"
    __table_args__ = (UniqueConstraint("participant_id", "attribute_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    attribute_id: Mapped[int] = mapped_column(ForeignKey("attribute_def.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(Text)

    participant: Mapped[Participant] = relationship(back_populates="values")
    attribute: Mapped[AttributeDef] = relationship()


def create_participant(session: Session, *, project_id: int, name: str, description: str = "") -> Participant:
    name = name.strip()
    if not name:
        raise InvalidInput("A participant needs a name or an id.")
    participant = Participant(project_id=project_id, name=name[:200], description=description)
    session.add(participant)
    session.flush()
    return participant


def define_attribute(session: Session, *, project_id: int, name: str, type: str = "text",
                     choices: list[str] | None = None) -> AttributeDef:
    if type not in ATTRIBUTE_TYPES:
        raise InvalidInput(f"Unknown attribute type '{type}'; use one of {', '.join(ATTRIBUTE_TYPES)}.")
    existing = session.scalar(
        select(AttributeDef).where(AttributeDef.project_id == project_id, AttributeDef.name == name)
    )
    if existing is not None:
        return existing
    attribute = AttributeDef(project_id=project_id, name=name.strip()[:200], type=type, choices=list(choices or []))
    session.add(attribute)
    session.flush()
    return attribute


def set_attribute(session: Session, participant: Participant, attribute: AttributeDef, value: Any, *,
                  flush: bool = True) -> None:
    """Set (or with an empty value remove) a value; bulk imports pass ``flush=False`` and flush once."""
    text = "" if value is None else str(value).strip()
    # A value added without a flush has no attribute_id yet, only its attribute.
    current = next((v for v in participant.values
                    if v.attribute_id == attribute.id or (v.attribute_id is None and v.attribute is attribute)), None)
    if not text:
        if current is not None:
            participant.values.remove(current)
        return
    if attribute.type == "choice" and text not in attribute.choices:
        attribute.choices = [*attribute.choices, text]
    if current is None:
        participant.values.append(AttributeValue(attribute=attribute, value=text))
    else:
        current.value = text
    if flush:
        session.flush()


def attributes_of(participant: Participant) -> dict[str, str]:
    return {v.attribute.name: v.value for v in participant.values}


def participants_of(session: Session, project_id: int) -> list[Participant]:
    return list(session.scalars(
        select(Participant).where(Participant.project_id == project_id).order_by(Participant.name)
    ))


def get_participant(session: Session, *, project_id: int, participant_id: int) -> Participant:
    participant = session.get(Participant, participant_id)
    if participant is None or participant.project_id != project_id:
        raise NotFound("No such participant in this project.")
    return participant
