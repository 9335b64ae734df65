"""Codings: a code applied to a span of a source's text.

Offsets are code points, 0-based, end-exclusive. Every change is an event, and
a client may send an idempotency key so a retried request never doubles a coding.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from coding.codebook import Code, get_code
from coding.events import record
from coding.memos import add_memo
from research.db import Base, new_guid, utcnow
from research.errors import Conflict, InvalidInput, NotFound
from research.sources import Source, get_source


class Origin(enum.StrEnum):
    MANUAL = "manual"
    SUGGESTED = "suggested"
    IMPORTED = "imported"


class Coding(Base):
    __tablename__ = "coding"
    __table_args__ = (
        UniqueConstraint("project_id", "client_key"),
        CheckConstraint("start >= 0 AND start < \"end\"", name="span"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"), index=True)
    start: Mapped[int]
    end: Mapped[int]
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    origin: Mapped[Origin] = mapped_column(Enum(Origin, native_enum=False, length=10,
                                                values_callable=lambda e: [m.value for m in e]),
                                           default=Origin.MANUAL)
    client_key: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    code: Mapped[Code] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def snapshot(self) -> dict[str, object]:
        return {"source_id": self.source_id, "code_id": self.code_id, "start": self.start, "end": self.end}


def _check_span(source: Source, start: int, end: int) -> None:
    if not 0 <= start < end <= len(source.text):
        raise InvalidInput(f"The span {start}–{end} is not inside the text (0–{len(source.text)}).")


def add_coding(
    session: Session,
    *,
    project_id: int,
    source_id: int,
    code_id: int,
    start: int,
    end: int,
    user_id: int | None,
    origin: Origin = Origin.MANUAL,
    client_key: str | None = None,
) -> Coding:
    """Code a span; the same (source, code, span, coder) twice returns the existing coding."""
    return _add_once(session, project_id=project_id, source_id=source_id, code_id=code_id, start=start, end=end,
                     user_id=user_id, origin=origin, client_key=client_key)[0]


def _by_client_key(session: Session, project_id: int, client_key: str) -> Coding | None:
    return session.scalar(select(Coding).where(Coding.project_id == project_id, Coding.client_key == client_key))


def _add_once(
    session: Session, *, project_id: int, source_id: int, code_id: int, start: int, end: int, user_id: int | None,
    origin: Origin, client_key: str | None,
) -> tuple[Coding, bool]:
    """``add_coding``, also saying whether the coding is new (``False``: the key's or an equal coding)."""
    if client_key is not None:
        earlier = _by_client_key(session, project_id, client_key)
        if earlier is not None:
            return earlier, False
    source = get_source(session, project_id=project_id, source_id=source_id)
    code = get_code(session, project_id=project_id, code_id=code_id)
    if code.is_folder:
        raise InvalidInput(f"'{code.name}' is a folder; choose a code inside it.")
    _check_span(source, start, end)
    same = session.scalar(select(Coding).where(
        Coding.source_id == source_id, Coding.code_id == code_id, Coding.start == start, Coding.end == end,
        Coding.coder_id == user_id,
    ))
    if same is not None:
        return same, False
    coding = Coding(project_id=project_id, source_id=source_id, code_id=code_id, start=start, end=end,
                    coder_id=user_id, origin=origin, client_key=client_key)
    session.add(coding)
    session.flush()
    record(session, "coding.add", user_id=user_id, project_id=project_id, object_type="coding",
           object_id=coding.id, after=coding.snapshot())
    return coding, True


def get_coding(session: Session, *, project_id: int, coding_id: int) -> Coding:
    coding = session.get(Coding, coding_id)
    if coding is None or coding.project_id != project_id:
        raise NotFound("No such coding in this project.")
    return coding


def change_coding(
    session: Session, *, project_id: int, coding_id: int, user_id: int | None, expected_version: int | None,
    start: int | None = None, end: int | None = None, code_id: int | None = None,
) -> Coding:
    coding = get_coding(session, project_id=project_id, coding_id=coding_id)
    if expected_version is not None and expected_version != coding.version:
        raise Conflict("Someone changed this coding after you opened it; reload to see their change.")
    before = coding.snapshot()
    if code_id is not None:
        code = get_code(session, project_id=project_id, code_id=code_id)
        if code.is_folder:
            raise InvalidInput(f"'{code.name}' is a folder; choose a code inside it.")
        coding.code_id = code.id
    new_start = coding.start if start is None else start
    new_end = coding.end if end is None else end
    _check_span(get_source(session, project_id=project_id, source_id=coding.source_id), new_start, new_end)
    coding.start, coding.end = new_start, new_end
    session.flush()
    record(session, "coding.change", user_id=user_id, project_id=project_id, object_type="coding",
           object_id=coding.id, before=before, after=coding.snapshot())
    return coding


def remove_coding(session: Session, *, project_id: int, coding_id: int, user_id: int | None) -> None:
    coding = get_coding(session, project_id=project_id, coding_id=coding_id)
    record(session, "coding.remove", user_id=user_id, project_id=project_id, object_type="coding",
           object_id=coding.id, before={**coding.snapshot(), "coder_id": coding.coder_id,
                                        "origin": coding.origin.value, "guid": coding.guid})
    session.delete(coding)
    session.flush()


def codings_of_source(session: Session, *, source_id: int, coder_id: int | None = None) -> list[Coding]:
    stmt = select(Coding).where(Coding.source_id == source_id).order_by(Coding.start, Coding.end)
    if coder_id is not None:
        stmt = stmt.where(Coding.coder_id == coder_id)
    return list(session.scalars(stmt))


def apply_code(
    session: Session,
    *,
    project_id: int,
    source_id: int,
    code_id: int,
    start: int,
    end: int,
    user_id: int | None,
    client_key: str | None = None,
    memo: str | None = None,
    origin: Origin = Origin.MANUAL,
) -> tuple[Coding, bool]:
    """Code a span once per ``client_key``: a retried request returns the coding it
    made the first time (and ``False``), even when two retries race each other."""
    if client_key is not None and not 8 <= len(client_key) <= 64:
        raise InvalidInput("client_key must be 8 to 64 characters long (a UUID fits).")
    try:
        with session.begin_nested():  # a racing retry with the same key fails only this savepoint
            coding, created = _add_once(session, project_id=project_id, source_id=source_id, code_id=code_id,
                                        start=start, end=end, user_id=user_id, origin=origin, client_key=client_key)
    except IntegrityError:
        earlier = _by_client_key(session, project_id, client_key) if client_key is not None else None
        if earlier is None:
            raise
        return earlier, False
    if created and memo and memo.strip():
        add_memo(session, project_id=project_id, target_type="coding", target_id=coding.id, text=memo,
                 author_id=user_id)
    return coding, created


def find_codings(
    session: Session, *, project_id: int, source_id: int | None = None, code_id: int | None = None,
    coder_id: int | None = None,
) -> list[Coding]:
    stmt = select(Coding).where(Coding.project_id == project_id)
    if source_id is not None:
        stmt = stmt.where(Coding.source_id == source_id)
    if code_id is not None:
        stmt = stmt.where(Coding.code_id == code_id)
    if coder_id is not None:
        stmt = stmt.where(Coding.coder_id == coder_id)
    return list(session.scalars(stmt.order_by(Coding.source_id, Coding.start, Coding.end, Coding.id)))
