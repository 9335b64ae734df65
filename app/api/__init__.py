"""JSON API under /api/v1. Scripts authenticate with ``Authorization: Bearer``;
the browser's cookie session works too, and then CSRF applies."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, request

from app.database import SAFE_METHODS, db_session
from app.security import csrf
from research.accounts import user_for_token

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def authenticate() -> None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = user_for_token(db_session(), header.removeprefix("Bearer ").strip())
        if user is None:
            abort(401)
        g.user = user
        return
    if g.get("user") is None and request.endpoint != "api.openapi":
        abort(401)
    if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


from app.api import exports, network, openapi, projects, report, sources_import  # noqa: E402,F401  (registers the routes)
