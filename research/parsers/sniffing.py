"""Recognising what an upload is from its first bytes, whatever its name says."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Sniffed:
    """What the content looks like: a short ``kind`` and a phrase for messages."""

    kind: str
    description: str


_MAGIC: tuple[tuple[bytes, Sniffed], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", Sniffed(
        "ole", "an old-format (.doc/.xls) or password-protected Office file")),
    (b"{\\rtf", Sniffed("rtf", "an RTF document")),
    (b"\x89PNG\r\n\x1a\n", Sniffed("image", "a PNG image")),
    (b"\xff\xd8\xff", Sniffed("image", "a JPEG image")),
    (b"GIF87a", Sniffed("image", "a GIF image")),
    (b"GIF89a", Sniffed("image", "a GIF image")),
    (b"\x1f\x8b", Sniffed("binary", "a gzip archive")),
    (b"7z\xbc\xaf\x27\x1c", Sniffed("binary", "a 7-Zip archive")),
    (b"Rar!", Sniffed("binary", "a RAR archive")),
    (b"ID3", Sniffed("binary", "an MP3 audio file")),
    (b"OggS", Sniffed("binary", "an Ogg audio file")),
    (b"fLaC", Sniffed("binary", "a FLAC audio file")),
    (b"\x7fELF", Sniffed("binary", "a program")),
    (b"MZ", Sniffed("binary", "a Windows program")),
)  # fmt: skip

_ZIP_MEDIA = {
    "application/vnd.oasis.opendocument.text": Sniffed("odt", "an OpenDocument text (.odt)"),
    "application/vnd.oasis.opendocument.spreadsheet": Sniffed("ods", "an OpenDocument spreadsheet (.ods)"),
}


def sniff(data: bytes) -> Sniffed:
    """Classify ``data`` as pdf, docx, odt, xlsx, zip, ole, rtf, image, binary or text."""
    head = data[:1024]
    if b"%PDF-" in head:
        return Sniffed("pdf", "a PDF document")
    for magic, sniffed in _MAGIC:
        if head.startswith(magic):
            return sniffed
    if head[4:8] == b"ftyp":
        return Sniffed("binary", "an audio or video file")
    if head[:4] == b"RIFF":
        return Sniffed("binary", "an audio or video file")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(data)
    return Sniffed("text", "a plain text file")


def _sniff_zip(data: bytes) -> Sniffed:
    """Tell the zip-based formats apart by their well-known parts (names only)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = b""
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                mimetype = archive.read("mimetype")
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, RuntimeError):
        return Sniffed("zip", "a damaged zip archive")
    media = mimetype.decode("ascii", "replace").strip()
    if media in _ZIP_MEDIA:
        return _ZIP_MEDIA[media]
    if "word/document.xml" in names:
        return Sniffed("docx", "a Word document (.docx)")
    if "xl/workbook.xml" in names:
        return Sniffed("xlsx", "an Excel workbook (.xlsx)")
    if "ppt/presentation.xml" in names:
        return Sniffed("pptx", "a PowerPoint presentation (.pptx)")
    return Sniffed("zip", "a zip archive")
