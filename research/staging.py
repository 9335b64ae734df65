"""Uploads kept for a moment: a large file waiting for its import job, or a table
waiting for the user to choose its columns. The row is deleted once imported."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, LargeBinary, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from research.db import Base, utcnow
from research.errors import NotFound

KEEP_FOR = timedelta(days=2)


class StagedUpload(Base):
    __tablename__ = "staged_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))  # document | survey | participants
    name: Mapped[str] = mapped_column(String(300))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def stage_upload(session: Session, *, project_id: int, user_id: int | None, purpose: str, name: str,
                 data: bytes) -> StagedUpload:
    """Keep ``data`` until it is imported; uploads older than two days are dropped on the way."""
    session.execute(delete(StagedUpload).where(StagedUpload.created_at < utcnow() - KEEP_FOR))
    upload = StagedUpload(project_id=project_id, user_id=user_id, purpose=purpose, name=name[:300], data=data)
    session.add(upload)
    session.flush()
    return upload


def get_upload(session: Session, *, project_id: int, upload_id: int, purpose: str,
               user_id: int | None = None) -> StagedUpload:
    query = select(StagedUpload).where(StagedUpload.id == upload_id, StagedUpload.project_id == project_id,
                                       StagedUpload.purpose == purpose)
    if user_id is not None:
        query = query.where(StagedUpload.user_id == user_id)
    upload = session.scalar(query)
    if upload is None:
        raise NotFound("This upload is no longer waiting to be imported; upload the file again.")
    return upload


def discard_upload(session: Session, upload: StagedUpload) -> None:
    session.delete(upload)
    session.flush()
