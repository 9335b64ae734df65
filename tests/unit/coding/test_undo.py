"""Undo on the document page: it stays in the document, says what it reverted, and a code
deleted since never blocks undoing what came before it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coding.codebook_changes import delete_code
from coding.codings import Coding, add_coding, apply_code, change_coding, remove_coding
from coding.memos import Memo, add_memo, memos_of
from coding.undo import undo_last
from research.db import transaction
from research.errors import Conflict
from research.segmenting import Span
from research.sources import SourceKind, add_source
from tests.unit.coding import test_codebook_changes
from tests.unit.coding.test_codebook_changes import TEXT, code

world = test_codebook_changes.world  # the fixture: a project, a source, two actor codes

OTHER = "Banken ringde tillbaka efter nio dagar."


def test_undo_in_one_source_leaves_the_codings_of_other_sources_alone(session, world):
    pid, uid = world["project"].id, world["owner"].id
    with transaction(session):
        other = add_source(session, project_id=pid, kind=SourceKind.INTERVIEW, name="Bo", text=OTHER,
                           spans=[Span("paragraph", 0, len(OTHER))], original=OTHER.encode())
    with transaction(session):
        elsewhere = add_coding(session, project_id=pid, source_id=other.id, code_id=world["agent"].id, start=0,
                               end=6, user_id=uid)
        here = code(session, world, "agent", "Mäklaren")
    with transaction(session):
        assert undo_last(session, project_id=pid, user_id=uid, source_id=world["source"].id).coding_id == here.id
    with pytest.raises(Conflict, match="nothing of yours left to undo in this source"), transaction(session):
        undo_last(session, project_id=pid, user_id=uid, source_id=world["source"].id)
    assert session.get(Coding, elsewhere.id) is not None


def test_undo_names_the_code_and_the_words_it_reverted(session, world):
    pid, uid = world["project"].id, world["owner"].id
    with transaction(session):
        coding = code(session, world, "agent", "ringde 📞")
    with transaction(session):
        remove_coding(session, project_id=pid, coding_id=coding.id, user_id=uid)
    with transaction(session):
        restored = undo_last(session, project_id=pid, user_id=uid, source_id=world["source"].id)
    assert restored.message == "Restored your coding “Mäklare” on “ringde 📞”."
    with transaction(session):
        removed = undo_last(session, project_id=pid, user_id=uid)
    assert removed.message == "Removed your coding “Mäklare” on “ringde 📞”."


def test_a_long_passage_is_shortened_in_the_message(session, world):
    pid, uid = world["project"].id, world["owner"].id
    with transaction(session):
        add = code(session, world, "agent", TEXT)
    with transaction(session):
        message = undo_last(session, project_id=pid, user_id=uid).message
    assert session.get(Coding, add.id) is None
    assert message == "Removed your coding “Mäklare” on “Mäklaren på Ærø ringde 📞 och banken svarade aldrig.”."
    long_text = "ord " * 40
    with transaction(session):
        long_source = add_source(session, project_id=pid, kind=SourceKind.INTERVIEW, name="Lång", text=long_text,
                                 spans=[Span("paragraph", 0, len(long_text))], original=long_text.encode())
        add_coding(session, project_id=pid, source_id=long_source.id, code_id=world["agent"].id, start=0,
                   end=len(long_text) - 1, user_id=uid)
    with transaction(session):
        message = undo_last(session, project_id=pid, user_id=uid).message
    assert message.endswith("ord…”.") and len(message) < 110


def test_a_deleted_code_does_not_block_undoing_what_came_before(session, world):
    pid, uid = world["project"].id, world["owner"].id
    with transaction(session):
        earlier = code(session, world, "broker", "banken")
    with transaction(session):
        gone = code(session, world, "agent", "Mäklaren")
    with transaction(session):
        remove_coding(session, project_id=pid, coding_id=gone.id, user_id=uid)
    with transaction(session):
        delete_code(session, project_id=pid, code_id=world["agent"].id, user_id=uid)

    with transaction(session):
        undone = undo_last(session, project_id=pid, user_id=uid)
    assert (undone.action, undone.coding_id) == ("coding.add", earlier.id)
    assert session.get(Coding, earlier.id) is None


def test_a_removed_coding_takes_its_memos_along_and_undo_brings_them_back(session, world):
    pid, uid = world["project"].id, world["owner"].id
    with transaction(session):
        coding = code(session, world, "agent", "Mäklaren")
        add_memo(session, project_id=pid, target_type="coding", target_id=coding.id, text="Hon litar på mäklaren.",
                 author_id=uid)
        add_memo(session, project_id=pid, target_type="coding", target_id=coding.id, text="Jämför med Bo.",
                 author_id=None)
    written = [(m.text, m.author_id, m.created_at) for m in memos_of(session, pid, "coding", coding.id)]
    with transaction(session):
        remove_coding(session, project_id=pid, coding_id=coding.id, user_id=uid)
    assert session.scalars(select(Memo)).all() == [], "no memo is left pointing at a removed coding"

    with transaction(session):
        undo_last(session, project_id=pid, user_id=uid)
    restored = [(m.text, m.author_id, m.created_at) for m in memos_of(session, pid, "coding", coding.id)]
    assert sorted(restored) == sorted(written)


def test_undoing_a_coding_made_with_a_memo_removes_the_memo_too(session, world):
    pid, uid = world["project"].id, world["owner"].id
    with transaction(session):
        coding, _ = apply_code(session, project_id=pid, source_id=world["source"].id, code_id=world["agent"].id,
                               start=0, end=8, user_id=uid, memo="Första intrycket.")
    with transaction(session):
        undo_last(session, project_id=pid, user_id=uid)
    assert session.get(Coding, coding.id) is None
    assert session.scalars(select(Memo)).all() == []


def test_a_restored_coding_keeps_its_age_and_refuses_a_change_based_on_what_was_seen_before_it_went(session, world):
    pid, uid = world["project"].id, world["owner"].id
    with transaction(session):
        coding = code(session, world, "agent", "Mäklaren")
    created, seen = coding.created_at, coding.version
    with transaction(session):
        remove_coding(session, project_id=pid, coding_id=coding.id, user_id=uid)
    with transaction(session):
        undo_last(session, project_id=pid, user_id=uid)
    restored = session.get(Coding, coding.id)
    assert restored.created_at == created
    with pytest.raises(Conflict), transaction(session):
        change_coding(session, project_id=pid, coding_id=coding.id, user_id=uid, expected_version=seen, start=0,
                      end=3)
