"""Schema migrations: from an empty database to head on both backends, the
result matches the models, and an out-of-date schema stops the app with the fix."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from app import create_app
from app.schema import SchemaOutOfDate, check_current, current_revision, head_revision, include_object, upgrade
from coding.all_models import metadata
from research.db import make_engine
from tests import databases
from tests.conftest import settings_for


@pytest.fixture(params=databases.backends())
def empty_engine(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    admin = create_engine(databases.POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS kundstig_migrations WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE kundstig_migrations"))
    engine = make_engine(databases.POSTGRES_URL.rsplit("/", 1)[0] + "/kundstig_migrations")
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS kundstig_migrations WITH (FORCE)"))
    admin.dispose()


def test_an_empty_database_migrates_to_head_with_every_table(empty_engine):
    assert current_revision(empty_engine) is None
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    tables = set(inspect(empty_engine).get_table_names())
    assert set(metadata.tables) <= tables
    check_current(empty_engine)


def test_the_migrated_schema_matches_the_models(empty_engine):
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}), metadata)
    assert differences == []


def test_upgrading_twice_changes_nothing(empty_engine):
    upgrade(empty_engine)
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()


def test_the_app_refuses_an_empty_database_and_names_the_command_that_fixes_it(empty_engine, tmp_path):
    url = empty_engine.url.render_as_string(hide_password=False)
    with pytest.raises(SchemaOutOfDate, match="kundstig db upgrade"):
        create_app({"SETTINGS": settings_for(url, tmp_path)})
