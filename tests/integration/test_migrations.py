"""Schema migrations: from an empty database to head on both backends, the result
matches the models, an out-of-date schema stops the app with the fix, and a database
full of data made by any released version upgrades without losing a row (and back)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from app import create_app
from app.database import get_database
from app.schema import (
    SchemaOutOfDate,
    check_current,
    current_revision,
    downgrade,
    head_revision,
    include_object,
    upgrade,
)
from coding.all_models import metadata
from research.db import make_engine, transaction
from research.projects import create_project
from research.search import search_segments
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


# --- Upgrading databases made by released versions ------------------------------------

# The revisions of released versions. A database at any of them, full of data, must reach
# head without losing a row, and (the migrations all have downgrades) go back again.
RELEASED = ["0001", "0003", "0004", "0005"]
MARKER = "Zebrafinken"
TEXT = f"I: Hur började det?\nÅsa: {MARKER} 🏠 i Kiruna, e\u0301n bank.\n"
UTTERANCE = f"{MARKER} 🏠 i Kiruna, e\u0301n bank."
AT = "2024-05-01 10:00:00+00:00"


def _released_rows(revision: str) -> list[tuple[str, dict[str, object]]]:
    """Rows an instance at ``revision`` holds, in insertion order, as that revision's schema has them."""
    start = TEXT.index(UTTERANCE)
    rows: list[tuple[str, dict[str, object]]] = [
        ("user_account", dict(id=1, email="asa@example.org", display_name="Åsa", password_hash="!",
                              is_active=True, created_at=AT)),
        ("project", dict(id=1, guid="00000000-0000-4000-8000-000000000001", name="Äldre projekt", description="",
                         language="sv", company_name="Fjällbanken", company_aliases='["FB"]', phase_model="six",
                         created_at=AT)),
        ("phase", dict(id=1, project_id=1, position=0, name="Medveten", description="")),
        ("membership", dict(id=1, project_id=1, user_id=1, role="owner", created_at=AT)),
        ("participant", dict(id=1, project_id=1, guid="00000000-0000-4000-8000-000000000002", name="Åsa",
                             description="", created_at=AT)),
        ("source", dict(id=1, project_id=1, guid="00000000-0000-4000-8000-000000000003", kind="interview",
                        name="Intervju Åsa", text=TEXT, language="sv", participant_id=1, original_name="asa.txt",
                        media_type="text/plain", sha256="0" * 64, size=len(TEXT.encode()), encoding="utf-8",
                        encoding_warning=None, details="{}", created_by=1, created_at=AT)),
        ("segment", dict(id=1, source_id=1, kind="turn", start=start, end=start + len(UTTERANCE), speaker="Åsa",
                         timestamp_ms=None, participant_id=1, question=None)),
        ("code", dict(id=1, project_id=1, guid="00000000-0000-4000-8000-000000000004", parent_id=None,
                      name="Banken", kind="actor", is_folder=False, colour="#1f6f78", position=0, description="",
                      when_to_use="", when_not="", examples="", aliases="[]", ownership="company",
                      actor_type=None, medium=None, touchpoint_type=None, company_role=None, phase_id=None,
                      valence=None, goal_id=None, version=1, created_at=AT)),
        ("coding", dict(id=1, project_id=1, guid="00000000-0000-4000-8000-000000000005", source_id=1, code_id=1,
                        start=start, end=start + len(MARKER), coder_id=1, origin="manual", client_key=None, version=1,
                        created_at=AT)),
        ("memo", dict(id=1, project_id=1, guid="00000000-0000-4000-8000-000000000006", target_type="coding",
                      target_id=1, author_id=1, text="Första kontakten", created_at=AT, updated_at=AT)),
        ("suggestion", dict(id=1, project_id=1, source_id=1, start=start, end=start + len(MARKER), code_id=1,
                            proposed_kind=None, proposed_name=None, score=0.5, rationale="", suggester="actors",
                            model_version="", extra="{}", status="pending", decided_by=None, decided_at=None,
                            coding_id=None, created_at=AT)),
    ]
    if revision >= "0004":
        rows.append(("staged_upload", dict(id=1, project_id=1, user_id=1, purpose="document", name="b.txt",
                                           data=b"Bo: hej", created_at=AT)))
    if revision >= "0005":
        rows.append(("pseudonym_term", dict(id=1, project_id=1, term="Kiruna", kind="place")))
    return rows


def _insert_released_rows(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        for table, row in _released_rows(revision):
            columns = ", ".join(f'"{name}"' for name in row)
            values = ", ".join(f":{name}" for name in row)
            connection.execute(text(f'INSERT INTO "{table}" ({columns}) VALUES ({values})'), row)
        if revision >= "0003":  # from 0003 on the app indexes the segments it adds
            if engine.dialect.name == "sqlite":
                connection.execute(text("INSERT INTO segment_search(rowid, body) VALUES (1, :body)"),
                                   {"body": UTTERANCE})
            else:
                connection.execute(text("UPDATE segment SET search_vector = to_tsvector('simple', :body)"),
                                   {"body": UTTERANCE})
        if engine.dialect.name == "postgresql":  # explicit ids leave the sequences behind
            for table, _ in _released_rows(revision):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM \"{table}\"))"))


def _assert_the_released_data_is_all_there(engine: Engine, revision: str) -> None:
    with engine.connect() as connection:
        for table, row in _released_rows(revision):
            stored = connection.execute(text(f'SELECT count(*) FROM "{table}" WHERE id = :id'), row).scalar_one()
            assert stored == 1, f"{table} lost its row"
        assert connection.execute(text("SELECT text FROM source WHERE id = 1")).scalar_one() == TEXT
        start, end = connection.execute(text('SELECT start, "end" FROM coding WHERE id = 1')).one()
        assert TEXT[start:end] == MARKER


@pytest.mark.parametrize("revision", RELEASED)
def test_a_database_of_a_released_version_upgrades_to_head_with_its_data(empty_engine, revision, tmp_path):
    upgrade(empty_engine, revision)
    assert current_revision(empty_engine) == revision
    _insert_released_rows(empty_engine, revision)

    upgrade(empty_engine)

    check_current(empty_engine)
    _assert_the_released_data_is_all_there(empty_engine, revision)
    url = empty_engine.url.render_as_string(hide_password=False)
    app = create_app({"SETTINGS": settings_for(url, tmp_path)})
    with get_database(app).reader() as session:
        found = search_segments(session, project_id=1, query=MARKER.lower())
        assert found.total == 1, "the old segments are not searchable after the upgrade"
        with transaction(session):  # the app can write next to the old rows (sequences moved on)
            create_project(session, owner_id=1, name="Nytt projekt")
    get_database(app).engine.dispose()


@pytest.mark.parametrize("revision", RELEASED)
def test_head_downgrades_to_a_released_version_keeping_its_data_and_upgrades_again(empty_engine, revision):
    upgrade(empty_engine, revision)
    _insert_released_rows(empty_engine, revision)
    upgrade(empty_engine)

    downgrade(empty_engine, revision)

    assert current_revision(empty_engine) == revision
    _assert_the_released_data_is_all_there(empty_engine, revision)
    upgrade(empty_engine)
    check_current(empty_engine)
