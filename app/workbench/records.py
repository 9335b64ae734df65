"""The project history, the memo list (add and edit memos) and search-and-code."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.database import db_session
from app.projects.access import load_project
from app.security import current_user, login_required
from app.workbench import bp
from app.workbench.forms import options
from app.workbench.views import user_id
from coding.autocode import AutocodeResult, code_hits, codes_on_targets, targets_of
from coding.codebook import code_paths, codes_of
from coding.history import action_label, history_page, history_people
from coding.memo_removal import delete_memo
from coding.memos import MEMO_TARGETS, Memo, add_memo, edit_memo
from coding.retrieval import coding_quotes
from research.accounts import User
from research.db import transaction
from research.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from research.projects import Role
from research.sources import SourceKind, sources_of

HISTORY_PAGE = 50
HISTORY_FILTERS = {"": "Everything", "coding.": "Codings", "code.": "Codes", "memo.": "Memos",
                   "source.": "Sources", "member.": "Team"}


@bp.app_template_filter("event_label")
def event_label(action: str) -> str:
    """An event's action in plain words, for any page that lists events."""
    return action_label(action)


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None


@bp.get("/projects/<int:project_id>/history")
@login_required
def history(project_id: int) -> str:
    project, role = load_project(project_id)
    db = db_session()
    page = max(1, request.args.get("page", 1, type=int))
    only = request.args.get("only", "")
    only = only if only in HISTORY_FILTERS else ""
    people = history_people(db, project.id)
    person = request.args.get("person", type=int)
    person = person if person in {p[0] for p in people} else None
    since, until = _day("from"), _day("to")
    found = history_page(db, project.id, offset=(page - 1) * HISTORY_PAGE, limit=HISTORY_PAGE,
                         action_prefix=only or None, user_id=person, since=since, until=until)
    args = {k: v for k, v in {"only": only, "person": person, "from": since and since.isoformat(),
                              "to": until and until.isoformat()}.items() if v}
    return render_template("workbench/history.html", project=project, role=role, history=found, page=page,
                           per_page=HISTORY_PAGE, only=only, filters=HISTORY_FILTERS, people=people, person=person,
                           since=since, until=until, args=args)


class MemoForm(FlaskForm):
    target = SelectField("About", choices=[], validate_choice=False)
    text = TextAreaField("Memo", validators=[DataRequired(message="Write something first."), Length(max=20000)])


class EditMemoForm(FlaskForm):
    text = TextAreaField("Memo", validators=[DataRequired(message="Write something first."), Length(max=20000)])
    seen_at = HiddenField()


class DeleteMemoForm(FlaskForm):
    confirm = BooleanField("Yes, delete this memo")


def _own_memo(project_id: int, memo_id: int) -> tuple[Any, Role, Memo]:
    """The memo, for its author or a project owner (anyone else: 403)."""
    project, role = load_project(project_id, needs=Role.CODER)
    memo = db_session().get(Memo, memo_id)
    if memo is None or memo.project_id != project.id:
        raise NotFound("No such memo in this project.")
    if role is not Role.OWNER and memo.author_id != user_id():
        raise PermissionDenied("Only the memo's author or a project owner can change it.")
    return project, role, memo


def _targets(project_id: int) -> tuple[list[tuple[str, str]], dict[str, dict[int, str]]]:
    db = db_session()
    codes = codes_of(db, project_id)
    paths = code_paths(codes)
    sources = {s.id: s.name for s in sources_of(db, project_id)}
    choices = [("project:", "The project")]
    choices += [(f"source:{sid}", f"Source: {name}") for sid, name in sources.items()]
    choices += [(f"code:{c.id}", f"Code: {paths[c.id]}") for c in sorted(codes, key=lambda c: paths[c.id].lower())]
    return choices, {"source": sources, "code": paths}


@bp.route("/projects/<int:project_id>/memos", methods=["GET", "POST"])
@login_required
def memos(project_id: int) -> str | Response:
    project, role = load_project(project_id)
    db = db_session()
    choices, names = _targets(project.id)
    form = MemoForm()
    form.target.choices = options(choices)
    if request.method == "GET" and request.args.get("about"):
        form.target.data = request.args["about"]
    if request.method == "POST":
        load_project(project_id, needs=Role.CODER)
        if form.validate_on_submit():
            target_type, _, raw_id = (form.target.data or "project:").partition(":")
            target_id = int(raw_id) if raw_id.isdigit() else None
            try:
                if target_type not in ("project", "source", "code") or (
                        target_type != "project" and target_id not in names[target_type]):
                    raise InvalidInput("Choose what the memo is about.")
                with transaction(db):
                    add_memo(db, project_id=project.id, target_type=target_type, target_id=target_id,
                             text=form.text.data or "", author_id=user_id())
            except DomainError as exc:
                flash(str(exc), "error")
            else:
                flash("Memo saved.", "success")
                return redirect(url_for("workbench.memos", project_id=project.id))
    shown = request.args.get("on", "")
    stmt = select(Memo).where(Memo.project_id == project.id).order_by(Memo.updated_at.desc(), Memo.id.desc())
    if shown in MEMO_TARGETS:
        stmt = stmt.where(Memo.target_type == shown)
    all_memos = list(db.scalars(stmt))
    authors = {u.id: u.display_name or u.email for u in db.scalars(
        select(User).where(User.id.in_({m.author_id for m in all_memos if m.author_id})))}
    me = current_user()
    on_codings = coding_quotes(db, project_id=project.id,
                               coding_ids=[m.target_id for m in all_memos if m.target_type == "coding" and m.target_id])
    return render_template("workbench/memos.html", project=project, role=role, form=form, memos=all_memos,
                           authors=authors, names=names, shown=shown, can_write=role.allows(Role.CODER),
                           on_codings=on_codings,
                           can_edit=lambda m: role is Role.OWNER or (me is not None and m.author_id == me.id))


@bp.route("/projects/<int:project_id>/memos/<int:memo_id>", methods=["GET", "POST"])
@login_required
def edit_memo_page(project_id: int, memo_id: int) -> str | Response:
    project, role, memo = _own_memo(project_id, memo_id)
    db = db_session()
    form = EditMemoForm()
    if request.method == "GET":
        form.text.data = memo.text
        form.seen_at.data = memo.updated_at.isoformat()
    elif form.validate_on_submit():
        try:
            seen = datetime.fromisoformat(form.seen_at.data) if form.seen_at.data else None
        except ValueError:
            abort(400)
        try:
            with transaction(db):
                edit_memo(db, project_id=project.id, memo_id=memo.id, text=form.text.data or "",
                          user_id=user_id(), seen_at=seen)
        except DomainError as exc:
            flash(str(exc), "error")
        else:
            flash("Memo saved.", "success")
            return redirect(url_for("workbench.memos", project_id=project.id))
    _, names = _targets(project.id)
    on_coding = coding_quotes(db, project_id=project.id, coding_ids=[memo.target_id]).get(memo.target_id) \
        if memo.target_type == "coding" and memo.target_id else None
    return render_template("workbench/memo_edit.html", project=project, role=role, form=form, memo=memo,
                           names=names, on_coding=on_coding, delete_form=DeleteMemoForm(formdata=None))


@bp.post("/projects/<int:project_id>/memos/<int:memo_id>/delete")
@login_required
def delete_memo_page(project_id: int, memo_id: int) -> Response:
    project, _, memo = _own_memo(project_id, memo_id)
    form = DeleteMemoForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.confirm.data:
        flash("Tick “Yes, delete this memo” to delete it.", "error")
        return redirect(url_for("workbench.edit_memo_page", project_id=project.id, memo_id=memo.id))
    db = db_session()
    with transaction(db):
        delete_memo(db, project_id=project.id, memo_id=memo.id, user_id=user_id())
    flash("Memo deleted.", "success")
    return redirect(url_for("workbench.memos", project_id=project.id))


WORD_MATCHES = {"whole": "Whole words only", "start": "Also longer words they begin"}


class AutocodeForm(FlaskForm):
    q = StringField("Search for", validators=[DataRequired(), Length(max=500)])
    kind = SelectField("Source kind", choices=[], validate_choice=False)
    words = SelectField("Match", choices=options(WORD_MATCHES.items()), validate_choice=False)
    code_id = SelectField("Code the ticked hits with", choices=[], validate_choice=False)
    scope = SelectField("What to code", choices=options([("segment", "The whole segment (turn, paragraph, answer)"),
                                                         ("match", "Only the matching words")]),
                        validate_choice=False)
    within = SelectField("Only hits inside", choices=[], validate_choice=False)


def _autocode_message(done: AutocodeResult, code_path: str) -> str:
    message = f"Coded {done.created} hit{'' if done.created == 1 else 's'} with “{code_path}”"
    if done.already:
        message += f"; {done.already} already had it and {'was' if done.already == 1 else 'were'} left alone"
    if done.unticked:
        message += f"; {done.unticked} unticked hit{'' if done.unticked == 1 else 's'} left alone"
    if done.skipped_outside:
        message += f"; {done.skipped_outside} outside the chosen code left alone"
    return message + (" (only the first 1000 hits)" if done.capped else "") + "."


@bp.route("/projects/<int:project_id>/search-and-code", methods=["GET", "POST"])
@login_required
def autocode(project_id: int) -> str | Response:
    project, role = load_project(project_id)
    db = db_session()
    codes = codes_of(db, project.id)
    paths = code_paths(codes)
    choices = [(c.id, paths[c.id]) for c in sorted(codes, key=lambda c: paths[c.id].lower()) if not c.is_folder]
    form = AutocodeForm(request.form if request.method == "POST" else request.args)
    form.code_id.choices = options([("", "Choose a code…"), *choices])
    form.within.choices = options([("", "— anywhere —"), *choices])
    form.kind.choices = options([("", "Any kind"), *((k.value, k.label) for k in SourceKind)])
    query = (form.q.data or "").strip()
    kind = SourceKind(form.kind.data) if form.kind.data in {k.value for k in SourceKind} else None
    within = int(form.within.data) if (form.within.data or "").isdigit() else None
    scope = form.scope.data if form.scope.data in ("segment", "match") else "segment"
    words = form.words.data if form.words.data in WORD_MATCHES else "whole"
    form.words.data = words
    code_id = int(form.code_id.data) if (form.code_id.data or "").isdigit() and int(form.code_id.data) in paths \
        else None
    search_args = dict(q=query, kind=form.kind.data or None, words=words, scope=scope, within=form.within.data or None)
    ticked: set[str] | None = None
    if request.method == "POST":
        load_project(project_id, needs=Role.CODER)
        # The page's form says which hits it showed; only the ticked ones are coded.
        ticked = set(request.form.getlist("hit")) if request.form.get("picked") else None
        if not form.validate_on_submit():
            flash("Type something to search for.", "error")
        elif code_id is None:
            flash("Choose a code to code the ticked hits with.", "error")
        elif ticked is not None and not ticked:
            flash("Tick at least one hit to code.", "error")
        else:
            try:
                with transaction(db):
                    done = code_hits(db, project_id=project.id, query=query, code_id=code_id, user_id=user_id(),
                                     scope=scope, within_code_id=within, kind=kind,  # type: ignore[arg-type]
                                     whole_words=words == "whole", chosen=ticked)
            except DomainError as exc:
                flash(str(exc), "error")
            else:
                flash(_autocode_message(done, paths[code_id]), "success")
                return redirect(url_for("workbench.autocode", project_id=project.id, code_id=code_id,
                                        **search_args))
    targets, outside, capped, error = [], 0, False, None
    coded: dict[str, set[int]] = {}
    if query:
        try:
            targets, outside, capped = targets_of(db, project_id=project.id, query=query, scope=scope,  # type: ignore[arg-type]
                                                  within_code_id=within, kind=kind, whole_words=words == "whole")
        except DomainError as exc:
            error = str(exc)
        coded = codes_on_targets(db, project_id=project.id, targets=targets, coder_id=user_id())
    return render_template("workbench/autocode.html", project=project, role=role, form=form, query=query,
                           targets=targets, outside=outside, capped=capped, error=error, within=within,
                           paths=paths, can_code=role.allows(Role.CODER), coded=coded, code_id=code_id,
                           ticked=ticked)
