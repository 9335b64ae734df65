"""Login, logout, registration and the account page (sessions, API tokens)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from app import get_settings
from app.auth import bp
from app.auth.forms import EmptyForm, LoginForm, PasswordForm, RegisterForm, TokenForm
from app.database import db_session
from app.security import current_user, login_required
from app.sessions import ServerSession
from coding.events import record
from research import accounts
from research.accounts import ApiToken, AuthSession, Throttle
from research.db import transaction, utcnow
from research.errors import Conflict, InvalidInput, NotFound


def safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another host after login.

    Browsers drop tabs and newlines inside URLs and read a backslash as a slash, so
    ``/\\evil.example`` or ``/<TAB>/evil.example`` would leave the site; any control
    character, space or backslash makes the target fall back to the project list."""
    if not target:
        return url_for("projects.index")
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//")
            or any(ch == "\\" or ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in target)):
        return url_for("projects.index")
    return target


def _throttle() -> Throttle:
    settings = get_settings(current_app)
    return Throttle(settings.login_max_failures, timedelta(minutes=settings.login_window_minutes))


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    form = LoginForm()
    if form.validate_on_submit():
        email = accounts.normalise_email(form.email.data or "")
        keys = (f"email:{email}", f"ip:{request.remote_addr}")
        throttle = _throttle()
        db = db_session()
        with transaction(db):
            if (accounts.failures_within(db, keys[0], throttle) >= throttle.max_failures
                    or accounts.failures_within(db, keys[1], throttle) >= 4 * throttle.max_failures):
                abort(429, f"Too many failed logins. Wait {throttle.window.seconds // 60} minutes and try again.")
            user = accounts.authenticate(db, email=email, password=form.password.data or "")
            if user is None:
                for key in keys:
                    accounts.record_failure(db, key)
                record(db, "login.failed", user_id=None, after={"email": email})
            else:
                accounts.clear_failures(db, keys[0])
                record(db, "login", user_id=user.id)
        if user is None:
            flash("That e-mail and password do not match an account.", "error")
            return render_template("auth/login.html", form=form), 401
        assert isinstance(session, ServerSession)
        session.clear()
        session.log_in(user.id)
        return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, registration_open=get_settings(current_app).registration_open)


@bp.post("/logout")
def logout() -> Response:
    assert isinstance(session, ServerSession)
    if current_user() is not None:
        db = db_session()
        with transaction(db):
            record(db, "logout", user_id=current_user().id)  # type: ignore[union-attr]
    session.log_out()
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
def register() -> str | Response:
    if not get_settings(current_app).registration_open:
        abort(404)
    form = RegisterForm()
    if form.validate_on_submit():
        db = db_session()
        try:
            with transaction(db):
                user = accounts.create_user(db, email=form.email.data or "", password=form.password.data or "",
                                            display_name=form.display_name.data or "")
                record(db, "user.register", user_id=user.id)
        except (Conflict, InvalidInput) as exc:
            form.email.errors = [str(exc)]  # type: ignore[assignment]
            return render_template("auth/register.html", form=form), 400
        assert isinstance(session, ServerSession)
        session.clear()
        session.log_in(user.id)
        flash("Welcome to Kundstig. Create your first project to begin.", "success")
        return redirect(url_for("projects.index"))
    return render_template("auth/register.html", form=form)


def _account_page(*, new_token: str | None = None, password_form: PasswordForm | None = None,
                  status: int = 200) -> tuple[str, int]:
    db = db_session()
    user = current_user()
    assert user is not None and isinstance(session, ServerSession)
    sessions = list(db.scalars(select(AuthSession).where(AuthSession.user_id == user.id)
                               .order_by(AuthSession.last_seen_at.desc())))
    tokens = list(db.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                             .order_by(ApiToken.created_at.desc())))
    return render_template("auth/account.html", sessions=sessions, tokens=tokens, current_session_id=session.row_id,
                           form=EmptyForm(), token_form=TokenForm(formdata=None), new_token=new_token,
                           password_form=password_form or PasswordForm(formdata=None)), status


@bp.get("/account")
@login_required
def account() -> tuple[str, int]:
    return _account_page()


@bp.post("/account/password")
@login_required
def change_password() -> tuple[str, int] | Response:
    """A new password ends every session of the account, this one included; this
    browser continues under a fresh session secret."""
    form = PasswordForm()
    user = current_user()
    assert user is not None and isinstance(session, ServerSession)
    if not form.validate_on_submit():
        return _account_page(password_form=form, status=400)
    db = db_session()
    try:
        with transaction(db):
            ended = accounts.change_password(db, user_id=user.id, current=form.current.data or "",
                                             new=form.password.data or "")
            record(db, "password.change", user_id=user.id, object_type="user", object_id=user.id,
                   after={"sessions_ended": ended})
    except InvalidInput as exc:
        form.current.errors = [str(exc)]  # type: ignore[assignment]
        return _account_page(password_form=form, status=400)
    session.row_id = None  # the row is gone with the others; log_in opens a new one
    session.clear()
    session.log_in(user.id)
    flash("Password changed. Every other browser and device has been logged out.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sessions/revoke-others")
@login_required
def revoke_other_sessions() -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    assert isinstance(session, ServerSession)
    db = db_session()
    with transaction(db):
        count = accounts.revoke_user_sessions(db, current_user().id, keep=session.row_id)  # type: ignore[union-attr]
        record(db, "sessions.revoke", user_id=current_user().id, after={"count": count})  # type: ignore[union-attr]
    flash(f"Logged out {count} other session(s).", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/tokens")
@login_required
def create_token() -> tuple[str, int] | Response:
    form = TokenForm()
    if not form.validate_on_submit():
        flash("Give the token a name that says what it is for.", "error")
        return redirect(url_for("auth.account"))
    db = db_session()
    user = current_user()
    assert user is not None
    with transaction(db):
        secret = accounts.create_token(db, user_id=user.id, name=form.name.data or "")
        record(db, "token.create", user_id=user.id, after={"name": form.name.data})
    return _account_page(new_token=secret)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    db = db_session()
    user = current_user()
    assert user is not None
    with transaction(db):
        token = db.get(ApiToken, token_id)
        if token is None or token.user_id != user.id:
            raise NotFound("No such token.")
        token.revoked_at = utcnow()
        record(db, "token.revoke", user_id=user.id, object_type="api_token", object_id=token.id)
    flash("Token revoked.", "success")
    return redirect(url_for("auth.account"))
