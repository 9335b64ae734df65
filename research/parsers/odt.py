"""OpenDocument text (.odt): paragraphs, headings, list items and table rows.

``content.xml`` is read with defusedxml. Annotations (comments) and notes are not part
of the text.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

from research.archives import open_safe_zip
from research.parsers.document import ParsedDocument, from_paragraphs
from research.parsers.xml import read_xml_part

MEDIA_TYPE = "application/vnd.oasis.opendocument.text"

_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"

_PARAGRAPHS = {f"{_TEXT}p", f"{_TEXT}h"}
_CONTAINERS = {
    f"{_TEXT}list", f"{_TEXT}list-item", f"{_TEXT}list-header", f"{_TEXT}section",
    f"{_TEXT}index-body", f"{_TABLE}table-header-rows", f"{_TABLE}table-rows",
    f"{_TABLE}table-row-group",
}  # fmt: skip
_SKIPPED = {f"{_OFFICE}annotation", f"{_OFFICE}annotation-end", f"{_TEXT}note"}


def parse_odt(data: bytes) -> ParsedDocument:
    with open_safe_zip(data) as archive:
        root = read_xml_part(archive, "content.xml", "OpenDocument text")
    body = root.find(f"{_OFFICE}body/{_OFFICE}text")
    paragraphs = list(_blocks(body)) if body is not None else []
    return from_paragraphs(paragraphs, media_type=MEDIA_TYPE)


def _blocks(container: Element) -> Iterator[str]:
    for child in container:
        if child.tag in _PARAGRAPHS:
            yield _inline_text(child)
        elif child.tag == f"{_TABLE}table":
            yield from _table_rows(child)
        elif child.tag in _CONTAINERS:
            yield from _blocks(child)


def _table_rows(table: Element) -> Iterator[str]:
    """One paragraph per row, cells separated by tabs."""
    for row in _rows(table):
        cells = []
        for cell in row:
            if cell.tag == f"{_TABLE}table-cell":
                cells.append(" ".join(text for p in _blocks(cell) if (text := p.strip())))
        yield "\t".join(cells)


def _rows(container: Element) -> Iterator[Element]:
    for child in container:
        if child.tag == f"{_TABLE}table-row":
            yield child
        elif child.tag in _CONTAINERS:
            yield from _rows(child)


def _inline_text(element: Element) -> str:
    parts: list[str] = []
    _collect(element, parts)
    return "".join(parts)


def _collect(element: Element, parts: list[str]) -> None:
    parts.append(element.text or "")
    for child in element:
        tag = child.tag
        if tag == f"{_TEXT}s":
            parts.append(" " * _space_count(child.get(f"{_TEXT}c")))
        elif tag == f"{_TEXT}tab":
            parts.append("\t")
        elif tag == f"{_TEXT}line-break":
            parts.append("\n")
        elif tag not in _SKIPPED:
            _collect(child, parts)
        parts.append(child.tail or "")


def _space_count(value: str | None) -> int:
    """``text:c`` of ``<text:s>``; bounded so a hostile file cannot demand a huge string."""
    if value is None or not value.isdigit():
        return 1
    return min(int(value), 100)
