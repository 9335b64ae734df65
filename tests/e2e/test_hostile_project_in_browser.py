"""The security suite's hostile project (tests/security/hostile.py) in a real browser:
no script of the payload runs on the key pages (no dialog opens), and the `page`
fixture fails on any CSP violation or JS error the payload might cause. It lives
here to share this folder's browser and live server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Dialog, Page

from app.database import get_database
from research.accounts import get_user_by_email
from tests.e2e.conftest import LiveServer, log_in
from tests.security.hostile import seed_hostile_project

pytestmark = pytest.mark.e2e


def test_no_dialog_opens_on_the_key_pages_of_a_hostile_project(page: Page, live_server: LiveServer) -> None:
    """ASVS 5.0 V3.2.2, V1.2.1: hostile text is shown as text by the server and by the
    page scripts (document view, network, journey map, codebook)."""
    with get_database(live_server.app).writer() as session:
        owner = get_user_by_email(session, live_server.demo.email)
        hostile = seed_hostile_project(session, owner.id)
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message} on {page.url}")
        dialog.dismiss()

    page.on("dialog", refuse)
    log_in(page, live_server)
    pid, ids = hostile.project_id, hostile.ids
    for path in (f"/projects/{pid}/sources/{ids['source_id']}", f"/projects/{pid}/network",
                 f"/projects/{pid}/journey", f"/projects/{pid}/codebook", f"/projects/{pid}/codebook/{ids['code_id']}",
                 f"/projects/{pid}/suggestions", f"/projects/{pid}/participants/{ids['participant_id']}",
                 f"/projects/{pid}/memos"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert "<script>alert(1)</script>" in page.inner_text("body"), f"{path} shows the payload as text"
    assert dialogs == []
