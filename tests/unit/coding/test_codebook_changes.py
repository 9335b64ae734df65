"""Renaming, moving, merging and deleting codes; the customer-path template; undo."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coding.codebook import Code, codes_of, create_code
from coding.codebook_changes import code_tree, delete_code, merge_codes, move_code, split_code, update_code, usage
from coding.codebook_template import apply_customer_path_template
from coding.codings import Coding, add_coding, apply_code, change_coding, remove_coding
from coding.events import Event
from coding.kinds import CodeKind
from coding.memos import Memo, add_memo, memos_of
from coding.undo import undo_last
from research.db import transaction
from research.errors import Conflict, InvalidInput
from research.segmenting import Span
from research.sources import SourceKind, add_source
from tests.conftest import make_project, make_user

TEXT = "Mäklaren på Ærø ringde 📞 och banken svarade aldrig."


@pytest.fixture
def world(session):
    owner = make_user(session)
    project = make_project(session, owner)
    with transaction(session):
        source = add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name="Åsa", text=TEXT,
                            spans=[Span("paragraph", 0, len(TEXT))], original=TEXT.encode())
        actors = create_code(session, project_id=project.id, name="Aktörer", kind=CodeKind.ACTOR, is_folder=True)
        agent = create_code(session, project_id=project.id, name="Mäklare", kind=CodeKind.ACTOR, parent_id=actors.id)
        broker = create_code(session, project_id=project.id, name="Fastighetsmäklare", kind=CodeKind.ACTOR)
    return {"owner": owner, "project": project, "source": source, "actors": actors, "agent": agent, "broker": broker}


def code(session, world, key_or_id, phrase, user=None):
    start = TEXT.index(phrase)
    code_id = world[key_or_id].id if isinstance(key_or_id, str) else key_or_id
    return add_coding(session, project_id=world["project"].id, source_id=world["source"].id, code_id=code_id,
                      start=start, end=start + len(phrase), user_id=(user or world["owner"]).id)


def test_merging_codes_moves_every_coding_to_the_target_and_drops_exact_duplicates(session, world):
    with transaction(session):
        code(session, world, "agent", "Mäklaren")
        code(session, world, "agent", "ringde 📞")
        code(session, world, "broker", "Mäklaren")
        add_memo(session, project_id=world["project"].id, target_type="code", target_id=world["agent"].id,
                 text="Definition", author_id=world["owner"].id)
        merge_codes(session, project_id=world["project"].id, source_id=world["agent"].id,
                    target_id=world["broker"].id, user_id=world["owner"].id)
    codings = session.scalars(select(Coding)).all()
    assert sorted(TEXT[c.start:c.end] for c in codings) == ["Mäklaren", "ringde 📞"]
    assert {c.code_id for c in codings} == {world["broker"].id}
    assert session.get(Code, world["agent"].id) is None
    assert [m.text for m in memos_of(session, world["project"].id, "code", world["broker"].id)] == ["Definition"]
    merge = session.scalar(select(Event).where(Event.action == "code.merge"))
    assert merge.after == {"codings_moved": 1, "duplicates_dropped": 1}


def test_a_code_cannot_be_merged_into_itself(session, world):
    with pytest.raises(InvalidInput), transaction(session):
        merge_codes(session, project_id=world["project"].id, source_id=world["agent"].id,
                    target_id=world["agent"].id, user_id=None)


def test_renaming_keeps_the_identity_and_records_before_and_after(session, world):
    guid = world["agent"].guid
    with transaction(session):
        update_code(session, project_id=world["project"].id, code_id=world["agent"].id, user_id=world["owner"].id,
                    name="Mäklaren", kind_fields={"ownership": "third_party", "actor_type": "person"})
    renamed = session.get(Code, world["agent"].id)
    assert (renamed.name, renamed.guid, renamed.ownership) == ("Mäklaren", guid, "third_party")
    event = session.scalar(select(Event).where(Event.action == "code.change"))
    assert event.before["name"] == "Mäklare" and event.after["name"] == "Mäklaren"


def test_an_edit_based_on_an_old_version_is_a_conflict(session, world):
    old = world["agent"].version
    with transaction(session):
        update_code(session, project_id=world["project"].id, code_id=world["agent"].id, user_id=None, name="A")
    with pytest.raises(Conflict), transaction(session):
        update_code(session, project_id=world["project"].id, code_id=world["agent"].id, user_id=None,
                    expected_version=old, name="B")


def test_a_code_cannot_move_into_its_own_sub_code(session, world):
    with transaction(session):
        move_code(session, project_id=world["project"].id, code_id=world["broker"].id,
                  parent_id=world["actors"].id, user_id=None)
    assert session.get(Code, world["broker"].id).parent_id == world["actors"].id
    with pytest.raises(InvalidInput), transaction(session):
        move_code(session, project_id=world["project"].id, code_id=world["actors"].id,
                  parent_id=world["agent"].id, user_id=None)


def test_deleting_a_folder_deletes_its_codes_and_their_codings_and_says_so_first(session, world):
    with transaction(session):
        code(session, world, "agent", "Mäklaren")
    assert usage(session, world["actors"]) == (1, 1)
    with transaction(session):
        delete_code(session, project_id=world["project"].id, code_id=world["actors"].id, user_id=None)
    session.expire_all()
    assert [c.name for c in codes_of(session, world["project"].id)] == ["Fastighetsmäklare"]
    assert session.scalars(select(Coding)).all() == []


def test_the_tree_lists_folders_before_their_codes_with_depths(session, world):
    tree = [(c.name, depth) for c, depth in code_tree(codes_of(session, world["project"].id))]
    assert tree == [("Aktörer", 0), ("Mäklare", 1), ("Fastighetsmäklare", 0)]


def test_the_customer_path_template_makes_a_folder_per_kind_and_a_code_per_phase(session):
    owner = make_user(session)
    project = make_project(session, owner, phase_model="five")
    with transaction(session):
        apply_customer_path_template(session, project=project, user_id=owner.id)
    codes = codes_of(session, project.id)
    folders = {c.kind for c in codes if c.is_folder}
    assert folders == set(CodeKind)
    phases = [c for c in codes if c.kind is CodeKind.PHASE and not c.is_folder]
    assert [c.name for c in phases] == [p.name for p in project.phases]
    assert all(c.phase_id is not None for c in phases)
    sub_goal = next(c for c in codes if c.name == "Find a suitable home")
    assert next(c for c in codes if c.id == sub_goal.goal_id).name == "Buy a new home"
    with pytest.raises(Conflict), transaction(session):
        apply_customer_path_template(session, project=project, user_id=owner.id)


def test_undo_walks_back_through_add_change_and_remove(session, world):
    pid, uid = world["project"].id, world["owner"].id
    with transaction(session):
        coding = code(session, world, "agent", "banken")
    with transaction(session):
        start = TEXT.index("banken svarade")
        change_coding(session, project_id=pid, coding_id=coding.id, user_id=uid, expected_version=1, start=start,
                      end=start + len("banken svarade"))
    with transaction(session):
        remove_coding(session, project_id=pid, coding_id=coding.id, user_id=uid)
    with transaction(session):
        assert undo_last(session, project_id=pid, user_id=uid).action == "coding.remove"
    restored = session.get(Coding, coding.id)
    assert TEXT[restored.start:restored.end] == "banken svarade"
    with transaction(session):
        assert undo_last(session, project_id=pid, user_id=uid).action == "coding.change"
    session.refresh(restored)
    assert TEXT[restored.start:restored.end] == "banken"
    with transaction(session):
        assert undo_last(session, project_id=pid, user_id=uid).action == "coding.add"
    assert session.scalars(select(Coding)).all() == []
    with pytest.raises(Conflict), transaction(session):
        undo_last(session, project_id=pid, user_id=uid)


def test_undo_does_not_overwrite_a_later_change_by_someone_else(session, world):
    other = make_user(session, email="other@example.org")
    pid = world["project"].id
    with transaction(session):
        coding = code(session, world, "agent", "banken")
        change_coding(session, project_id=pid, coding_id=coding.id, user_id=world["owner"].id, expected_version=1,
                      start=0, end=3)
        change_coding(session, project_id=pid, coding_id=coding.id, user_id=other.id, expected_version=2,
                      start=0, end=4)
    with pytest.raises(Conflict), transaction(session):
        undo_last(session, project_id=pid, user_id=world["owner"].id)


def test_apply_code_with_the_same_key_returns_the_first_coding(session, world):
    kwargs = dict(project_id=world["project"].id, source_id=world["source"].id, code_id=world["agent"].id,
                  start=0, end=8, user_id=world["owner"].id, client_key="abcdefgh-1234", memo="Först")
    with transaction(session):
        first, created = apply_code(session, **kwargs)
    with transaction(session):
        second, again = apply_code(session, **kwargs)
    assert (created, again) == (True, False) and first.id == second.id
    assert len(memos_of(session, world["project"].id, "coding", first.id)) == 1


def test_splitting_a_code_moves_the_chosen_codings_to_a_new_sibling_of_the_same_kind(session, world):
    with transaction(session):
        update_code(session, project_id=world["project"].id, code_id=world["agent"].id, user_id=None,
                    colour="#1f6f78", description="Säljer bostäder", aliases=["mäklaren"],
                    kind_fields={"ownership": "third_party", "actor_type": "person"})
        stay = code(session, world, "agent", "Mäklaren")
        go = code(session, world, "agent", "ringde 📞")
        new = split_code(session, project_id=world["project"].id, code_id=world["agent"].id,
                         new_name="  Mäklarens telefon ", coding_ids=[go.id], user_id=world["owner"].id)
    agent = session.get(Code, world["agent"].id)
    assert new.guid != agent.guid and new.id != agent.id
    assert (new.name, new.parent_id, new.kind, new.description, new.aliases) == (
        "Mäklarens telefon", world["actors"].id, CodeKind.ACTOR, "Säljer bostäder", ["mäklaren"])
    assert new.colour != agent.colour, "the two codes' stripes must be told apart"
    assert (new.ownership, new.actor_type, new.is_folder) == ("third_party", "person", False)
    assert session.get(Coding, go.id).code_id == new.id
    assert session.get(Coding, stay.id).code_id == agent.id
    moved = session.scalar(select(Event).where(Event.action == "coding.change", Event.object_id == go.id))
    assert moved.before["code_id"] == agent.id and moved.after["code_id"] == new.id
    split = session.scalar(select(Event).where(Event.action == "code.split"))
    assert split.object_id == agent.id and split.after["codings_moved"] == 1
    assert session.scalar(select(Event).where(Event.action == "code.create", Event.object_id == new.id))


def test_splitting_refuses_a_coding_of_another_code_and_changes_nothing(session, world):
    with transaction(session):
        mine = code(session, world, "agent", "Mäklaren")
        other = code(session, world, "broker", "banken")
    with pytest.raises(InvalidInput), transaction(session):
        split_code(session, project_id=world["project"].id, code_id=world["agent"].id, new_name="Ny",
                   coding_ids=[mine.id, other.id], user_id=None)
    session.rollback()
    assert session.scalar(select(Code.id).where(Code.name == "Ny")) is None
    assert session.get(Coding, mine.id).code_id == world["agent"].id


def test_splitting_into_a_name_already_taken_beside_the_code_is_a_conflict(session, world):
    with transaction(session):
        create_code(session, project_id=world["project"].id, name="Bank", kind=CodeKind.ACTOR,
                    parent_id=world["actors"].id)
        mine = code(session, world, "agent", "Mäklaren")
    with pytest.raises(Conflict), transaction(session):
        split_code(session, project_id=world["project"].id, code_id=world["agent"].id, new_name="Bank",
                   coding_ids=[mine.id], user_id=None)
    with pytest.raises(InvalidInput), transaction(session):
        split_code(session, project_id=world["project"].id, code_id=world["agent"].id, new_name="Annan",
                   coding_ids=[], user_id=None)


def test_memos_follow_their_codings_through_a_merge_and_go_with_a_deleted_code(session, world):
    pid, uid = world["project"].id, world["owner"].id
    with transaction(session):
        kept = code(session, world, "broker", "Mäklaren")
        duplicate = code(session, world, "agent", "Mäklaren")
        add_memo(session, project_id=pid, target_type="coding", target_id=duplicate.id, text="Säljaren valde honom.",
                 author_id=uid)
        merge_codes(session, project_id=pid, source_id=world["agent"].id, target_id=world["broker"].id, user_id=uid)
    assert [m.text for m in memos_of(session, pid, "coding", kept.id)] == ["Säljaren valde honom."]

    with transaction(session):
        add_memo(session, project_id=pid, target_type="code", target_id=world["broker"].id, text="Definition",
                 author_id=uid)
        delete_code(session, project_id=pid, code_id=world["broker"].id, user_id=uid)
    assert session.scalars(select(Memo)).all() == [], "no memo is left on a deleted code or its codings"
    removed = session.scalar(select(Event).where(Event.action == "coding.remove", Event.object_id == kept.id))
    assert [m["text"] for m in removed.before["memos"]] == ["Säljaren valde honom."]
