"""Starting a report in the API: POST sections, filters and a format, get the job (202)."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from werkzeug.wrappers import Response

from app.api import bp
from app.api.projects import json_body
from app.database import db_session
from app.jobs import job_json
from app.projects.access import load_project
from app.report.views import start_report
from exports.report import ReportRequest, parse_request
from research.errors import InvalidInput


@bp.post("/projects/<int:project_id>/report")
def start_report_job(project_id: int) -> tuple[Response, int]:
    project, _ = load_project(project_id)
    job = start_report(db_session(), project, report_request(json_body("sections", "filters", "format")))
    return jsonify(job_json(job)), 202


def report_request(body: dict[str, Any]) -> ReportRequest:
    """The JSON body checked field by field against the OpenAPI schema, then parsed."""
    sections, filters, fmt = body.get("sections"), body.get("filters"), body.get("format")
    if "sections" in body and (not isinstance(sections, list) or not all(isinstance(s, str) for s in sections)):
        raise InvalidInput("sections must be a list of section names.")
    if sections == []:
        raise InvalidInput("Choose at least one section (or leave sections out for all).")
    if "filters" in body and not isinstance(filters, dict):
        raise InvalidInput("filters must be an object of phase, persona, participant, source_kind, coder.")
    if isinstance(filters, dict) and not all(
            value is None or (isinstance(value, str) if name in ("persona", "source_kind")
                              else isinstance(value, int) and not isinstance(value, bool))
            for name, value in filters.items()):
        raise InvalidInput("phase, participant and coder filters are ids; persona and source_kind are texts.")
    if "format" in body and not isinstance(fmt, str):
        raise InvalidInput("format must be docx, html or md.")
    return parse_request(sections, filters, fmt)
