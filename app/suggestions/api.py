"""The suggestion API: list, accept (with another code or span), reject, accept all, run."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.api import bp
from app.api.projects import json_body
from app.database import db_session
from app.database_ints import database_int, json_int, query_int
from app.jobs import job_json
from app.projects.access import load_project
from app.security import current_user
from app.suggestions.present import suggestion_json
from app.suggestions.runs import enqueue_suggest
from coding import suggest_service as svc
from coding.codebook import Code
from coding.codings import Coding
from coding.suggestions import Suggestion, SuggestionStatus
from research.db import transaction
from research.errors import InvalidInput
from research.projects import Role
from research.sources import Source, get_source


def _user_id() -> int:
    user = current_user()
    assert user is not None
    return user.id


def _body(*allowed: str) -> dict[str, Any]:
    """The JSON object sent, or {} for an empty body."""
    if not request.get_data(cache=True):
        return {}
    return json_body(*allowed)


def _status() -> SuggestionStatus | None:
    raw = request.args.get("status", "pending")
    if raw == "all":
        return None
    try:
        return SuggestionStatus(raw)
    except ValueError as exc:
        raise InvalidInput("?status= must be pending, accepted, rejected or all.") from exc


def listing(project_id: int, suggestions: list[Suggestion]) -> list[dict[str, Any]]:
    db = db_session()
    codes = {c.id: c for c in db.scalars(select(Code).where(Code.project_id == project_id))}
    source_ids = {s.source_id for s in suggestions}
    sources = {s.id: s for s in db.scalars(select(Source).where(Source.id.in_(source_ids)))} if source_ids else {}
    return [suggestion_json(s, codes, sources) for s in suggestions]


def coding_json(coding: Coding) -> dict[str, Any]:
    return {"id": coding.id, "source_id": coding.source_id, "code_id": coding.code_id, "start": coding.start,
            "end": coding.end, "origin": coding.origin.value, "coder_id": coding.coder_id}


@bp.get("/projects/<int:project_id>/suggestions")
def list_suggestions(project_id: int) -> Response:
    project, _ = load_project(project_id)
    source_id = query_int("source_id")
    db = db_session()
    if source_id is not None:
        get_source(db, project_id=project.id, source_id=source_id)
    limit = query_int("limit")
    if limit is not None and limit < 0:
        raise InvalidInput("?limit= cannot be negative.")
    found = svc.suggestions_of(db, project_id=project.id, source_id=source_id, status=_status(),
                               limit=min(limit or 1000, 5000))
    return jsonify(listing(project.id, found))


def _decided(project_id: int, suggestion_id: int, coding: Coding | None) -> dict[str, Any]:
    db = db_session()
    suggestion = svc.get_suggestion(db, project_id=project_id, suggestion_id=suggestion_id)
    data = listing(project_id, [suggestion])[0]
    data["coding"] = coding_json(coding) if coding is not None else None
    return data


@bp.post("/projects/<int:project_id>/suggestions/<int:suggestion_id>/accept")
def accept_suggestion(project_id: int, suggestion_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.CODER)
    body = _body("code_id", "start", "end")
    db = db_session()
    with transaction(db):
        coding = svc.accept(db, project_id=project.id, suggestion_id=suggestion_id, user_id=_user_id(),
                            code_id=json_int(body, "code_id", optional=True),
                            start=json_int(body, "start", optional=True), end=json_int(body, "end", optional=True))
    return jsonify(_decided(project.id, suggestion_id, coding))


@bp.post("/projects/<int:project_id>/suggestions/<int:suggestion_id>/reject")
def reject_suggestion(project_id: int, suggestion_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.CODER)
    _body()
    db = db_session()
    with transaction(db):
        svc.reject(db, project_id=project.id, suggestion_id=suggestion_id, user_id=_user_id())
    return jsonify(_decided(project.id, suggestion_id, None))


@bp.post("/projects/<int:project_id>/suggestions/accept-all")
def accept_all_suggestions(project_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.CODER)
    body = json_body("code_id", "proposed_kind", "proposed_name", "min_score", "source_id")
    score = body.get("min_score", 0.0)
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
        raise InvalidInput("min_score must be a number from 0 to 1.")
    for name in ("proposed_kind", "proposed_name"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise InvalidInput(f"{name} must be a string.")
    db = db_session()
    with transaction(db):
        codings = svc.accept_all(db, project_id=project.id, user_id=_user_id(), min_score=float(score),
                                 code_id=json_int(body, "code_id", optional=True),
                                 proposed_kind=body.get("proposed_kind"), proposed_name=body.get("proposed_name"),
                                 source_id=json_int(body, "source_id", optional=True))
        accepted = list(db.scalars(select(Suggestion.id).where(
            Suggestion.coding_id.in_([c.id for c in codings]), Suggestion.status == SuggestionStatus.ACCEPTED)))
    return jsonify({"accepted": len(codings), "suggestion_ids": accepted,
                    "codings": [coding_json(c) for c in codings]})


@bp.post("/projects/<int:project_id>/suggest")
def start_suggest(project_id: int) -> tuple[Response, int]:
    project, _ = load_project(project_id, needs=Role.CODER)
    body = _body("source_ids")
    ids = body.get("source_ids")
    if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                               for i in ids)):
        raise InvalidInput("source_ids must be a list of source ids (or left out for every source).")
    for source_id in ids or []:
        database_int(source_id, "source_ids")
    db = db_session()
    if ids is not None:
        svc.checked_source_ids(db, project.id, ids)
    db.rollback()
    job = enqueue_suggest(db, project_id=project.id, user_id=_user_id(), source_ids=ids)
    return jsonify(job_json(job)), 202
