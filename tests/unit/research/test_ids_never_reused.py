"""An id, once given, names one object for good: deleting the newest code, coding, memo, source,
participant or project never lets the next one take its id (history, bookmarks, the picker's
recent codes and undo all refer to objects by id). On both databases."""

from __future__ import annotations

from coding.codebook import create_code
from coding.codings import add_coding, remove_coding
from coding.kinds import CodeKind
from coding.memos import Memo, add_memo
from coding.project_deletion import delete_project
from research.db import transaction
from research.participants import Participant
from research.segmenting import Span
from research.sources import Source, SourceKind, add_source
from tests.conftest import make_project, make_user

TEXT = "Banken ringde efter nio dagar."


def _source(session, project_id: int, name: str) -> Source:
    return add_source(session, project_id=project_id, kind=SourceKind.INTERVIEW, name=name, text=TEXT + name,
                      spans=[Span("paragraph", 0, len(TEXT))], original=(TEXT + name).encode())


def test_the_newest_objects_ids_are_not_given_again_after_they_are_deleted(session):
    owner = make_user(session)
    project = make_project(session, owner)
    with transaction(session):
        source = _source(session, project.id, "Åsa")
        code = create_code(session, project_id=project.id, name="Banken", kind=CodeKind.ACTOR)
        coding = add_coding(session, project_id=project.id, source_id=source.id, code_id=code.id, start=0, end=6,
                            user_id=owner.id)
        memo = add_memo(session, project_id=project.id, target_type="source", target_id=source.id, text="Först.",
                        author_id=owner.id)
        participant = Participant(project_id=project.id, name="Åsa")
        session.add(participant)
    first = {"code": code.id, "coding": coding.id, "memo": memo.id, "source": source.id,
             "participant": participant.id}
    with transaction(session):
        remove_coding(session, project_id=project.id, coding_id=coding.id, user_id=owner.id)
        session.delete(session.get(Memo, memo.id))
        session.delete(participant)
        session.delete(source)
        session.delete(code)
    with transaction(session):
        source = _source(session, project.id, "Bo")
        code = create_code(session, project_id=project.id, name="Mäklaren", kind=CodeKind.ACTOR)
        coding = add_coding(session, project_id=project.id, source_id=source.id, code_id=code.id, start=0, end=6,
                            user_id=owner.id)
        memo = add_memo(session, project_id=project.id, target_type="source", target_id=source.id, text="Sedan.",
                        author_id=owner.id)
        participant = Participant(project_id=project.id, name="Bo")
        session.add(participant)
    again = {"code": code.id, "coding": coding.id, "memo": memo.id, "source": source.id, "participant": participant.id}
    assert all(again[kind] > first[kind] for kind in first), (first, again)

    with transaction(session):
        delete_project(session, project_id=project.id, user_id=owner.id)
    assert make_project(session, owner).id > project.id
