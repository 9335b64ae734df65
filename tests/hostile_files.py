"""Hostile files for the ingestion tests: zips with chosen entries (and symlinks), minimal docx."""

import io
import stat
import zipfile


def zip_of(entries: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
        if symlink is not None:
            info = zipfile.ZipInfo(symlink)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def docx_with(extra: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    """A docx holding the one paragraph "Hej", plus ``extra`` entries."""
    entries = {
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'>"
                             b"<w:body><w:p><w:r><w:t>Hej</w:t></w:r></w:p></w:body></w:document>",
    }
    return zip_of(entries | extra, symlink=symlink)
