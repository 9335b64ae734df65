"""The append-only event table: audit trail, project history and undo feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from research.db import Base, utcnow


class Event(Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(30), default="")
    object_id: Mapped[int | None]
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]


_INSERT = insert(Event.__table__)


def record(
    session: Session,
    action: str,
    *,
    user_id: int | None,
    project_id: int | None = None,
    object_type: str = "",
    object_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append an event in the caller's unit of work. It is one plain INSERT, written at once: the
    changes it describes are flushed first, so it can refer to them, and nothing reads an event back
    in the unit of work that records it (the most frequent write, saving a coding, is cheaper so)."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    session.connection().execute(_INSERT, {
        "project_id": project_id, "user_id": user_id, "action": action, "object_type": object_type,
        "object_id": object_id, "before": before, "after": after})


def history(session: Session, project_id: int, limit: int = 200) -> list[Event]:
    return list(session.scalars(
        select(Event).where(Event.project_id == project_id).order_by(Event.id.desc()).limit(limit)
    ))
