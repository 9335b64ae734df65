"""Undo of a person's last coding actions, read from the event table.

Each undo reverts the newest of the person's own ``coding.add``, ``coding.change``
or ``coding.remove`` events that is not undone yet, and records a ``coding.undo``
event pointing at it, so undoing again goes one step further back. The document page
undoes within its own source only. Nothing is silently overwritten: a coding that someone
changed in the meantime is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from coding.codebook import Code
from coding.codings import Coding, Origin
from coding.events import Event, record
from coding.memos import restore_coding_memos, take_coding_memos
from coding.retrieval import shorten
from research.errors import Conflict
from research.sources import Source

UNDOABLE = ("coding.add", "coding.change", "coding.remove")
QUOTE_LENGTH = 60


@dataclass(frozen=True)
class Undone:
    action: str  # the action that was reverted
    coding_id: int
    source_id: int
    message: str


def _undoable_newest_first(session: Session, *, project_id: int, user_id: int, page: int = 100) -> Iterator[Event]:
    undone = select(Event.object_id).where(Event.project_id == project_id, Event.action == "coding.undo",
                                           Event.object_id.is_not(None))
    mine = select(Event).where(Event.project_id == project_id, Event.user_id == user_id, Event.action.in_(UNDOABLE),
                               Event.id.not_in(undone), Event.object_id.is_not(None)).order_by(Event.id.desc())
    below: int | None = None
    while True:
        events = list(session.scalars((mine if below is None else mine.where(Event.id < below)).limit(page)))
        yield from events
        if len(events) < page:
            return
        below = events[-1].id


def _source_of(event: Event) -> int:
    return int(dict(event.after or event.before or {}).get("source_id", 0))


def _gone_for_good(session: Session, event: Event) -> bool:
    """Whether there is nothing left to revert: the added or changed coding is gone (its code or
    source was deleted, or someone removed it), or the removed coding's code or source is."""
    if event.action != "coding.remove":
        return session.get(Coding, event.object_id) is None
    old = event.before or {}
    return session.get(Code, int(old["code_id"])) is None or session.get(Source, int(old["source_id"])) is None


def last_undoable(session: Session, *, project_id: int, user_id: int, source_id: int | None = None) -> Event | None:
    """The person's newest coding action not undone yet that can still be reverted, in one source
    when ``source_id`` is given. Actions whose coding, code or source has gone since are passed
    over, so one deleted code never blocks undoing what came before it."""
    for event in _undoable_newest_first(session, project_id=project_id, user_id=user_id):
        if (source_id is None or _source_of(event) == source_id) and not _gone_for_good(session, event):
            return event
    return None


def _quote(session: Session, source_id: int, start: int, end: int) -> str:
    text = session.scalar(select(func.substr(Source.text, start + 1, min(end - start, QUOTE_LENGTH + 1)))
                          .where(Source.id == source_id)) or ""
    return shorten(text, QUOTE_LENGTH)


def _described(session: Session, snapshot: Mapping[str, Any]) -> str:
    code = session.get(Code, int(snapshot["code_id"]))
    quote = _quote(session, int(snapshot["source_id"]), int(snapshot["start"]), int(snapshot["end"]))
    return f"“{code.name if code else 'a code'}” on “{quote}”"


def _set_version(session: Session, coding: Coding, version: int) -> None:
    """The ORM inserts every row at version 1; a restored coding continues its own count."""
    session.connection().execute(update(Coding.__table__).where(Coding.__table__.c.id == coding.id)
                                 .values(version=version))
    set_committed_value(coding, "version", version)


def undo_last(session: Session, *, project_id: int, user_id: int, source_id: int | None = None) -> Undone:
    """Revert the person's last coding action (in ``source_id`` when given) and say what it was."""
    event = last_undoable(session, project_id=project_id, user_id=user_id, source_id=source_id)
    if event is None or event.object_id is None:
        where = "in this source" if source_id is not None else "in this project"
        raise Conflict(f"There is nothing of yours left to undo {where}.")
    coding = session.get(Coding, event.object_id)
    before: dict[str, object] | None = None
    after: dict[str, object] | None = None
    if event.action == "coding.add":
        assert coding is not None
        before = coding.snapshot()
        message = f"Removed your coding {_described(session, before)}."
        memos = take_coding_memos(session, project_id=project_id, coding_ids=[coding.id])
        before |= {"memos": memos} if memos else {}
        session.delete(coding)
    elif event.action == "coding.change":
        assert coding is not None
        if coding.snapshot() != event.after:
            raise Conflict("Someone changed this coding after you; reload to see their change before undoing.")
        before = coding.snapshot()
        old = event.before or {}
        coding.start, coding.end, coding.code_id = int(old["start"]), int(old["end"]), int(old["code_id"])
        after = coding.snapshot()
        message = f"Put your coding back as it was: {_described(session, after)}."
    else:
        old = event.before or {}
        if coding is not None:
            raise Conflict("That coding exists again; there is nothing to undo.")
        coding = Coding(id=event.object_id, project_id=project_id, source_id=int(old["source_id"]),
                        code_id=int(old["code_id"]), start=int(old["start"]), end=int(old["end"]),
                        coder_id=old.get("coder_id", user_id), origin=Origin(old.get("origin", "manual")))
        if old.get("guid"):
            coding.guid = str(old["guid"])
        if old.get("created_at"):
            coding.created_at = datetime.fromisoformat(str(old["created_at"]))
        session.add(coding)
        session.flush()
        if old.get("version"):  # one past what anyone saw before the removal, so a stale change is refused
            _set_version(session, coding, int(old["version"]) + 1)
        restore_coding_memos(session, project_id=project_id, memos=list(old.get("memos", [])))
        message = f"Restored your coding {_described(session, old)}."
    session.flush()
    if event.action == "coding.remove":
        after = coding.snapshot()
    record(session, "coding.undo", user_id=user_id, project_id=project_id, object_type="event", object_id=event.id,
           before=before, after={"undid": event.action, "coding_id": event.object_id, "state": after})
    return Undone(action=event.action, coding_id=event.object_id, source_id=_source_of(event), message=message)
