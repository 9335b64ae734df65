"""Erasing a source (owners): a page that says what goes with it, and the erasure itself,
one unit of work with its audit event (counts only: no text, no file name)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.database import db_session
from app.ingest import bp
from app.ingest.common import user_id
from app.projects.access import load_project
from app.security import login_required
from app.templating import counted
from coding.erasure import ErasureReport, SourceFootprint, erase_source, source_footprint
from research.db import transaction
from research.participants import get_participant
from research.projects import Role
from research.sources import get_source


@bp.route("/projects/<int:project_id>/sources/<int:source_id>/erase", methods=["GET", "POST"])
@login_required
def source_erase(project_id: int, source_id: int) -> str | Response:
    project, role = load_project(project_id, needs=Role.OWNER)
    db = db_session()
    source = get_source(db, project_id=project.id, source_id=source_id)
    if request.method == "POST":
        if request.form.get("confirm") != "erase":
            flash("Tick the box to confirm the erasure. Nothing was erased.", "error")
            return redirect(url_for("ingest.source_erase", project_id=project.id, source_id=source.id))
        with transaction(db):
            report = erase_source(db, project_id=project_id, source_id=source_id, user_id=user_id())
        flash(_erased_message(report), "success")
        return redirect(url_for("workbench.sources", project_id=project_id))
    person = (get_participant(db, project_id=project.id, participant_id=source.participant_id)
              if source.participant_id else None)
    return render_template("ingest/source_erase.html", project=project, role=role, source=source, person=person,
                           footprint=source_footprint(db, project_id=project.id, source_id=source.id))


def _erased_message(report: ErasureReport) -> str:
    removed = report.removed or SourceFootprint(0, 0, 0, 0, 0)
    went = [counted(number, noun) for number, noun in ((removed.codings, "coding"), (removed.memos, "memo"),
                                                        (removed.suggestions, "suggestion")) if number]
    message = "The source was erased" + (f", with its {_listed(went)}." if went else ".")
    if report.exports_dropped:
        message += (f" {counted(report.exports_dropped, 'cached export file')} of the project "
                    f"{'was' if report.exports_dropped == 1 else 'were'} dropped as well, as "
                    f"{'it' if report.exports_dropped == 1 else 'they'} may quote it; export again when you need to.")
    return message


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
