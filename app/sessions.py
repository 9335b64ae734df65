"""Server-side sessions: the cookie holds only a random secret; the data, the
user and the timeouts live in the ``auth_session`` table, so a session can be
revoked from anywhere (log out everywhere, password change, an administrator)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, Request, Response
from flask import request as current_request
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from app.database import get_database
from research.accounts import AuthSession, find_session, open_session
from research.db import transaction, utcnow

COOKIE_NAME = "kundstig_session"
# Refresh last_seen at most this often, so reads do not all write.
TOUCH_EVERY = timedelta(minutes=1)


class ServerSession(CallbackDict[str, Any], SessionMixin):
    def __init__(self, data: dict[str, Any] | None = None, *, row_id: int | None = None,
                 user_id: int | None = None, secret: str | None = None) -> None:
        def on_update(_self: Any) -> None:
            self.modified = True

        super().__init__(data or {}, on_update)
        self.row_id = row_id
        self.user_id = user_id
        self.secret = secret
        self.modified = False
        self.rotate = False
        self.ended = False
        self.needs_touch = False

    def log_in(self, user_id: int) -> None:
        """Bind the session to a user under a fresh secret (against fixation)."""
        self.user_id = user_id
        self.rotate = True
        self.modified = True

    def log_out(self) -> None:
        self.clear()
        self.user_id = None
        self.ended = True


class DatabaseSessionInterface(SessionInterface):
    def __init__(self, *, idle: timedelta, absolute: timedelta) -> None:
        self.idle = idle
        self.absolute = absolute

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        secret = request.cookies.get(COOKIE_NAME)
        if not secret:
            return ServerSession()
        with get_database(app).reader() as session:
            row = find_session(session, secret, idle=self.idle, absolute=self.absolute)
            if row is None:
                return ServerSession()
            server_session = ServerSession(dict(row.data), row_id=row.id, user_id=row.user_id, secret=secret)
            server_session.needs_touch = utcnow() - row.last_seen_at > TOUCH_EVERY
            return server_session

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        cookie = dict(
            domain=self.get_cookie_domain(app), path=self.get_cookie_path(app), httponly=True,
            secure=self.get_cookie_secure(app) or current_request.is_secure, samesite="Lax",
        )
        database = get_database(app)
        if session.ended:
            if session.row_id is not None:
                with database.writer() as db, transaction(db):
                    row = db.get(AuthSession, session.row_id)
                    if row is not None:
                        db.delete(row)
            response.delete_cookie(COOKIE_NAME, **cookie)  # type: ignore[arg-type]
            return
        if not (session.modified or session.rotate or session.needs_touch):
            return
        with database.writer() as db, transaction(db):
            row = db.get(AuthSession, session.row_id) if session.row_id is not None else None
            if row is None or session.rotate:
                if row is not None:
                    db.delete(row)
                agent = current_request.headers.get("User-Agent", "")
                session.secret, row = open_session(db, user_id=session.user_id, data=dict(session), user_agent=agent)
            else:
                row.data = dict(session)
                row.last_seen_at = utcnow()
        response.set_cookie(COOKIE_NAME, session.secret or "", max_age=int(self.absolute.total_seconds()),
                            **cookie)  # type: ignore[arg-type]
        response.vary.add("Cookie")

