"""Fixtures of the security suite: a hostile project with an owner and a viewer."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from research.db import transaction
from research.projects import Role, add_member
from tests.conftest import make_user
from tests.security.hostile import HostileProject, seed_hostile_project


@dataclass(frozen=True)
class HostileWorld:
    project: HostileProject
    owner_email: str
    viewer_email: str


@pytest.fixture
def hostile(app: Flask, session: Session) -> HostileWorld:
    owner = make_user(session, "owner@example.org", name='Ägare <script>alert(1)</script>')
    viewer = make_user(session, "viewer@example.org", name='"><img src=x onerror=alert(1)>')
    project = seed_hostile_project(session, owner.id, viewer.id)
    with transaction(session):
        add_member(session, project_id=project.project_id, email=viewer.email, role=Role.VIEWER)
    return HostileWorld(project, owner.email, viewer.email)
