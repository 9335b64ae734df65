"""JSON API under /api/v1. Scripts authenticate with ``Authorization: Bearer``;
the browser's cookie session works too, and then CSRF applies."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, request

from app.database import SAFE_METHODS, db_session
from app.errors import render_error
from app.security import csrf
from research.accounts import user_for_token

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def authenticate() -> tuple[object, int, dict[str, str]] | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = user_for_token(db_session(), header.removeprefix("Bearer ").strip())
        if user is None:
            body, status = render_error(401, "This API token is unknown or revoked, or its account is switched off; "
                                             "make a new one on your account page.")
            return body, status, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        g.user = user
        return None
    if g.get("user") is None and request.endpoint != "api.openapi":
        abort(401)
    if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    return None


from app.api import exports, network, openapi, projects, report, sources_import  # noqa: E402,F401  (registers the routes)
