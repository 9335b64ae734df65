"""Starting a report in the API: POST sections, filters and a format, get the job (202)."""

from __future__ import annotations

from flask import jsonify
from werkzeug.wrappers import Response

from app.api import bp
from app.api.projects import json_body
from app.database import db_session
from app.jobs import job_json
from app.projects.access import load_project
from app.report.views import start_report
from exports.report import parse_request
from research.errors import InvalidInput


@bp.post("/projects/<int:project_id>/report")
def start_report_job(project_id: int) -> tuple[Response, int]:
    project, _ = load_project(project_id)
    body = json_body("sections", "filters", "format")
    sections = body.get("sections")
    if sections is not None and (not isinstance(sections, list) or not all(isinstance(s, str) for s in sections)):
        raise InvalidInput("sections must be a list of section names.")
    if sections == []:
        raise InvalidInput("Choose at least one section (or leave sections out for all).")
    wanted = parse_request(sections, body.get("filters"), body.get("format"))
    job = start_report(db_session(), project, wanted)
    return jsonify(job_json(job)), 202
