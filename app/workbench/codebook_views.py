"""The codebook page: the tree of folders and codes, create, edit, move, merge, split, delete, template,
and the memos on a code."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection

from flask import abort, flash, redirect, render_template, request, session, url_for
from sqlalchemy import case, func, select
from werkzeug.wrappers import Response

from app.auth.forms import EmptyForm
from app.database import db_session
from app.projects.access import load_project
from app.security import current_user, login_required
from app.workbench import bp
from app.workbench.forms import CodeForm, CodeMemoForm, DeleteForm, MergeForm, MoveForm, SplitForm, options
from app.workbench.views import user_id
from coding import codebook_changes as changes
from coding.codebook import Code, code_paths, codes_of, create_code, get_code, next_colour
from coding.codebook_template import apply_customer_path_template
from coding.codings import Coding
from coding.events import record
from coding.history import plural
from coding.kinds import CodeKind
from coding.memos import Memo, add_memo, memos_of
from research.accounts import User
from research.db import transaction
from research.errors import Conflict, DomainError, InvalidInput
from research.projects import Project, Role
from research.sources import Source

CREATED = "codebook.created"  # the code just created, shown with its message next to its row


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


def _parent(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInput("Choose where the code goes from the list.") from None


def _status(exc: DomainError) -> int:
    return 409 if isinstance(exc, Conflict) else 400


@bp.route("/projects/<int:project_id>/codebook", methods=["GET", "POST"])
@login_required
def codebook(project_id: int) -> tuple[str, int] | Response:
    project, role = load_project(project_id)
    db = db_session()
    codes = codes_of(db, project.id)
    form = CodeForm()
    _fill_choices(form, project, codes)
    status = 200
    if request.method == "GET":
        form.colour.data = next_colour(db, project.id)
        if request.args.get("parent"):
            form.parent_id.data = request.args["parent"]
    if request.method == "POST":
        load_project(project_id, needs=Role.CODER)
        status = 400
        if form.validate_on_submit():
            try:
                with transaction(db):
                    code = create_code(
                        db, project_id=project.id, name=form.name.data or "", kind=CodeKind(form.kind.data),
                        parent_id=_parent(form.parent_id.data),
                        is_folder=bool(form.is_folder.data), colour=form.colour.data or None,
                        description=form.description.data or "", when_to_use=form.when_to_use.data or "",
                        when_not=form.when_not.data or "", examples=form.examples.data or "",
                        aliases=[a.strip() for a in (form.aliases.data or "").splitlines() if a.strip()],
                        **form.kind_fields(),
                    )
                    record(db, "code.create", user_id=user_id(), project_id=project.id, object_type="code",
                           object_id=code.id, after={"name": code.name, "kind": code.kind.value})
            except DomainError as exc:
                flash(str(exc), "error")
                status = _status(exc)
            else:
                # The page jumps to the new row, so its message is shown there rather than at the top.
                session[CREATED] = code.id
                return redirect(url_for("workbench.codebook", project_id=project.id) + f"#code-{code.id}")
    created = session.pop(CREATED, None) if request.method == "GET" else None
    return render_template("workbench/codebook.html", project=project, role=role, tree=changes.code_tree(codes),
                           counts=_counts(project.id), form=form, empty=EmptyForm(), created=created,
                           can_edit=role.allows(Role.CODER)), status


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
def edit_code(project_id: int, code_id: int) -> tuple[str, int] | Response:
    project, role = load_project(project_id)
    db = db_session()
    code = get_code(db, project_id=project.id, code_id=code_id)
    form = CodeForm(obj=code if request.method == "GET" else None)
    if request.method == "GET":
        form.kind.data = code.kind.value
        form.aliases.data = "\n".join(code.aliases)
        for name in ("phase_id", "goal_id", "valence", "parent_id"):
            value = getattr(code, name)
            getattr(form, name).data = "" if value is None else str(value)
        form.version.data = str(code.version)
        return _code_page(project, role, code, form=form)
    load_project(project_id, needs=Role.CODER)
    if not form.validate_on_submit():
        return _code_page(project, role, code, form=form, status=400)
    try:
        with transaction(db):
            changes.update_code(
                db, project_id=project.id, code_id=code.id, user_id=user_id(),
                expected_version=int(form.version.data) if (form.version.data or "").isdigit() else None,
                name=form.name.data, kind=CodeKind(form.kind.data), colour=form.colour.data,
                parent_id=_parent(form.parent_id.data), is_folder=bool(form.is_folder.data),
                description=form.description.data or "", when_to_use=form.when_to_use.data or "",
                when_not=form.when_not.data or "", examples=form.examples.data or "",
                aliases=(form.aliases.data or "").splitlines(), kind_fields=form.kind_fields(),
            )
    except DomainError as exc:
        db.expire_all()
        flash(f"Nothing was saved: {exc}", "error")
        return _code_page(project, role, get_code(db, project_id=project.id, code_id=code_id), form=form,
                          status=_status(exc))
    flash(f"Code '{form.name.data}' saved.", "success")
    return redirect(url_for("workbench.codebook", project_id=project.id) + f"#code-{code.id}")


def _code_page(project: Project, role: Role, code: Code, *, form: CodeForm | None = None,
               merge: MergeForm | None = None, plan: changes.MergePlan | None = None,
               split: SplitForm | None = None, ticked: Collection[int] = (), memo: CodeMemoForm | None = None,
               status: int = 200) -> tuple[str, int]:
    """The code's page: its edit form, move, merge (with its confirmation step), split, delete
    and memos; a refused form comes back with what was typed and ticked."""
    db = db_session()
    codes = codes_of(db, project.id)
    below = changes.descendants(db, code) | {code.id}
    form = form or CodeForm(formdata=None, obj=code)
    _fill_choices(form, project, codes, exclude=below)
    paths = code_paths(codes)
    move = MoveForm(prefix="move", formdata=None)
    move.parent_id.choices = options([("", "— top level —")] + [
        (c.id, paths[c.id]) for c, _ in changes.code_tree(codes) if c.id not in below and c.is_folder])
    merge = merge or MergeForm(prefix="merge", formdata=None)
    targets = [(c.id, paths[c.id]) for c, _ in changes.code_tree(codes)
               if c.id != code.id and c.id not in below and c.is_folder == code.is_folder]
    merge.target_id.choices = options([("", "Choose a code…"), *targets]) if targets else []
    if plan is not None:
        merge.confirm.label.text = _merge_statement(plan)
        merge.codings.data = str(plan.codings)
        merge.step.data = "confirm"
    codings, sub_codes = changes.usage(db, code)
    quotes = _quotes(code) if not code.is_folder else []
    memos = memos_of(db, project.id, "code", code.id)
    authors = {u.id: u.display_name or u.email for u in db.scalars(
        select(User).where(User.id.in_({m.author_id for m in memos if m.author_id})))}
    me = current_user()

    def can_edit_memo(m: Memo) -> bool:
        return role.allows(Role.CODER) and (role is Role.OWNER or (me is not None and m.author_id == me.id))

    return render_template(
        "workbench/code.html", project=project, role=role, code=code, form=form, move=move, merge=merge,
        plan=plan, kind_warning=_kind_warning(plan) if plan else None,
        delete=DeleteForm(prefix="delete", formdata=None), codings=codings, sub_codes=sub_codes,
        split=split or SplitForm(prefix="split", formdata=None), ticked=set(ticked), quotes=quotes,
        quotes_cut=len(quotes) >= SPLIT_LIST_LIMIT, memos=memos, authors=authors, can_edit_memo=can_edit_memo,
        memo=memo or CodeMemoForm(prefix="memo", formdata=None), path=paths[code.id],
        can_edit=role.allows(Role.CODER)), status


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


def _a(kind: CodeKind) -> str:
    label = kind.label.lower()
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def _kind_warning(plan: changes.MergePlan) -> str | None:
    if not plan.kinds_differ:
        return None
    return (f"'{plan.source.name}' is {_a(plan.source.kind)}, '{plan.target.name}' is {_a(plan.target.kind)}. "
            f"After the merge, what was coded as {_a(plan.source.kind)} counts as {_a(plan.target.kind)}.")


def _merge_statement(plan: changes.MergePlan) -> str:
    """The sentence the researcher ticks to confirm the merge."""
    a, b = plan.source.name, plan.target.name
    if plan.source.is_folder:
        return f"Move {plural(plan.sub_codes, 'sub-code')} from '{a}' to '{b}' and delete '{a}'"
    statement = f"Move {plural(plan.codings, 'coding')} from '{a}' to '{b}' and delete '{a}'"
    if plan.sub_codes:
        statement += f" (its {plural(plan.sub_codes, 'sub-code')} move to '{b}' too)"
    return statement


def _after(project_id: int, action: str, fn: Callable[[], object]) -> Response:
    db = db_session()
    try:
        with transaction(db):
            fn()
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
    parent = int(form.parent_id.data) if (form.parent_id.data or "").isdigit() else None
    return _after(project.id, "Code moved.", lambda: changes.move_code(
        db_session(), project_id=project.id, code_id=code_id, parent_id=parent, user_id=user_id()))


@bp.post("/projects/<int:project_id>/codebook/<int:code_id>/merge")
@login_required
def merge_code(project_id: int, code_id: int) -> tuple[str, int] | Response:
    """Two steps: choosing the target shows what the merge will do; ticking that statement merges."""
    project, role = load_project(project_id, needs=Role.CODER)
    db = db_session()
    code = get_code(db, project_id=project.id, code_id=code_id)
    form = MergeForm(prefix="merge")
    if not form.validate_on_submit():
        abort(400)
    if not (form.target_id.data or "").isdigit():
        form.target_id.errors = ["Choose the code to merge into."]
        return _code_page(project, role, code, merge=form, status=400)
    try:
        plan = changes.plan_merge(db, project_id=project.id, source_id=code.id, target_id=int(form.target_id.data))
    except DomainError as exc:
        form.target_id.errors = [str(exc)]
        return _code_page(project, role, code, merge=form, status=_status(exc))
    if form.step.data != "confirm":
        return _code_page(project, role, code, merge=form, plan=plan)
    if form.codings.data != str(plan.codings):
        form.confirm.errors = ["The code's codings changed since this was shown; check the numbers and tick again."]
        form.confirm.data = False
        return _code_page(project, role, code, merge=form, plan=plan, status=409)
    if not form.confirm.data:
        form.confirm.errors = ["Tick the box to confirm the merge."]
        return _code_page(project, role, code, merge=form, plan=plan, status=400)
    source_name, target_name, target_id = plan.source.name, plan.target.name, plan.target.id
    moved = plan.codings - plan.duplicates
    try:
        with transaction(db):
            changes.merge_codes(db, project_id=project.id, source_id=code.id, target_id=target_id, user_id=user_id())
    except DomainError as exc:
        flash(str(exc), "error")
        return redirect(url_for("workbench.edit_code", project_id=project.id, code_id=code_id))
    if plan.source.is_folder:
        message = f"'{source_name}' merged into '{target_name}': {plural(plan.sub_codes, 'sub-code')} moved."
    else:
        message = f"'{source_name}' merged into '{target_name}': {plural(moved, 'coding')} moved"
        if plan.duplicates:
            message += f", {plural(plan.duplicates, 'duplicate')} that '{target_name}' already had dropped"
        message += "."
    flash(message, "success")
    return redirect(url_for("workbench.codebook", project_id=project.id) + f"#code-{target_id}")


@bp.post("/projects/<int:project_id>/codebook/<int:code_id>/split")
@login_required
def split_code(project_id: int, code_id: int) -> tuple[str, int] | Response:
    project, role = load_project(project_id, needs=Role.CODER)
    db = db_session()
    code = get_code(db, project_id=project.id, code_id=code_id)
    form = SplitForm(prefix="split")
    try:
        chosen = [int(value) for value in request.form.getlist("split-coding")]
    except ValueError:
        abort(400)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash("Give the new code a name.", "error")
        return _code_page(project, role, code, split=form, ticked=chosen, status=400)
    try:
        with transaction(db):
            new = changes.split_code(db, project_id=project.id, code_id=code_id, new_name=form.new_name.data or "",
                                     coding_ids=chosen, user_id=user_id())
    except DomainError as exc:
        db.expire_all()
        flash(f"Nothing was split: {exc}", "error")
        return _code_page(project, role, get_code(db, project_id=project.id, code_id=code_id), split=form,
                          ticked=chosen, status=_status(exc))
    flash(f"Code split: {plural(len(chosen), 'coding')} now carry '{new.name}'.", "success")
    return redirect(url_for("workbench.codebook", project_id=project.id) + f"#code-{new.id}")


@bp.post("/projects/<int:project_id>/codebook/<int:code_id>/delete")
@login_required
def delete_code(project_id: int, code_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.CODER)
    form = DeleteForm(prefix="delete")
    if not form.validate_on_submit():
        flash("Tick the box to confirm the deletion.", "error")
        return redirect(url_for("workbench.edit_code", project_id=project.id, code_id=code_id))
    db = db_session()
    code = get_code(db, project_id=project.id, code_id=code_id)
    what, name = ("Folder" if code.is_folder else "Code"), code.name
    try:
        with transaction(db):
            codings, sub_codes = changes.delete_code(db, project_id=project.id, code_id=code_id, user_id=user_id())
    except DomainError as exc:
        flash(str(exc), "error")
    else:
        went = [plural(sub_codes, "sub-code")] if sub_codes else []
        went.append(plural(codings, "coding"))
        flash(f"{what} '{name}' deleted with its {' and '.join(went)}.", "success")
    return redirect(url_for("workbench.codebook", project_id=project.id))


@bp.post("/projects/<int:project_id>/codebook/<int:code_id>/memos")
@login_required
def add_code_memo(project_id: int, code_id: int) -> tuple[str, int] | Response:
    project, role = load_project(project_id, needs=Role.CODER)
    db = db_session()
    code = get_code(db, project_id=project.id, code_id=code_id)
    form = CodeMemoForm(prefix="memo")
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _code_page(project, role, code, memo=form, status=400)
    try:
        with transaction(db):
            add_memo(db, project_id=project.id, target_type="code", target_id=code.id, text=form.text.data or "",
                     author_id=user_id())
    except DomainError as exc:
        form.text.errors = [str(exc)]
        return _code_page(project, role, code, memo=form, status=_status(exc))
    flash("Memo saved.", "success")
    return redirect(url_for("workbench.edit_code", project_id=project.id, code_id=code.id) + "#memos")
