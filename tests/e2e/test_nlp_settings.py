"""The NLP settings page in a real browser: the models, their origin and coverage, and the owner's choice."""

from __future__ import annotations

import pytest

from app.database import get_database
from research.db import transaction
from research.projects import Project
from tests.e2e.conftest import screenshot, serious_accessibility_violations

pytestmark = pytest.mark.e2e


def test_the_nlp_page_shows_the_models_and_the_owner_can_choose_one(logged_in, live_server):
    project_id = live_server.demo.project_id
    logged_in.goto(f"/projects/{project_id}/nlp")
    table = logged_in.locator("#models")
    assert "Multilingual e5 small (packaged default)" in table.inner_text()
    assert "in use" in logged_in.locator("tr.active-model").inner_text()
    assert logged_in.locator("#model-select option").count() >= 3
    assert serious_accessibility_violations(logged_in) == []
    screenshot(logged_in, "nlp-settings")
    try:
        logged_in.select_option("#model-select", "none")
        logged_in.click("#choose-model")
        logged_in.wait_for_selector(".flash-success")
        assert "No embedding model is active" in logged_in.locator("#active-model").inner_text()
    finally:  # back to the default without re-embedding the demo inside this test's request
        with get_database(live_server.app).writer() as session, transaction(session):
            session.get(Project, project_id).embedding_model = ""
