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
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coding.codebook import Code
from coding.events import Event
from research.accounts import User
from research.sources import Source

EXCERPT = 60
FIELD_LABELS = {
    "code_id": "Code", "source_id": "Source", "start": "Start", "end": "End", "name": "Name", "kind": "Kind",
    "parent_id": "Inside", "colour": "Colour", "description": "Definition", "when_to_use": "When to use",
    "when_not": "When not to use", "examples": "Examples", "aliases": "Aliases", "target_type": "On",
    "target_id": "Target", "text": "Text",
}
HIDDEN_FIELDS = {"guid", "version", "coder_id", "origin", "merged_into", "code_deleted", "state", "undid",
                 "target_type", "target_id",
                 "coding_id", "merged", "merged_id", "split_into", "split_from"}


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
        quoted = text[_int(state.get("start")):_int(state.get("end"))].replace("\n", " ")
        return "“" + (quoted if len(quoted) <= EXCERPT else quoted[:EXCERPT - 1] + "…") + "”"


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def history_page(session: Session, project_id: int, *, offset: int = 0, limit: int = 50,
                 action_prefix: str | None = None) -> HistoryPage:
    """One page of the project's events, newest first."""
    where = [Event.project_id == project_id]
    if action_prefix:
        where.append(Event.action.startswith(action_prefix))
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
        summary = f"undid their last change ({str(after.get('undid', '')).replace('coding.', '')} of a coding)"
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
                  f"({after.get('codings_moved', 0)} codings moved)"
    elif action == "code.split":
        summary = f"split {after.get('codings_moved', 0)} codings off {names.code(event.object_id)} " \
                  f"into the new code {after.get('new_name', '')}"
    elif action == "code.delete":
        summary = f"deleted the code {before.get('name', '')} with {before.get('codings', 0)} codings"
    elif action in ("memo.add", "memo.change"):
        verb = "wrote" if action == "memo.add" else "edited"
        target = after.get("target_type", "")
        target_id = after.get("target_id")
        on = {"project": "the project", "source": f"the source {names.source(target_id)}",
              "code": f"the code {names.code(target_id)}", "coding": "a coding"}.get(target, target)
        summary = f"{verb} a memo on {on}"
    else:
        summary = action.replace(".", " ").replace("_", " ")
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
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    text = str(value)
    return text if len(text) <= 120 else text[:119] + "…"
