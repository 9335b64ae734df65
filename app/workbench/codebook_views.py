"""The codebook page: the tree of folders and codes, create, edit, move, merge, split, delete, template."""

from __future__ import annotations

from collections import Counter

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import case, func, select
from werkzeug.wrappers import Response

from app.auth.forms import EmptyForm
from app.database import db_session
from app.projects.access import load_project
from app.security import login_required
from app.workbench import bp
from app.workbench.forms import CodeForm, DeleteForm, MergeForm, MoveForm, SplitForm, options
from app.workbench.views import user_id
from coding import codebook_changes as changes
from coding.codebook import Code, code_paths, codes_of, create_code, get_code
from coding.codebook_template import apply_customer_path_template
from coding.codings import Coding
from coding.events import record
from coding.kinds import CodeKind
from research.db import transaction
from research.errors import DomainError
from research.projects import Project, Role
from research.sources import Source


def _fill_choices(form: CodeForm, project: Project, codes: list[Code], exclude: set[int] | None = None) -> None:
    exclude = exclude or set()
    paths = code_paths(codes)
    form.parent_id.choices = options([("", "— top level —")] + [
        (c.id, paths[c.id]) for c, _ in changes.code_tree(codes) if c.id not in exclude])
    form.phase_id.choices = options([("", "—")] + [(p.id, f"{p.position + 1}. {p.name}") for p in project.phases])
    form.goal_id.choices = options([("", "—")] + [(c.id, paths[c.id]) for c in codes
                                                  if c.kind is CodeKind.GOAL and not c.is_folder])


def _counts(project_id: int) -> Counter[int]:
    rows = db_session().execute(select(Coding.code_id, func.count()).where(Coding.project_id == project_id)
                                .group_by(Coding.code_id)).all()
    return Counter(dict(rows))


@bp.route("/projects/<int:project_id>/codebook", methods=["GET", "POST"])
@login_required
def codebook(project_id: int) -> str | Response:
    project, role = load_project(project_id)
    db = db_session()
    codes = codes_of(db, project.id)
    form = CodeForm()
    _fill_choices(form, project, codes)
    if request.method == "GET" and request.args.get("parent"):
        form.parent_id.data = request.args["parent"]
    if request.method == "POST":
        load_project(project_id, needs=Role.CODER)
        if form.validate_on_submit():
            try:
                with transaction(db):
                    code = create_code(
                        db, project_id=project.id, name=form.name.data or "", kind=CodeKind(form.kind.data),
                        parent_id=int(form.parent_id.data) if form.parent_id.data else None,
                        is_folder=bool(form.is_folder.data), colour=form.colour.data or "#7f8c8d",
                        description=form.description.data or "", when_to_use=form.when_to_use.data or "",
                        when_not=form.when_not.data or "", examples=form.examples.data or "",
                        aliases=[a.strip() for a in (form.aliases.data or "").splitlines() if a.strip()],
                        **form.kind_fields(),
                    )
                    record(db, "code.create", user_id=user_id(), project_id=project.id, object_type="code",
                           object_id=code.id, after={"name": code.name, "kind": code.kind.value})
            except DomainError as exc:
                flash(str(exc), "error")
            else:
                flash(f"Code '{code.name}' created.", "success")
                return redirect(url_for("workbench.codebook", project_id=project.id) + f"#code-{code.id}")
    return render_template("workbench/codebook.html", project=project, role=role, tree=changes.code_tree(codes),
                           counts=_counts(project.id), form=form, empty=EmptyForm(),
                           can_edit=role.allows(Role.CODER))


@bp.post("/projects/<int:project_id>/codebook/template")
@login_required
def codebook_template(project_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.CODER)
    if not EmptyForm().validate_on_submit():
        abort(400)
    db = db_session()
    try:
        with transaction(db):
            created = apply_customer_path_template(db, project=project, user_id=user_id())
    except DomainError as exc:
        flash(str(exc), "error")
    else:
        flash(f"The customer path codebook is in place: {len(created)} folders and codes to adapt.", "success")
    return redirect(url_for("workbench.codebook", project_id=project.id))


@bp.route("/projects/<int:project_id>/codebook/<int:code_id>", methods=["GET", "POST"])
@login_required
def edit_code(project_id: int, code_id: int) -> str | Response:
    project, role = load_project(project_id)
    db = db_session()
    code = get_code(db, project_id=project.id, code_id=code_id)
    codes = codes_of(db, project.id)
    below = changes.descendants(db, code) | {code.id}
    form = CodeForm(obj=code if request.method == "GET" else None)
    _fill_choices(form, project, codes, exclude=below)
    if request.method == "GET":
        form.kind.data = code.kind.value
        form.aliases.data = "\n".join(code.aliases)
        for name in ("phase_id", "goal_id", "valence", "parent_id"):
            value = getattr(code, name)
            getattr(form, name).data = "" if value is None else str(value)
        form.version.data = str(code.version)
    if request.method == "POST":
        load_project(project_id, needs=Role.CODER)
        if form.validate_on_submit():
            try:
                with transaction(db):
                    changes.update_code(
                        db, project_id=project.id, code_id=code.id, user_id=user_id(),
                        expected_version=int(form.version.data) if form.version.data else None,
                        name=form.name.data, kind=CodeKind(form.kind.data), colour=form.colour.data,
                        description=form.description.data or "", when_to_use=form.when_to_use.data or "",
                        when_not=form.when_not.data or "", examples=form.examples.data or "",
                        aliases=(form.aliases.data or "").splitlines(), kind_fields=form.kind_fields(),
                    )
            except DomainError as exc:
                flash(str(exc), "error")
            else:
                flash(f"Code '{form.name.data}' saved.", "success")
                return redirect(url_for("workbench.codebook", project_id=project.id) + f"#code-{code.id}")
    paths = code_paths(codes)
    move = MoveForm(prefix="move")
    move.parent_id.choices = options([("", "— top level —")] + [
        (c.id, paths[c.id]) for c, _ in changes.code_tree(codes) if c.id not in below and c.is_folder])
    merge = MergeForm(prefix="merge")
    merge.target_id.choices = options((c.id, paths[c.id]) for c, _ in changes.code_tree(codes)
                                      if c.id != code.id and c.id not in below and c.is_folder == code.is_folder)
    codings, sub_codes = changes.usage(db, code)
    quotes = _quotes(code) if not code.is_folder else []
    return render_template("workbench/code.html", project=project, role=role, code=code, form=form, move=move,
                           merge=merge, delete=DeleteForm(prefix="delete"), codings=codings, sub_codes=sub_codes,
                           split=SplitForm(prefix="split"), quotes=quotes,
                           quotes_cut=len(quotes) >= SPLIT_LIST_LIMIT,
                           path=paths[code.id], can_edit=role.allows(Role.CODER))


SPLIT_LIST_LIMIT = 1000
QUOTE_CHARACTERS = 300


def _quotes(code: Code) -> list[tuple[int, str, str]]:
    """(coding id, quote, source name) of the code's own codings, for the split form; the quote is
    cut in the database so long sources are never loaded whole."""
    length = Coding.end - Coding.start
    rows = db_session().execute(
        select(Coding.id, func.substr(Source.text, Coding.start + 1,
                                      case((length > QUOTE_CHARACTERS, QUOTE_CHARACTERS + 1), else_=length)),
               Source.name)
        .join(Source, Source.id == Coding.source_id)
        .where(Coding.code_id == code.id)
        .order_by(Source.name, Coding.start, Coding.id).limit(SPLIT_LIST_LIMIT)).all()
    return [(cid, quote if len(quote) <= QUOTE_CHARACTERS else quote[:QUOTE_CHARACTERS] + "…", name)
            for cid, quote, name in rows]


def _after(project_id: int, action: str, fn: object) -> Response:
    db = db_session()
    try:
        with transaction(db):
            fn()  # type: ignore[operator]
    except DomainError as exc:
        flash(str(exc), "error")
    else:
        flash(action, "success")
    return redirect(url_for("workbench.codebook", project_id=project_id))


@bp.post("/projects/<int:project_id>/codebook/<int:code_id>/move")
@login_required
def move_code(project_id: int, code_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.CODER)
    form = MoveForm(prefix="move")
    if not form.validate_on_submit():
        abort(400)
    parent = int(form.parent_id.data) if form.parent_id.data else None
    return _after(project.id, "Code moved.", lambda: changes.move_code(
        db_session(), project_id=project.id, code_id=code_id, parent_id=parent, user_id=user_id()))


@bp.post("/projects/<int:project_id>/codebook/<int:code_id>/merge")
@login_required
def merge_code(project_id: int, code_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.CODER)
    form = MergeForm(prefix="merge")
    if not form.validate_on_submit() or not form.target_id.data:
        abort(400)
    target = int(form.target_id.data)
    return _after(project.id, "Codes merged; the codings now carry the remaining code.", lambda: changes.merge_codes(
        db_session(), project_id=project.id, source_id=code_id, target_id=target, user_id=user_id()))


@bp.post("/projects/<int:project_id>/codebook/<int:code_id>/split")
@login_required
def split_code(project_id: int, code_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.CODER)
    form = SplitForm(prefix="split")
    back = url_for("workbench.edit_code", project_id=project.id, code_id=code_id)
    if not form.validate_on_submit():
        flash("Give the new code a name.", "error")
        return redirect(back)
    try:
        chosen = [int(value) for value in request.form.getlist("split-coding")]
    except ValueError:
        abort(400)
    db = db_session()
    try:
        with transaction(db):
            new = changes.split_code(db, project_id=project.id, code_id=code_id, new_name=form.new_name.data or "",
                                     coding_ids=chosen, user_id=user_id())
    except DomainError as exc:
        flash(str(exc), "error")
        return redirect(back)
    flash(f"Code split: {len(chosen)} coding{'' if len(chosen) == 1 else 's'} now carry '{new.name}'.", "success")
    return redirect(url_for("workbench.codebook", project_id=project.id) + f"#code-{new.id}")


@bp.post("/projects/<int:project_id>/codebook/<int:code_id>/delete")
@login_required
def delete_code(project_id: int, code_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.CODER)
    form = DeleteForm(prefix="delete")
    if not form.validate_on_submit():
        flash("Tick the box to confirm the deletion.", "error")
        return redirect(url_for("workbench.edit_code", project_id=project.id, code_id=code_id))
    return _after(project.id, "Code deleted.", lambda: changes.delete_code(
        db_session(), project_id=project.id, code_id=code_id, user_id=user_id()))
