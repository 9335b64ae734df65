"""Searching a project's segments, with keyword-in-context snippets and filters."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from app.database import db_session
from app.ingest import bp
from app.projects.access import load_project
from app.security import login_required
from research.errors import InvalidInput
from research.ingest import parse_kind
from research.participants import AttributeDef
from research.search import SearchResult, search_segments, speakers_of_project
from research.sources import SourceKind

PAGE = 50


@bp.get("/projects/<int:project_id>/search")
@login_required
def search(project_id: int) -> str:
    project, role = load_project(project_id)
    db = db_session()
    attributes = list(db.scalars(select(AttributeDef).where(AttributeDef.project_id == project.id)
                                 .order_by(AttributeDef.name)))
    args = request.args
    query = args.get("q", "").strip()
    kind = parse_kind(args["kind"]) if args.get("kind") else None
    attribute_id = args.get("attribute", type=int)
    page = max(1, args.get("page", 1, type=int))
    result: SearchResult | None = None
    error = None
    if query:
        try:
            result = search_segments(
                db, project_id=project.id, query=query, kind=kind, speaker=args.get("speaker") or None,
                attribute_id=attribute_id, attribute_value=args.get("value", "").strip() or None,
                limit=PAGE, offset=(page - 1) * PAGE,
            )
        except InvalidInput as exc:
            error = str(exc)
    return render_template(
        "ingest/search.html", project=project, role=role, result=result, error=error, query=query,
        kinds=list(SourceKind), kind=kind, speakers=speakers_of_project(db, project.id), attributes=attributes,
        attribute_id=attribute_id, page=page, page_size=PAGE, args=request.args.to_dict(),
    )
