"""Hostile or broken REFI-QDA files are refused with a clear message and change nothing."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest

from exports.refi.importer import import_file
from research.db import transaction
from research.errors import IngestError, InvalidInput
from tests.exports.conftest import qdpx_bytes, row_counts

PROJECT = b'<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x"/>'
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol3;"/>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="0e1d2c3b-4a59-6877-8695-a4b3c2d1e0f9"
 name="&secret;" isCodable="true"/></Codes></CodeBook>"""


def archive(entries: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as handle:
        for name, content in entries.items():
            handle.writestr(zipfile.ZipInfo(name), content, compress_type=zipfile.ZIP_DEFLATED)
        if symlink is not None:
            info = zipfile.ZipInfo(symlink)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            handle.writestr(info, "/etc/passwd")
    return buffer.getvalue()


HOSTILE = {
    "zip bomb": (archive({"project.qde": PROJECT, "sources/a.txt": b"\0" * (8 * 1024 * 1024)}), "zip bomb"),
    "parent path": (archive({"project.qde": PROJECT, "sources/../../evil.txt": b"x"}), "leaves the archive"),
    "absolute path": (archive({"project.qde": PROJECT, "/etc/evil.txt": b"x"}), "absolute path"),
    "symlink": (archive({"project.qde": PROJECT}, symlink="sources/link.txt"), "symbolic link"),
    "billion laughs": (archive({"project.qde": LAUGHS}), "refused for safety"),
    "billion laughs codebook": (LAUGHS, "refused for safety"),
    "external entity": (EXTERNAL, "refused for safety"),
    "no project inside": (archive({"notes.txt": b"x"}), "exactly one project"),
    "two projects inside": (archive({"a.qde": PROJECT, "b.qde": PROJECT}), "exactly one project"),
    "broken xml": (archive({"project.qde": b"<Project"}), "not well-formed"),
    "damaged zip": (b"PK\x03\x04 broken", "damaged"),
    "not refi at all": (b"<html><body>hej</body></html>", "not a REFI-QDA file"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_or_broken_file_is_refused_and_the_project_is_unchanged(session, demo, case):
    owner, project_id = demo
    data, message = HOSTILE[case]
    before = row_counts(session)
    with pytest.raises(IngestError, match=message):
        with transaction(session):
            import_file(session, f"{case}.qdpx", data, owner_id=owner.id, into_project_id=project_id)
    assert row_counts(session) == before


def test_a_file_that_fails_half_way_leaves_nothing_half_saved(session, demo):
    owner, project_id = demo
    data = qdpx_bytes(session, project_id)
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    # Break the last source's stored answer segments so it fails after codes and participants were created.
    qde = entries["project.qde"].decode()
    cut = qde.rfind('"segments":[[')
    assert cut > 0
    entries["project.qde"] = (qde[:cut] + '"segments":[["answer",0,999999999,null,null,null,null],[' +
                              qde[cut + len('"segments":[['):]).encode()
    before = row_counts(session)
    with pytest.raises(InvalidInput, match="outside the text"):
        with transaction(session):
            import_file(session, "broken.qdpx", archive(entries), owner_id=owner.id)
    assert row_counts(session) == before
