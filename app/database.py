"""Engine and per-request sessions, owned by the app (no Flask-SQLAlchemy).

Every request reads in plain transactions; a view writes inside one
``research.db.transaction`` block, which on SQLite takes the write lock with
``BEGIN IMMEDIATE`` for that block only. So loading the user, checking the
project and validating input never keep another request from writing, and
writers queue only for as long as a write takes. Anything left uncommitted is
rolled back when the response is ready.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from research.db import make_engine, make_session_factory

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.writer: sessionmaker[Session] = make_session_factory(engine, writer=True)
        self.reader: sessionmaker[Session] = make_session_factory(engine, writer=False)


def init_app(app: Flask, database_url: str) -> Database:
    database = Database(make_engine(database_url))
    app.extensions["kundstig.db"] = database
    app.after_request(_release_session)
    app.teardown_appcontext(_close_session)
    return database


def get_database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["kundstig.db"]  # type: ignore[no-any-return]


def db_session() -> Session:
    """The session of the current request (created on first use)."""
    if "db_session" not in g:
        g.db_session = get_database().reader()
    return g.db_session  # type: ignore[no-any-return]


def _release_session(response: Response) -> Response:
    """End the request's transaction once the response is built, before the
    session cookie is saved: on SQLite an open writer transaction would
    otherwise block that save (and an error page would wait for its own lock)."""
    _close_session(None)
    return response


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
