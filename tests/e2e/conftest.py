"""A live Kundstig with the demo project, and a logged-in headless Chromium.

Runs on SQLite (the web tests cover PostgreSQL). Screenshots go to
``KUNDSTIG_SCREENSHOTS`` (default ``screenshots/`` in the checkout).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from waitress.server import create_server

from app import create_app
from app.database import get_database
from app.schema import upgrade
from coding.demo.loader import DemoLogin, ensure_demo
from tests.conftest import settings_for

CHROMIUM = os.environ.get("KUNDSTIG_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("KUNDSTIG_SCREENSHOTS", Path(__file__).parents[2] / "screenshots"))
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@dataclass(frozen=True)
class LiveServer:
    url: str
    demo: DemoLogin
    app: Any


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    instance = tmp_path_factory.mktemp("live")
    app = create_app({"SETTINGS": settings_for(f"sqlite:///{instance / 'kundstig.db'}", instance),
                      "SKIP_SCHEMA_CHECK": True})
    database = get_database(app)
    upgrade(database.engine)
    with database.writer() as session:
        demo = ensure_demo(session, instance)
    server = create_server(app, host="127.0.0.1", port=_free_port(), threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.effective_port}", demo=demo, app=app)
    server.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """A fresh Chromium per test module: a long-lived one once lost a renderer ("Target
    crashed") late in a full run, and a start costs about a second."""
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        raise RuntimeError(f"Chromium is needed for the browser tests; `make test-deps` installs it ({CHROMIUM}).")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A fresh browser context at 1280×800. The test fails on any JS error, CSP
    violation or failed sub-resource (a page itself may answer 4xx on purpose)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url,
                                  accept_downloads=True)
    new_page = context.new_page()
    problems: list[str] = []
    new_page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    new_page.on("console", lambda message: problems.append(f"console: {message.text}")
                if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    new_page.on("response", lambda response: problems.append(f"{response.status} for {response.url}")
                if response.status >= 400 and response.request.resource_type != "document" else None)
    yield new_page
    context.close()
    assert not problems, problems


def log_in(page: Page, live_server: LiveServer) -> None:
    page.goto("/login")
    page.fill("input[name=email]", live_server.demo.email)
    page.fill("input[name=password]", live_server.demo.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


@pytest.fixture
def logged_in(page: Page, live_server: LiveServer) -> Page:
    log_in(page, live_server)
    return page


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the current page (injected
    through DevTools, so the page's CSP stays strict)."""
    if not AXE.exists():
        raise RuntimeError("axe-core is missing; `make test-deps` installs it with npm.")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result if v["impact"] in ("serious", "critical")]
