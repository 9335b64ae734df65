"""Factories for the workbench tests: a project with members of every role, a source and codes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from coding.codebook import Code, create_code
from coding.kinds import CodeKind
from research.accounts import User
from research.db import transaction
from research.projects import Project, Role
from research.segmenting import Span
from research.sources import Source, SourceKind, add_source
from tests.conftest import make_member, make_project, make_user

# Two turns with Nordic letters, an emoji (two UTF-16 units, one code point) and a combining ring.
TEXT = ("[00:00:05] Intervjuare: Hur började det?\n\n"
        "[00:00:14] Åsa: Jag ville ha något eget 🏠 i Göteborg, så jag gick till banken.\n\n"
        "[00:00:40] Åsa: Mäklaren på Ærø sa att A\u030angström-lånet var bäst.")


def turn(text: str, content: str, speaker: str, seconds: int) -> Span:
    start = text.index(content)
    return Span("turn", start, start + len(content), speaker, seconds * 1000)


SPANS = [
    turn(TEXT, "Hur började det?", "Intervjuare", 5),
    turn(TEXT, "Jag ville ha något eget 🏠 i Göteborg, så jag gick till banken.", "Åsa", 14),
    turn(TEXT, "Mäklaren på Ærø sa att A\u030angström-lånet var bäst.", "Åsa", 40),
]


@dataclass
class Team:
    project: Project
    owner: User
    coder: User
    viewer: User
    outsider: User
    source: Source
    bank: Code
    home: Code
    folder: Code

    def email(self, role: str) -> str:
        return {"owner": self.owner.email, "coder": self.coder.email, "viewer": self.viewer.email,
                "outsider": self.outsider.email}[role]


def make_team(session: Session) -> Team:
    owner = make_user(session)
    project = make_project(session, owner)
    coder = make_member(session, project, "coder@example.org", Role.CODER)
    viewer = make_member(session, project, "viewer@example.org", Role.VIEWER)
    outsider = make_user(session, email="outsider@example.org")
    with transaction(session):
        source = add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name="Intervju: Åsa",
                            text=TEXT, spans=SPANS, original=TEXT.encode(), language="sv")
        folder = create_code(session, project_id=project.id, name="Aktörer", kind=CodeKind.ACTOR, is_folder=True)
        bank = create_code(session, project_id=project.id, name="Banken", kind=CodeKind.ACTOR, parent_id=folder.id,
                           colour="#1f6f78", ownership="company")
        home = create_code(session, project_id=project.id, name="Köpa ett hem", kind=CodeKind.GOAL,
                           colour="#c0392b")
    return Team(project, owner, coder, viewer, outsider, source, bank, home, folder)


def span_of(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)
