"""Coding in a real browser: select with the mouse and with the keyboard, pick a code,
reload and find it; overlap two codings; merge two codes. Screenshots are kept."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e
ANNA = "Intervju: Anna, förstagångsköpare"


def open_anna(page: Page, project_id: int) -> None:
    page.goto(f"/projects/{project_id}/sources")
    page.click(f"text={ANNA}")
    page.wait_for_selector("#doc.ready")


def select_in_block(page: Page, block: int, start: int, end: int) -> None:
    """Selects UTF-16 positions start..end of a block's text, as a person would with Shift+arrows."""
    page.locator(".block").nth(block).focus()
    page.evaluate("""([index, start, end]) => {
        const text = document.querySelectorAll('.block')[index].querySelector('.block-text');
        const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
        const nodes = []; while (walker.nextNode()) nodes.push(walker.currentNode);
        const at = (offset) => {
            for (const n of nodes) { if (offset <= n.data.length) return [n, offset]; offset -= n.data.length; }
        };
        const range = document.createRange();
        range.setStart(...at(start)); range.setEnd(...at(end));
        getSelection().removeAllRanges(); getSelection().addRange(range);
    }""", [block, start, end])


def pick(page: Page, query: str) -> None:
    expect(page.locator("#picker")).to_be_visible()
    page.keyboard.type(query)
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("Coded with")


def coded_text(page: Page, block: int) -> list[str]:
    return page.locator(".block").nth(block).locator(".coded").all_inner_texts()


def test_a_researcher_codes_a_mouse_selection_and_finds_it_after_reloading(logged_in, live_server):
    page = logged_in
    open_anna(page, live_server.demo.project_id)
    text = page.locator(".block").nth(2).locator(".block-text")
    box = text.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 1, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 95, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
    expect(page.locator("#picker")).to_be_visible()
    screenshot(page, "coding-picker")
    pick(page, "Fjällbanken")
    page.reload()
    page.wait_for_selector("#doc.ready")
    coded = coded_text(page, 2)
    assert coded and coded[0].startswith("Vad")
    screenshot(page, "coding-after-reload")


def test_a_researcher_codes_with_the_keyboard_alone(logged_in, live_server):
    page = logged_in
    open_anna(page, live_server.demo.project_id)
    page.locator(".block").first.focus()
    for _ in range(4):
        page.keyboard.press("j")
    expect(page.locator(".block").nth(4)).to_be_focused()
    for _ in range(8):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    pick(page, "lånelöfte")
    page.reload()
    page.wait_for_selector("#doc.ready")
    assert coded_text(page, 4)[0] == "Hur fick"


def test_a_whole_turn_is_coded_with_one_keystroke_and_undone_with_another(logged_in, live_server):
    page = logged_in
    open_anna(page, live_server.demo.project_id)
    page.locator(".block").nth(6).focus()
    page.keyboard.press("c")
    pick(page, "Bostadsportalen")
    assert coded_text(page, 6) == [page.locator(".block").nth(6).locator(".block-text").inner_text()]
    page.locator(".block").nth(6).focus()
    page.keyboard.press("u")
    expect(page.locator("#status")).to_contain_text("Removed your coding")
    assert coded_text(page, 6) == []


def test_two_overlapping_codings_show_as_flat_pieces_with_two_stripes(logged_in, live_server):
    page = logged_in
    open_anna(page, live_server.demo.project_id)
    select_in_block(page, 0, 0, 25)
    page.keyboard.press("Enter")
    pick(page, "Mäklare")
    select_in_block(page, 0, 10, 40)
    page.keyboard.press("Enter")
    pick(page, "Andra banker")
    block = page.locator(".block").nth(0)
    overlap = block.locator(".coded.overlap")
    expect(overlap).to_have_count(1)
    assert len(overlap.first.get_attribute("data-c").split()) == 2
    assert block.locator(".coded .coded").count() == 0  # never nested
    assert page.locator(".stripe").count() >= 2
    overlap.first.click()
    expect(page.locator("#details")).to_be_visible()
    expect(page.locator("#details .coding-item")).to_have_count(2)
    screenshot(page, "coding-overlap-details")


def test_merging_two_codes_moves_the_codings_to_the_remaining_code(logged_in, live_server):
    page = logged_in
    pid = live_server.demo.project_id
    open_anna(page, pid)
    select_in_block(page, 8, 0, 12)
    page.keyboard.press("Enter")
    expect(page.locator("#picker")).to_be_visible()
    page.keyboard.type("E2E Alfa")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("Coded with")
    page.goto(f"/projects/{pid}/codebook")
    page.fill("#name", "E2E Beta")
    page.click("text=Create code")
    expect(page.locator(".flash-success")).to_contain_text("E2E Beta")
    page.click("a:text-is('E2E Alfa')")
    page.select_option("#merge-target_id", label="E2E Beta")
    screenshot(page, "codebook-merge")
    page.click("text=Merge into the chosen code")
    expect(page.locator("#merge-confirm")).to_be_visible()
    screenshot(page, "codebook-merge-confirm")
    page.check("#merge-confirm")
    page.click("text=Merge and delete")
    expect(page.locator(".flash-success")).to_contain_text("merged")
    assert page.locator("a:text-is('E2E Alfa')").count() == 0
    expect(page.locator(".code-tree li", has_text="E2E Beta")).to_contain_text("1 coding")
    screenshot(page, "codebook-after-merge")


def test_a_hidden_right_to_left_override_is_shown_as_a_mark_and_selection_still_codes_the_right_text(
        logged_in, live_server):
    """Issue 8: "abc<RLO>def ghi" keeps its order on screen, the override shows as a mark,
    and a mouse selection of "ghi" after it codes text[8:11] of the stored text."""
    page = logged_in
    pid = live_server.demo.project_id
    page.goto(f"/projects/{pid}/import")
    page.check("input[name=kind][value=document]")
    page.set_input_files("#files", files=[{"name": "bidi-e2e \u202efdp.txt", "mimeType": "text/plain",
                                           "buffer": "abc\u202edef ghi\n".encode()}])
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#upload-summary")).to_contain_text("1 imported", timeout=20_000)
    page.goto(f"/projects/{pid}/sources")
    expect(page.locator("a", has_text="bidi-e2e").locator(".bidi-mark")).to_have_attribute("data-bidi", "RLO")
    screenshot(page, "bidi-sources-list")
    page.click("a:has-text('bidi-e2e')")
    page.wait_for_selector("#doc.ready")
    text = page.locator(".block-text").first
    mark = text.locator(".bidi-mark")
    expect(mark).to_be_visible()
    expect(mark).to_have_attribute("title", re.compile("U\\+202E"))
    assert mark.bounding_box()["width"] > 10
    # Left edge of every character on screen, in stored-text order: increasing means not reordered.
    lefts = page.evaluate("""(element) => {
        const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        const out = [];
        while (walker.nextNode()) {
            const node = walker.currentNode;
            for (let i = 0; i < node.data.length; i++) {
                const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
                out.push([node.data[i], range.getBoundingClientRect().left]);
            }
        }
        return out;
    }""", text.element_handle())
    assert "".join(c for c, _ in lefts) == "abc\u202edef ghi"
    visible = [(c, x) for c, x in lefts if c != "\u202e"]
    assert [x for _, x in visible] == sorted(x for _, x in visible), visible
    assert mark.bounding_box()["x"] >= lefts[2][1] and mark.bounding_box()["x"] < lefts[4][1]
    ghi = page.evaluate("""(element) => {
        const node = [...element.querySelectorAll('[data-s]')].pop().firstChild;
        const range = document.createRange();
        range.setStart(node, node.data.indexOf('ghi')); range.setEnd(node, node.data.length);
        const box = range.getBoundingClientRect();
        return {left: box.left, right: box.right, y: (box.top + box.bottom) / 2};
    }""", text.element_handle())
    page.mouse.move(ghi["left"] + 1, ghi["y"])
    page.mouse.down()
    page.mouse.move(ghi["right"] + 20, ghi["y"], steps=6)
    page.mouse.up()
    expect(page.locator("#picker")).to_be_visible()
    page.keyboard.type("E2E \u202eRiktning")  # a hostile code name: marked where scripts show it too
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("Coded with")
    expect(page.locator("#status .bidi-mark")).to_have_attribute("data-bidi", "RLO")
    source_id = page.locator("#doc").get_attribute("data-source")
    codings = page.request.get(f"/api/v1/projects/{pid}/codings?source_id={source_id}").json()
    assert [(c["start"], c["end"]) for c in codings] == [(8, 11)]
    assert coded_text(page, 0) == ["ghi"]
    screenshot(page, "bidi-document-coded")
    select_in_block(page, 0, 0, 3)
    page.keyboard.press("Enter")
    page.keyboard.type("E2E")
    expect(page.locator("#picker [role=option]", has_text="Riktning").locator(".bidi-mark")).to_be_visible()
    screenshot(page, "bidi-picker")
