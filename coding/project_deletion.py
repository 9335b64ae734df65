"""Deleting a whole project: every row that belongs to it, in the caller's unit of work.

The database does the deleting. Every table that holds project data reaches the project
through a foreign key with ``ON DELETE CASCADE``, directly (``project_id``) or through a
row that does (a source, segment, participant, attribute, code or job), so one DELETE of
the project row removes its phases, members, participants and attributes, sources with
their original files, segments, speakers, search rows (the FTS5 trigger on SQLite, the
segment's own column on PostgreSQL) and embeddings, codes, codings, suggestions, memos,
pseudonym terms and keys, staged uploads, jobs with their files (cached exports, backups,
reports) and the project's events. Accounts, their sessions and their API tokens belong
to people, not to projects (a token works in every project its owner belongs to), so they
stay. As in erasure (:mod:`coding.erasure`), SQLite is told to zero the freed pages and
its search index is merged, so no deleted words stay behind in the database file.

The audit trail: a project's events go with it, because their details quote its material
(file names, memo texts, code names). The deletion itself is therefore recorded as an
event *without a project*, like logins, so it survives: who, when, the project's id and
how many of each kind of row went, but not the project's name, which is research data
too (it often names the client or the study). It is not on any project's audit log page
(there is no project left to show it in); it stays in the instance's ``event`` table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from coding.codebook import Code
from coding.codings import Coding
from coding.erasure import overwrite_deleted_content, purge_search_index
from coding.events import Event, record
from coding.memos import Memo
from research.errors import NotFound
from research.jobs import Job, JobFile
from research.participants import Participant
from research.projects import Membership, Project
from research.sources import Source


@dataclass(frozen=True)
class ProjectContents:
    """How much a project holds: shown before deleting it, reported (and audited) after."""

    sources: int
    participants: int
    codes: int
    codings: int
    memos: int
    members: int
    jobs: int
    job_files: int
    events: int

    def as_details(self) -> dict[str, int]:
        return asdict(self)


def project_contents(session: Session, project_id: int) -> ProjectContents:
    def count(column: ColumnElement[Any], *where: ColumnElement[bool]) -> int:
        return session.scalar(select(func.count(column)).where(*where)) or 0

    return ProjectContents(
        sources=count(Source.id, Source.project_id == project_id),
        participants=count(Participant.id, Participant.project_id == project_id),
        codes=count(Code.id, Code.project_id == project_id, Code.is_folder.is_(False)),
        codings=count(Coding.id, Coding.project_id == project_id),
        memos=count(Memo.id, Memo.project_id == project_id),
        members=count(Membership.id, Membership.project_id == project_id),
        jobs=count(Job.id, Job.project_id == project_id),
        job_files=count(JobFile.job_id, JobFile.job_id.in_(select(Job.id).where(Job.project_id == project_id))),
        events=count(Event.id, Event.project_id == project_id),
    )


def delete_project(session: Session, *, project_id: int, user_id: int | None) -> ProjectContents:
    """Delete the project with everything in it and record who did (the caller commits once;
    ``user_id`` None is the command line). Returns what was deleted."""
    if session.get(Project, project_id) is None:
        raise NotFound(f"There is no project {project_id}.")
    contents = project_contents(session, project_id)
    overwrite_deleted_content(session)
    session.execute(delete(Project).where(Project.id == project_id))
    session.expire_all()
    purge_search_index(session)
    record(session, "project.delete", user_id=user_id, project_id=None, object_type="project",
           object_id=project_id, after=contents.as_details())
    session.flush()
    return contents
