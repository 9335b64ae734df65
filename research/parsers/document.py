"""The result every parser produces."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from research.errors import IngestError
from research.segmenting import Span, segment
from research.text import normalise


@dataclass
class ParsedDocument:
    """Normalised text with its segments, ready to be stored as a source."""

    text: str
    media_type: str
    encoding: str | None
    warnings: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)


def from_text(text: str, *, media_type: str, encoding: str | None, warnings: Iterable[str] = ()) -> ParsedDocument:
    """Normalise ``text`` and segment it; raise if nothing readable is left."""
    text = normalise(text)
    if not text.strip():
        raise IngestError("The file contains no text.")
    return ParsedDocument(text, media_type, encoding, list(warnings), segment(text))


def from_paragraphs(paragraphs: Iterable[str], *, media_type: str, encoding: str | None = None) -> ParsedDocument:
    """Join block-level paragraphs with blank lines (empty ones dropped) and segment."""
    kept = [paragraph.strip() for paragraph in paragraphs]
    return from_text(
        "\n\n".join(paragraph for paragraph in kept if paragraph),
        media_type=media_type,
        encoding=encoding,
    )
