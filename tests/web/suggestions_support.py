"""A project with members of every role, a source and a fast fake embedder for the suggestion tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app import nlp_jobs
from research import accounts
from research.db import transaction
from research.projects import Project, Role
from tests.conftest import make_member, make_project, make_user
from tests.unit.coding.suggest_data import add_text_source, make_world
from tests.unit.suggest.support import HashEmbedder


@dataclass
class Team:
    project: Project
    source_id: int
    agent_id: int
    tokens: dict[str, str]
    other_project: Project


def use_fake_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nlp_jobs, "embedder_named", lambda name, threads=0: HashEmbedder())


def make_team(session) -> Team:
    world = make_world(session)
    users = {"owner": world.owner,
             "coder": make_member(session, world.project, "coder@example.org", Role.CODER),
             "viewer": make_member(session, world.project, "viewer@example.org", Role.VIEWER),
             "outsider": make_user(session, "outsider@example.org")}
    other = make_project(session, users["outsider"], name="Someone else's study")
    add_text_source(session, other.id, ["Mäklaren ringde."], name="Annan")
    with transaction(session):
        tokens = {role: accounts.create_token(session, user_id=user.id) for role, user in users.items()}
    return Team(world.project, world.source.id, world.agent.id, tokens, other)


def bearer(team: Team, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {team.tokens[role]}"} if role != "anonymous" else {}
