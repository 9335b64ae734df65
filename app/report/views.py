"""GET shows the choices; POST starts an ``export.report`` job and opens its page, where
the file can be downloaded when it is ready. Viewers and up may do both: a report holds
only what they can already read."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from app.auth.forms import EmptyForm
from app.database import db_session
from app.projects.access import load_project
from app.queue import get_queue
from app.report import bp
from app.security import current_user, login_required
from coding.events import record
from coding.evidence import EvidenceFilters, filter_options
from exports.report import FORMATS, SECTIONS, ReportRequest, parse_request
from research.db import transaction
from research.errors import InvalidInput
from research.jobs import Job
from research.projects import Project

FORMAT_LABELS = {"docx": "Word (DOCX)", "html": "Web page (HTML)", "md": "Markdown"}
FILTER_KEYS = ("phase", "persona", "participant", "source_kind", "coder")


def start_report(db: Session, project: Project, wanted: ReportRequest) -> Job:
    """Record the request in the audit trail and queue the job (the page and the API)."""
    user = current_user()
    assert user is not None
    filters = {key: value for key, value in wanted.filters.as_dict().items() if value not in (None, "")}
    with transaction(db):
        record(db, "export.report", user_id=user.id, project_id=project.id, object_type="project",
               object_id=project.id, after={"format": wanted.format, "sections": list(wanted.sections),
                                            "filters": filters})
    return get_queue().enqueue(db, "export.report", project_id=project.id, user_id=user.id,
                               sections=list(wanted.sections), filters=filters, format=wanted.format)


@bp.route("/projects/<int:project_id>/report", methods=["GET", "POST"])
@login_required
def report(project_id: int) -> str | Response | tuple[str, int]:
    project, role = load_project(project_id)
    db = db_session()
    form = EmptyForm()
    error = None
    chosen: dict[str, Any] = {"sections": [key for key, _ in SECTIONS], "format": "docx",
                              "filters": EvidenceFilters()}
    if request.method == "POST" and form.validate_on_submit():
        try:
            if not request.form.getlist("sections"):
                raise InvalidInput("Choose at least one section.")
            wanted = parse_request(request.form.getlist("sections"),
                                   {key: request.form.get(key, "") for key in FILTER_KEYS}, request.form.get("format"))
        except InvalidInput as exc:
            error = str(exc)
        else:
            job = start_report(db, project, wanted)
            return redirect(url_for("jobs.show", project_id=project.id, job_id=job.id))
    elif request.method == "POST":
        error = "The form expired; please try again."
    return render_template("report/form.html", project=project, role=role, form=form, sections=SECTIONS,
                           formats=[(key, FORMAT_LABELS[key]) for key in FORMATS], chosen=chosen,
                           choices=filter_options(db, project.id), filters=chosen["filters"],
                           error=error), (400 if error else 200)
