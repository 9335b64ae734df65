"""The actor network, the journey map and quotes in the API."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import jsonify, request
from werkzeug.wrappers import Response

from app.api import bp
from app.database import db_session
from app.network.params import coding_ids, evidence_filters, network_options
from app.network.views import quote_href
from app.projects.access import load_project
from coding.evidence import journey_for, network_for, quotes_for
from exports.network_files import FORMATS, export_network
from research.errors import InvalidInput


def _download(data: bytes, media_type: str, filename: str) -> Response:
    response = Response(data, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/projects/<int:project_id>/network")
def get_network(project_id: int) -> Response:
    project, _ = load_project(project_id)
    options = network_options(request.args)
    fmt = request.args.get("format", "json") or "json"
    if fmt != "json" and fmt not in FORMATS:
        raise InvalidInput(f"Unknown format {fmt!r}; use json, {', '.join(FORMATS)}.")
    report = network_for(db_session(), project.id, options.filters, options.layers, options.window,
                         options.min_weight)
    if fmt == "json":
        data = report.to_dict()
        data["filters"] = options.filters.as_dict()
        return jsonify(data)
    media_type, extension = FORMATS[fmt]
    return _download(export_network(report.network, fmt), media_type, f"project-{project.id}-network.{extension}")


@bp.get("/projects/<int:project_id>/journey")
def get_journey(project_id: int) -> Response:
    project, _ = load_project(project_id)
    filters = evidence_filters(request.args)
    fmt = request.args.get("format", "json") or "json"
    if fmt not in ("json", "csv"):
        raise InvalidInput("format must be json or csv.")
    report = journey_for(db_session(), project.id, filters)
    if fmt == "csv":
        return _download(journey_csv(report.csv_rows()), "text/csv", f"project-{project.id}-journey.csv")
    data = report.to_dict()
    data["filters"] = filters.as_dict()
    return jsonify(data)


def journey_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(["'" + v if v[:1] in ("=", "+", "-", "@") and not _number(v) else v for v in row])
    return out.getvalue().encode("utf-8")


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@bp.get("/projects/<int:project_id>/quotes")
def get_quotes(project_id: int) -> Response:
    project, _ = load_project(project_id)
    if "ids" not in request.args:
        raise InvalidInput("?ids= is required: coding ids separated by commas.")
    return jsonify([quote_json(project.id, q) for q in quotes_for(db_session(), project.id, coding_ids(request.args))])


def quote_json(project_id: int, quote: Any) -> dict[str, Any]:
    return {
        "coding_id": quote.coding_id, "code_id": quote.code_id, "code": quote.code, "source_id": quote.source_id,
        "source": quote.source, "start": quote.start, "end": quote.end, "text": quote.text,
        "participant_id": quote.participant_id, "participant": quote.participant,
        "href": quote_href(project_id, quote.source_id, quote.start, quote.end),
    }
