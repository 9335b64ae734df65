"""GET lists the formats, the report, the backup and recent exports; POST starts an
``export.file`` job and opens its page, where the file can be downloaded when it is ready.

Viewers and up may export: a file holds only what they can already read (the backup,
which carries the pseudonymisation keys, stays with the owners)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from app.auth.forms import EmptyForm
from app.database import db_session
from app.exports import bp
from app.job_kinds import download_role
from app.projects.access import load_project
from app.queue import get_queue
from app.security import current_user, login_required
from coding.events import record
from exports.formats import FORMATS, TABLE_LABELS, ExportFormat, export_format, export_table
from exports.report import FORMATS as REPORT_FORMATS
from research.db import transaction
from research.errors import InvalidInput
from research.jobs import Job, JobStatus, jobs_of
from research.projects import Project

EXPORT_KINDS = ("export.file", "export.report", "project.backup")
RECENT = 8


def start_export(db: Session, project: Project, fmt: ExportFormat, table: str) -> Job:
    """Record the export in the audit trail and queue its job (the page and the API)."""
    user = current_user()
    assert user is not None
    params = {"format": fmt.key, **({"table": table} if table else {})}
    with transaction(db):
        record(db, "export.file", user_id=user.id, project_id=project.id, object_type="project",
               object_id=project.id, after=params)
    return get_queue().enqueue(db, "export.file", project_id=project.id, user_id=user.id, **params)


def describe(job: Job) -> str:
    """What a recent export job made, in a few words."""
    if job.kind == "project.backup":
        return "Project backup"
    if job.kind == "export.report":
        return f"Report ({str(job.params.get('format', 'docx')).upper()})"
    fmt = FORMATS.get(str(job.params.get("format")))
    if fmt is None:
        return "Export"
    table = job.params.get("table")
    return f"{fmt.label}: {TABLE_LABELS[table]}" if table in TABLE_LABELS else fmt.label


@bp.route("/projects/<int:project_id>/exports", methods=["GET", "POST"])
@login_required
def index(project_id: int) -> str | Response | tuple[str, int]:
    project, role = load_project(project_id)
    db = db_session()
    form = EmptyForm()
    error = None
    if request.method == "POST":  # the CSRF token was checked before the view (app.security)
        try:
            fmt = export_format(request.form.get("format"))
            table = export_table(fmt, request.form.get("table"))
        except InvalidInput as exc:
            error = str(exc)
        else:
            job = start_export(db, project, fmt, table)
            return redirect(url_for("jobs.show", project_id=project.id, job_id=job.id))
    recent = [job for job in jobs_of(db, project.id) if job.kind in EXPORT_KINDS][:RECENT]
    downloadable = {job.id for job in recent
                    if job.status is JobStatus.DONE and role.allows(download_role(job.kind))}
    return render_template("exports/index.html", project=project, role=role, form=form, formats=FORMATS.values(),
                           tables=TABLE_LABELS, report_formats=[key.upper() for key in REPORT_FORMATS],
                           recent=recent, downloadable=downloadable, describe=describe,
                           error=error), (400 if error else 200)
