"""The databases the suite runs on: SQLite always, PostgreSQL unless told otherwise.

``KUNDSTIG_TEST_DATABASES`` lists them (default ``sqlite,postgresql``);
``KUNDSTIG_TEST_POSTGRES_URL`` points at the PostgreSQL server. A listed
database that cannot be reached fails the run: it never skips quietly.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, text

from coding.all_models import metadata
from research.db import make_engine

POSTGRES_URL = os.environ.get("KUNDSTIG_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def backends() -> list[str]:
    return [b.strip() for b in os.environ.get("KUNDSTIG_TEST_DATABASES", "sqlite,postgresql").split(",") if b.strip()]


def url_for(backend: str, directory: Path) -> str:
    """SQLite: a file in the run's temp folder. PostgreSQL: a database of this
    run's own (created next to ``KUNDSTIG_TEST_POSTGRES_URL``'s), so parallel
    runs on one server never see each other's tables."""
    if backend == "sqlite":
        return f"sqlite:///{directory / 'test.db'}"
    if backend == "postgresql":
        return POSTGRES_URL.rsplit("/", 1)[0] + f"/kundstig_test_{os.getpid()}"
    raise ValueError(f"unknown test database {backend!r}")


def _server_admin(statement: str) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(statement))
    finally:
        admin.dispose()


def drop(backend: str, engine: Engine) -> None:
    engine.dispose()
    if backend == "postgresql":
        _server_admin(f"DROP DATABASE IF EXISTS {engine.url.database} WITH (FORCE)")


def reset(engine: Engine) -> None:
    """An empty database: no tables at all (so migrations start from nothing)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        with engine.begin() as connection:
            for table in inspect(connection).get_table_names():
                connection.execute(text(f'DROP TABLE IF EXISTS "{table}"'))


def clear(engine: Engine) -> None:
    """Delete every row, keeping the schema (fast isolation between tests)."""
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f'DELETE FROM "{table}"'))
            connection.execute(text("DELETE FROM sqlite_sequence"))  # ids start at 1 again, as on PostgreSQL


def connect(backend: str, directory: Path) -> Engine:
    url = url_for(backend, directory)
    try:
        if backend == "postgresql":
            database = url.rsplit("/", 1)[1]
            _server_admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            _server_admin(f"CREATE DATABASE {database}")
        engine = make_engine(url)
        with engine.connect():
            pass
    except Exception as exc:  # noqa: BLE001 - any failure to connect means the same thing here
        raise RuntimeError(
            f"The {backend} test database is not reachable ({exc.__class__.__name__}). Start it, or run with "
            f"KUNDSTIG_TEST_DATABASES=sqlite to test on SQLite only."
        ) from exc
    return engine
