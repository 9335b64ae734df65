"""The one declarative Base, engine creation and the unit-of-work helper.

SQLite is the embedded default and gets the settings that make it safe for a
small team: WAL, ``synchronous=FULL``, foreign keys, and ``BEGIN IMMEDIATE``
for every transaction so two writers queue up instead of failing half-way
with "database is locked".
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: SQLite's own wait for the write lock only
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use research.db.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_guid() -> str:
    return str(uuid.uuid4())


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine; SQLite files get WAL, full sync, FKs and immediate writers."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, hide_parameters=True, pool_pre_ping=True, pool_size=10, max_overflow=10)
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=True,  # SQL parameters hold interview text; keep them out of logs and errors
        poolclass=NullPool if parsed.database in (None, "", ":memory:") else None,
        connect_args={"timeout": 30, "check_same_thread": False},
    )
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front, so they wait in busy_timeout
        # instead of failing when a read transaction would have to upgrade.
        writer = connection.get_execution_options().get(WRITER_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")
        connection.info[_HOLDS_WRITE_LOCK] = writer
        connection.info[_CHANGES_AT_BEGIN] = connection.connection.dbapi_connection.total_changes


WRITER_OPTION = "kundstig_writer"
_HOLDS_WRITE_LOCK = "kundstig_holds_write_lock"
_CHANGES_AT_BEGIN = "kundstig_changes_at_begin"


def make_session_factory(engine: Engine, *, writer: bool = True) -> sessionmaker[Session]:
    """Sessions for one unit of work; ``writer=False`` for read-only requests."""
    bind = engine.execution_options(**{WRITER_OPTION: writer})
    return sessionmaker(bind=bind, expire_on_commit=False)


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """One unit of work: commit when the block succeeds, roll back on any error.

    On SQLite the block holds the write lock from its first statement to its commit, and only
    then (see ``_take_write_lock``), and it waits for that lock in the writers' queue (see
    ``_writer_turn``).
    """
    with _writer_turn(session):
        _take_write_lock(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


WRITER_QUEUE_POLL_SECONDS = 0.0005
WRITER_QUEUE_PATIENCE_SECONDS = 30.0
_IN_WRITER_TURN = "kundstig_in_writer_turn"


@contextmanager
def _writer_turn(session: Session) -> Iterator[None]:
    """On a SQLite file, wait for the write lock on a lock file beside the database first.

    SQLite's own wait for its write lock sleeps 1, 2, 5, 10 ... up to 100 ms between tries, so a
    writer that is unlucky a few times in a row waits far longer than the writes ahead of it take
    (a save's slowest 1 % took twice its median with ten people coding). Here a waiter tries the
    lock file every half millisecond and gets its turn as soon as the writer ahead of it is done;
    the kernel releases the file lock when its holder closes it or dies, so it cannot go stale.
    After ``WRITER_QUEUE_PATIENCE_SECONDS`` the writer goes on without its turn and SQLite's own
    wait (``busy_timeout``) decides, as it would with no queue at all.
    """
    path = _writer_lock_path(session)
    if path is None or session.info.get(_IN_WRITER_TURN):
        yield
        return
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _wait_for_turn(handle)
        session.info[_IN_WRITER_TURN] = True
        try:
            yield
        finally:
            del session.info[_IN_WRITER_TURN]
    finally:
        os.close(handle)  # closing the file ends the turn


def writes_in_turn(session: Session) -> bool:
    """Whether no other writer can write between this session's statements: on SQLite inside
    ``transaction()``, which holds the database's one write lock."""
    if session.get_bind().dialect.name != "sqlite" or not session.in_transaction():
        return False
    return bool(session.connection().info.get(_HOLDS_WRITE_LOCK))


def _writer_lock_path(session: Session) -> str | None:
    url = session.get_bind().url
    if fcntl is None or url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return f"{url.database}-writers"


def _wait_for_turn(handle: int) -> None:
    assert fcntl is not None
    deadline = time.monotonic() + WRITER_QUEUE_PATIENCE_SECONDS
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return
            time.sleep(WRITER_QUEUE_POLL_SECONDS)


def _take_write_lock(session: Session) -> None:
    """On SQLite, start the unit of work with ``BEGIN IMMEDIATE`` whatever the session's kind.

    A reader session (a web request's, say) may come here inside a read transaction it opened
    to load the user, the project and the inputs. That transaction changed nothing, so it is
    ended (``expire_on_commit=False`` keeps what it loaded) and the block begins a new one that
    takes the write lock at once. Writers therefore queue only behind each other's writes, not
    behind each other's reads, and a write never has to upgrade a read snapshot (which SQLite
    refuses with "database is locked" when another writer committed in between). A transaction
    that already wrote, or holds unflushed changes, is left as it is.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        connection = session.connection()
        if connection.info.get(_HOLDS_WRITE_LOCK):
            return
        wrote = connection.connection.dbapi_connection.total_changes != connection.info.get(_CHANGES_AT_BEGIN)
        if wrote or session.new or session.dirty or session.deleted:
            return
        session.commit()
    session.connection(execution_options={WRITER_OPTION: True})
