"""Deleting a project removes every row that belongs to it, in every table (found through
the models' metadata: a ``project_id`` column, or a foreign key to a row that belongs),
and a word only that project holds is found nowhere afterwards: not in any column, not
in the search index, not in cached exports, not in the instance folder and (on SQLite)
not in the database file. Another project, and the accounts, are left as they were. The
deletion is audited by an event without a project, which keeps counts but no names
(both databases).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from coding.all_models import metadata
from coding.codebook import CodeKind, create_code
from coding.events import Event, record
from coding.memos import add_memo
from coding.project_deletion import delete_project, project_contents
from research.accounts import ApiToken, User, create_token
from research.db import transaction
from research.errors import NotFound
from research.jobs import create_job
from research.participants import Participant, define_attribute, set_attribute
from research.projects import Phase, Project
from research.pseudonyms import pseudonymise, set_terms
from research.search import search_segments
from research.staging import stage_upload
from tests.conftest import make_project, make_user
from tests.unit.coding.test_erasure_leaves_no_trace import (
    MARKER,
    OTHER,
    _add_interview,
    database_file_holds,
    files_holding,
    plant,
    traces,
)

Rows = dict[str, set[tuple[object, ...]]]


def rows_of(session: Session, project_id: int) -> Rows:
    """The primary keys of every row that belongs to the project, table by table: the
    project's row, rows with its ``project_id``, and rows that point through a foreign key
    at a row that belongs (followed down the whole schema, parents before children)."""
    session.expire_all()
    belonging: Rows = {}
    for table in metadata.sorted_tables:
        conditions = []
        if table.name == "project":
            conditions.append(table.c.id == project_id)
        if "project_id" in table.c:
            conditions.append(table.c.project_id == project_id)
        for key in table.foreign_keys:
            parent = key.column.table
            if parent is table or not belonging.get(parent.name):
                continue
            assert [c.name for c in parent.primary_key.columns] == [key.column.name], parent.name
            conditions.append(key.parent.in_([row[0] for row in belonging[parent.name]]))
        found = session.execute(select(*table.primary_key.columns).where(or_(*conditions))) if conditions else []
        belonging[table.name] = {tuple(row) for row in found}
    return belonging


def plant_everywhere(session: Session) -> tuple[int, int]:
    """The erasure study's project (the marker in its texts, codings, memos, suggestions,
    embeddings and a cached backup), with the marker also in the project's own fields, a
    phase, a code, an attribute, a pseudonym term and key, a staged upload, a job's
    parameters and an event; and a neighbouring project of the same owner."""
    study = plant(session)
    pid = study.project_id
    owner = session.scalar(select(User))
    with transaction(session):
        project = session.get(Project, pid)
        project.name, project.description = f"{MARKER}-studien", f"Om {MARKER}."
        project.company_aliases = [MARKER]
        session.add(Phase(project_id=pid, position=99, name=f"Efter {MARKER}"))
        create_code(session, project_id=pid, name=f"{MARKER}s väg", kind=CodeKind.GOAL)
        attribute = define_attribute(session, project_id=pid, name=f"Bor i {MARKER}")
        set_attribute(session, session.get(Participant, study.asa_id), attribute, MARKER)
        add_memo(session, project_id=pid, target_type="project", target_id=None, text=f"{MARKER}!", author_id=owner.id)
        set_terms(session, project_id=pid, lines=f"{MARKER} | place")
        pseudonymise(session, project_id=pid, source_id=study.other_id, user_id=owner.id,
                     entries=[("Banken", f"{MARKER}banken", "organisation")])
        stage_upload(session, project_id=pid, user_id=owner.id, purpose="survey", name=f"{MARKER}.csv",
                     data=f"id,svar\n1,{MARKER}\n".encode())
        create_job(session, kind="project.export", project_id=pid, user_id=owner.id, params={"note": MARKER})
        record(session, "source.import", user_id=owner.id, project_id=pid, object_type="source",
               object_id=study.own_id, after={"name": f"{MARKER}.txt"})
        create_token(session, user_id=owner.id, name="script")
    neighbour = make_project(session, owner, name="Grannprojektet")
    with transaction(session):
        _add_interview(session, neighbour.id, "Bo hemma", OTHER)
        create_code(session, project_id=neighbour.id, name="Banken", kind=CodeKind.ACTOR)
    return pid, neighbour.id


def test_deleting_a_project_removes_every_row_that_belongs_to_it_and_nothing_else(session: Session) -> None:
    pid, neighbour = plant_everywhere(session)
    doomed, kept = rows_of(session, pid), rows_of(session, neighbour)
    assert {name for name, keys in doomed.items() if keys} >= {
        "project", "phase", "membership", "participant", "attribute_def", "attribute_value", "source", "source_file",
        "segment", "speaker_mapping", "segment_embedding", "code", "coding", "suggestion", "memo", "pseudonym_term",
        "pseudonym_key", "staged_upload", "job", "job_file", "event"}, "the study does not fill every table"

    with transaction(session):
        deleted = delete_project(session, project_id=pid, user_id=None)

    # (SQLite may hand a deleted row's id to a new row, so rows are found again, not looked up by id.)
    assert {name: keys for name, keys in rows_of(session, pid).items() if keys} == {}
    assert rows_of(session, neighbour) == kept
    assert search_segments(session, project_id=neighbour, query="banken").total == 1
    assert (deleted.sources, deleted.participants, deleted.job_files) == (4, 2, 1)
    assert session.scalar(select(User)) is not None and session.scalar(select(ApiToken)) is not None


def test_after_deleting_a_project_its_words_are_found_nowhere(app: Flask, session: Session) -> None:
    pid, _ = plant_everywhere(session)
    planted = {place.split(".")[0] for place in traces(session, MARKER)}
    assert planted >= {"project", "phase", "code", "attribute_def", "attribute_value", "source", "source_file", "memo",
                       "suggestion", "pseudonym_term", "pseudonym_key", "staged_upload", "job", "job_file", "event",
                       "segment_embedding"}
    assert planted & {"segment_search", "segment"}, "the search index holds the marker too"

    with transaction(session):
        delete_project(session, project_id=pid, user_id=None)

    assert list(traces(session, MARKER)) == []
    assert files_holding(Path(app.instance_path), MARKER) == []
    assert not database_file_holds(app, session, MARKER)


def test_the_deletion_is_audited_by_an_event_that_outlives_the_project_and_names_nothing(session: Session) -> None:
    owner = make_user(session)
    project = make_project(session, owner, name="Hemliga kunden AB")
    expected = project_contents(session, project.id)
    with transaction(session):
        delete_project(session, project_id=project.id, user_id=owner.id)

    [event] = session.scalars(select(Event).where(Event.action == "project.delete")).all()
    assert (event.project_id, event.user_id, event.object_type, event.object_id) == (
        None, owner.id, "project", project.id)
    assert event.after == expected.as_details() and all(isinstance(v, int) for v in event.after.values())
    assert "Hemliga" not in str(event.after)


def test_deleting_a_project_that_does_not_exist_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound), transaction(session):
        delete_project(session, project_id=4242, user_id=None)
