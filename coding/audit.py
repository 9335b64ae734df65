"""The project's audit log: who let whom in, who took data out, who deleted what.

The events come from the same append-only ``event`` table as the project history;
this module picks the security-relevant ones (membership and roles, exports and
downloads, deletions and erasures, settings and pseudonymisation) and says each in
one line for the project's owners. Logins are events without a project and are not
shown here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from coding.events import Event, record
from research.accounts import User

# category -> action prefixes (a prefix ending in "." takes the whole family)
CATEGORIES: dict[str, tuple[str, ...]] = {
    "access": ("member.",),
    "exports": ("export.",),
    "deletions": ("code.delete", "participant.erase", "source.erase", "project.delete"),
    "settings": ("project.update", "project.phases", "source.pseudonymise"),
}
LABELS = {
    "member.add": "added a member", "member.role": "changed a member's role", "member.remove": "removed a member",
    "export.report": "exported a report", "export.file": "exported the project", "export.backup": "made a backup",
    "export.download": "downloaded a file",
    "code.delete": "deleted a code", "participant.erase": "erased a participant", "source.erase": "erased a source",
    "project.delete": "deleted the project", "project.update": "changed the project settings",
    "project.phases": "changed the phase model", "source.pseudonymise": "pseudonymised a source",
}


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    who: str
    action: str
    label: str
    detail: str


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    total: int


def record_download(session: Session, *, project_id: int, user_id: int, job_id: int, kind: str,
                    file_name: str) -> Event:
    """A file leaving the server (report, backup, export): who took which file."""
    return record(session, "export.download", user_id=user_id, project_id=project_id, object_type="job",
                  object_id=job_id, after={"kind": kind, "file": file_name})


def _matches(prefixes: tuple[str, ...]) -> ColumnElement[bool]:
    return or_(*(Event.action.startswith(p) if p.endswith(".") else Event.action == p for p in prefixes))


def audit_log(session: Session, project_id: int, *, category: str | None = None, offset: int = 0,
              limit: int = 100) -> AuditPage:
    """The project's security events, newest first; ``category`` is a key of CATEGORIES."""
    prefixes = CATEGORIES[category] if category else tuple(p for ps in CATEGORIES.values() for p in ps)
    where = (Event.project_id == project_id, _matches(prefixes))
    total = session.scalar(select(func.count(Event.id)).where(*where)) or 0
    events = list(session.scalars(select(Event).where(*where).order_by(Event.id.desc())
                                  .offset(max(offset, 0)).limit(max(limit, 1))))
    user_ids = {e.user_id for e in events if e.user_id} | {e.object_id for e in events
                                                           if e.object_type == "user" and e.object_id}
    people = {u.id: u.display_name or u.email for u in session.scalars(select(User).where(User.id.in_(user_ids)))}
    return AuditPage([_entry(e, people) for e in events], total)


def _entry(event: Event, people: dict[int, str]) -> AuditEntry:
    who = people.get(event.user_id, "a deleted account") if event.user_id else "the system"
    return AuditEntry(event.id, event.at, who, event.action, LABELS.get(event.action, event.action),
                      _detail(event, people))


def _detail(event: Event, people: dict[int, str]) -> str:
    before: dict[str, Any] = event.before or {}
    after: dict[str, Any] = event.after or {}
    member = people.get(event.object_id or 0, f"account #{event.object_id}")
    match event.action:
        case "member.add":
            return f"{member} as {after.get('role', '?')}"
        case "member.role":
            return f"{member}: {before.get('role') or '?'} → {after.get('role', '?')}"
        case "member.remove":
            return member
        case "export.report":
            return f"{str(after.get('format', '')).upper()} report"
        case "export.file":
            return " ".join(str(v) for v in (after.get("format", ""), after.get("table", "")) if v).upper()
        case "export.download":
            return str(after.get("file", ""))
        case "code.delete":
            return f"{before.get('name', f'code #{event.object_id}')} ({before.get('codings', 0)} codings)"
        case "participant.erase":
            return (f"participant #{event.object_id}: {after.get('sources_deleted', 0)} source(s) deleted, "
                    f"{after.get('segments_cut', 0)} passage(s) cut")
        case "source.erase":
            return (f"source #{event.object_id}: {after.get('codings', 0)} coding(s), {after.get('memos', 0)} memo(s), "
                    f"{after.get('exports_dropped', 0)} cached export(s) dropped")
        case "project.update":
            return str(after.get("name", ""))
    return ""
