"""The audit log: the project's membership, export, deletion and settings events."""

from __future__ import annotations

from flask import abort, render_template, request

from app.audit import bp
from app.database import db_session
from app.projects.access import load_project
from app.security import login_required
from coding.audit import CATEGORIES, audit_log
from research.projects import Role

PER_PAGE = 100
FILTERS = {"": "Everything", "access": "Members and roles", "exports": "Exports and downloads",
           "deletions": "Deletions", "settings": "Settings"}


@bp.get("/projects/<int:project_id>/settings/audit")
@login_required
def audit_log_page(project_id: int) -> str:
    project, role = load_project(project_id, needs=Role.OWNER)
    only = request.args.get("only", "")
    page = request.args.get("page", "1")
    if (only and only not in CATEGORIES) or not page.isdigit() or int(page) < 1:
        abort(400)
    found = audit_log(db_session(), project.id, category=only or None, offset=(int(page) - 1) * PER_PAGE,
                      limit=PER_PAGE)
    return render_template("audit/log.html", project=project, role=role, log=found, filters=FILTERS, only=only,
                           page=int(page), per_page=PER_PAGE)
