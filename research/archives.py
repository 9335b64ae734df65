"""Opening zip-based uploads (docx, odt, xlsx) only after checking them.

The checks run on the central directory before any entry is decompressed. Reads from
``zipfile`` never return more than an entry's declared size, so bounding the declared
sizes bounds the work done when the parsers later read the entries.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile

from research.errors import IngestError

MAX_ENTRIES = 2_000
MAX_TOTAL = 256 * 1024 * 1024
MAX_RATIO = 100
# Small entries may compress extremely well (a run of spaces) without doing harm.
RATIO_FLOOR = 1024 * 1024

_DRIVE = re.compile(r"^[A-Za-z]:")


def open_safe_zip(
    data: bytes,
    *,
    max_entries: int = MAX_ENTRIES,
    max_total: int = MAX_TOTAL,
    max_ratio: int = MAX_RATIO,
) -> zipfile.ZipFile:
    """Return a ``ZipFile`` over ``data`` after rejecting bombs and path tricks.

    Rejected: more than ``max_entries`` entries, more than ``max_total`` bytes declared
    uncompressed in all, an entry over 1 MiB that expands more than ``max_ratio`` times,
    absolute paths, ``..`` components, symbolic links and encrypted entries.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise IngestError(
            "The file is damaged: its zip container cannot be read. Open it in its "
            "program, save it again and upload the new copy."
        ) from error
    try:
        _check(archive.infolist(), max_entries, max_total, max_ratio)
    except IngestError:
        archive.close()
        raise
    return archive


def _check(entries: list[zipfile.ZipInfo], max_entries: int, max_total: int, max_ratio: int) -> None:
    if len(entries) > max_entries:
        raise IngestError(
            f"The document holds {len(entries):,} files inside (at most {max_entries:,} "
            "are accepted); this looks like a zip bomb and was not opened."
        )
    total = 0
    for entry in entries:
        _check_name(entry)
        if entry.flag_bits & 0x1:
            raise IngestError("The document is password-protected; remove the password and upload it again.")
        total += entry.file_size
        if total > max_total:
            raise IngestError(
                f"The document would unpack to more than {max_total // (1024 * 1024):,} MB; "
                "this looks like a zip bomb and was not opened."
            )
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_FLOOR and ratio > max_ratio:
            raise IngestError(
                f"The part '{entry.filename}' would expand {ratio:,.0f} times (at most "
                f"{max_ratio} is accepted); this looks like a zip bomb and was not opened."
            )


def _check_name(entry: zipfile.ZipInfo) -> None:
    name = entry.filename
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        raise IngestError(f"The document contains a part with an absolute path ('{name}'); it was not opened.")
    if ".." in re.split(r"[\\/]", name):
        raise IngestError(f"The document contains a part whose path leaves the archive ('{name}'); it was not opened.")
    unix_mode = entry.external_attr >> 16
    if stat.S_ISLNK(unix_mode):
        raise IngestError(f"The document contains a symbolic link ('{name}'); it was not opened.")
