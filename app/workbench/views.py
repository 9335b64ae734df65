"""Pages of the workbench: the sources list, the document (coding) view and the code colours."""

from __future__ import annotations

import re
from collections import Counter
from typing import cast

from flask import Response, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.database import db_session
from app.database_ints import query_int
from app.projects.access import load_project
from app.security import current_user, login_required
from app.workbench import bp
from coding.codebook import code_paths, codes_of
from coding.codebook_changes import code_tree
from coding.document import DocumentView, document_view
from coding.memos import memos_of
from coding.summary import summarise
from research.projects import Role
from research.sources import get_source

COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def user_id() -> int:
    user = current_user()
    assert user is not None
    return user.id


ON = ("1", "on", "true")
OFF = ("0", "off", "false")


def _blind_key(project_id: int) -> str:
    return f"blind.{project_id}"


def blind_mode(project_id: int, *, remember_link: bool = True) -> bool:
    """Whether this browser session codes the project blind (seeing only the user's own codings).

    The setting lives in the server-side session, one key per project, so it holds on every
    document page of the project until turned off. A link with ``?blind=1`` turns it on (a link
    can only hide other people's codings, never reveal them); turning it off takes the page's
    form. ``remember_link=False`` reads an explicit ``?blind=1/0`` for this request only (the
    page asks for its text in the mode it was drawn in)."""
    asked = request.args.get("blind")
    if not remember_link and asked in ON + OFF:
        return asked in ON
    if asked in ON and not session.get(_blind_key(project_id)):
        session[_blind_key(project_id)] = True
    return bool(session.get(_blind_key(project_id)))


@bp.get("/projects/<int:project_id>/sources")
@login_required
def sources(project_id: int) -> str:
    project, role = load_project(project_id)
    return render_template("workbench/sources.html", project=project, role=role,
                           summary=summarise(db_session(), project.id))


def _document_context(project_id: int, source_id: int, *, remember_link: bool = True) -> dict[str, object]:
    project, role = load_project(project_id)
    db = db_session()
    source = get_source(db, project_id=project.id, source_id=source_id)
    blind = blind_mode(project.id, remember_link=remember_link)
    view = document_view(db, source, coder_id=user_id() if blind else None)
    codes = codes_of(db, project.id)
    counts = Counter(c.code_id for c in view.codings)
    return dict(project=project, role=role, source=source, view=view, blocks=view.blocks, blind=blind, codes=codes,
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
    """Only the rendered text, for the page to swap in after a change; with ``?from=&to=`` only
    the turns that overlap that span, so a coding in a long document redraws a turn, not a book."""
    context = _document_context(project_id, source_id, remember_link=False)
    low, high = query_int("from"), query_int("to")
    if low is not None and high is not None:
        view = cast(DocumentView, context["view"])
        context["blocks"] = [b for b in view.blocks if b.start < max(high, low + 1) and b.end > low]
    return render_template("workbench/_text.html", **context)


@bp.post("/projects/<int:project_id>/sources/<int:source_id>/blind")
@login_required
def set_blind_mode(project_id: int, source_id: int) -> BaseResponse:
    """Turns blind mode on or off for the whole project in this browser session."""
    project, _ = load_project(project_id)
    source = get_source(db_session(), project_id=project.id, source_id=source_id)
    if request.form.get("blind") in ON:
        session[_blind_key(project.id)] = True
    else:
        session.pop(_blind_key(project.id), None)
    return redirect(url_for("workbench.document", project_id=project.id, source_id=source.id), code=303)


@bp.get("/projects/<int:project_id>/codes.css")
@login_required
def code_colours(project_id: int) -> Response:
    """Each code's colour as a class, so pages colour codes without inline styles."""
    project, _ = load_project(project_id)
    rules = [f".code-{c.id}{{--c:{c.colour}}}" for c in codes_of(db_session(), project.id)
             if COLOUR.fullmatch(c.colour)]
    return Response("\n".join(rules) + "\n", mimetype="text/css")
