"""A project backup restores as a complete, independent copy on either database."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from coding.codebook import Code
from coding.codings import Coding
from coding.demo.loader import _manifest, load_demo
from coding.memos import Memo
from exports.backup import backup_bytes
from exports.restore import restore_backup
from research.accounts import User
from research.db import transaction
from research.errors import InvalidInput
from research.participants import Participant, attributes_of
from research.projects import Project
from research.sources import Source
from tests.conftest import make_user


def _content(session, project_id: int) -> dict[str, object]:
    """Everything a researcher would check, keyed by stable things (names, guids), not ids."""
    codes = {c.id: c for c in session.scalars(select(Code).where(Code.project_id == project_id))}
    sources = {s.id: s for s in session.scalars(select(Source).where(Source.project_id == project_id))}
    return {
        "codes": sorted((c.name, c.kind.value, codes[c.parent_id].name if c.parent_id else None,
                         codes[c.goal_id].name if c.goal_id else None, c.ownership, c.valence, tuple(c.aliases))
                        for c in codes.values()),
        "sources": sorted((s.name, s.kind.value, s.text, s.sha256, len(s.segments),
                           tuple((g.start, g.end, g.speaker) for g in s.segments)) for s in sources.values()),
        "codings": sorted((sources[c.source_id].name, codes[c.code_id].name, c.start, c.end, c.origin.value)
                          for c in session.scalars(select(Coding).where(Coding.project_id == project_id))),
        "memos": sorted((m.target_type, m.text) for m in session.scalars(select(Memo).where(
            Memo.project_id == project_id))),
        "participants": sorted((p.name, tuple(sorted(attributes_of(p).items()))) for p in session.scalars(
            select(Participant).where(Participant.project_id == project_id))),
        "phases": [p.name for p in session.get(Project, project_id).phases],
    }


@pytest.fixture
def demo(session):
    owner = make_user(session, "demo-owner@example.org")
    with transaction(session):
        project = load_demo(session, owner=owner, manifest=_manifest())
    return project


def test_a_restored_backup_holds_the_same_project_as_the_original(session, demo):
    data, counts = backup_bytes(session, demo.id)
    assert counts["coding"] == 287 and counts["source_file"] == counts["source"]
    restorer = make_user(session, "restorer@example.org")
    with transaction(session):
        result = restore_backup(session, data, owner_id=restorer.id)
    assert result.project_id != demo.id
    assert _content(session, result.project_id) == _content(session, demo.id)
    originals = set(session.scalars(select(Code.guid).where(Code.project_id == demo.id)))
    copies = set(session.scalars(select(Code.guid).where(Code.project_id == result.project_id)))
    assert not originals & copies, "a copy beside the original gets GUIDs of its own"


def test_authors_keep_their_codings_and_unknown_authors_cannot_log_in(session, demo):
    data, _ = backup_bytes(session, demo.id)
    restorer = make_user(session, "restorer@example.org")
    with transaction(session):
        result = restore_backup(session, data, owner_id=restorer.id)
    assert result.created_users == []  # every author already has an account in this database
    coders = session.execute(select(User.email, func.count()).join(Coding, Coding.coder_id == User.id)
                             .where(Coding.project_id == result.project_id).group_by(User.email)).all()
    assert dict(coders) == {"demo-owner@example.org": 265, "demo2@kundstig.example": 22}


def test_a_broken_archive_is_refused_and_changes_nothing(session, demo):
    restorer = make_user(session, "restorer@example.org")
    before = session.scalar(select(func.count()).select_from(Project))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"format": "kundstig-backup", "version": 1}))
        archive.writestr("users.json", "[]")
    with pytest.raises(InvalidInput, match="incomplete"), transaction(session):
        restore_backup(session, buffer.getvalue(), owner_id=restorer.id)
    assert session.scalar(select(func.count()).select_from(Project)) == before
    with pytest.raises(InvalidInput, match="not a usable Kundstig backup"), transaction(session):
        restore_backup(session, b"not a zip", owner_id=restorer.id)
