"""The analysis pages after the review, in a real browser on the demo project: ticking
search hits, the agreement warning, a matrix scrolled sideways, retrieval's CSV and
passage links, memos on codings and the history's filters. Screenshots are kept."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot, serious_accessibility_violations

pytestmark = pytest.mark.e2e


def test_search_hits_can_be_ticked_and_those_with_the_code_are_marked(logged_in: Page, live_server) -> None:
    page = logged_in
    page.goto(f"/projects/{live_server.demo.project_id}/search-and-code?q=banken&scope=match")
    boxes = page.locator("input.hit-pick")
    total = boxes.count()
    assert total > 5
    expect(page.locator("[data-tick-count]")).to_have_text(f"{total} of {total} hits ticked")
    expect(page.locator("select[name=code_id] option:checked")).to_have_text("Choose a code…")
    page.click("text=Tick none")
    expect(page.locator("[data-tick-count]")).to_have_text(f"0 of {total} hits ticked")
    boxes.nth(0).check()
    boxes.nth(2).check()
    expect(page.locator("[data-code-button]").first).to_have_text("Code 2 ticked hits")
    # A code some hits already carry: they are marked, unticked and cannot be ticked.
    options = page.locator("select[name=code_id] option")
    for value in [options.nth(i).get_attribute("value") for i in range(1, min(options.count(), 80))]:
        page.select_option("select[name=code_id]", value)
        if page.locator(".hit-already").count():
            break
    already = page.locator(".hit-already").first
    expect(already.locator("[data-already]")).to_be_visible()
    expect(already.locator("input.hit-pick")).to_be_disabled()
    # The form and its selects fit: nothing is cut off at the card's edge.
    widths = page.evaluate("""() => [...document.querySelectorAll('.autocode-search select')].map(
        s => [s.scrollWidth <= s.clientWidth + 24, s.getBoundingClientRect().width])""")
    assert all(fits and width > 250 for fits, width in widths), widths
    screenshot(page, "review-search-and-code-ticked")
    assert serious_accessibility_violations(page) == []


def test_the_agreement_page_warns_when_a_coder_has_not_coded_a_chosen_source(logged_in: Page, live_server) -> None:
    page = logged_in
    page.goto(f"/projects/{live_server.demo.project_id}/agreement")
    shared = page.locator(".source-choice label:has-text('●') input")
    lonely = page.locator(".source-choice label:not(:has-text('●')) input")
    shared.first.check()
    lonely.first.check()
    page.click("text=Compare")
    warning = page.locator(".agreement-warning", has_text="Second coder")
    expect(warning).to_contain_text("Second coder has not coded")
    expect(warning).to_contain_text("against an empty coding")
    expect(page.locator("text=runs high when little of the text is coded")).to_be_visible()
    screenshot(page, "review-agreement-warning")
    assert serious_accessibility_violations(page) == []
    with page.expect_download() as download:
        page.click("text=Download CSV")
    name = download.value.suggested_filename
    assert re.fullmatch(r"agreement-demo-researcher-vs-second-coder-\d{4}-\d{2}-\d{2}\.csv", name), name


@pytest.mark.parametrize("kind", ["participants", "cooccurrence"])
def test_a_matrix_scrolled_sideways_keeps_its_corner_over_the_cells(logged_in: Page, live_server, kind: str) -> None:
    page = logged_in
    page.set_viewport_size({"width": 760, "height": 800})
    page.goto(f"/projects/{live_server.demo.project_id}/matrices?kind={kind}")
    scroller = page.locator(".matrix-scroll")
    page.locator("table.matrix").scroll_into_view_if_needed()
    page.evaluate("() => window.scrollBy(0, document.querySelector('.matrix-scroll').getBoundingClientRect().top - 10)")
    assert page.evaluate("() => { const s = document.querySelector('.matrix-scroll');"
                         " s.scrollLeft = 260; return s.scrollLeft; }") > 0
    corner = page.locator("th.corner").bounding_box()
    box = scroller.bounding_box()
    assert corner is not None and box is not None and abs(corner["x"] - box["x"]) < 3
    on_top = page.evaluate(f"() => document.elementFromPoint({corner['x'] + 10}, {corner['y'] + corner['height'] / 2})"
                           ".closest('th')?.className")
    assert on_top == "corner"
    label = page.locator("table.matrix tbody th").first.bounding_box()
    cell = page.evaluate(f"() => document.elementFromPoint({label['x'] + 10}, {label['y'] + label['height'] / 2})"
                         ".closest('th, td').tagName")
    assert cell == "TH"  # the row label covers the cells sliding under it
    first_column = page.locator("th.col-head").first
    assert first_column.get_attribute("title")
    screenshot(page, f"review-matrix-{kind}-scrolled")


def test_retrieved_quotes_link_to_their_passage_and_download_as_csv(logged_in: Page, live_server) -> None:
    page = logged_in
    pid = live_server.demo.project_id
    page.goto(f"/projects/{pid}/retrieve")
    options = page.locator("#f-codes option")
    page.select_option("#f-codes", [options.nth(i).get_attribute("value") for i in range(3)])
    page.click("text=Show quotes")
    link = page.locator("li.quote .quote-meta a").first
    assert re.search(rf"/projects/{pid}/sources/\d+\?at=\d+-\d+$", link.get_attribute("href") or "")
    expect(page.locator("text=Download CSV")).to_be_visible()
    screenshot(page, "review-retrieve-csv")
    assert serious_accessibility_violations(page) == []
    total = int(re.match(r"\s*(\d+) quote", page.locator("#results-title").inner_text()).group(1))
    with page.expect_download() as download:
        page.click("text=Download CSV")
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert rows[0][:4] == ["source", "participant", "codes", "coders"] and len(rows) == total + 1
    page.goto(f"/projects/{pid}/retrieve?code=99999999")
    expect(page.locator("#results-title")).to_have_text("No such code")


def test_memos_on_codings_show_their_passage(logged_in: Page, live_server) -> None:
    page = logged_in
    page.goto(f"/projects/{live_server.demo.project_id}/memos?on=coding")
    card = page.locator(".memo-card").first
    expect(card.locator(".code-tag")).to_be_visible()
    expect(card.locator(".memo-quote")).to_contain_text("“")
    assert re.search(r"\?at=\d+-\d+$", card.locator(".quote-meta a").first.get_attribute("href") or "")
    screenshot(page, "review-memos-codings")
    assert serious_accessibility_violations(page) == []
    card.locator("text=Edit").click()
    expect(page.locator("text=Delete memo")).to_be_visible()
    expect(page.locator("input[name=confirm]")).not_to_be_checked()


def test_the_history_reads_as_words_and_filters_by_person(logged_in: Page, live_server) -> None:
    page = logged_in
    page.goto(f"/projects/{live_server.demo.project_id}/history")
    lines = page.locator(".history-line").all_inner_texts()
    assert lines and not [line for line in lines
                          if re.search(r"\b(member add|memo add|coding add)\b|“\"|\"”|\b1 codings\b", line)]
    page.select_option("#h-person", label="Second coder")
    page.click("text=Filter")
    lines = page.locator(".history-line").all_inner_texts()
    assert lines and all("Second coder" in line for line in lines)
    screenshot(page, "review-history-filtered")
    assert serious_accessibility_violations(page) == []
