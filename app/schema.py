"""Schema migrations (Alembic) and the start-up check that the schema is current."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


# Full-text search lives in database-specific objects the models do not describe
# (SQLite's FTS5 table and its shadow tables; PostgreSQL's tsvector column and index).
SEARCH_OBJECTS = ("segment_search", "search_vector", "ix_segment_search_vector")


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """For autogenerate and the schema check: leave the search objects out of the comparison."""
    return not (reflected and name is not None and name.startswith(SEARCH_OBJECTS))


class SchemaOutOfDate(Exception):
    """The database is older (or newer) than this version of Kundstig."""


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        config = _config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def make_revision(engine: Engine, message: str) -> None:
    """Developer helper: autogenerate a migration from the models."""
    with engine.begin() as connection:
        config = _config()
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)


def check_current(engine: Engine) -> None:
    current = current_revision(engine)
    if current != head_revision():
        state = "empty" if current is None else f"at revision {current}"
        raise SchemaOutOfDate(
            f"The database schema is {state}, but this version of Kundstig needs {head_revision()}. "
            "Run `kundstig db upgrade` (or `make run`, which does it for you)."
        )
