"""The plain structure between REFI-QDA files and the database, and what is shared by
the writer and the reader: namespaces, GUID helpers and the Kundstig marker line.

A REFI ``Description`` is free text for other programs. Kundstig appends one last line,
``kundstig: {json}``, holding the fields REFI has no place for (a code's kind and
definition, a source's kind and answer segments, a project's phases), so its own
export comes back unchanged while other programs still show readable text.

Offsets: REFI counts Unicode code points from 0. The spec calls ``endPosition`` the
"last character", but the programs that write files (QualCoder, Taguette, most exports
seen in practice) use it end-exclusive, as Kundstig does (``text[start:end]``); both
the writer and the reader use it end-exclusive.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
SCHEMA_DIR = Path(__file__).parent / "schema"
ORIGIN = "Kundstig 0.1"
MARKER = "kundstig: "

_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")


def canonical_guid(value: str | None) -> str | None:
    """``value`` as a lower-case GUID without braces, or None if it is not a GUID."""
    match = _GUID.match((value or "").strip())
    return match.group(1).lower() if match else None


def derived_guid(namespace: str, *parts: object) -> str:
    """A GUID that is the same on every export: uuid5 of the project's GUID and a name."""
    return str(uuid.uuid5(uuid.UUID(namespace), ":".join(str(p) for p in parts)))


def with_marker(text: str, data: dict[str, Any]) -> str:
    """``text`` followed by the marker line holding ``data``."""
    line = MARKER + json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"{text.rstrip()}\n\n{line}" if text.strip() else line


def split_marker(text: str | None) -> tuple[str, dict[str, Any] | None]:
    """The readable text and the marker's data (None when there is no valid marker)."""
    text = text or ""
    head, _, last = text.rstrip().rpartition("\n")
    if not last.startswith(MARKER):
        return text.strip(), None
    try:
        data = json.loads(last[len(MARKER):])
    except ValueError:
        return text.strip(), None
    return (head.strip(), data) if isinstance(data, dict) else (text.strip(), None)


@dataclass
class RefiUser:
    guid: str
    name: str
    ident: str = ""


@dataclass
class RefiCode:
    guid: str
    name: str
    codable: bool = True
    color: str | None = None
    description: str = ""
    data: dict[str, Any] | None = None  # Kundstig fields from the marker line
    note_guids: list[str] = field(default_factory=list)
    children: list[RefiCode] = field(default_factory=list)

    def walk(self) -> list[RefiCode]:
        return [self, *(c for child in self.children for c in child.walk())]


@dataclass
class RefiVariable:
    guid: str
    name: str
    type: str  # Text, Boolean, Integer, Float, Date, DateTime
    data: dict[str, Any] | None = None


@dataclass
class RefiCase:
    guid: str
    name: str
    description: str = ""
    values: dict[str, str] = field(default_factory=dict)  # variable GUID -> value as text
    source_guids: list[str] = field(default_factory=list)


@dataclass
class RefiCoding:
    guid: str
    code_guid: str
    user_guid: str | None = None
    note_guids: list[str] = field(default_factory=list)


@dataclass
class RefiSelection:
    guid: str
    start: int
    end: int
    codings: list[RefiCoding] = field(default_factory=list)
    description: str = ""
    note_guids: list[str] = field(default_factory=list)


@dataclass
class RefiSource:
    guid: str
    name: str
    text: str
    description: str = ""
    data: dict[str, Any] | None = None
    selections: list[RefiSelection] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)  # source-level variables
    original_name: str = ""


@dataclass
class RefiNote:
    guid: str
    name: str
    text: str
    user_guid: str | None = None


@dataclass
class RefiProject:
    """What a .qdpx, .qde or .qdc held, with every GUID canonical and every text normalised."""

    name: str
    origin: str = ""
    description: str = ""
    data: dict[str, Any] | None = None
    users: list[RefiUser] = field(default_factory=list)
    codes: list[RefiCode] = field(default_factory=list)  # roots
    variables: list[RefiVariable] = field(default_factory=list)
    cases: list[RefiCase] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    project_note_guids: list[str] = field(default_factory=list)
    codebook_only: bool = False

    def all_codes(self) -> list[RefiCode]:
        return [c for root in self.codes for c in root.walk()]


@dataclass
class LossItem:
    what: str
    count: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class DataLossReport:
    """What could not be carried over (``lost``) and what was changed to fit (``adjusted``)."""

    lost: dict[str, LossItem] = field(default_factory=dict)
    adjusted: dict[str, LossItem] = field(default_factory=dict)

    def lose(self, what: str, example: str = "", count: int = 1) -> None:
        self._add(self.lost, what, example, count)

    def adjust(self, what: str, example: str = "", count: int = 1) -> None:
        self._add(self.adjusted, what, example, count)

    @staticmethod
    def _add(bucket: dict[str, LossItem], what: str, example: str, count: int) -> None:
        item = bucket.setdefault(what, LossItem(what))
        item.count += count
        if example and len(item.examples) < 5 and example not in item.examples:
            item.examples.append(example)

    @property
    def is_empty(self) -> bool:
        return not self.lost and not self.adjusted

    def lost_count(self, what: str) -> int:
        return self.lost[what].count if what in self.lost else 0

    def adjusted_count(self, what: str) -> int:
        return self.adjusted[what].count if what in self.adjusted else 0

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        def rows(bucket: dict[str, LossItem]) -> list[dict[str, Any]]:
            return [{"what": i.what, "count": i.count, "examples": i.examples} for i in bucket.values()]

        return {"lost": rows(self.lost), "adjusted": rows(self.adjusted)}

    def lines(self) -> list[str]:
        """One sentence per entry, for the command line and the web page."""
        out = [f"Not imported: {i.count} × {i.what}" + (f" (e.g. {', '.join(i.examples)})" if i.examples else "")
               for i in self.lost.values()]
        out += [f"Changed: {i.count} × {i.what}" + (f" (e.g. {', '.join(i.examples)})" if i.examples else "")
                for i in self.adjusted.values()]
        return out
