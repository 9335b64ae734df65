"""Deleting a memo: the memo goes, an event keeps what it said and who removed it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from coding.events import record
from coding.memos import Memo
from research.errors import NotFound


def delete_memo(session: Session, *, project_id: int, memo_id: int, user_id: int | None) -> None:
    """Delete one memo of the project (who may do so is the caller's rule: its author or an owner)."""
    memo = session.get(Memo, memo_id)
    if memo is None or memo.project_id != project_id:
        raise NotFound("No such memo in this project.")
    before = {"target_type": memo.target_type, "target_id": memo.target_id, "text": memo.text,
              "author_id": memo.author_id}
    session.delete(memo)
    session.flush()
    record(session, "memo.remove", user_id=user_id, project_id=project_id, object_type="memo", object_id=memo_id,
           before=before, after=None)
