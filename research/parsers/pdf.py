"""PDF text layers, extracted in a child process with a time and a memory limit.

A hostile PDF can make a parser loop or allocate without bound; the child (see
``pdf_worker.py``) caps its own address space and CPU time, and the parent kills it
when the wall-clock limit passes. No PDF library is imported in the calling process.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from research.errors import IngestError
from research.parsers.document import ParsedDocument, from_paragraphs

MEDIA_TYPE = "application/pdf"
_WORKER = Path(__file__).with_name("pdf_worker.py")


@dataclass(frozen=True)
class PdfLimits:
    seconds: float = 30.0
    memory_bytes: int = 1024 * 1024 * 1024


DEFAULT_LIMITS = PdfLimits()

_MESSAGES = {
    "encrypted": "The PDF is password-protected; remove the password and upload it again.",
    "corrupt": "The PDF is damaged and its text cannot be read; save or print it to a new PDF and upload that copy.",
    "time": "Reading the PDF used more processor time than is allowed and was stopped; "
    "the file may be damaged or built to stall readers.",
    "memory": "The PDF needs more memory to read than is allowed; it was not imported.",
}


def parse_pdf(data: bytes, limits: PdfLimits = DEFAULT_LIMITS) -> ParsedDocument:
    pages = extract_pages(data, limits)
    if not any(page.strip() for page in pages):
        raise IngestError(
            "The PDF has no text layer (it is probably scanned pages); run text "
            "recognition (OCR) on it first, or upload the original document."
        )
    return from_paragraphs(pages, media_type=MEDIA_TYPE)


def extract_pages(data: bytes, limits: PdfLimits = DEFAULT_LIMITS) -> list[str]:
    """Return the text of each page, read by the worker process under ``limits``."""
    command = [
        sys.executable, "-I", str(_WORKER), str(limits.memory_bytes),
        str(max(int(limits.seconds) + 1, 1)),
    ]  # fmt: skip
    try:
        finished = subprocess.run(command, input=data, capture_output=True, timeout=limits.seconds, check=False)
    except subprocess.TimeoutExpired as error:
        raise IngestError(
            f"Reading the PDF took longer than {limits.seconds:g} seconds and was stopped; "
            "the file may be damaged or built to stall readers."
        ) from error
    try:
        result = json.loads(finished.stdout)
    except ValueError:
        result = {"error": _failure_kind(finished)}
    if "error" in result:
        raise IngestError(_MESSAGES.get(result["error"], _MESSAGES["corrupt"]))
    return [str(page) for page in result["pages"]]


def _failure_kind(finished: subprocess.CompletedProcess[bytes]) -> str:
    """Name why the worker ended without an answer (killed by a limit or crashed)."""
    if finished.returncode == -signal.SIGXCPU:
        return "time"
    if b"MemoryError" in finished.stderr:
        return "memory"
    return "corrupt"
