"""Project list, creation, overview, settings (with deleting the project) and members."""

from __future__ import annotations

import re
import unicodedata

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.auth.forms import EmptyForm
from app.database import db_session
from app.projects import bp
from app.projects.access import load_project
from app.projects.forms import DeleteProjectForm, MemberForm, NewProjectForm, PhasesForm, ProjectForm, RoleForm
from app.security import current_user, login_required
from app.templating import counted
from coding.codebook_template import apply_customer_path_template
from coding.events import history, record
from coding.project_deletion import ProjectContents, delete_project, project_contents
from coding.summary import summarise
from research import projects as svc
from research.db import transaction
from research.errors import DomainError
from research.jobs import jobs_of
from research.projects import Role

DASHES = re.compile("[\u2010-\u2015\u2212]")


def _user_id() -> int:
    user = current_user()
    assert user is not None
    return user.id


@bp.get("/")
@login_required
def index() -> str:
    return render_template("projects/index.html", projects=svc.projects_of(db_session(), _user_id()))


@bp.route("/projects/new", methods=["GET", "POST"])
@login_required
def new() -> str | Response:
    form = NewProjectForm()
    if form.validate_on_submit():
        db = db_session()
        with transaction(db):
            project = svc.create_project(
                db, owner_id=_user_id(), name=form.name.data or "", description=form.description.data or "",
                language=form.language.data or "sv", company_name=form.company_name.data or "",
                company_aliases=svc.parse_aliases(form.company_aliases.data or ""),
                phase_model=form.phase_model.data or "six",
            )
            record(db, "project.create", user_id=_user_id(), project_id=project.id, object_type="project",
                   object_id=project.id, after={"name": project.name})
            template = form.codebook.data == "template"
            if template:
                apply_customer_path_template(db, project=project, user_id=_user_id())
        flash(f"Project '{project.name}' created" + (" with the customer-path codebook to adapt." if template
                                                     else " with an empty codebook."), "success")
        return redirect(url_for("projects.overview", project_id=project.id))
    return render_template("projects/new.html", form=form)


@bp.get("/projects/<int:project_id>")
@login_required
def overview(project_id: int) -> str:
    project, role = load_project(project_id)
    db = db_session()
    return render_template(
        "projects/overview.html", project=project, role=role, summary=summarise(db, project.id),
        events=history(db, project.id, limit=8), jobs=jobs_of(db, project.id, limit=5), form=EmptyForm(),
    )


@bp.route("/projects/<int:project_id>/settings", methods=["GET", "POST"])
@login_required
def settings(project_id: int) -> str | Response:
    project, role = load_project(project_id, needs=Role.OWNER)
    form, phases_form = _settings_forms(project, posted=request.method == "POST")
    if form.validate_on_submit():
        db = db_session()
        with transaction(db):
            before = {"name": project.name, "company_name": project.company_name}
            svc.update_project(db, project, name=form.name.data or "", description=form.description.data or "",
                               language=form.language.data or "sv", company_name=form.company_name.data or "",
                               company_aliases=svc.parse_aliases(form.company_aliases.data or ""))
            record(db, "project.update", user_id=_user_id(), project_id=project.id, object_type="project",
                   object_id=project.id, before=before, after={"name": project.name,
                                                               "company_name": project.company_name})
        flash("Project settings saved.", "success")
        return redirect(url_for("projects.settings", project_id=project.id))
    return _settings_page(project, role, form, phases_form, DeleteProjectForm(prefix="delete"))


def _settings_forms(project: svc.Project, *, posted: bool) -> tuple[ProjectForm, PhasesForm]:
    """The settings forms: as posted, or filled in from the project."""
    if posted:
        return ProjectForm(), PhasesForm(prefix="phases")
    form, phases_form = ProjectForm(formdata=None, obj=project), PhasesForm(prefix="phases", formdata=None)
    form.company_aliases.data = "\n".join(project.company_aliases)
    phases_form.phases.data = "\n".join(
        f"{p.name} | {p.description}" if p.description else p.name for p in project.phases)
    return form, phases_form


def _settings_page(project: svc.Project, role: Role, form: ProjectForm, phases_form: PhasesForm,
                   delete_form: DeleteProjectForm) -> str:
    return render_template("projects/settings.html", project=project, role=role, form=form, phases_form=phases_form,
                           delete_form=delete_form, contents=project_contents(db_session(), project.id))


@bp.post("/projects/<int:project_id>/delete")
@login_required
def delete(project_id: int) -> Response | tuple[str, int]:
    """Delete the project for everyone, once the owner has typed its name."""
    project, role = load_project(project_id, needs=Role.OWNER)
    form = DeleteProjectForm(prefix="delete")
    if not form.validate_on_submit() or not _same_name(form.confirm_name.data or "", project.name):
        form.confirm_name.errors = ["That is not the project's name, so nothing was deleted."]
        return _settings_page(project, role, *_settings_forms(project, posted=False), form), 400
    db = db_session()
    with transaction(db):
        contents = delete_project(db, project_id=project.id, user_id=_user_id())
    flash(_deleted_message(contents), "success")
    return redirect(url_for("projects.index"))


def _same_name(typed: str, name: str) -> bool:
    """The typed name matches: letter case counts, but not spacing, Unicode form or which
    dash was typed (a name with an en dash is hard to type on most keyboards)."""
    def plain(text: str) -> str:
        text = unicodedata.normalize("NFC", text)
        return " ".join(DASHES.sub("-", text).split())

    return bool(typed.strip()) and plain(typed) == plain(name)


def _deleted_message(contents: ProjectContents) -> str:
    """What went, in counts: the name is not repeated (flashes are kept in the session store)."""
    held = [counted(contents.sources, "source"), counted(contents.codes, "code"), counted(contents.codings, "coding"),
            counted(contents.memos, "memo"), counted(contents.participants, "participant")]
    message = f"The project was deleted with everything in it: {', '.join(held[:-1])} and {held[-1]}."
    if contents.job_files:
        message += f" {counted(contents.job_files, 'cached export file')} went with it."
    return message + (" It is gone for every member." if contents.members > 1 else "")


@bp.post("/projects/<int:project_id>/phases")
@login_required
def phases(project_id: int) -> str | Response:
    project, role = load_project(project_id, needs=Role.OWNER)
    phases_form = PhasesForm(prefix="phases")
    if not phases_form.validate_on_submit():
        abort(400)
    lines = [line for line in (phases_form.phases.data or "").splitlines() if line.strip()]
    parsed = [(name, description) for name, _, description in (line.partition("|") for line in lines)]
    db = db_session()
    try:
        with transaction(db):
            svc.set_phases(db, project, parsed)
            record(db, "project.phases", user_id=_user_id(), project_id=project.id, object_type="project",
                   object_id=project.id, after={"phases": [name.strip() for name, _ in parsed]})
    except DomainError as exc:
        flash(str(exc), "error")
    else:
        flash("Phase model saved.", "success")
    return redirect(url_for("projects.settings", project_id=project.id))


@bp.route("/projects/<int:project_id>/members", methods=["GET", "POST"])
@login_required
def members(project_id: int) -> str | Response:
    project, role = load_project(project_id)
    form = MemberForm()
    if request.method == "POST":
        load_project(project_id, needs=Role.OWNER)
        if form.validate_on_submit():
            db = db_session()
            try:
                with transaction(db):
                    membership = svc.add_member(db, project_id=project.id, email=form.email.data or "",
                                                role=Role(form.role.data))
                    record(db, "member.add", user_id=_user_id(), project_id=project.id, object_type="user",
                           object_id=membership.user_id, after={"role": membership.role.value})
            except DomainError as exc:
                flash(str(exc), "error")
            else:
                flash(f"{form.email.data} added as {form.role.data}.", "success")
            return redirect(url_for("projects.members", project_id=project.id))
    return render_template("projects/members.html", project=project, role=role, form=form,
                           members=svc.members_of(db_session(), project.id), role_form=RoleForm(), empty=EmptyForm())


@bp.post("/projects/<int:project_id>/members/<int:user_id>/role")
@login_required
def change_role(project_id: int, user_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.OWNER)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    db = db_session()
    try:
        with transaction(db):
            before = svc.role_in(db, project_id=project.id, user_id=user_id)
            membership = svc.change_role(db, project_id=project.id, user_id=user_id, role=Role(form.role.data))
            record(db, "member.role", user_id=_user_id(), project_id=project.id, object_type="user",
                   object_id=user_id, before={"role": before.value if before else None},
                   after={"role": membership.role.value})
    except DomainError as exc:
        flash(str(exc), "error")
    else:
        flash("Role changed.", "success")
    return redirect(url_for("projects.members", project_id=project.id))


@bp.post("/projects/<int:project_id>/members/<int:user_id>/remove")
@login_required
def remove_member(project_id: int, user_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.OWNER)
    if not EmptyForm().validate_on_submit():
        abort(400)
    db = db_session()
    try:
        with transaction(db):
            svc.remove_member(db, project_id=project.id, user_id=user_id)
            record(db, "member.remove", user_id=_user_id(), project_id=project.id, object_type="user",
                   object_id=user_id)
    except DomainError as exc:
        flash(str(exc), "error")
    else:
        flash("Member removed.", "success")
    return redirect(url_for("projects.members", project_id=project.id))
