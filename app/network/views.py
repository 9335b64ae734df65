"""The network page, the journey map page (and its SVG), and a plain list of quotes."""

from __future__ import annotations

import textwrap
from typing import Any
from urllib.parse import urlencode

from flask import render_template, request, url_for
from werkzeug.wrappers import Response

from app.database import db_session
from app.network import bp
from app.network.charts import emotion_curve
from app.network.params import LAYER_KEYS, coding_ids, evidence_filters, network_options
from app.projects.access import load_project
from app.security import login_required
from coding.evidence import LAYERS, filter_options, journey_for, network_for, quotes_for
from coding.journey import LANES
from coding.network_layout import positions
from research.projects import Project

KIND_LABELS = {"actor": "Actor", "goal": "Goal", "sub_goal": "Sub-goal", "touchpoint": "Touchpoint",
               "channel": "Channel", "phase": "Phase", "participant": "Customer"}
OWNERSHIP_LABELS = {"company": "The company's own", "partner": "Partner", "third_party": "Third party",
                    "customer_sphere": "Customer's own sphere"}


def quote_href(project_id: int, source_id: int, start: int, end: int) -> str:
    """Where a quote sits in its document (the source page scrolls to it and marks it)."""
    return f"/projects/{project_id}/sources/{source_id}?at={start}-{end}"


def quotes_url(project: Project, ids: Any, title: str = "") -> str:
    chosen = list(ids)[:200]
    query = {"ids": ",".join(str(i) for i in chosen)}
    if title:
        query["title"] = title
    return url_for("network.quotes", project_id=project.id) + "?" + urlencode(query)


def _query(drop: tuple[str, ...] = ()) -> str:
    pairs = [(k, v) for k, v in request.args.items(multi=True) if v and k not in drop]
    return urlencode(pairs)


@bp.get("/projects/<int:project_id>/network")
@login_required
def network(project_id: int) -> str:
    project, role = load_project(project_id)
    options = network_options(request.args)
    db = db_session()
    report = network_for(db, project.id, options.filters, options.layers, options.window, options.min_weight)
    data = report.to_dict()
    data["positions"] = positions(report.network)
    data["project_id"] = project.id
    data["company"] = project.company_name
    node_labels = {n.id: n.label for n in report.network.nodes.values()}
    return render_template(
        "network/network.html", project=project, role=role, report=report, data=data,
        choices=filter_options(db, project.id), options=options, layers=LAYERS, layer_keys=LAYER_KEYS,
        kind_labels=KIND_LABELS, ownership_labels=OWNERSHIP_LABELS, node_labels=node_labels,
        quotes_url=quotes_url, query=_query(), api_query=_query(drop=("format",)),
    )


@bp.get("/projects/<int:project_id>/journey")
@login_required
def journey(project_id: int) -> str:
    project, role = load_project(project_id)
    filters = evidence_filters(request.args)
    db = db_session()
    report = journey_for(db, project.id, filters)
    return render_template(
        "network/journey.html", project=project, role=role, report=report, journey=report.journey,
        evidence=report.evidence, curve=emotion_curve(report.journey), choices=filter_options(db, project.id),
        filters=filters, lanes=LANES, quotes_url=quotes_url, quote_href=quote_href, query=_query(),
    )


@bp.get("/projects/<int:project_id>/journey.svg")
@login_required
def journey_svg(project_id: int) -> Response:
    project, _ = load_project(project_id)
    filters = evidence_filters(request.args)
    report = journey_for(db_session(), project.id, filters)
    column_width = 220.0
    svg = render_template(
        "network/journey.svg", project=project, journey=report.journey, evidence=report.evidence,
        curve=emotion_curve(report.journey, column_width=column_width, left=170.0), column_width=column_width,
        filters=filters, wrap=textwrap.wrap,
    )
    response = Response(svg, mimetype="image/svg+xml")
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="project-{project.id}-journey.svg"'
    return response


@bp.get("/projects/<int:project_id>/quotes")
@login_required
def quotes(project_id: int) -> str:
    project, role = load_project(project_id)
    found = quotes_for(db_session(), project.id, coding_ids(request.args))
    return render_template("network/quotes.html", project=project, role=role, quotes=found,
                           title=request.args.get("title", "") or "Quotes", quote_href=quote_href)
