"""Fixtures shared by the whole suite: the app on each database, clients, factories."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app import create_app
from app.database import get_database
from app.schema import upgrade
from app.settings import Settings
from research import accounts
from research.accounts import User
from research.db import transaction
from research.projects import Project, Role, add_member, create_project
from tests import databases

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, with small cost parameters so the suite stays fast."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=256, parallelism=1))


@pytest.fixture(scope="session", params=databases.backends())
def migrated_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One database per backend, migrated from empty once per run."""
    directory = tmp_path_factory.mktemp(request.param)
    engine = databases.connect(request.param, directory)
    databases.reset(engine)
    upgrade(engine)
    yield engine
    databases.drop(request.param, engine)


def settings_for(database_url: str, instance: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(instance_path=instance, database_url=database_url, secret_key="test-secret",
                                  queue_url="memory://")
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def app(migrated_engine: Engine, tmp_path: Path) -> Iterator[Flask]:
    url = migrated_engine.url.render_as_string(hide_password=False)
    application = create_app({"SETTINGS": settings_for(url, tmp_path / "instance"), "TESTING": True})
    yield application
    get_database(application).engine.dispose()
    databases.clear(migrated_engine)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session for arranging and checking data. It is a *reader* session (plain
    BEGIN on SQLite) so that a read in a test never holds the write lock the app
    needs; writes still commit through ``transaction()``. Call ``rollback()``
    before re-reading something the app changed after the test's last read."""
    with get_database(app).reader() as db:
        yield db


def make_user(session: Session, email: str = "owner@example.org", password: str = PASSWORD, name: str = "") -> User:
    with transaction(session):
        return accounts.create_user(session, email=email, password=password, display_name=name)


def make_project(session: Session, owner: User, **overrides: Any) -> Project:
    values: dict[str, Any] = dict(name="Home buying study", company_name="Fjällbanken", company_aliases=["FB"],
                                  phase_model="six")
    values.update(overrides)
    with transaction(session):
        return create_project(session, owner_id=owner.id, **values)


def make_member(session: Session, project: Project, email: str, role: Role) -> User:
    user = make_user(session, email=email)
    with transaction(session):
        add_member(session, project_id=project.id, email=email, role=role)
    return user


def unavailable(what: str) -> NoReturn:
    """A service or tool a test needs is missing: in CI (``CI=true``) that fails the run,
    on a developer's machine the test is skipped with the reason."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} (CI must have it)")
    pytest.skip(what)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page carries no CSRF token"
    return match.group(1)


class Auth:
    """Logs the test client in and out through the real login form."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def token(self, path: str = "/login") -> str:
        return csrf_token(self.client.get(path).get_data(as_text=True))

    def login(self, email: str = "owner@example.org", password: str = PASSWORD) -> Any:
        return self.client.post("/login", data={"email": email, "password": password, "csrf_token": self.token()})

    def logout(self) -> Any:
        return self.client.post("/logout", data={"csrf_token": self.token("/")})


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


@pytest.fixture
def kundstig(app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., tuple[int, str]]:
    """Runs a `kundstig` command against the test database; returns (exit code, output)."""
    from click.testing import CliRunner

    from app.cli import main

    url = get_database(app).engine.url.render_as_string(hide_password=False)
    for name, value in {"DATABASE_URL": url, "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp_path),
                        "QUEUE_URL": "memory://"}.items():
        monkeypatch.setenv(f"KUNDSTIG_{name}", value)

    def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
        result = CliRunner().invoke(main, list(args), input=stdin)
        return result.exit_code, result.output

    return run
