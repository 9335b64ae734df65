"""Loads the demo project from ``content/`` through the same services an upload uses.

The content (interviews, observations, a survey, a codebook and codings written
for Kundstig) is described in ``content/manifest.json``. Loading happens in
one transaction and only once: a second call returns the existing login.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coding.demo.codebook import load_codebook_and_codings
from research import accounts
from research.db import transaction
from research.parsers import parse_file
from research.participants import Participant, create_participant, define_attribute, set_attribute
from research.projects import Membership, Project, Role, create_project
from research.sources import Source, SourceKind, SpeakerMapping, add_source
from research.surveys import import_survey
from research.tables import read_table

CONTENT = Path(__file__).parent / "content"
DEMO_EMAIL = "demo@kundstig.example"
SECOND_CODER_EMAIL = "demo2@kundstig.example"
INTERVIEWER_LABELS = {"intervjuare", "intervjuer", "interviewer", "i", "q"}


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    project_id: int
    project_name: str


def _manifest() -> dict[str, Any]:
    return json.loads((CONTENT / "manifest.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _password(instance_path: Path) -> str:
    """The demo password: random per instance, kept beside the database (owner-only)."""
    path = instance_path / "demo_password"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    password = "demo-" + secrets.token_urlsafe(9)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password)
    return password


def ensure_demo(session: Session, instance_path: Path) -> DemoLogin:
    manifest = _manifest()
    password = _password(instance_path)
    with transaction(session):
        user = session.scalar(select(accounts.User).where(accounts.User.email == DEMO_EMAIL))
        if user is None:
            user = accounts.create_user(session, email=DEMO_EMAIL, password=password, display_name="Demo researcher")
        project = session.scalar(
            select(Project).join(Membership)
            .where(Membership.user_id == user.id, Project.name == manifest["project"]["name"])
        )
        if project is None:
            project = load_demo(session, owner=user, manifest=manifest)
    return DemoLogin(DEMO_EMAIL, password, project.id, project.name)


def load_demo(session: Session, *, owner: accounts.User, manifest: dict[str, Any]) -> Project:
    """Create the whole demo project in the caller's transaction."""
    info = manifest["project"]
    project = create_project(
        session, owner_id=owner.id, name=info["name"], description=info["description"], language=info["language"],
        company_name=info["company_name"], company_aliases=info["company_aliases"], phase_model=info["phase_model"],
    )
    participants = _participants(session, project.id, manifest)
    sources: dict[str, Source] = {}
    for entry in manifest["sources"]:
        sources[entry["file"]] = _source(session, project.id, entry, participants, owner.id)
    survey = manifest["survey"]
    data = (CONTENT / survey["file"]).read_bytes()
    imported = import_survey(
        session, project_id=project.id, table=read_table(survey["file"], data), id_column=survey["id_column"],
        text_columns=survey["text_columns"], attribute_columns=survey["attribute_columns"], original=data,
        original_name=survey["file"], user_id=owner.id, language=info["language"],
    )
    survey_sources = {s.name: s for s in imported.sources}
    second = session.scalar(select(accounts.User).where(accounts.User.email == SECOND_CODER_EMAIL))
    if second is None:
        second = accounts.create_user(session, email=SECOND_CODER_EMAIL, password=secrets.token_urlsafe(24),
                                      display_name="Second coder")
    session.add(Membership(project_id=project.id, user_id=second.id, role=Role.CODER))
    load_codebook_and_codings(
        session, project=project, content=CONTENT, sources=sources, survey_sources=survey_sources,
        coders={"demo": owner.id, "demo2": second.id},
    )
    return project


def _participants(session: Session, project_id: int, manifest: dict[str, Any]) -> dict[str, Participant]:
    types = manifest.get("attribute_types", {})
    attributes = {name: define_attribute(session, project_id=project_id, name=name, type=kind)
                  for name, kind in types.items()}
    participants = {}
    for entry in manifest["participants"]:
        participant = create_participant(session, project_id=project_id, name=entry["name"])
        for name, value in entry.get("attributes", {}).items():
            attribute = attributes.get(name) or define_attribute(session, project_id=project_id, name=name)
            set_attribute(session, participant, attribute, value)
        participants[entry["name"]] = participant
    return participants


def _source(session: Session, project_id: int, entry: dict[str, Any], participants: dict[str, Participant],
            user_id: int) -> Source:
    data = (CONTENT / entry["file"]).read_bytes()
    parsed = parse_file(Path(entry["file"]).name, data)
    owner = participants.get(entry.get("participant") or "")
    source = add_source(
        session, project_id=project_id, kind=SourceKind(entry["kind"]), name=entry["title"], text=parsed.text,
        spans=parsed.spans, original=data, original_name=Path(entry["file"]).name, media_type=parsed.media_type,
        language=entry.get("language"), participant_id=owner.id if owner else None, encoding=parsed.encoding,
        details=entry.get("observation") or {}, created_by=user_id,
    )
    by_first_name = {p.name.split()[0].lower(): p for p in participants.values()}
    labels = {segment.speaker for segment in source.segments if segment.speaker}
    for label in sorted(labels):
        key = label.strip().lower()
        interviewer = key in INTERVIEWER_LABELS
        speaker = None if interviewer else by_first_name.get(key.split()[0]) or (owner if key == "r" else None)
        session.add(SpeakerMapping(source_id=source.id, label=label, is_interviewer=interviewer,
                                   participant_id=speaker.id if speaker else None))
        for segment in source.segments:
            if segment.speaker == label:
                segment.participant_id = speaker.id if speaker else None
    return source
