"""Pages of the NLP helper: the review queue, the NLP settings page and the model choice."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from app import get_settings
from app.auth.forms import EmptyForm
from app.database import db_session
from app.database_ints import query_int
from app.projects.access import load_project
from app.security import current_user, login_required
from app.suggestions import bp
from app.suggestions.api import listing
from app.suggestions.models_info import language_packages, model_overview
from app.suggestions.present import kind_label
from app.suggestions.runs import enqueue_suggest, model_choices, model_name
from coding import suggest_service as svc
from coding.codebook import code_paths, codes_of
from coding.suggest.model_catalogue import OFF
from research.db import transaction
from research.errors import DomainError, InvalidInput
from research.projects import Role
from research.sources import Source, get_source

QUEUE_LIMIT = 400


def target_of(item: dict[str, Any]) -> str:
    """What "accept all" groups by: an existing code, or a proposed new code (kind and name)."""
    if item["proposed_name"] is None and item["code_id"] is not None:
        return f"code:{item['code_id']}"
    return f"new:{item['kind']}:{item['proposed_name']}"


@bp.get("/projects/<int:project_id>/suggestions")
@login_required
def queue(project_id: int) -> str:
    project, role = load_project(project_id)
    db = db_session()
    source_id = query_int("source_id")
    source = get_source(db, project_id=project.id, source_id=source_id) if source_id is not None else None
    pending = svc.suggestions_of(db, project_id=project.id, source_id=source_id, limit=QUEUE_LIMIT)
    items = listing(project.id, pending)
    groups: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()
    targets: dict[str, str] = {}
    for item in items:
        item["target"] = target_of(item)
        groups.setdefault(item["source_id"], []).append(item)
        targets.setdefault(item["target"], f"{kind_label(item['kind'])}: {item['code_name'] or item['proposed_name']}"
                           + ("" if item["code_id"] else " (new)"))
    names = dict(db.execute(select(Source.id, Source.name).where(Source.project_id == project.id)).all())
    codes = [c for c in codes_of(db, project.id) if not c.is_folder]
    counts = svc.pending_counts(db, project.id)
    return render_template(
        "suggestions/queue.html", project=project, role=role, source=source, groups=groups, names=names,
        codes=codes, paths=code_paths(codes),
        targets=sorted(targets.items(), key=lambda t: t[1].lower()), counts=counts, shown=len(items), limit=QUEUE_LIMIT,
        kind_label=kind_label, can_decide=role.allows(Role.CODER), form=EmptyForm(),
    )


@bp.get("/projects/<int:project_id>/nlp")
@login_required
def nlp_settings(project_id: int) -> str:
    project, role = load_project(project_id)
    db = db_session()
    settings = get_settings(current_app)  # type: ignore[arg-type]
    return render_template(
        "suggestions/nlp.html", project=project, role=role, enabled=settings.nlp_enabled,
        **model_overview(db, project, settings), counts=svc.pending_counts(db, project.id), form=EmptyForm(),
        can_run=role.allows(Role.CODER), can_choose=role.allows(Role.OWNER), other_packages=language_packages(),
    )


@bp.post("/projects/<int:project_id>/nlp/model")
@login_required
def choose_model(project_id: int) -> Response:
    """The owner picks the project's embedding model; a change re-embeds every segment
    (and re-suggests) in a background job."""
    project, _ = load_project(project_id, needs=Role.OWNER)
    if not EmptyForm().validate_on_submit():
        abort(400)
    db = db_session()
    user = current_user()
    user_id = user.id if user else None
    try:
        with transaction(db):
            changed = svc.choose_embedding_model(db, project_id=project.id, name=request.form.get("model", ""),
                                                 choices=model_choices(), user_id=user_id)
    except DomainError as exc:
        flash(str(exc), "error")
        return redirect(url_for("suggestions.nlp_settings", project_id=project.id))
    if not changed:
        flash("The project already uses that model.", "info")
    elif model_name(project=project) == OFF or not svc.segment_count(db, project.id):
        flash("Embedding model saved.", "success")
    else:
        db.rollback()
        job = enqueue_suggest(db, project_id=project.id, user_id=user_id)
        flash("Embedding model saved; every segment is being embedded with it in the background.", "success")
        return redirect(url_for("jobs.show", project_id=project.id, job_id=job.id))
    return redirect(url_for("suggestions.nlp_settings", project_id=project.id))


@bp.post("/projects/<int:project_id>/suggest")
@login_required
def run(project_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.CODER)
    db = db_session()
    source_ids = None
    raw = request.form.get("source_id", "")
    if raw:
        try:
            source_ids = [int(raw)]
        except ValueError as exc:
            raise InvalidInput("source_id must be a source number.") from exc
        get_source(db, project_id=project.id, source_id=source_ids[0])
    db.rollback()
    user = current_user()
    job = enqueue_suggest(db, project_id=project.id, user_id=user.id if user else None, source_ids=source_ids)
    return redirect(url_for("jobs.show", project_id=project.id, job_id=job.id))
