"""The database restarting while the app runs: requests in the meantime fail cleanly (503,
a calm page or JSON, no traceback, nothing half-saved) and the app recovers by itself.

PostgreSQL is "restarted" by cutting a proxy in front of it. SQLite has no server to
restart; its counterpart is a write lock held longer than the app waits for it."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, text

from app import create_app
from app.database import get_database
from app.schema import upgrade
from coding.codings import Coding
from research import accounts
from research.db import WRITER_OPTION, make_session_factory, transaction
from tests.conftest import PASSWORD, Auth, settings_for
from tests.web.workbench_data import make_team, span_of


@pytest.fixture
def running_app(proxied_postgres, tmp_path):
    """The app on the proxied database, with real error handling (not TESTING), and its data."""
    with make_session_factory(proxied_postgres.engine)() as session:
        team = make_team(session)
        with transaction(session):
            token = accounts.create_token(session, user_id=team.coder.id, name="fault test")
    application = create_app({"SETTINGS": settings_for(proxied_postgres.url, tmp_path / "instance")})
    yield application, team, token
    get_database(application).engine.dispose()


def codings_of(engine, project_id: int) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Coding).where(Coding.project_id == project_id))


def test_requests_during_a_database_restart_get_a_clean_503_and_the_app_recovers(running_app, proxied_postgres):
    app, team, token = running_app
    proxy = proxied_postgres.proxy
    browser = app.test_client()
    assert Auth(browser).login(team.coder.email, PASSWORD).status_code == 302
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    page = f"/projects/{team.project.id}/sources/{team.source.id}"
    codings = f"/api/v1/projects/{team.project.id}/codings"
    first = dict(zip(("start", "end"), span_of("Jag ville"), strict=True), source_id=team.source.id,
                 code_id=team.bank.id, client_key="restart-first")
    second = dict(first, start=span_of("banken")[0], end=span_of("banken")[1], client_key="restart-second")
    assert browser.get(page).status_code == 200
    created = api.post(codings, json=first, headers=bearer)
    assert created.status_code == 201, created.get_json()

    proxy.cut()
    down_page = browser.get(page)
    assert down_page.status_code == 503
    html = down_page.get_data(as_text=True)
    assert "The database cannot be reached right now" in html and "Traceback" not in html
    down_write = api.post(codings, json=second, headers=bearer)
    assert down_write.status_code == 503
    assert down_write.headers["Retry-After"] == "30"
    assert down_write.get_json()["error"] == "The database cannot be reached right now"
    assert "Nothing of this request was saved" in down_write.get_json()["detail"]
    health = api.get("/healthz")
    assert health.status_code == 503 and health.get_json()["database"]["ok"] is False

    proxy.restore()
    assert browser.get(page).status_code == 200  # the same login session, stale connections replaced
    retried = api.post(codings, json=second, headers=bearer)
    assert retried.status_code == 201  # the write that failed was not half-saved: it is new now
    assert codings_of(proxied_postgres.engine, team.project.id) == 2
    assert api.get("/healthz").get_json()["database"]["ok"] is True


def test_a_connection_dropped_in_the_middle_of_a_write_saves_nothing_and_the_retry_saves_once(
        running_app, proxied_postgres):
    app, team, token = running_app
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    start, end = span_of("något eget")
    body = {"source_id": team.source.id, "code_id": team.home.id, "start": start, "end": end, "client_key": "mid-write"}
    engine = get_database(app).engine

    def drop_before_commit(connection):  # the server goes away after the INSERT, before COMMIT
        proxied_postgres.proxy.cut()

    event.listen(engine, "commit", drop_before_commit)
    try:
        response = api.post(f"/api/v1/projects/{team.project.id}/codings", json=body, headers=bearer)
    finally:
        event.remove(engine, "commit", drop_before_commit)
        proxied_postgres.proxy.restore()
    assert response.status_code == 503
    assert codings_of(proxied_postgres.engine, team.project.id) == 0
    retried = api.post(f"/api/v1/projects/{team.project.id}/codings", json=body, headers=bearer)
    assert retried.status_code == 201
    again = api.post(f"/api/v1/projects/{team.project.id}/codings", json=body, headers=bearer)
    assert again.status_code == 200 and again.get_json()["id"] == retried.get_json()["id"]
    assert codings_of(proxied_postgres.engine, team.project.id) == 1
    with proxied_postgres.engine.connect() as connection:  # the server itself never went away
        assert connection.scalar(text("SELECT 1")) == 1


@pytest.fixture
def sqlite_app(tmp_path):
    """The app on a SQLite file of its own, waiting at most 0.2 s for the write lock (instead of 30 s)."""
    url = f"sqlite:///{tmp_path / 'kundstig.db'}"
    application = create_app({"SETTINGS": settings_for(url, tmp_path / "instance"), "SKIP_SCHEMA_CHECK": True})
    engine = get_database(application).engine
    upgrade(engine)

    def impatient(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA busy_timeout = 200")

    event.listen(engine, "connect", impatient)
    engine.dispose()
    yield application
    engine.dispose()


def test_sqlite_locked_longer_than_the_wait_gives_a_clean_503_and_the_retry_saves_once(sqlite_app):
    engine = get_database(sqlite_app).engine
    with make_session_factory(engine)() as session:
        team = make_team(session)
        with transaction(session):
            token = accounts.create_token(session, user_id=team.coder.id, name="fault test")
    api = sqlite_app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    start, end = span_of("gick till banken")
    body = {"source_id": team.source.id, "code_id": team.bank.id, "start": start, "end": end,
            "client_key": "locked-write"}
    path = f"/api/v1/projects/{team.project.id}/codings"

    # A long job holding the write lock (a writer's transaction begins with BEGIN IMMEDIATE).
    with engine.execution_options(**{WRITER_OPTION: True}).connect() as holder:
        holder.exec_driver_sql("SELECT 1")
        locked = api.post(path, json=body, headers=bearer)
        assert api.get(f"/api/v1/projects/{team.project.id}/codes", headers=bearer).status_code == 200  # reads go on
        holder.rollback()
    assert locked.status_code == 503 and locked.headers["Retry-After"] == "30"
    assert locked.get_json()["error"] == "The database cannot be reached right now"
    assert codings_of(engine, team.project.id) == 0
    assert api.post(path, json=body, headers=bearer).status_code == 201
    assert codings_of(engine, team.project.id) == 1
