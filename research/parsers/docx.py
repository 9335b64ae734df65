"""Word (.docx) documents: body paragraphs and table rows, in document order.

The main part is read with defusedxml rather than python-docx so every XML parse in
ingestion goes through the same hardened parser. Headers, footers, comments and
footnotes are not part of the text.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

from research.archives import open_safe_zip
from research.parsers.document import ParsedDocument, from_paragraphs
from research.parsers.xml import read_xml_part

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Containers whose children are body-level content (content controls, custom XML).
_TRANSPARENT = {f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}smartTag"}


def parse_docx(data: bytes) -> ParsedDocument:
    with open_safe_zip(data) as archive:
        root = read_xml_part(archive, "word/document.xml", "Word document")
    body = root.find(f"{_W}body")
    paragraphs = list(_blocks(body)) if body is not None else []
    return from_paragraphs(paragraphs, media_type=MEDIA_TYPE)


def _blocks(container: Element) -> Iterator[str]:
    for child in container:
        if child.tag == f"{_W}p":
            yield _paragraph_text(child)
        elif child.tag == f"{_W}tbl":
            yield from _table_rows(child)
        elif child.tag in _TRANSPARENT:
            yield from _blocks(child)


def _table_rows(table: Element) -> Iterator[str]:
    """One paragraph per row, cells separated by tabs; nested tables join their cell."""
    for row in table.findall(f"{_W}tr"):
        cells = [
            " ".join(text for p in cell.iter(f"{_W}p") if (text := _paragraph_text(p).strip()))
            for cell in row.findall(f"{_W}tc")
        ]
        yield "\t".join(cells)


def _paragraph_text(paragraph: Element) -> str:
    parts: list[str] = []
    _collect(paragraph, parts)
    return "".join(parts)


def _collect(element: Element, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag == f"{_W}t":
            parts.append(child.text or "")
        elif tag == f"{_W}tab":
            parts.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            parts.append("-")
        elif tag == f"{_W}p":
            # a paragraph inside a text box within this paragraph
            parts.append("\n")
            _collect(child, parts)
        elif tag == f"{_MC}Fallback":
            continue  # repeats the content of the preceding mc:Choice
        else:
            _collect(child, parts)
