"""What the fault tests share: a PostgreSQL database of their own behind a cuttable proxy."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from app.schema import upgrade
from research.db import make_engine
from tests import databases
from tests.conftest import unavailable
from tests.e2e.conftest import browser, live_server  # noqa: F401 - the browser test here uses them
from tests.faults.tcp_proxy import CuttableProxy


@dataclass
class ProxiedDatabase:
    engine: Engine  # direct, for arranging and checking
    proxy: CuttableProxy
    url: str  # through the proxy, for the app under test


@pytest.fixture
def proxied_postgres() -> Iterator[ProxiedDatabase]:
    """A migrated PostgreSQL database of this test's own, reachable through a proxy the test
    can cut (the shared server is never restarted)."""
    if "postgresql" not in databases.backends():
        unavailable("KUNDSTIG_TEST_DATABASES leaves PostgreSQL out")
    name = f"kundstig_faults_{os.getpid()}"
    databases._server_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    databases._server_admin(f"CREATE DATABASE {name}")
    direct = make_url(databases.POSTGRES_URL).set(database=name)
    engine = make_engine(direct.render_as_string(hide_password=False))
    try:
        upgrade(engine)
        with CuttableProxy(direct.host or "127.0.0.1", direct.port or 5432) as proxy:
            url = direct.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
            yield ProxiedDatabase(engine, proxy, url)
    finally:
        databases.drop("postgresql", engine)
