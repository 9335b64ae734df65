"""Survey import: upload a CSV/XLSX, preview it, choose the columns' roles, import."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.database import db_session
from app.ingest import bp
from app.ingest.common import user_id
from app.projects.access import load_project
from app.security import login_required
from app.suggestions.runs import after_import
from coding.events import record
from research.db import transaction
from research.errors import DomainError, InvalidInput
from research.ingest import ImportOptions, SurveyColumns, clean_filename, import_file
from research.participant_import import guess_survey_roles
from research.projects import Role
from research.sources import SourceKind
from research.staging import discard_upload, get_upload, stage_upload
from research.tables import Table, read_table

PREVIEW_ROWS = 8
ROLES = [("ignore", "Ignore"), ("id", "Respondent id"), ("question", "Open question (answers are coded)"),
         ("attribute", "Attribute of the respondent"), ("wording", "Wording of the question (long exports)")]


def stage_table(project_id: int, purpose: str) -> int | None:
    """Read the uploaded table once to check it, keep it, and return its id (None after a flash)."""
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        flash("Choose a CSV or XLSX file.", "error")
        return None
    name, data = clean_filename(storage.filename), storage.read()
    try:
        read_table(name, data)
    except DomainError as error:
        flash(str(error), "error")
        return None
    db = db_session()
    with transaction(db):
        return stage_upload(db, project_id=project_id, user_id=user_id(), purpose=purpose, name=name, data=data).id


@bp.route("/projects/<int:project_id>/import/survey", methods=["GET", "POST"])
@login_required
def survey_page(project_id: int) -> str | Response:
    project, role = load_project(project_id, needs=Role.CODER)
    if request.method == "POST":
        upload_id = stage_table(project.id, "survey")
        if upload_id is not None:
            return redirect(url_for("ingest.survey_preview", project_id=project.id, upload_id=upload_id))
        return redirect(url_for("ingest.survey_page", project_id=project.id))
    return render_template("ingest/survey_upload.html", project=project, role=role)


@bp.route("/projects/<int:project_id>/import/survey/<int:upload_id>", methods=["GET", "POST"])
@login_required
def survey_preview(project_id: int, upload_id: int) -> str | Response:
    project, role = load_project(project_id, needs=Role.CODER)
    db = db_session()
    upload = get_upload(db, project_id=project.id, upload_id=upload_id, purpose="survey", user_id=user_id())
    name, data = upload.name, upload.data
    table = read_table(name, data)
    if request.method == "POST":
        columns = _chosen_columns(table)
        db.commit()  # end the read before the import's own transaction
        result = import_file(db, project_id=project.id, user_id=user_id(), name=name, data=data,
                             options=ImportOptions(kind=SourceKind.SURVEY, survey=columns))
        if result.status == "rejected":
            flash(result.reason, "error")
            return redirect(url_for("ingest.survey_preview", project_id=project.id, upload_id=upload_id))
        with transaction(db):
            discard_upload(db, get_upload(db, project_id=project.id, upload_id=upload_id, purpose="survey"))
            if result.status == "imported":
                record(db, "survey.import", user_id=user_id(), project_id=project.id, object_type="source",
                       object_id=result.source_ids[0] if result.source_ids else None,
                       after={"file": name, "sources": len(result.source_ids), "answers": result.segments})
        if result.status == "imported":
            after_import(db, project_id=project.id, user_id=user_id(), source_ids=result.source_ids)
        return render_template("ingest/results.html", project=project, role=role, results=[result])
    return render_template("ingest/survey_preview.html", project=project, role=role, upload_id=upload_id,
                           name=name, table=table, preview=table.rows[:PREVIEW_ROWS], roles=ROLES,
                           guesses=guess_survey_roles(table))


def _chosen_columns(table: Table) -> SurveyColumns:
    chosen = {column: request.form.get(f"role-{i}", "ignore") for i, column in enumerate(table.columns)}
    ids = [c for c, r in chosen.items() if r == "id"]
    wording = [c for c, r in chosen.items() if r == "wording"]
    if len(ids) != 1:
        raise InvalidInput("Choose exactly one respondent id column.")
    if len(wording) > 1:
        raise InvalidInput("Choose at most one column with the wording of the question.")
    return SurveyColumns(
        id_column=ids[0], text_columns=[c for c, r in chosen.items() if r == "question"],
        attribute_columns=[c for c, r in chosen.items() if r == "attribute"],
        question_column=wording[0] if wording else None,
    )
