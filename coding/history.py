"""The project history: audit events told in words a researcher reads.

Each event becomes an :class:`Entry`: who, when, a one-line summary ("Anna coded
“…the bank…” in Interview 01 with Bank") and the fields that changed, with ids
replaced by names (a code or source deleted since is named by its id). One page of
events costs four queries: the page, the count, and the names of the codes, sources
and people it mentions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coding.audit import LABELS as AUDIT_LABELS
from coding.codebook import Code
from coding.events import Event
from research.accounts import User
from research.sources import Source

EXCERPT = 60
FIELD_LABELS = {
    "code_id": "Code", "source_id": "Source", "start": "Start", "end": "End", "name": "Name", "kind": "Kind",
    "parent_id": "Inside", "colour": "Colour", "description": "Definition", "when_to_use": "When to use",
    "when_not": "When not to use", "examples": "Examples", "aliases": "Aliases", "target_type": "On",
    "target_id": "Target", "text": "Text", "memos": "Memos",
}
HIDDEN_FIELDS = {"guid", "version", "coder_id", "origin", "merged_into", "code_deleted", "state", "undid",
                 "target_type", "target_id", "author_id",
                 "coding_id", "merged", "merged_id", "split_into", "split_from", "created_at"}


# Every event, said in plain words (the history's summary adds the details where it can).
ACTION_LABELS: dict[str, str] = {
    **AUDIT_LABELS,
    "coding.add": "coded a passage", "coding.change": "changed a coding", "coding.remove": "removed a coding",
    "coding.undo": "undid a change", "code.create": "created a code", "code.change": "edited a code",
    "code.move": "moved a code", "code.merge": "merged codes", "code.split": "split a code",
    "codebook.template": "started the codebook from a template",
    "memo.add": "wrote a memo", "memo.change": "edited a memo", "memo.remove": "deleted a memo",
    "participant.update": "edited a participant", "participants.import": "imported participants",
    "project.create": "created the project", "project.import": "imported the project",
    "project.embedding_model": "chose the suggestion model", "source.import": "imported a source",
    "source.speakers": "named the speakers of a source", "survey.import": "imported a survey",
    "suggestion.accept": "accepted a suggestion", "suggestion.reject": "rejected a suggestion",
    "password.change": "changed their password", "sessions.revoke": "signed out their other sessions",
    "token.create": "created an API token", "token.revoke": "revoked an API token",
    "user.register": "registered", "login": "logged in", "logout": "logged out", "login.failed": "failed to log in",
}
QUOTE_MARKS = "\"'“”„‟«»‹›‘’‚‛「」"


def action_label(action: str) -> str:
    """An event's action in plain words ("member.add" -> "added a member")."""
    return ACTION_LABELS.get(action) or action.replace(".", " ").replace("_", " ")


def plural(count: Any, one: str, many: str | None = None) -> str:
    """ "1 coding", "2 codings"."""
    number = _int(count) if not isinstance(count, int) else count
    return f"{number} {one if number == 1 else (many or one + 's')}"


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    who: str
    action: str
    summary: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class HistoryPage:
    entries: list[Entry]
    total: int
    offset: int
    limit: int


@dataclass
class Names:
    codes: Mapping[int, str]
    sources: Mapping[int, str]
    texts: Mapping[int, str]  # source id -> text, only for sources whose spans are quoted

    def code(self, value: Any) -> str:
        return self.codes.get(_int(value), f"deleted code #{value}") if value is not None else "—"

    def source(self, value: Any) -> str:
        return self.sources.get(_int(value), f"deleted source #{value}") if value is not None else "—"

    def excerpt(self, state: Mapping[str, Any] | None) -> str:
        if not state or "source_id" not in state:
            return ""
        text = self.texts.get(_int(state["source_id"]))
        if text is None:
            return ""
        quoted = " ".join(text[_int(state.get("start")):_int(state.get("end"))].split())
        # Quoted words that bring their own quotation marks keep only ours: “The others…”, not “"The others…"”.
        quoted = quoted.strip(QUOTE_MARKS + " ")
        return "“" + (quoted if len(quoted) <= EXCERPT else quoted[:EXCERPT - 1].rstrip() + "…") + "”"


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def history_people(session: Session, project_id: int) -> list[tuple[int, str]]:
    """Everyone with an event in the project's history, as (user id, name), by name."""
    ids = set(session.scalars(select(Event.user_id).where(Event.project_id == project_id,
                                                          Event.user_id.is_not(None)).distinct()))
    people = [(u.id, u.display_name or u.email) for u in session.scalars(select(User).where(User.id.in_(ids)))]
    return sorted(people, key=lambda p: p[1].lower())


def history_page(session: Session, project_id: int, *, offset: int = 0, limit: int = 50,
                 action_prefix: str | None = None, user_id: int | None = None, since: date | None = None,
                 until: date | None = None) -> HistoryPage:
    """One page of the project's events, newest first: of one kind (``action_prefix``), by one
    person, and from ``since`` up to and including ``until`` (days in UTC), when given."""
    where = [Event.project_id == project_id]
    if action_prefix:
        where.append(Event.action.startswith(action_prefix))
    if user_id is not None:
        where.append(Event.user_id == user_id)
    if since is not None:
        where.append(Event.at >= datetime.combine(since, time.min, tzinfo=UTC))
    if until is not None:
        where.append(Event.at < datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC))
    total = session.scalar(select(func.count(Event.id)).where(*where)) or 0
    events = list(session.scalars(select(Event).where(*where).order_by(Event.id.desc())
                                  .offset(max(offset, 0)).limit(max(limit, 1))))
    users = {e.user_id for e in events if e.user_id is not None}
    people = {u.id: u.display_name or u.email for u in session.scalars(select(User).where(User.id.in_(users)))}
    codes = dict(session.execute(select(Code.id, Code.name).where(Code.project_id == project_id)).all())
    quoted = {_int(s["source_id"]) for e in events for s in (e.before, e.after) if s and "source_id" in s}
    quoted |= {_int(s.get("target_id")) for e in events for s in (e.after,) if s and s.get("target_type") == "source"}
    sources: dict[int, str] = {}
    texts: dict[int, str] = {}
    for source_id, name, text in session.execute(
        select(Source.id, Source.name, Source.text).where(Source.project_id == project_id, Source.id.in_(quoted))
    ):
        sources[source_id], texts[source_id] = name, text
    names = Names(codes, sources, texts)  # type: ignore[arg-type]
    return HistoryPage([describe(e, people.get(e.user_id, "Someone") if e.user_id else "The system", names)
                        for e in events], total, offset, limit)


def describe(event: Event, who: str, names: Names) -> Entry:
    before, after = event.before or {}, event.after or {}
    action = event.action
    if action == "coding.add":
        summary = f"coded {names.excerpt(after)} in {names.source(after.get('source_id'))} " \
                  f"with {names.code(after.get('code_id'))}"
    elif action == "coding.change":
        summary = f"changed a coding in {names.source(after.get('source_id'))}: now {names.excerpt(after)} " \
                  f"with {names.code(after.get('code_id'))}"
        if after.get("merged_into"):
            summary += " (codes merged)"
        elif after.get("split_into"):
            summary += " (code split)"
    elif action == "coding.remove":
        summary = f"removed the coding {names.code(before.get('code_id'))} of {names.excerpt(before)} " \
                  f"in {names.source(before.get('source_id'))}"
        if before.get("code_deleted"):
            summary += " (its code was deleted)"
        elif before.get("merged_into"):
            summary += " (a duplicate after a merge)"
    elif action == "coding.undo":
        summary = f"undid their last change ({action_label(str(after.get('undid', '')))})"
    elif action == "code.create":
        summary = f"created the code {after.get('name') or names.code(event.object_id)}"
    elif action == "code.change":
        summary = f"edited the code {after.get('name') or names.code(event.object_id)}"
    elif action == "code.move":
        summary = f"moved the code {names.code(event.object_id)} into " + (
            names.code(after.get("parent_id")) if after.get("parent_id") else "the top level")
    elif action == "code.merge":
        merged = (before.get("merged") or {}).get("name", "a code")
        summary = f"merged {merged} into {names.code(event.object_id)} " \
                  f"({plural(after.get('codings_moved', 0), 'coding')} moved)"
    elif action == "code.split":
        summary = f"split {plural(after.get('codings_moved', 0), 'coding')} off {names.code(event.object_id)} " \
                  f"into the new code {after.get('new_name', '')}"
    elif action == "code.delete":
        summary = f"deleted the code {before.get('name', '')} with {plural(before.get('codings', 0), 'coding')}"
    elif action in ("memo.add", "memo.change", "memo.remove"):
        verb = {"memo.add": "wrote", "memo.change": "edited", "memo.remove": "deleted"}[action]
        state = before if action == "memo.remove" else after
        target = state.get("target_type", "")
        target_id = state.get("target_id")
        on = {"project": "the project", "source": f"the source {names.source(target_id)}",
              "code": f"the code {names.code(target_id)}", "coding": "a coding"}.get(target, target)
        summary = f"{verb} a memo on {on}"
    else:
        summary = action_label(action)
    changes = [] if action in ("coding.add", "memo.add", "code.create", "coding.undo") else _changes(before, after,
                                                                                                   names)
    return Entry(event.id, event.at, who, action, summary, changes)


def _changes(before: Mapping[str, Any], after: Mapping[str, Any], names: Names) -> list[Change]:
    found = []
    for key in [*before, *(k for k in after if k not in before)]:
        if key in HIDDEN_FIELDS or before.get(key) == after.get(key):
            continue
        found.append(Change(FIELD_LABELS.get(key, key.replace("_", " ").capitalize()),
                            _word(key, before.get(key), names), _word(key, after.get(key), names)))
    return found


def _word(key: str, value: Any, names: Names) -> str:
    if value is None or value == "":
        return "—"
    if key in ("code_id", "parent_id", "goal_id"):
        return names.code(value)
    if key == "source_id":
        return names.source(value)
    if key == "memos":  # a removed coding's memos, kept so an undo can restore them
        value = [memo.get("text", "") for memo in value]
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    text = str(value)
    return text if len(text) <= 120 else text[:119] + "…"
