"""Projects, members and jobs in the API."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from werkzeug.wrappers import Response

from app.api import bp
from app.database import db_session
from app.jobs import job_json
from app.projects.access import load_project
from app.queue import get_queue
from app.security import current_user
from coding.events import record
from research import projects as svc
from research.db import transaction
from research.errors import InvalidInput
from research.jobs import get_job
from research.projects import Membership, Project, Role


def project_json(project: Project, role: Role) -> dict[str, Any]:
    return {
        "id": project.id, "guid": project.guid, "name": project.name, "description": project.description,
        "language": project.language, "company_name": project.company_name,
        "company_aliases": project.company_aliases, "phase_model": project.phase_model,
        "phases": [{"id": p.id, "position": p.position, "name": p.name, "description": p.description}
                   for p in project.phases],
        "role": role.value, "created_at": project.created_at.isoformat(),
    }


def member_json(membership: Membership) -> dict[str, Any]:
    return {"user_id": membership.user_id, "email": membership.user.email,
            "display_name": membership.user.display_name, "role": membership.role.value}


def json_body(*allowed: str) -> dict[str, Any]:
    """The request's JSON object, refusing fields that may not be set (no mass assignment)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("Send a JSON object with Content-Type: application/json.")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise InvalidInput(f"Unknown or read-only field(s): {', '.join(unknown)}.")
    if _holds_nul(body):
        raise InvalidInput("Texts cannot contain the NUL character (\\u0000).")
    return body


def _holds_nul(value: Any) -> bool:
    """PostgreSQL stores no NUL in text, so it is refused on every database alike."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _user_id() -> int:
    user = current_user()
    assert user is not None
    return user.id


@bp.get("/projects")
def list_projects() -> Response:
    return jsonify([project_json(p, r) for p, r in svc.projects_of(db_session(), _user_id())])


@bp.post("/projects")
def create_project() -> tuple[Response, int]:
    body = json_body("name", "description", "language", "company_name", "company_aliases", "phase_model")
    aliases = body.get("company_aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise InvalidInput("company_aliases must be a list of strings.")
    texts = {name: body.get(name, default) for name, default in (
        ("name", ""), ("description", ""), ("language", "sv"), ("company_name", ""), ("phase_model", "six"))}
    if not all(isinstance(value, str) for value in texts.values()):
        raise InvalidInput("name, description, language, company_name and phase_model must be strings.")
    db = db_session()
    with transaction(db):
        project = svc.create_project(db, owner_id=_user_id(), company_aliases=aliases, **texts)
        record(db, "project.create", user_id=_user_id(), project_id=project.id, object_type="project",
               object_id=project.id, after={"name": project.name})
    return jsonify(project_json(project, Role.OWNER)), 201


@bp.get("/projects/<int:project_id>")
def get_project(project_id: int) -> Response:
    project, role = load_project(project_id)
    return jsonify(project_json(project, role))


@bp.get("/projects/<int:project_id>/members")
def list_members(project_id: int) -> Response:
    project, _ = load_project(project_id)
    return jsonify([member_json(m) for m in svc.members_of(db_session(), project.id)])


@bp.post("/projects/<int:project_id>/members")
def add_member(project_id: int) -> tuple[Response, int]:
    project, _ = load_project(project_id, needs=Role.OWNER)
    body = json_body("email", "role")
    try:
        role = Role(body.get("role", "coder"))
    except ValueError as exc:
        raise InvalidInput("role must be owner, coder or viewer.") from exc
    db = db_session()
    with transaction(db):
        membership = svc.add_member(db, project_id=project.id, email=str(body.get("email", "")), role=role)
        record(db, "member.add", user_id=_user_id(), project_id=project.id, object_type="user",
               object_id=membership.user_id, after={"role": role.value})
    return jsonify(member_json(membership)), 201


@bp.post("/projects/<int:project_id>/backup")
def start_backup(project_id: int) -> tuple[Response, int]:
    project, _ = load_project(project_id, needs=Role.OWNER)
    db = db_session()
    with transaction(db):
        record(db, "export.backup", user_id=_user_id(), project_id=project.id, object_type="project",
               object_id=project.id)
    job = get_queue().enqueue(db, "project.backup", project_id=project.id, user_id=_user_id())
    return jsonify(job_json(job)), 202


@bp.get("/projects/<int:project_id>/jobs/<int:job_id>")
def get_job_status(project_id: int, job_id: int) -> Response:
    project, _ = load_project(project_id)
    return jsonify(job_json(get_job(db_session(), job_id=job_id, project_id=project.id)))
