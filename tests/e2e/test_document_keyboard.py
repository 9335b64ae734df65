"""The document (coding) page with the keyboard alone and after other people's changes: one tab
stop for the text, focus back on the turn after every action, boundaries changed with Shift+arrows,
the picker showing (and not covering) the passage, the details of a coding, stale actions, blind
mode, jumping to a passage (?at=START-END) and undo within the source. Screenshots are kept."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app.database import get_database
from coding.codebook import create_code
from coding.codings import Coding, apply_code, change_coding, remove_coding
from coding.kinds import CodeKind
from research.accounts import User
from research.db import transaction
from research.segmenting import segment
from research.sources import SourceKind, add_source
from tests.e2e.conftest import LiveServer, log_in, screenshot, serious_accessibility_violations

pytestmark = pytest.mark.e2e


# --- data made for each test, so tests do not depend on one another ---------------------------------------

def writer(live_server: LiveServer):
    return get_database(live_server.app).writer()


def demo_user(live_server: LiveServer) -> int:
    with writer(live_server) as session:
        return session.scalar(select(User.id).where(User.email == live_server.demo.email))


def interview(token: str) -> str:
    return ("Intervjuare: Hur var det att köpa?\n\n"
            "Åsa: Jag ville ha något eget 🏠 i Göteborg, så jag gick till banken och pratade länge.\n\n"
            "Intervjuare: Och mäklaren?\n\n"
            f"Åsa: {token} sa att A\u030angström-lånet var bäst för oss.\n")


def long_interview(token: str, turns: int = 70) -> str:
    lines = [f"{'Intervjuare' if n % 2 == 0 else 'Åsa'}: Tur {n} om {token}: vi pratade om lån, räntor och "
             f"bostäder i Göteborg, och om hur banken svarade när vi ringde." for n in range(turns)]
    return "\n\n".join(lines) + "\n"


def new_source(live_server: LiveServer, text: str) -> int:
    with writer(live_server) as session, transaction(session):
        source = add_source(session, project_id=live_server.demo.project_id, kind=SourceKind.INTERVIEW,
                            name=f"Tangentbord {uuid.uuid4().hex[:6]}", text=text, spans=segment(text),
                            original=text.encode(), language="sv")
        return source.id


def new_code(live_server: LiveServer, name: str) -> int:
    with writer(live_server) as session, transaction(session):
        return create_code(session, project_id=live_server.demo.project_id, name=name, kind=CodeKind.THEME).id


def add_coding(live_server: LiveServer, source_id: int, code_id: int, start: int, end: int) -> int:
    user_id = demo_user(live_server)
    with writer(live_server) as session, transaction(session):
        coding, _ = apply_code(session, project_id=live_server.demo.project_id, source_id=source_id, code_id=code_id,
                               start=start, end=end, user_id=user_id)
        return coding.id


def coding_row(live_server: LiveServer, coding_id: int) -> tuple[int, int] | None:
    with writer(live_server) as session:
        coding = session.get(Coding, coding_id)
        return (coding.start, coding.end) if coding else None


def span(text: str, phrase: str) -> tuple[int, int]:
    """Code point offsets of a phrase (Python counts code points, as the server does)."""
    start = text.index(phrase)
    return start, start + len(phrase)


def open_document(page: Page, live_server: LiveServer, source_id: int, query: str = "") -> None:
    page.goto(f"/projects/{live_server.demo.project_id}/sources/{source_id}{query}")
    page.wait_for_selector("#doc.ready")


def block(page: Page, index: int):
    return page.locator("#doc .block").nth(index)


def selected_text(page: Page) -> str:
    return page.evaluate("getSelection().toString()")


def coded_text(page: Page, index: int) -> list[str]:
    return block(page, index).locator(".coded").all_inner_texts()


def text_box(page: Page, index: int, phrase: str, char: int = 0) -> dict[str, float]:
    """Viewport box of character `char` of `phrase` in turn `index`."""
    return page.evaluate("""([index, phrase, char]) => {
        const node = [...document.querySelectorAll('#doc .block')[index].querySelectorAll('[data-s]')]
            .map((piece) => piece.firstChild).find((n) => n.data.includes(phrase));
        const at = node.data.indexOf(phrase) + char;
        const range = document.createRange(); range.setStart(node, at); range.setEnd(node, at + 1);
        const box = range.getBoundingClientRect();
        return {left: box.left, right: box.right, top: box.top, bottom: box.bottom, y: (box.top + box.bottom) / 2};
    }""", [index, phrase, char])


def highlighted(page: Page, name: str) -> str | None:
    """The text under one of the page's temporary marks (CSS Custom Highlight API), or None."""
    return page.evaluate("""(name) => {
        const mark = CSS.highlights.get(name);
        return mark && mark.size ? [...mark][0].toString() : null;
    }""", name)


@pytest.fixture
def tolerant(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A logged-in page where the 404 and 409 answers of a stale coding action are expected;
    every other error still fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("response", lambda response: problems.append(f"{response.status} for {response.url}")
            if response.status >= 400 and not (response.status in (404, 409) and "/codings/" in response.url)
            else None)
    log_in(page, live_server)
    yield page
    context.close()
    assert not problems, problems


# --- 1a: one tab stop for the text ----------------------------------------------------------------------------

def test_tab_from_the_page_header_reaches_the_text_as_one_stop_and_j_moves_on(logged_in, live_server):
    page = logged_in
    open_document(page, live_server, new_source(live_server, interview("Tabb")))
    page.locator(".doc-tools a, .doc-tools button").first.focus()
    for _ in range(4):  # the blind-mode toggle, undo, the erase link, then the text
        page.keyboard.press("Tab")
        if page.evaluate("document.getElementById('doc').contains(document.activeElement)"):
            break
    expect(block(page, 0)).to_be_focused()
    page.keyboard.press("j")
    expect(block(page, 1)).to_be_focused()
    assert page.locator("#doc [tabindex='0']").count() == 1
    page.keyboard.press("Tab")  # out of the text at once, not through every turn
    assert page.evaluate("!document.getElementById('doc').contains(document.activeElement)")
    page.keyboard.press("Shift+Tab")  # and back to the turn the researcher was on
    expect(block(page, 1)).to_be_focused()


# --- 1b: focus back on the turn after coding, Esc, remove and undo ---------------------------------------------

def test_after_coding_with_enter_c_and_in_vivo_focus_is_back_on_the_turn(logged_in, live_server):
    page = logged_in
    token = f"Kvarnsten{uuid.uuid4().hex[:5]}"
    text = interview(token)
    sid = new_source(live_server, text)
    name = f"KB fokus {token}"
    open_document(page, live_server, sid)
    block(page, 1).focus()
    for _ in range(3):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    expect(page.locator("#picker")).to_be_visible()
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    expect(block(page, 1).locator(".coded")).to_have_count(1)
    expect(page.locator("#status")).to_contain_text("Coded with")
    expect(block(page, 1)).to_be_focused()
    screenshot(page, "document-focus-after-coding")
    page.keyboard.press("j")
    expect(block(page, 2)).to_be_focused()
    page.keyboard.press("c")
    expect(page.locator("#picker")).to_be_visible()
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    expect(block(page, 2).locator(".coded")).to_have_count(1)
    expect(block(page, 2)).to_be_focused()
    page.keyboard.press("j")
    for _ in range(len(token)):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    expect(page.locator("#picker")).to_be_visible()
    page.keyboard.press("ArrowUp")  # the last option: a new in-vivo code from the selected word
    expect(page.locator("#picker [aria-selected=true]")).to_contain_text("in-vivo")
    page.keyboard.press("Enter")
    expect(block(page, 3).locator(".coded")).to_have_count(1)
    expect(block(page, 3)).to_be_focused()
    assert coded_text(page, 3) == [token]
    # Shift+arrows go on from the end of what was just coded.
    for _ in range(3):
        page.keyboard.press("Shift+ArrowRight")
    assert selected_text(page) == " sa"


def test_escape_remove_and_undo_each_leave_focus_on_the_turn(logged_in, live_server):
    page = logged_in
    text = interview("Escape")
    sid = new_source(live_server, text)
    code = f"KB ångra {uuid.uuid4().hex[:5]}"
    add_coding(live_server, sid, new_code(live_server, code), *span(text, "något eget 🏠"))
    open_document(page, live_server, sid)
    block(page, 1).focus()
    for _ in range(3):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    expect(page.locator("#picker")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#picker")).to_be_hidden()
    expect(block(page, 1)).to_be_focused()
    assert selected_text(page) == "Jag"  # still selected, to adjust or code it after all
    page.keyboard.press("k")
    page.keyboard.press("j")
    page.keyboard.press("Enter")  # the codings of the turn
    expect(page.locator("#details")).to_be_visible()
    expect(page.locator("#details button.action").first).to_be_focused()
    page.keyboard.press("Enter")  # Remove
    expect(page.locator("#status")).to_contain_text("Coding removed")
    expect(block(page, 1)).to_be_focused()
    assert coded_text(page, 1) == []
    with page.expect_request(lambda r: r.url.endswith("/undo")) as undo:
        page.keyboard.press("u")
    assert undo.value.post_data_json == {"source_id": sid}
    expect(page.locator("#status")).to_have_text(f"Restored your coding “{code}” on “något eget 🏠”.")
    assert coded_text(page, 1) == ["något eget 🏠"]
    expect(block(page, 1)).to_be_focused()
    page.keyboard.press("j")
    expect(block(page, 2)).to_be_focused()


def test_undo_on_the_page_stays_in_its_source_and_shows_the_servers_message(logged_in, live_server):
    page = logged_in
    text = interview("Undo")
    sid = new_source(live_server, text)
    code = f"KB källa {uuid.uuid4().hex[:5]}"
    code_id = new_code(live_server, code)
    add_coding(live_server, sid, code_id, *span(text, "Hur var det"))
    other_text = interview("Annan")
    other = new_source(live_server, other_text)
    later = add_coding(live_server, other, code_id, *span(other_text, "Och mäklaren"))  # newer, elsewhere
    open_document(page, live_server, sid)
    page.click("#undo")
    expect(page.locator("#status")).to_have_text(f"Removed your coding “{code}” on “Hur var det”.")
    assert coded_text(page, 0) == []
    expect(block(page, 0)).to_be_focused()
    assert coding_row(live_server, later) is not None  # the other source's coding is untouched


# --- 1c: change boundaries with the keyboard and the mouse -----------------------------------------------------

def open_change_boundaries(page: Page) -> None:
    page.keyboard.press("Enter")
    expect(page.locator("#details")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator("#details button.action", has_text="Change boundaries")).to_be_focused()
    page.keyboard.press("Enter")


def test_boundaries_change_with_shift_arrows_and_enter_and_escape_cancels(logged_in, live_server):
    page = logged_in
    text = interview("Gränser")
    sid = new_source(live_server, text)
    start, end = span(text, "något eget")
    coding = add_coding(live_server, sid, new_code(live_server, f"KB gräns {uuid.uuid4().hex[:5]}"), start, end)
    open_document(page, live_server, sid)
    block(page, 1).focus()
    open_change_boundaries(page)
    expect(block(page, 1)).to_be_focused()
    assert selected_text(page) == "något eget"
    assert highlighted(page, "ks-extent") == "något eget"
    page.keyboard.press("Escape")
    expect(page.locator("#status")).to_contain_text("Boundaries left as they were")
    expect(block(page, 1)).to_be_focused()
    assert highlighted(page, "ks-extent") is None and coding_row(live_server, coding) == (start, end)

    open_change_boundaries(page)
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")  # a space and an emoji: two code points, four UTF-16 units
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("Boundaries changed")
    assert coding_row(live_server, coding) == (start, end + 2)
    assert coded_text(page, 1) == ["något eget 🏠"]
    expect(block(page, 1)).to_be_focused()
    page.keyboard.press("j")
    expect(block(page, 2)).to_be_focused()


def test_a_mouse_drag_that_starts_inside_the_old_extent_selects_the_new_one(logged_in, live_server):
    page = logged_in
    text = interview("Mus")
    sid = new_source(live_server, text)
    coding = add_coding(live_server, sid, new_code(live_server, f"KB mus {uuid.uuid4().hex[:5]}"),
                        *span(text, "Jag ville ha något eget"))
    open_document(page, live_server, sid)
    block(page, 1).locator(".coded").click()
    page.click("#details >> text=Change boundaries")
    assert selected_text(page) == "Jag ville ha något eget"
    begin = text_box(page, 1, "något")  # inside the old extent, which is still selected
    finish = text_box(page, 1, "Göteborg", len("Göteborg") - 1)
    page.mouse.move(begin["left"] + 1, begin["y"])
    page.mouse.down()
    page.mouse.move(finish["right"] - 1, finish["y"], steps=10)
    page.mouse.up()
    expect(page.locator("#status")).to_contain_text("Boundaries changed")
    assert coding_row(live_server, coding) == span(text, "något eget 🏠 i Göteborg")


# --- 2: the picker shows the passage and does not cover it ----------------------------------------------------

def test_the_picker_shows_the_passage_keeps_it_marked_and_leaves_its_lines_free(logged_in, live_server):
    page = logged_in
    text = long_interview(f"Plats{uuid.uuid4().hex[:5]}")
    sid = new_source(live_server, text)
    open_document(page, live_server, sid)
    page.evaluate("document.querySelectorAll('#doc .block')[3].scrollIntoView({block: 'start'})")
    block(page, 3).focus()
    for _ in range(40):
        page.keyboard.press("Shift+ArrowRight")
    wanted = selected_text(page)
    page.keyboard.press("Enter")
    picker = page.locator("#picker")
    expect(picker).to_be_visible()
    expect(page.locator("#picker-quote")).to_have_text(f"“{wanted.strip()}”")
    assert highlighted(page, "ks-pending") == wanted.strip()  # still shown while the input has focus
    lines = page.evaluate("[...CSS.highlights.get('ks-pending')][0].getClientRects().length")
    box = picker.bounding_box()
    mark = page.evaluate("(() => { const r = [...CSS.highlights.get('ks-pending')][0].getBoundingClientRect();"
                         " return {top: r.top, bottom: r.bottom}; })()")
    assert lines >= 1 and box["y"] >= mark["bottom"]  # under the last selected line
    screenshot(page, "document-picker-over-selection")
    assert serious_accessibility_violations(page) == []
    page.keyboard.press("Escape")
    assert highlighted(page, "ks-pending") is None

    # Near the bottom of the window there is no room below: the picker goes above the first line.
    page.evaluate("getSelection().removeAllRanges()")
    page.evaluate("document.querySelectorAll('#doc .block')[20].scrollIntoView({block: 'end'})")
    block(page, 20).focus()
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Enter")
    expect(picker).to_be_visible()
    box = picker.bounding_box()
    mark = page.evaluate("(() => { const r = [...CSS.highlights.get('ks-pending')][0].getBoundingClientRect();"
                         " return {top: r.top, bottom: r.bottom}; })()")
    assert box["y"] + box["height"] <= mark["top"]
    assert box["y"] >= 0


def test_a_long_passage_is_shortened_with_an_ellipsis_in_the_picker(logged_in, live_server):
    page = logged_in
    text = long_interview(f"Lång{uuid.uuid4().hex[:5]}", turns=8)
    open_document(page, live_server, new_source(live_server, text))
    block(page, 1).focus()
    for _ in range(6):
        page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Enter")
    quote = page.locator("#picker-quote").inner_text()
    assert " … " in quote and len(quote) < 200 and quote.startswith("“Tur 1")


# --- 3: the details of a coding --------------------------------------------------------------------------------

def test_details_show_the_coded_words_date_and_time_in_a_stable_order_and_a_stripe_opens_them(
        logged_in, live_server):
    page = logged_in
    text = interview("Detaljer")
    sid = new_source(live_server, text)
    tag = uuid.uuid4().hex[:5]
    later_start = add_coding(live_server, sid, new_code(live_server, f"KB Alfa {tag}"),
                             *span(text, "eget 🏠 i Göteborg"))
    earlier_start = add_coding(live_server, sid, new_code(live_server, f"KB Zeta {tag}"),
                               *span(text, "Jag ville ha något eget"))
    open_document(page, live_server, sid)
    block(page, 1).locator(".coded.overlap").click()
    details = page.locator("#details")
    expect(details).to_be_visible()
    items = details.locator(".coding-item")
    expect(items).to_have_count(2)
    assert [items.nth(i).locator(".coding-code").inner_text() for i in range(2)] == [f"KB Zeta {tag}",
                                                                                     f"KB Alfa {tag}"]
    assert [items.nth(i).get_attribute("data-coding") for i in range(2)] == [str(earlier_start), str(later_start)]
    expect(items.nth(0).locator(".coding-quote")).to_have_text("“Jag ville ha något eget”")
    expect(items.nth(1).locator(".coding-quote")).to_have_text("“eget 🏠 i Göteborg”")
    start, end = span(text, "eget 🏠 i Göteborg")
    expect(items.nth(1).locator(".coding-quote")).to_have_attribute("title", re.compile(f"{start}–{end}"))
    expect(items.nth(0)).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"))
    assert f"{start}–{end}" not in details.inner_text()  # no bare offsets on show
    screenshot(page, "document-details")
    assert serious_accessibility_violations(page) == []
    page.keyboard.press("Escape")
    expect(details).to_be_hidden()
    page.locator(f".stripe[data-coding='{later_start}']").click()
    expect(details).to_be_visible()
    expect(items).to_have_count(1)
    expect(items.first.locator(".coding-quote")).to_have_text("“eget 🏠 i Göteborg”")


# --- 4: stale actions -----------------------------------------------------------------------------------------

def test_removing_a_coding_someone_else_removed_shows_the_current_codings_and_says_so(tolerant, live_server):
    page = tolerant
    text = interview("Borta")
    sid = new_source(live_server, text)
    code_id = new_code(live_server, f"KB borta {uuid.uuid4().hex[:5]}")
    gone = add_coding(live_server, sid, code_id, *span(text, "Hur var det"))
    open_document(page, live_server, sid)
    block(page, 0).locator(".coded").click()
    expect(page.locator("#details")).to_be_visible()
    with writer(live_server) as session, transaction(session):
        remove_coding(session, project_id=live_server.demo.project_id, coding_id=gone, user_id=None)
    add_coding(live_server, sid, code_id, *span(text, "Och mäklaren"))  # and someone added another
    page.click("#details >> text=Remove")
    expect(page.locator("#status")).to_have_text(
        "Someone else removed this coding; the page now shows the current codings.")
    expect(page.locator("#details")).to_be_hidden()
    assert coded_text(page, 0) == [] and coded_text(page, 2) == ["Och mäklaren"]
    assert "reload" not in page.locator("#status").inner_text().lower()


def test_changing_a_coding_someone_else_changed_shows_the_current_codings_and_says_so(tolerant, live_server):
    page = tolerant
    text = interview("Ändrad")
    sid = new_source(live_server, text)
    coding = add_coding(live_server, sid, new_code(live_server, f"KB ändrad {uuid.uuid4().hex[:5]}"),
                        *span(text, "Jag ville"))
    open_document(page, live_server, sid)
    block(page, 1).focus()
    open_change_boundaries(page)
    with writer(live_server) as session, transaction(session):
        change_coding(session, project_id=live_server.demo.project_id, coding_id=coding, user_id=None,
                      expected_version=None, end=span(text, "Jag ville ha")[1])
    for _ in range(4):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("Someone else changed this coding")
    expect(page.locator("#status")).to_contain_text("the page now shows the current codings")
    assert coded_text(page, 1) == ["Jag ville ha"]
    assert coding_row(live_server, coding) == span(text, "Jag ville ha")
    expect(block(page, 1)).to_be_focused()


# --- 5: blind mode --------------------------------------------------------------------------------------------

def test_blind_mode_stays_on_across_document_pages_of_the_project(logged_in, live_server):
    page = logged_in
    text = interview("Blind")
    first = new_source(live_server, text)
    second = new_source(live_server, interview("Blind två"))
    add_coding(live_server, first, new_code(live_server, f"KB blind {uuid.uuid4().hex[:5]}"), *span(text, "Hur var"))
    open_document(page, live_server, first)
    toggle = page.locator("#blind-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    page.wait_for_selector("#doc.ready")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_contain_text("On")
    screenshot(page, "document-blind-mode-on")
    assert serious_accessibility_violations(page) == []
    open_document(page, live_server, second)
    expect(page.locator("#blind-toggle")).to_have_attribute("aria-pressed", "true")
    page.locator("#blind-toggle").click()
    page.wait_for_selector("#doc.ready")
    expect(page.locator("#blind-toggle")).to_have_attribute("aria-pressed", "false")


# --- 6: jump to a passage -------------------------------------------------------------------------------------

def test_a_link_with_at_scrolls_to_the_passage_marks_it_and_focuses_its_turn(logged_in, live_server):
    page = logged_in
    text = long_interview(f"Hopp{uuid.uuid4().hex[:5]}")
    sid = new_source(live_server, text)
    start, end = span(text, "Tur 55 om")
    open_document(page, live_server, sid, f"?at={start}-{end}")
    assert highlighted(page, "ks-jump") == "Tur 55 om"
    expect(block(page, 55)).to_be_focused()
    box = page.evaluate("(() => { const r = [...CSS.highlights.get('ks-jump')][0].getBoundingClientRect();"
                        " return {top: r.top, bottom: r.bottom}; })()")
    assert 0 <= box["top"] and box["bottom"] <= 800
    screenshot(page, "document-jump-to-passage")
    page.keyboard.press("j")  # the keys work from there
    expect(block(page, 56)).to_be_focused()
    for _ in range(80):  # only briefly (the page's CSP forbids wait_for_function's eval)
        if highlighted(page, "ks-jump") is None:
            break
        page.wait_for_timeout(100)
    assert highlighted(page, "ks-jump") is None

    start, end = span(text, "Tur 40 om")
    open_document(page, live_server, sid, f"#at={start}-{end}")
    assert highlighted(page, "ks-jump") == "Tur 40 om"


@pytest.mark.parametrize("value", ["abc", "50-10", "5-5", "3-999999999", "-1-5", "1-2-3", "", "١-٣"])
def test_an_invalid_at_is_ignored_quietly(logged_in, live_server, value):
    page = logged_in
    open_document(page, live_server, new_source(live_server, interview(f"Fel{uuid.uuid4().hex[:5]}")),
                  f"?at={value}")
    assert highlighted(page, "ks-jump") is None
    assert page.evaluate("window.scrollY") == 0
