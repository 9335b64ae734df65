"""Loading a project for the current user: the single gate to project data."""

from __future__ import annotations

from app.database import db_session
from app.security import current_user
from research.projects import Project, Role, get_project_for


def load_project(project_id: int, needs: Role = Role.VIEWER) -> tuple[Project, Role]:
    user = current_user()
    assert user is not None, "views that load projects are login_required"
    return get_project_for(db_session(), project_id=project_id, user_id=user.id, needs=needs)
