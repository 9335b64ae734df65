"""POST /api/v1/projects/{pid}/sources: multipart upload of one or more files,
answered with one result per file (imported, duplicate, rejected or queued)."""

from __future__ import annotations

from flask import jsonify, request
from werkzeug.wrappers import Response

from app.api import bp
from app.ingest.common import pdf_limits
from app.ingest.upload import import_uploads, result_json
from app.projects.access import load_project
from research.errors import InvalidInput
from research.ingest import ImportOptions, SurveyColumns, observation_details, parse_kind
from research.projects import Role
from research.sources import SourceKind


def _columns(name: str) -> list[str]:
    """A list given as repeated fields or as one comma-separated field."""
    values = request.form.getlist(name)
    if len(values) == 1 and "," in values[0]:
        values = values[0].split(",")
    return [v.strip() for v in values if v.strip()]


@bp.post("/projects/<int:project_id>/sources")
def import_sources(project_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.CODER)
    files = [f for f in request.files.getlist("files") + request.files.getlist("file") if f.filename]
    if not files:
        raise InvalidInput("Send the files as multipart/form-data fields named 'files'.")
    kind = parse_kind(request.form.get("kind"))
    survey = None
    if kind is SourceKind.SURVEY:
        id_column = (request.form.get("id_column") or "").strip()
        if not id_column:
            raise InvalidInput("A survey import needs id_column and text_columns.")
        survey = SurveyColumns(id_column=id_column, text_columns=_columns("text_columns"),
                               attribute_columns=_columns("attribute_columns"),
                               question_column=(request.form.get("question_column") or "").strip() or None)
    details = observation_details(request.form.to_dict()) if kind is SourceKind.OBSERVATION else {}
    options = ImportOptions(kind=kind, details=details, survey=survey, pdf_limits=pdf_limits())
    results = import_uploads(project.id, files, options)
    return jsonify(results=[result_json(project.id, r) for r in results])
