"""Pseudonymisation (owners only): the project's list of names, review of the names
found in a source, the pseudonymised copy, and the keys."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.database import db_session
from app.ingest import bp
from app.ingest.common import user_id
from app.projects.access import load_project
from app.security import login_required
from coding.events import record
from research.db import transaction
from research.errors import DomainError
from research.projects import Role
from research.pseudonyms import KINDS, find_candidates, keys_of, pseudonymise, set_terms, terms_of
from research.sources import get_source, sources_of


@bp.route("/projects/<int:project_id>/pseudonyms", methods=["GET", "POST"])
@login_required
def pseudonyms(project_id: int) -> str | Response:
    project, role = load_project(project_id, needs=Role.OWNER)
    db = db_session()
    if request.method == "POST":
        try:
            with transaction(db):
                set_terms(db, project_id=project.id, lines=request.form.get("terms", ""))
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash("The list of names was saved.", "success")
        return redirect(url_for("ingest.pseudonyms", project_id=project.id))
    terms = terms_of(db, project.id)
    names = {s.id: s.name for s in sources_of(db, project.id)}
    return render_template("ingest/pseudonyms.html", project=project, role=role, sources=sources_of(db, project.id),
                           keys=keys_of(db, project.id), names=names, kinds=KINDS,
                           terms="\n".join(f"{t.term} | {t.kind}" for t in terms))


@bp.route("/projects/<int:project_id>/pseudonyms/sources/<int:source_id>", methods=["GET", "POST"])
@login_required
def pseudonymise_source(project_id: int, source_id: int) -> str | Response:
    project, role = load_project(project_id, needs=Role.OWNER)
    db = db_session()
    source = get_source(db, project_id=project.id, source_id=source_id)
    candidates = find_candidates(db, project_id=project.id, source_id=source.id)
    if request.method == "POST":
        count = request.form.get("count", 0, type=int)
        entries = [(request.form.get(f"term-{i}", ""), request.form.get(f"replacement-{i}", ""),
                    request.form.get(f"kind-{i}", "other")) for i in range(count) if request.form.get(f"use-{i}")]
        try:
            with transaction(db):
                copy, _ = pseudonymise(db, project_id=project.id, source_id=source.id, entries=entries,
                                       user_id=user_id())
                record(db, "source.pseudonymise", user_id=user_id(), project_id=project.id, object_type="source",
                       object_id=copy.id, after={"from": source.id, "terms": len(entries)})
        except DomainError as error:
            flash(str(error), "error")
            return redirect(url_for("ingest.pseudonymise_source", project_id=project.id, source_id=source.id))
        flash(f"'{copy.name}' was created; its key is listed below (owners only).", "success")
        return redirect(url_for("ingest.pseudonyms", project_id=project.id))
    rows = [*candidates, *[None] * 3]  # three empty rows for names the finder missed
    return render_template("ingest/pseudonymise.html", project=project, role=role, source=source, rows=rows,
                           kinds=KINDS)
