"""On SQLite a unit of work takes the write lock when it starts, and only then.

Web requests read in plain transactions (the user, the project, the input) and write in one
``transaction()`` block; these tests pin down what that promises: reads never keep a writer
waiting, the block holds the lock from its first line, and a block that follows reads still
saves when another writer committed in between (SQLite would refuse to turn the stale read
into a write with "database is locked", without waiting). Writers wait for their turn on a lock
file beside the database, which they hold from the block's start to its commit or rollback.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from research import db
from research.db import make_engine, make_session_factory, transaction


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))
    yield engine
    engine.dispose()


@pytest.fixture
def reader(engine: Engine) -> Iterator[Session]:
    """A session like a web request's: made for reading, writing only inside ``transaction()``."""
    with make_session_factory(engine, writer=False)() as session:
        yield session


def impatient_writer(engine: Engine) -> sqlite3.Connection:
    """A second connection that gives up at once instead of waiting for the lock."""
    return sqlite3.connect(str(engine.url.database), timeout=0, isolation_level=None)


def notes(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(text("SELECT body FROM note ORDER BY id")))


def add_note(session: Session, body: str) -> None:
    session.execute(text("INSERT INTO note (body) VALUES (:body)"), {"body": body})


def test_reading_before_the_unit_of_work_keeps_no_one_from_writing(engine: Engine, reader: Session) -> None:
    assert reader.scalar(text("SELECT count(*) FROM note")) == 0
    other = impatient_writer(engine)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO note (body) VALUES ('written while the request was reading')")
    other.execute("COMMIT")
    other.close()
    assert notes(engine) == ["written while the request was reading"]


def test_the_unit_of_work_holds_the_write_lock_from_its_first_line(engine: Engine, reader: Session) -> None:
    reader.scalar(text("SELECT count(*) FROM note"))
    other = impatient_writer(engine)
    with transaction(reader):
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            other.execute("BEGIN IMMEDIATE")
        add_note(reader, "mine")
    other.execute("BEGIN IMMEDIATE")  # free again once the block committed
    other.execute("ROLLBACK")
    other.close()
    assert notes(engine) == ["mine"]


def test_a_unit_of_work_after_reads_saves_although_another_writer_committed_meanwhile(
    engine: Engine, reader: Session
) -> None:
    assert reader.scalar(text("SELECT count(*) FROM note")) == 0  # the request's read snapshot
    with make_session_factory(engine)() as other, transaction(other):
        add_note(other, "the other request's save")
    with transaction(reader):
        add_note(reader, "this request's save")
    assert notes(engine) == ["the other request's save", "this request's save"]


def test_a_change_made_before_the_block_is_not_committed_ahead_of_it(engine: Engine, reader: Session) -> None:
    add_note(reader, "written before the block")
    with pytest.raises(RuntimeError), transaction(reader):
        add_note(reader, "written inside the block")
        raise RuntimeError("the unit of work fails")
    assert notes(engine) == []


# --- the writers' queue: a lock file beside the database, taken before SQLite's own lock ----------


def lock_file_is_free(engine: Engine) -> bool:
    handle = os.open(f"{engine.url.database}-writers", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(handle)


def test_a_unit_of_work_holds_its_turn_until_it_commits_or_rolls_back(engine: Engine, reader: Session) -> None:
    with transaction(reader):
        assert not lock_file_is_free(engine)
        add_note(reader, "mine")
    assert lock_file_is_free(engine)
    with pytest.raises(RuntimeError), transaction(reader):
        assert not lock_file_is_free(engine)
        raise RuntimeError("the unit of work fails")
    assert lock_file_is_free(engine)


def test_a_unit_of_work_inside_another_on_the_same_session_keeps_the_turn_it_has(
    engine: Engine, reader: Session
) -> None:
    with transaction(reader):
        with transaction(reader):
            add_note(reader, "inner")
        assert not lock_file_is_free(engine)
        add_note(reader, "outer")
    assert notes(engine) == ["inner", "outer"]


def test_a_writer_waits_for_the_writer_ahead_of_it_and_both_saves_land(engine: Engine) -> None:
    sessions = make_session_factory(engine, writer=False)
    inside, release = threading.Event(), threading.Event()

    def first() -> None:
        with sessions() as session, transaction(session):
            add_note(session, "first")
            inside.set()
            release.wait(10)

    ahead = threading.Thread(target=first)
    ahead.start()
    inside.wait(10)
    behind = threading.Thread(target=lambda: _save(sessions, "second"))
    behind.start()
    behind.join(0.2)
    assert behind.is_alive(), "the second writer went ahead while the first held its turn"
    release.set()
    ahead.join(10)
    behind.join(10)
    assert notes(engine) == ["first", "second"]


def _save(sessions: sessionmaker[Session], body: str) -> None:
    with sessions() as session, transaction(session):
        add_note(session, body)


def test_a_writer_whose_turn_never_comes_leaves_the_wait_to_sqlite(
    engine: Engine, reader: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "WRITER_QUEUE_PATIENCE_SECONDS", 0.05)
    stuck = os.open(f"{engine.url.database}-writers", os.O_RDWR | os.O_CREAT)
    fcntl.flock(stuck, fcntl.LOCK_EX)  # a holder that never lets go (the lock file alone)
    try:
        with transaction(reader):
            add_note(reader, "saved without a turn")
    finally:
        os.close(stuck)
    assert notes(engine) == ["saved without a turn"]


def test_a_database_in_memory_needs_no_queue() -> None:
    engine = make_engine("sqlite://")
    with make_session_factory(engine)() as session, transaction(session):
        assert session.scalar(text("SELECT 1")) == 1
    engine.dispose()


def test_a_session_writes_in_turn_only_inside_its_unit_of_work(engine: Engine, reader: Session) -> None:
    reader.scalar(text("SELECT count(*) FROM note"))
    assert not db.writes_in_turn(reader)
    with transaction(reader):
        assert db.writes_in_turn(reader)
    assert not db.writes_in_turn(reader)
