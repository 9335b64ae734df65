"""HTML pages to paragraphs with the standard library's parser.

Scripts, styles and the head are dropped; block elements end paragraphs; ``<br>`` breaks
a line; table cells are separated by tabs; entities are decoded; whitespace collapses
as a browser would (except inside ``<pre>``).
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from research.parsers.document import ParsedDocument, from_paragraphs
from research.text import decode

MEDIA_TYPE = "text/html"

_DROPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "svg", "math"})
_BLOCKS = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
        "tr", "table", "thead", "tbody", "tfoot", "caption", "blockquote", "pre",
        "section", "article", "header", "footer", "main", "nav", "aside", "address",
        "figure", "figcaption", "hr", "form", "fieldset", "legend", "details", "summary",
        "body", "html",
    }
)  # fmt: skip
_CELLS = frozenset({"td", "th"})
_SPACE = re.compile(r"[ \t\n\r\f]+")
# Browsers read these labels as windows-1252 (WHATWG Encoding), and so do we.
_AS_CP1252 = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def parse_html(data: bytes) -> ParsedDocument:
    text, encoding, warnings = _decode_html(data)
    extractor = _TextExtractor()
    extractor.feed(text)
    extractor.close()
    document = from_paragraphs(extractor.paragraphs(), media_type=MEDIA_TYPE, encoding=encoding)
    document.warnings.extend(warnings)
    return document


def _decode_html(data: bytes) -> tuple[str, str, list[str]]:
    """Honour a ``<meta charset>`` that decodes cleanly, else detect like plain text."""
    declared = _META_CHARSET.search(data[:4096])
    if declared is not None:
        name = declared.group(1).decode("ascii").lower()
        name = "cp1252" if name in _AS_CP1252 else name
        try:
            name = codecs.lookup(name).name
            decoded = data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
        else:
            # A BOM outranks the declaration, and a declared UTF-16 in an ASCII-readable
            # header is always wrong; leave both to detection.
            if not decoded.startswith("\ufeff") and not name.startswith("utf-16"):
                return decoded, name, []
    detected = decode(data)
    return detected.text, detected.encoding, [detected.warning] if detected.warning else []


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._dropped_depth = 0
        self._pre_depth = 0
        self._blocks: list[str] = []
        self._current: list[str] = []

    def paragraphs(self) -> list[str]:
        self._end_block()
        return self._blocks

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._dropped_depth = 0  # an unclosed <head> ends where the body starts
        if tag in _DROPPED:
            self._dropped_depth += 1
            return
        if self._dropped_depth:
            return
        if tag == "br":
            self._current.append("\n")
        elif tag in _CELLS:
            self._current.append("\t")
        elif tag in _BLOCKS:
            self._end_block()
            if tag == "pre":
                self._pre_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _DROPPED:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self._dropped_depth = max(self._dropped_depth - 1, 0)
            return
        if self._dropped_depth:
            return
        if tag in _BLOCKS:
            self._end_block()
            if tag == "pre":
                self._pre_depth = max(self._pre_depth - 1, 0)

    def handle_data(self, data: str) -> None:
        if self._dropped_depth:
            return
        self._current.append(data if self._pre_depth else _SPACE.sub(" ", data))

    def _end_block(self) -> None:
        raw = "".join(self._current)
        self._current = []
        if self._pre_depth:
            block = raw.strip("\n")
        else:
            block = "\n".join(line.strip(" ") for line in raw.split("\n"))
            block = "\t".join(cell.strip(" ") for cell in block.split("\t")).strip()
        if block.strip():
            self._blocks.append(block)
