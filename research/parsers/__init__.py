"""Parsers that turn an uploaded document into normalised text and segments."""

from research.parsers.dispatch import SUPPORTED_EXTENSIONS, parse_file
from research.parsers.document import ParsedDocument
from research.parsers.pdf import PdfLimits

__all__ = ["SUPPORTED_EXTENSIONS", "ParsedDocument", "PdfLimits", "parse_file"]
