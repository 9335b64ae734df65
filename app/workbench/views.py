"""Pages of the workbench: the sources list, the document (coding) view and the code colours."""

from __future__ import annotations

import re
from collections import Counter

from flask import Response, render_template, request

from app.database import db_session
from app.projects.access import load_project
from app.security import current_user, login_required
from app.workbench import bp
from coding.codebook import code_paths, codes_of
from coding.codebook_changes import code_tree
from coding.document import document_view
from coding.memos import memos_of
from coding.summary import summarise
from research.projects import Role
from research.sources import get_source

COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def user_id() -> int:
    user = current_user()
    assert user is not None
    return user.id


def blind_requested() -> bool:
    return request.args.get("blind") in ("1", "on", "true")


@bp.get("/projects/<int:project_id>/sources")
@login_required
def sources(project_id: int) -> str:
    project, role = load_project(project_id)
    return render_template("workbench/sources.html", project=project, role=role,
                           summary=summarise(db_session(), project.id))


def _document_context(project_id: int, source_id: int) -> dict[str, object]:
    project, role = load_project(project_id)
    db = db_session()
    source = get_source(db, project_id=project.id, source_id=source_id)
    blind = blind_requested()
    view = document_view(db, source, coder_id=user_id() if blind else None)
    codes = codes_of(db, project.id)
    counts = Counter(c.code_id for c in view.codings)
    return dict(project=project, role=role, source=source, view=view, blind=blind, codes=codes,
                tree=code_tree(codes), paths=code_paths(codes), counts=counts, code_of=view.code_of(), text=source.text,
                can_code=role.allows(Role.CODER))


@bp.get("/projects/<int:project_id>/sources/<int:source_id>")
@login_required
def document(project_id: int, source_id: int) -> str:
    context = _document_context(project_id, source_id)
    memos = memos_of(db_session(), project_id, "source", source_id)
    return render_template("workbench/document.html", memos=memos, **context)


@bp.get("/projects/<int:project_id>/sources/<int:source_id>/text")
@login_required
def document_text(project_id: int, source_id: int) -> str:
    """Only the rendered text, for the page to swap in after a change."""
    return render_template("workbench/_text.html", **_document_context(project_id, source_id))


@bp.get("/projects/<int:project_id>/codes.css")
@login_required
def code_colours(project_id: int) -> Response:
    """Each code's colour as a class, so pages colour codes without inline styles."""
    project, _ = load_project(project_id)
    rules = [f".code-{c.id}{{--c:{c.colour}}}" for c in codes_of(db_session(), project.id)
             if COLOUR.fullmatch(c.colour)]
    return Response("\n".join(rules) + "\n", mimetype="text/css")
