"""Analysis in a real browser: run a matrix and open a cell to read its quotes; retrieve
with AND; the agreement page on the demo project (demo2 coded interview 01) and its
comparison view; history, memos and search-and-code pages. Screenshots are kept."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot, serious_accessibility_violations

pytestmark = pytest.mark.e2e


def quote_count(page: Page) -> int:
    title = page.locator("#results-title").inner_text()
    found = re.match(r"\s*(\d+) quote", title)
    assert found, title
    return int(found.group(1))


def test_a_participant_matrix_cell_opens_exactly_its_quotes(logged_in: Page, live_server) -> None:
    page = logged_in
    page.goto(f"/projects/{live_server.demo.project_id}/matrices")
    expect(page.locator("table.matrix")).to_be_visible()
    screenshot(page, "analysis-matrix-participants")
    assert serious_accessibility_violations(page) == []
    cell = page.locator("table.matrix td.has a").first
    expected = int(cell.inner_text())
    cell.click()
    page.wait_for_url("**/retrieve?**")
    assert quote_count(page) == expected
    expect(page.locator("li.quote")).to_have_count(min(expected, 50))
    expect(page.locator("li.quote mark").first).to_be_visible()
    screenshot(page, "analysis-matrix-cell-quotes")
    assert serious_accessibility_violations(page) == []


def test_a_co_occurrence_cell_opens_the_overlapping_passages(logged_in: Page, live_server) -> None:
    page = logged_in
    page.goto(f"/projects/{live_server.demo.project_id}/matrices")
    page.select_option("#m-kind", "cooccurrence")
    page.click("text=Show matrix")
    page.wait_for_url("**kind=cooccurrence**")
    screenshot(page, "analysis-matrix-cooccurrence")
    assert serious_accessibility_violations(page) == []
    cell = page.locator("table.matrix td.has:not(.diagonal) a").first
    expected = int(cell.inner_text())
    cell.click()
    page.wait_for_url("**mode=all**")
    assert quote_count(page) == expected
    # Each passage carries both codes of the cell.
    first = page.locator("li.quote").first
    assert first.locator(".quote-codes .code-tag").count() >= 2
    screenshot(page, "analysis-cooccurrence-quotes")


def test_retrieval_by_form_with_a_persona_filter(logged_in: Page, live_server) -> None:
    page = logged_in
    page.goto(f"/projects/{live_server.demo.project_id}/retrieve")
    options = page.locator("#f-codes option")
    values = [options.nth(i).get_attribute("value") for i in range(options.count())]
    page.select_option("#f-codes", values[:40])
    page.click("text=Show quotes")
    everyone = quote_count(page)
    persona = page.locator("#f-attribute option", has_text="persona = Förstagångsköpare").get_attribute("value")
    page.select_option("#f-attribute", persona)
    page.click("text=Show quotes")
    some = quote_count(page)
    assert 0 < some < everyone
    screenshot(page, "analysis-retrieve-persona")
    assert serious_accessibility_violations(page) == []


def test_the_agreement_page_compares_the_two_demo_coders(logged_in: Page, live_server) -> None:
    page = logged_in
    page.goto(f"/projects/{live_server.demo.project_id}/agreement")
    expect(page.locator("#a-coder option:checked")).to_contain_text("Demo")
    expect(page.locator("table.agreement-table tfoot")).to_contain_text("Overall")
    expect(page.locator("#agreement-title")).to_contain_text("and")
    screenshot(page, "analysis-agreement")
    assert serious_accessibility_violations(page) == []
    with page.expect_download() as download:
        page.click("text=Download CSV")
    assert re.fullmatch(r"agreement-demo-researcher-vs-second-coder-\d{4}-\d{2}-\d{2}\.csv",
                        download.value.suggested_filename)
    page.locator(".compare-links a").first.click()
    page.wait_for_url("**/agreement/sources/**")
    expect(page.locator(".compare-text mark").first).to_be_visible()
    assert page.locator(".compare-text mark.agree-both").count() > 0
    screenshot(page, "analysis-compare")
    assert serious_accessibility_violations(page) == []


@pytest.mark.parametrize("path, name", [("history", "analysis-history"), ("memos", "analysis-memos"),
                                        ("search-and-code?q=banken", "analysis-search-and-code")])
def test_history_memos_and_search_pages_are_accessible(logged_in: Page, live_server, path: str, name: str) -> None:
    page = logged_in
    page.goto(f"/projects/{live_server.demo.project_id}/{path}")
    expect(page.locator("h1")).to_be_visible()
    screenshot(page, name)
    assert serious_accessibility_violations(page) == []
