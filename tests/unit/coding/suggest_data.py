"""A small project for the NLP helper's database tests: a codebook, sources and a fake embedder."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from coding.codebook import Code, create_code
from coding.kinds import CodeKind
from research.accounts import User
from research.db import transaction
from research.projects import Project
from research.segmenting import Span
from research.sources import Source, SourceKind, add_source
from tests.conftest import make_project, make_user
from tests.unit.suggest.support import HashEmbedder

INTERVIEW = [
    "Vi pratade med mäklaren om visningen av lägenheten.",
    "Sedan ringde vi Fjällbanken för att få ett lånelöfte.",
    "Räntan var hög och banken svarade aldrig på mejlen.",
    "Till slut flyttade vi in i lägenheten i maj.",
]


@dataclass
class World:
    owner: User
    project: Project
    source: Source
    loan: Code
    agent: Code


def add_text_source(session: Session, project_id: int, paragraphs: list[str], name: str = "Intervju 1",
                    language: str | None = "sv") -> Source:
    text = "\n\n".join(paragraphs)
    spans, offset = [], 0
    for paragraph in paragraphs:
        spans.append(Span("paragraph", offset, offset + len(paragraph)))
        offset += len(paragraph) + 2
    with transaction(session):
        return add_source(session, project_id=project_id, kind=SourceKind.INTERVIEW, name=name, text=text,
                          spans=spans, original=(name + text).encode(), language=language)


def make_world(session: Session) -> World:
    owner = make_user(session)
    project = make_project(session, owner)
    source = add_text_source(session, project.id, INTERVIEW)
    with transaction(session):
        loan = create_code(session, project_id=project.id, name="Bostadslån", kind=CodeKind.GOAL,
                           description="Getting a mortgage", aliases=["lånelöfte"])
        agent = create_code(session, project_id=project.id, name="Mäklare", kind=CodeKind.ACTOR,
                            aliases=["mäklaren"], ownership="third_party")
    return World(owner, project, source, loan, agent)


def embedder() -> HashEmbedder:
    return HashEmbedder()


class OtherHashEmbedder(HashEmbedder):
    model_id = "test-hash-2"
