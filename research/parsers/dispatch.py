"""Choosing the parser for an upload by its extension, checked against its content."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import PurePath

from research.errors import IngestError
from research.parsers.document import ParsedDocument
from research.parsers.docx import parse_docx
from research.parsers.html import parse_html
from research.parsers.odt import parse_odt
from research.parsers.pdf import DEFAULT_LIMITS, PdfLimits, parse_pdf
from research.parsers.plain import parse_plain
from research.parsers.rtf import parse_rtf
from research.parsers.sniffing import sniff
from research.parsers.subtitles import parse_srt, parse_vtt


@dataclass(frozen=True)
class _Format:
    label: str  # what the extension promises, for messages
    content: str  # the sniffed kind the content must have
    parse: Callable[[bytes], ParsedDocument]


_FORMATS = {
    ".txt": _Format("a text file", "text", parse_plain),
    ".text": _Format("a text file", "text", parse_plain),
    ".md": _Format("a Markdown file", "text", partial(parse_plain, media_type="text/markdown")),
    ".markdown": _Format("a Markdown file", "text", partial(parse_plain, media_type="text/markdown")),
    ".html": _Format("an HTML page", "text", parse_html),
    ".htm": _Format("an HTML page", "text", parse_html),
    ".vtt": _Format("a WebVTT caption file", "text", parse_vtt),
    ".srt": _Format("a SubRip caption file", "text", parse_srt),
    ".docx": _Format("a Word document (.docx)", "docx", parse_docx),
    ".odt": _Format("an OpenDocument text (.odt)", "odt", parse_odt),
    ".rtf": _Format("an RTF document", "rtf", parse_rtf),
}

SUPPORTED_EXTENSIONS = (*_FORMATS, ".pdf")
_TABLE_EXTENSIONS = frozenset({".csv", ".tsv", ".xlsx", ".xls", ".ods"})


def parse_file(filename: str, data: bytes, *, pdf_limits: PdfLimits = DEFAULT_LIMITS) -> ParsedDocument:
    """Parse an uploaded document; every failure is an :class:`IngestError` naming the file."""
    try:
        return _parse(filename, data, pdf_limits)
    except IngestError as error:
        raise IngestError(f"{filename}: {error}") from error


def _parse(filename: str, data: bytes, pdf_limits: PdfLimits) -> ParsedDocument:
    extension = PurePath(filename).suffix.lower()
    if not data:
        raise IngestError("The file is empty.")
    found = sniff(data)
    if extension == ".pdf":
        if found.kind != "pdf":
            raise IngestError(_mismatch("a PDF document", found.description))
        return parse_pdf(data, pdf_limits)
    expected = _FORMATS.get(extension)
    if extension in _TABLE_EXTENSIONS:
        raise IngestError(
            "Spreadsheets are not documents; import this file as a survey or as a participant list instead."
        )
    if expected is None:
        supported = ", ".join(".txt .md .docx .odt .rtf .html .pdf .vtt .srt".split())
        raise IngestError(
            f"Files of type '{extension or 'without extension'}' cannot be imported as "
            f"documents; use one of {supported}."
        )
    if found.kind != expected.content:
        raise IngestError(_mismatch(expected.label, found.description))
    return expected.parse(data)


def _mismatch(promised: str, actual: str) -> str:
    return (
        f"The name says {promised}, but the content is {actual}. Rename the file to its "
        "real type or upload the intended file."
    )
