"""Job pages: start a project backup, watch progress, cancel, download the result (as the
role the job's kind asks for: ``app.job_kinds.DOWNLOAD_ROLES``)."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.auth.forms import EmptyForm
from app.database import db_session, get_database
from app.job_kinds import download_role
from app.projects.access import load_project
from app.queue import get_queue
from app.security import current_user, login_required
from coding.audit import record_download
from coding.events import record
from research.db import transaction
from research.errors import NotFound, PermissionDenied
from research.jobs import Job, JobFile, get_job
from research.projects import Role

bp = Blueprint("jobs", __name__)


def job_json(job: Job) -> dict[str, object]:
    return {
        "id": job.id, "kind": job.kind, "status": job.status.value, "progress": job.progress, "total": job.total,
        "percent": job.percent, "message": job.message, "error": job.error, "result": job.result,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


@bp.post("/projects/<int:project_id>/backup")
@login_required
def start_backup(project_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.OWNER)
    user = current_user()
    assert user is not None
    db = db_session()
    with transaction(db):
        record(db, "export.backup", user_id=user.id, project_id=project.id, object_type="project", object_id=project.id)
    job = get_queue().enqueue(db, "project.backup", project_id=project.id, user_id=user.id)
    return redirect(url_for("jobs.show", project_id=project.id, job_id=job.id))


@bp.get("/projects/<int:project_id>/jobs/<int:job_id>")
@login_required
def show(project_id: int, job_id: int) -> str | Response:
    project, role = load_project(project_id)
    job = get_job(db_session(), job_id=job_id, project_id=project.id)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(job_json(job))
    has_file = db_session().get(JobFile, job.id) is not None
    return render_template("jobs/show.html", project=project, role=role, job=job, has_file=has_file,
                           can_download=role.allows(download_role(job.kind)), form=EmptyForm())


@bp.post("/projects/<int:project_id>/jobs/<int:job_id>/cancel")
@login_required
def cancel(project_id: int, job_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.CODER)
    get_job(db_session(), job_id=job_id, project_id=project.id)
    get_queue().cancel(db_session(), job_id)
    return redirect(url_for("jobs.show", project_id=project.id, job_id=job_id))


@bp.get("/projects/<int:project_id>/jobs/<int:job_id>/download")
@login_required
def download(project_id: int, job_id: int) -> Response:
    project, role = load_project(project_id)
    job = get_job(db_session(), job_id=job_id, project_id=project.id)
    if not role.allows(download_role(job.kind)):
        raise PermissionDenied("Only the project's owners can download this file.")
    file = db_session().get(JobFile, job.id)
    if file is None:
        raise NotFound("This job has produced no file (yet).")
    user = current_user()
    assert user is not None
    with get_database().writer() as writer, transaction(writer):  # this GET's own session only reads
        record_download(writer, project_id=project.id, user_id=user.id, job_id=job.id, kind=job.kind,
                        file_name=file.name)
    response = Response(file.data, mimetype=file.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{file.name}"'
    return response
