"""The workbench in the browser loses the answer to a coding it saved: it retries the same
POST with the same client_key, and exactly one coding is stored."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Route, expect
from sqlalchemy import func, select

from app.database import get_database
from coding.codings import Coding
from tests.e2e.conftest import log_in
from tests.e2e.test_coding import open_anna, select_in_block


@pytest.mark.e2e
def test_the_workbench_retries_a_coding_whose_answer_was_lost_and_it_is_saved_once(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    page = context.new_page()
    project_id = live_server.demo.project_id
    posts: list[str] = []

    def lose_the_first_answer(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        posts.append(route.request.post_data or "")
        if len(posts) == 1:
            route.fetch()  # the server handles it...
            route.abort("connectionreset")  # ...and the browser never sees the answer
        else:
            route.continue_()

    sessions = get_database(live_server.app).reader
    try:
        log_in(page, live_server)
        open_anna(page, project_id)
        page.route(f"**/api/v1/projects/{project_id}/codings", lose_the_first_answer)
        with sessions() as session:
            before = session.scalar(select(func.count()).select_from(Coding).where(Coding.project_id == project_id))
        select_in_block(page, 4, 0, 20)
        page.keyboard.press("Enter")
        expect(page.locator("#picker")).to_be_visible()
        page.keyboard.type("Fjällbanken")
        page.keyboard.press("Enter")
        expect(page.locator("#status")).to_contain_text("Coded with")
        with sessions() as session:
            after = session.scalar(select(func.count()).select_from(Coding).where(Coding.project_id == project_id))
            key = json.loads(posts[0])["client_key"]
            same_key = session.scalar(select(func.count()).select_from(Coding).where(
                Coding.project_id == project_id, Coding.client_key == key))
    finally:
        context.close()
    assert len(posts) == 2 and posts[0] == posts[1], "the retry sends the same body and client_key"
    assert after == before + 1 and same_key == 1
