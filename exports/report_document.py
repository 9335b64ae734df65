"""The report as a plain document: sections of blocks (paragraphs, facts, tables, quotes,
figures). ``exports.report`` fills it from a project; ``exports.report_writers`` turns it
into DOCX, HTML or Markdown, so every format says the same thing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from exports.report_pictures import Picture


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    note: bool = False  # an explanation in smaller, muted type


@dataclass(frozen=True, slots=True)
class Subheading:
    text: str


@dataclass(frozen=True, slots=True)
class Facts:
    """Label: value lines (a definition list)."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()  # columns aligned right
    compact: bool = False  # small type (wide tables)


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    attribution: str  # who said it, where, with which codes


@dataclass(frozen=True, slots=True)
class Figure:
    picture: Picture
    caption: str


Block = Paragraph | Subheading | Facts | Bullets | Table | Quote | Figure


@dataclass
class Section:
    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    landscape: bool = False  # wide content (the journey map) gets a landscape page in DOCX


@dataclass
class Report:
    title: str
    project_id: int
    generated_at: datetime
    filters: tuple[tuple[str, str], ...]  # (filter, chosen value) of the filters in use
    sections: list[Section] = field(default_factory=list)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def filter_text(self) -> str:
        return "; ".join(f"{name}: {value}" for name, value in self.filters) or "none (the whole project)"

    def quotes(self) -> list[Quote]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Quote)]

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]
