"""Our own REFI-QDA export imported again is the same project."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coding.codebook import Code, code_paths
from coding.codings import Coding, Origin
from coding.memos import Memo
from exports.refi.importer import import_file
from research.accounts import User
from research.db import transaction
from research.participants import AttributeDef, Participant, attributes_of
from research.projects import Project
from research.sources import Source, SpeakerMapping
from tests.conftest import make_user
from tests.exports.conftest import qdc_bytes, qdpx_bytes, row_counts

FIELDS = ("kind", "is_folder", "colour", "description", "when_to_use", "when_not", "examples", "aliases",
          "ownership", "actor_type", "medium", "touchpoint_type", "company_role", "valence")


def snapshot(session: Session, project_id: int) -> dict[str, Any]:
    """Everything a researcher sees of a project, keyed by names instead of ids."""
    session.expire_all()
    project = session.get(Project, project_id)
    assert project is not None
    codes = list(session.scalars(select(Code).where(Code.project_id == project_id)))
    paths = code_paths(codes)
    phases = {p.id: p.position for p in project.phases}
    emails = {u.id: u.email for u in session.scalars(select(User))}
    sources = {s.id: s for s in session.scalars(select(Source).where(Source.project_id == project_id))}
    people = {p.id: p for p in session.scalars(select(Participant).where(Participant.project_id == project_id))}
    codings = list(session.scalars(select(Coding).where(Coding.project_id == project_id)))

    def person(pid: int | None) -> str | None:
        return people[pid].name if pid is not None else None

    def coding_key(coding: Coding) -> tuple[Any, ...]:
        return (sources[coding.source_id].name, paths[coding.code_id], coding.start, coding.end,
                emails.get(coding.coder_id or 0))

    coding_by_id = {c.id: c for c in codings}
    memo_targets = {"project": lambda _: None, "code": lambda i: paths[i], "source": lambda i: sources[i].name,
                    "coding": lambda i: coding_key(coding_by_id[i])}
    return {
        "project": (project.name, project.description, project.language, project.company_name,
                    project.company_aliases, project.phase_model, [(p.name, p.description) for p in project.phases]),
        "codes": {paths[c.id]: (*(getattr(c, f) for f in FIELDS), phases.get(c.phase_id or 0),
                                paths.get(c.goal_id or 0)) for c in codes},
        "sources": {s.name: (s.kind, s.text, s.language, person(s.participant_id), s.details, s.original_name)
                    for s in sources.values()},
        "segments": {s.name: [(g.kind, g.start, g.end, g.speaker, g.timestamp_ms, person(g.participant_id),
                               g.question) for g in s.segments] for s in sources.values()},
        "speakers": sorted((sources[m.source_id].name, m.label, person(m.participant_id), m.is_interviewer)
                           for m in session.scalars(select(SpeakerMapping)
                                                    .where(SpeakerMapping.source_id.in_(list(sources))))),
        "codings": sorted(coding_key(c) for c in codings),
        "memos": sorted((m.target_type, str(memo_targets[m.target_type](m.target_id)), m.text,
                         emails.get(m.author_id or 0))
                        for m in session.scalars(select(Memo).where(Memo.project_id == project_id))),
        "participants": {p.name: (p.description, attributes_of(p)) for p in people.values()},
        "attributes": {a.name: (a.type, a.choices)
                       for a in session.scalars(select(AttributeDef).where(AttributeDef.project_id == project_id))},
    }


def test_the_demo_project_exported_and_imported_again_is_the_same_project(session, demo):
    owner, project_id = demo
    data = qdpx_bytes(session, project_id)
    with transaction(session):
        result = import_file(session, "demo.qdpx", data, owner_id=owner.id)
    assert result.created and result.project_id != project_id
    assert result.report.lost == {}
    assert result.counts == {"codes": 81, "sources": 13, "participants": 50, "attributes": 7, "codings": 287,
                             "memos": 13}
    before, after = snapshot(session, project_id), snapshot(session, result.project_id)
    for key in before:
        assert after[key] == before[key], key
    imported = session.scalars(select(Coding.origin).where(Coding.project_id == result.project_id)).all()
    assert set(imported) == {Origin.IMPORTED}


def test_a_second_export_of_the_imported_project_validates_and_keeps_every_offset(session, demo):
    owner, project_id = demo
    with transaction(session):
        result = import_file(session, "demo.qdpx", qdpx_bytes(session, project_id), owner_id=owner.id)
    again = snapshot(session, result.project_id)
    with transaction(session):
        third = import_file(session, "again.qdpx", qdpx_bytes(session, result.project_id), owner_id=owner.id)
    assert snapshot(session, third.project_id)["codings"] == again["codings"]


def test_merging_a_project_into_itself_adds_nothing(session, demo):
    owner, project_id = demo
    data = qdpx_bytes(session, project_id)
    counts = row_counts(session)
    with transaction(session):
        result = import_file(session, "demo.qdpx", data, owner_id=owner.id, into_project_id=project_id)
    assert not result.created
    assert {k: v for k, v in result.counts.items() if k != "memos"} == {
        "codes": 0, "sources": 0, "participants": 0, "attributes": 0, "codings": 0}
    assert {k: v for k, v in row_counts(session).items() if k != "Memo"} == {
        k: v for k, v in counts.items() if k != "Memo"}


def test_the_codebook_alone_round_trips_with_kinds_and_hierarchy(session, demo):
    owner, project_id = demo
    target = make_user(session, email="other@example.org")
    with transaction(session):
        result = import_file(session, "demo.qdc", qdc_bytes(session, project_id), owner_id=target.id)
    assert result.counts["codes"] == 81 and result.counts["codings"] == 0
    original, imported = snapshot(session, project_id)["codes"], snapshot(session, result.project_id)["codes"]
    # A bare codebook carries no phases of its own, so phase links map to the default phase model's positions.
    assert {p: v[:-2] for p, v in imported.items()} == {p: v[:-2] for p, v in original.items()}
