"""Memos on a project, source, code or coding."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from coding.events import record
from research.db import Base, new_guid, utcnow
from research.errors import Conflict, InvalidInput, NotFound

MEMO_TARGETS = ("project", "source", "code", "coding")


class Memo(Base):
    __tablename__ = "memo"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (migration 0008)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    target_type: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int | None] = mapped_column(index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


def add_memo(session: Session, *, project_id: int, target_type: str, target_id: int | None, text: str,
             author_id: int | None) -> Memo:
    if target_type not in MEMO_TARGETS:
        raise InvalidInput(f"A memo belongs to one of: {', '.join(MEMO_TARGETS)}.")
    if not text.strip():
        raise InvalidInput("An empty memo cannot be saved.")
    memo = Memo(project_id=project_id, target_type=target_type,
                target_id=None if target_type == "project" else target_id, text=text.strip(), author_id=author_id)
    session.add(memo)
    session.flush()
    record(session, "memo.add", user_id=author_id, project_id=project_id, object_type="memo", object_id=memo.id,
           after={"target_type": target_type, "target_id": memo.target_id})
    return memo


def memos_of(session: Session, project_id: int, target_type: str | None = None,
             target_id: int | None = None) -> list[Memo]:
    stmt = select(Memo).where(Memo.project_id == project_id).order_by(Memo.created_at.desc())
    if target_type is not None:
        stmt = stmt.where(Memo.target_type == target_type, Memo.target_id == target_id)
    return list(session.scalars(stmt))


def edit_memo(session: Session, *, project_id: int, memo_id: int, text: str, user_id: int | None,
              seen_at: datetime | None = None) -> Memo:
    """Replace a memo's text. ``seen_at`` is the ``updated_at`` the editor started from:
    when someone saved the memo since, the edit is refused instead of overwriting theirs."""
    memo = session.get(Memo, memo_id)
    if memo is None or memo.project_id != project_id:
        raise NotFound("No such memo in this project.")
    if not text.strip():
        raise InvalidInput("An empty memo cannot be saved.")
    if seen_at is not None and abs((memo.updated_at - seen_at).total_seconds()) > 1e-3:
        raise Conflict("Someone changed this memo after you opened it; reload to see their text before editing.")
    before = memo.text
    memo.text = text.strip()
    memo.updated_at = utcnow()
    session.flush()
    record(session, "memo.change", user_id=user_id, project_id=project_id, object_type="memo", object_id=memo.id,
           before={"text": before}, after={"target_type": memo.target_type, "target_id": memo.target_id,
                                           "text": memo.text})
    return memo


def take_coding_memos(session: Session, *, project_id: int, coding_ids: list[int]) -> list[dict[str, object]]:
    """Delete the memos on these codings, which go with them, and return what they said (for
    the event that records the removal, so an undo can bring them back)."""
    on_codings = (Memo.project_id == project_id, Memo.target_type == "coding", Memo.target_id.in_(coding_ids))
    memos = list(session.scalars(select(Memo).where(*on_codings).order_by(Memo.id)))
    session.execute(delete(Memo).where(*on_codings))
    return [{"coding_id": m.target_id, "text": m.text, "author_id": m.author_id, "created_at": m.created_at.isoformat()}
            for m in memos]


def restore_coding_memos(session: Session, *, project_id: int, memos: list[dict[str, object]]) -> None:
    """Put back memos that ``take_coding_memos`` returned, with their authors and times."""
    for memo in memos:
        written = datetime.fromisoformat(str(memo["created_at"]))
        session.add(Memo(project_id=project_id, target_type="coding", target_id=memo["coding_id"],
                         text=str(memo["text"]), author_id=memo["author_id"], created_at=written, updated_at=written))
