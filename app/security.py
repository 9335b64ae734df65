"""Security headers (CSP with a per-request nonce), CSRF, and the current user."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, abort, g, redirect, request, session, url_for
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import SecurityError

from app import log_privacy
from app.database import db_session
from research.accounts import User

csrf = CSRFProtect()
F = TypeVar("F", bound=Callable[..., Any])


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    log_privacy.install()
    app.before_request(_load_user)
    app.after_request(_set_headers)
    app.register_error_handler(SecurityError, _untrusted_host)
    app.jinja_env.globals["csp_nonce"] = csp_nonce


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce  # type: ignore[no-any-return]


def _load_user() -> None:
    g.user = None
    user_id = getattr(session, "user_id", None)
    if user_id is not None:
        user = db_session().get(User, user_id)
        if user is not None and user.is_active:
            g.user = user


def current_user() -> User | None:
    return g.get("user")


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            if request.blueprint == "api":
                abort(401)
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _untrusted_host(_exc: SecurityError) -> Response:
    """A Host header outside TRUSTED_HOSTS. Plain text: without a trusted host there
    is no URL adapter, so the templated error page (which builds links) cannot render."""
    return Response("This server does not answer to that host name.\n", 400, mimetype="text/plain")


def _set_headers(response: Response) -> Response:
    nonce = csp_nonce()
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if current_user() is not None or request.path.startswith(("/projects", "/api/")):
        # Interview data must not linger in shared caches or the browser's history cache.
        response.headers["Cache-Control"] = "no-store"
    return response
