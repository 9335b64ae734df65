"""Undo of a person's last coding actions, read from the event table.

Each undo reverts the newest of the person's own ``coding.add``, ``coding.change``
or ``coding.remove`` events that is not undone yet, and records a ``coding.undo``
event pointing at it, so undoing again goes one step further back. Nothing is
silently overwritten: a coding that someone changed in the meantime is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from coding.codebook import Code
from coding.codings import Coding, Origin
from coding.events import Event, record
from research.errors import Conflict
from research.sources import Source

UNDOABLE = ("coding.add", "coding.change", "coding.remove")


@dataclass(frozen=True)
class Undone:
    action: str  # the action that was reverted
    coding_id: int
    source_id: int
    message: str


def last_undoable(session: Session, *, project_id: int, user_id: int) -> Event | None:
    undone = select(Event.object_id).where(Event.project_id == project_id, Event.action == "coding.undo",
                                           Event.object_id.is_not(None))
    return session.scalar(
        select(Event).where(Event.project_id == project_id, Event.user_id == user_id, Event.action.in_(UNDOABLE),
                            Event.id.not_in(undone))
        .order_by(Event.id.desc()).limit(1)
    )


def undo_last(session: Session, *, project_id: int, user_id: int) -> Undone:
    event = last_undoable(session, project_id=project_id, user_id=user_id)
    if event is None or event.object_id is None:
        raise Conflict("There is nothing of yours left to undo in this project.")
    coding = session.get(Coding, event.object_id)
    snapshot = dict(event.after or event.before or {})
    source_id = int(snapshot.get("source_id", 0))
    before: dict[str, object] | None = None
    after: dict[str, object] | None = None
    if event.action == "coding.add":
        if coding is None:
            message = "That coding had already been removed."
        else:
            before = coding.snapshot()
            session.delete(coding)
            message = "Removed the coding you had added."
    elif event.action == "coding.change":
        if coding is None:
            raise Conflict("The coding you changed has been removed since; there is nothing to undo.")
        if coding.snapshot() != event.after:
            raise Conflict("Someone changed this coding after you; reload to see their change before undoing.")
        before = coding.snapshot()
        old = event.before or {}
        coding.start, coding.end, coding.code_id = int(old["start"]), int(old["end"]), int(old["code_id"])
        after = coding.snapshot()
        message = "Put the coding back as it was."
    else:
        old = event.before or {}
        if coding is not None:
            raise Conflict("That coding exists again; there is nothing to undo.")
        if session.get(Code, int(old["code_id"])) is None or session.get(Source, int(old["source_id"])) is None:
            raise Conflict("The code or the source of that coding has been deleted since.")
        coding = Coding(id=event.object_id, project_id=project_id, source_id=int(old["source_id"]),
                        code_id=int(old["code_id"]), start=int(old["start"]), end=int(old["end"]),
                        coder_id=old.get("coder_id", user_id), origin=Origin(old.get("origin", "manual")))
        if old.get("guid"):
            coding.guid = str(old["guid"])
        session.add(coding)
        message = "Restored the coding you had removed."
    session.flush()
    if event.action == "coding.remove" and coding is not None:
        after = coding.snapshot()
    record(session, "coding.undo", user_id=user_id, project_id=project_id, object_type="event", object_id=event.id,
           before=before, after={"undid": event.action, "coding_id": event.object_id, "state": after})
    return Undone(action=event.action, coding_id=event.object_id, source_id=source_id, message=message)
