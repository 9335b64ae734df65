"""Starting a file export in the API: POST a format (and a CSV table), get the job (202)."""

from __future__ import annotations

from flask import jsonify
from werkzeug.wrappers import Response

from app.api import bp
from app.api.projects import json_body
from app.database import db_session
from app.exports.views import start_export
from app.jobs import job_json
from app.projects.access import load_project
from exports.formats import export_format, export_table


@bp.post("/projects/<int:project_id>/exports")
def start_export_job(project_id: int) -> tuple[Response, int]:
    project, _ = load_project(project_id)
    body = json_body("format", "table")
    fmt = export_format(body.get("format"))
    job = start_export(db_session(), project, fmt, export_table(fmt, body.get("table")))
    return jsonify(job_json(job)), 202
