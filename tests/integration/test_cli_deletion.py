"""`kundstig source erase` and `kundstig project delete`: an administrator removes material
for good from the command line. Without --yes both refuse and change nothing; with it they
print what went, and the audit trail records it as done by the system."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coding.codebook import create_code
from coding.codings import Coding, add_coding
from coding.events import Event
from coding.kinds import CodeKind
from research.db import transaction
from research.projects import Project
from research.segmenting import Span
from research.sources import Source, SourceKind, add_source
from tests.conftest import make_project, make_user

Kundstig = Callable[..., tuple[int, str]]


@pytest.fixture
def ids(session: Session) -> tuple[int, int]:
    owner = make_user(session)
    project = make_project(session, owner)
    with transaction(session):
        source = add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name="Intervju 1",
                            text="Vi ville köpa en bostad.", spans=[Span("paragraph", 0, 24)], original=b"1")
        code = create_code(session, project_id=project.id, name="Bostad", kind=CodeKind.GOAL)
        add_coding(session, project_id=project.id, source_id=source.id, code_id=code.id, start=0, end=10,
                   user_id=owner.id)
    return project.id, source.id


def count(session: Session, model: type) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_both_commands_refuse_without_yes_and_change_nothing(kundstig: Kundstig, session: Session,
                                                             ids: tuple[int, int]) -> None:
    project_id, source_id = ids
    code, out = kundstig("source", "erase", str(project_id), str(source_id))
    assert (code, out.strip()) == (1, f"Error: erasing source {source_id} of project {project_id} cannot be undone; "
                                      "add --yes to do it")
    code, out = kundstig("project", "delete", str(project_id))
    assert (code, out.strip()) == (1, f"Error: deleting project {project_id} and everything in it cannot be undone; "
                                      "add --yes to do it")
    assert (count(session, Project), count(session, Source), count(session, Coding)) == (1, 1, 1)


def test_erasing_a_source_prints_what_went_and_is_audited(kundstig: Kundstig, session: Session,
                                                          ids: tuple[int, int]) -> None:
    project_id, source_id = ids
    code, out = kundstig("source", "erase", str(project_id), str(source_id), "--yes")
    assert code == 0, out
    assert out.strip() == (f"Erased source {source_id} of project {project_id}: its text (24 characters), 1 coding, "
                           "0 memos, 0 suggestions; 0 cached export files dropped.")
    assert (count(session, Project), count(session, Source), count(session, Coding)) == (1, 0, 0)
    [event] = session.scalars(select(Event).where(Event.action == "source.erase")).all()
    assert (event.user_id, event.project_id, event.object_id) == (None, project_id, source_id)


def test_deleting_a_project_prints_what_went_and_is_audited(kundstig: Kundstig, session: Session,
                                                            ids: tuple[int, int]) -> None:
    project_id, _ = ids
    code, out = kundstig("project", "delete", str(project_id), "--yes")
    assert code == 0, out
    assert out.strip() == (f"Deleted project {project_id}: 1 source, 0 participants, 1 code, 1 coding, 0 memos, "
                           "1 member, 0 jobs, 0 cached export files, 1 history event.")
    assert (count(session, Project), count(session, Source), count(session, Coding)) == (0, 0, 0)
    [event] = session.scalars(select(Event)).all()
    assert (event.action, event.user_id, event.project_id, event.object_id) == (
        "project.delete", None, None, project_id)


def test_unknown_ids_are_a_one_line_error(kundstig: Kundstig, ids: tuple[int, int]) -> None:
    project_id, source_id = ids
    assert kundstig("source", "erase", str(project_id), "999", "--yes") == (
        1, "Error: No such source in this project.\n")
    assert kundstig("source", "erase", "999", str(source_id), "--yes") == (
        1, "Error: No such source in this project.\n")
    assert kundstig("project", "delete", "999", "--yes") == (1, "Error: There is no project 999.\n")


def test_both_commands_have_help(kundstig: Kundstig) -> None:
    for command in (["source", "erase"], ["project", "delete"]):
        code, out = kundstig(*command, "--help")
        assert code == 0 and "--yes" in out and "Usage:" in out, command
