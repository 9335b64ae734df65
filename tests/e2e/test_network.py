"""The actor network and the journey map in a real browser: filter to a phase, click an
actor, read a quote, follow it to the document; read the emotion curve."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import screenshot, serious_accessibility_violations

pytestmark = pytest.mark.e2e


def _open_network(page, live_server):
    page.goto(f"/projects/{live_server.demo.project_id}/network")
    page.wait_for_function("window.kundstigNetwork && window.kundstigNetwork.nodes().length > 0")
    page.wait_for_function("!document.getElementById('dl-png').disabled")


def _tap(page, node_id):
    """Click a node where cytoscape draws it on screen."""
    box = page.locator("#cy").bounding_box()
    point = page.evaluate(
        "id => { const p = window.kundstigNetwork.getElementById(id).renderedPosition(); return [p.x, p.y]; }",
        node_id)
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])


def test_the_network_filters_to_a_phase_opens_an_actor_and_its_quote_leads_to_the_document(logged_in, live_server):
    page = logged_in
    _open_network(page, live_server)
    assert "of the actor and touchpoint mentions are beyond" in page.locator("#beyond-headline").inner_text()
    company = page.evaluate("window.kundstigNetwork.nodes('.company').length")
    assert company > 0
    screenshot(page, "network")

    page.select_option("#f-phase", label="Överväger")
    page.click("#nw-form button[type=submit]")
    page.wait_for_url(re.compile(r"phase=\d+"))
    page.wait_for_function("window.kundstigNetwork && window.kundstigNetwork.nodes().length > 0")
    labels = page.evaluate("window.kundstigNetwork.nodes().map(n => n.data('label'))")
    assert "Överväger" in labels and "Mäklare" in labels

    node_id = page.evaluate("window.kundstigNetwork.nodes().filter(n => n.data('label') === 'Mäklare')[0].id()")
    page.evaluate("window.kundstigNetwork.zoom(1)")
    page.evaluate("id => window.kundstigNetwork.center(window.kundstigNetwork.getElementById(id))", node_id)
    _tap(page, node_id)
    page.wait_for_selector("#nw-detail-body .quotes li")
    assert page.locator("#nw-detail-body h2").inner_text() == "Mäklare"
    assert "Third party" in page.locator("#nw-detail-body").inner_text()
    quote = page.locator("#nw-detail-body .quotes li blockquote").first.inner_text()
    assert quote
    screenshot(page, "network-actor")
    assert serious_accessibility_violations(page) == []

    link = page.locator("#nw-detail-body .quotes li a.quote-source").first
    href = link.get_attribute("href")
    assert re.fullmatch(rf"/projects/{live_server.demo.project_id}/sources/\d+\?at=\d+-\d+", href)
    link.click()
    page.wait_for_url(re.compile(r"/sources/\d+"))
    page.wait_for_function("word => document.querySelector('main').innerText.includes(word)",
                           arg=quote.split()[0], timeout=15000)
    screenshot(page, "network-quote-document")


def test_search_selects_a_node_and_the_downloads_work(logged_in, live_server):
    page = logged_in
    _open_network(page, live_server)
    page.fill("#nw-search", "familj")
    page.keyboard.press("Enter")
    page.wait_for_selector("#nw-detail-body h2")
    assert page.locator("#nw-detail-body h2").inner_text() == "Familj och släkt"
    with page.expect_download() as png:
        page.click("#dl-png")
    assert png.value.suggested_filename.endswith(".png")
    with page.expect_download() as svg:
        page.click("#dl-svg")
    with open(svg.value.path(), encoding="utf-8") as handle:
        text = handle.read()
    assert text.startswith("<svg") and "Familj och släkt" in text


def test_the_layout_is_the_same_on_the_next_visit(logged_in, live_server):
    page = logged_in
    _open_network(page, live_server)
    first = page.evaluate("window.kundstigNetwork.nodes().map(n => [n.id(), Math.round(n.position('x'))])")
    page.evaluate("localStorage.clear()")
    page.reload()
    page.wait_for_function("!document.getElementById('dl-png').disabled")
    again = page.evaluate("window.kundstigNetwork.nodes().map(n => [n.id(), Math.round(n.position('x'))])")
    assert first == again


def test_the_journey_map_shows_lanes_and_the_emotion_curve(logged_in, live_server):
    page = logged_in
    page.goto(f"/projects/{live_server.demo.project_id}/journey")
    title = page.locator(".jm-curve svg title").text_content() or ""
    assert "Emotion curve" in title and re.search(r"n=\d+", title)
    assert page.locator(".jm-curve .curve-dot").count() > 0
    assert page.locator("tr.lane-other_actors td").count() == 6
    screenshot(page, "journey")
    assert serious_accessibility_violations(page) == []
    page.select_option("#f-persona", label="Förstagångsköpare")
    page.click(".jm-filters button[type=submit]")
    page.wait_for_url(re.compile(r"persona="))
    assert page.locator(".jm-curve svg").count() == 1
    with page.expect_download() as png:
        page.click("#jm-png")
    assert png.value.suggested_filename.endswith(".png")
