"""The demo project shared by the report and export page tests."""

from __future__ import annotations

from sqlalchemy.orm import Session

from coding.demo.loader import _manifest, load_demo
from research.db import transaction
from research.projects import Project, Role
from tests.conftest import make_member, make_user


def demo_team(session: Session) -> int:
    """The demo project with its owner, a viewer, and an outsider who belongs to nothing."""
    owner = make_user(session, email="owner@example.org")
    with transaction(session):
        project_id = load_demo(session, owner=owner, manifest=_manifest()).id
    make_member(session, session.get(Project, project_id), "viewer@example.org", Role.VIEWER)
    make_user(session, email="outsider@example.org")
    return project_id
