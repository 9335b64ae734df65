"""Codings: a code applied to a span of a source's text.

Offsets are code points, 0-based, end-exclusive. Every change is an event, and
a client may send an idempotency key so a retried request never doubles a coding.
"""

from __future__ import annotations

import enum
from contextlib import nullcontext
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, UniqueConstraint, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from coding.codebook import Code, get_code
from coding.events import record
from coding.memos import add_memo, memos_of, take_coding_memos
from research.accounts import User
from research.db import Base, new_guid, utcnow, writes_in_turn
from research.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from research.projects import Role
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
        {"sqlite_autoincrement": True},  # ids are never reused (migration 0008)
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


def _check_span(text_length: int, start: int, end: int) -> None:
    if start >= end:
        raise InvalidInput(f"A span must end after it starts (start {start}, end {end}).")
    if not 0 <= start < end <= text_length:
        raise InvalidInput(f"The span {start}–{end} is not inside the text (0–{text_length}).")


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


class Outcome(enum.Enum):
    """What saving a coding came to."""
    ADDED = "added"
    RETRIED = "retried"  # a request repeated with the same client key: the coding it made the first time
    EXISTING = "existing"  # the same code on the same span by the same coder was there already


# Saving a coding is the most frequent write there is, so its statements are built once.
_BY_CLIENT_KEY = select(Coding.id).where(Coding.project_id == bindparam("project_id"),
                                         Coding.client_key == bindparam("client_key"))
_TEXT_AND_CODE = select(Source.text, Code.is_folder, Code.name).join(Code, Code.project_id == Source.project_id).where(
    Source.id == bindparam("source_id"), Source.project_id == bindparam("project_id"), Code.id == bindparam("code_id"))
_SAME_SPAN = select(Coding.id).where(Coding.source_id == bindparam("source_id"), Coding.code_id == bindparam("code_id"),
                                  Coding.start == bindparam("start"), Coding.end == bindparam("end"))
_SAME_BY_CODER = _SAME_SPAN.where(Coding.coder_id == bindparam("coder_id"))
_SAME_WITHOUT_CODER = _SAME_SPAN.where(Coding.coder_id.is_(None))


def _by_client_key(session: Session, project_id: int, client_key: str) -> Coding | None:
    """The coding saved with ``client_key``; a plain statement, which sees only what is flushed."""
    found = session.connection().scalar(_BY_CLIENT_KEY, {"project_id": project_id, "client_key": client_key})
    return None if found is None else session.get_one(Coding, found)


def _add_once(
    session: Session, *, project_id: int, source_id: int, code_id: int, start: int, end: int, user_id: int | None,
    origin: Origin, client_key: str | None,
) -> tuple[Coding, Outcome]:
    """``add_coding``, also saying what it came to."""
    session.flush()  # the look-ups below are plain statements, which see only what is flushed
    connection = session.connection()
    if client_key is not None:
        earlier = _by_client_key(session, project_id, client_key)
        if earlier is not None:
            return earlier, Outcome.RETRIED
    target = connection.execute(_TEXT_AND_CODE, {"project_id": project_id, "source_id": source_id,
                                                 "code_id": code_id}).one_or_none()
    if target is None:  # say which of the two is missing
        get_source(session, project_id=project_id, source_id=source_id)
        get_code(session, project_id=project_id, code_id=code_id)
        raise NotFound("No such source or code in this project.")
    text, is_folder, code_name = target
    if is_folder:
        raise InvalidInput(f"'{code_name}' is a folder; choose a code inside it.")
    _check_span(len(text), start, end)
    span = {"source_id": source_id, "code_id": code_id, "start": start, "end": end}
    same = connection.scalar(_SAME_WITHOUT_CODER, span) if user_id is None else \
        connection.scalar(_SAME_BY_CODER, {**span, "coder_id": user_id})
    if same is not None:
        return session.get_one(Coding, same), Outcome.EXISTING
    coding = Coding(project_id=project_id, source_id=source_id, code_id=code_id, start=start, end=end,
                    coder_id=user_id, origin=origin, client_key=client_key)
    session.add(coding)
    session.flush()
    record(session, "coding.add", user_id=user_id, project_id=project_id, object_type="coding",
           object_id=coding.id, after=coding.snapshot())
    return coding, Outcome.ADDED


def get_coding(session: Session, *, project_id: int, coding_id: int) -> Coding:
    coding = session.get(Coding, coding_id)
    if coding is None or coding.project_id != project_id:
        raise NotFound("No such coding in this project.")
    return coding


def check_hand(session: Session, coding: Coding, *, user_id: int | None, role: Role | None) -> None:
    """A coder changes or removes their own codings (and unattributed ones); another coder's are
    theirs or an owner's to change, so no one's hand spoils a comparison of coders. ``role`` None
    is the command line or the system, which may change any coding."""
    if role is None or role is Role.OWNER or coding.coder_id in (None, user_id):
        return
    coder = session.get(User, coding.coder_id)
    who = coder.display_name if coder is not None else "another coder"
    raise PermissionDenied(f"This coding is {who}'s; only they or a project owner can change or remove it.")


def change_coding(
    session: Session, *, project_id: int, coding_id: int, user_id: int | None, expected_version: int | None,
    start: int | None = None, end: int | None = None, code_id: int | None = None, role: Role | None = None,
) -> Coding:
    coding = get_coding(session, project_id=project_id, coding_id=coding_id)
    check_hand(session, coding, user_id=user_id, role=role)
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
    source = get_source(session, project_id=project_id, source_id=coding.source_id)
    _check_span(len(source.text), new_start, new_end)
    coding.start, coding.end = new_start, new_end
    session.flush()
    record(session, "coding.change", user_id=user_id, project_id=project_id, object_type="coding",
           object_id=coding.id, before=before, after=coding.snapshot())
    return coding


def remove_coding(session: Session, *, project_id: int, coding_id: int, user_id: int | None,
                  role: Role | None = None) -> None:
    """Remove a coding with its memos; the event keeps both, so an undo restores them."""
    coding = get_coding(session, project_id=project_id, coding_id=coding_id)
    check_hand(session, coding, user_id=user_id, role=role)
    memos = take_coding_memos(session, project_id=project_id, coding_ids=[coding.id])
    record(session, "coding.remove", user_id=user_id, project_id=project_id, object_type="coding",
           object_id=coding.id, before={**coding.snapshot(), "coder_id": coding.coder_id,
                                        "origin": coding.origin.value, "guid": coding.guid,
                                        "version": coding.version, "created_at": coding.created_at.isoformat(),
                                        **({"memos": memos} if memos else {})})
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
    made the first time (and ``False``), even when two retries race each other. The same code on
    the same span by the same coder is not doubled either; a memo sent with it is added to it.

    Where writers take turns (SQLite) no retry can come between the look-up of the key and the
    insert; elsewhere a racing retry fails only a savepoint around them."""
    if client_key is not None and not 8 <= len(client_key) <= 64:
        raise InvalidInput("client_key must be 8 to 64 characters long (a UUID fits).")
    in_turn = writes_in_turn(session)
    try:
        with nullcontext() if in_turn else session.begin_nested():
            coding, outcome = _add_once(session, project_id=project_id, source_id=source_id, code_id=code_id,
                                        start=start, end=end, user_id=user_id, origin=origin, client_key=client_key)
    except IntegrityError:
        earlier = _by_client_key(session, project_id, client_key) if client_key is not None and not in_turn else None
        if earlier is None:
            raise
        return earlier, False
    if outcome is Outcome.EXISTING and memo and memo.strip() in {
            m.text for m in memos_of(session, project_id, "coding", coding.id)}:
        return coding, False  # the same request again, without a client key
    if outcome is not Outcome.RETRIED and memo and memo.strip():
        add_memo(session, project_id=project_id, target_type="coding", target_id=coding.id, text=memo,
                 author_id=user_id)
    return coding, outcome is Outcome.ADDED


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
