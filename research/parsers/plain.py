"""Plain text and Markdown: decoded, normalised and segmented as they are."""

from __future__ import annotations

from research.parsers.document import ParsedDocument, from_text
from research.text import decode


def parse_plain(data: bytes, media_type: str = "text/plain") -> ParsedDocument:
    decoded = decode(data)
    warnings = [decoded.warning] if decoded.warning else []
    return from_text(decoded.text, media_type=media_type, encoding=decoded.encoding, warnings=warnings)
