"""The import, speakers, survey, participants, search and pseudonym pages in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, screenshot, serious_accessibility_violations

pytestmark = pytest.mark.e2e

TRANSCRIPT = "I: Hur hittade ni huset?\nMaja: Via appen, och banken var snabb.\nI: Och sen?\nMaja: Budgivning.\n"


def test_uploading_several_files_shows_progress_and_a_result_per_file(logged_in: Page,
                                                                      live_server: LiveServer) -> None:
    page = logged_in
    pid = live_server.demo.project_id
    page.goto(f"/projects/{pid}/import")
    expect(page.locator("#observation-fields")).to_be_hidden()
    page.check("input[name=kind][value=observation]")
    expect(page.locator("#observation-fields")).to_be_visible()
    page.check("input[name=kind][value=interview]")
    page.set_input_files("#files", files=[
        {"name": "maja.txt", "mimeType": "text/plain", "buffer": TRANSCRIPT.encode()},
        {"name": "maja-kopia.txt", "mimeType": "text/plain", "buffer": TRANSCRIPT.encode()},
        {"name": "virus.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00"},
    ])
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#upload-summary")).to_have_text("1 imported, 1 duplicate, 1 rejected of 3.", timeout=20_000)
    results = page.locator(".file-result")
    expect(results.nth(0)).to_contain_text("imported")
    expect(results.nth(0)).to_contain_text("speakers: I, Maja")
    expect(results.nth(1)).to_contain_text("duplicate")
    expect(results.nth(2)).to_contain_text("virus.exe: Files of type '.exe' cannot be imported")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "ingest-upload-results")
    page.click("#map-speakers a")
    expect(page.locator("h1")).to_contain_text("Who speaks")
    screenshot(page, "ingest-speakers")
    assert serious_accessibility_violations(page) == []
    page.select_option("#choice-0", "interviewer")
    page.select_option("#choice-1", "new")
    page.click("button.primary")
    page.goto(f"/projects/{pid}/participants")
    expect(page.locator("table.participants")).to_contain_text("Maja")
    screenshot(page, "ingest-participants")
    assert serious_accessibility_violations(page) == []


def test_searching_shows_snippets_and_filters(logged_in: Page, live_server: LiveServer) -> None:
    page = logged_in
    page.goto(f"/projects/{live_server.demo.project_id}/search?q=bank")
    expect(page.locator(".hit").first).to_be_visible()
    expect(page.locator(".hit mark").first).to_contain_text("bank", ignore_case=True)
    screenshot(page, "ingest-search")
    assert serious_accessibility_violations(page) == []


def test_a_survey_is_previewed_before_it_is_imported(logged_in: Page, live_server: LiveServer) -> None:
    page = logged_in
    page.goto(f"/projects/{live_server.demo.project_id}/import/survey")
    page.set_input_files("#file", files=[{"name": "enkat2.csv", "mimeType": "text/csv", "buffer":
                                          "Respondent,Ålder,Vad var svårast att förstå i processen?\n"
                                          "x1,34,Att förstå lånelöftet och vad det betydde\n"
                                          "x2,51,Budgivningen gick för snabbt för oss\n".encode()}])
    page.click("button.primary")
    expect(page.locator("h1")).to_contain_text("Choose the columns")
    screenshot(page, "ingest-survey-preview")
    assert serious_accessibility_violations(page) == []
    page.click("button.primary")
    expect(page.locator(".file-result")).to_contain_text("2 respondents, 2 answers")


def test_the_pseudonym_pages_render_for_owners(logged_in: Page, live_server: LiveServer) -> None:
    page = logged_in
    page.goto(f"/projects/{live_server.demo.project_id}/pseudonyms")
    screenshot(page, "ingest-pseudonyms")
    page.locator(".card a").first.click()
    expect(page.locator("h1")).to_contain_text("Pseudonymise")
    screenshot(page, "ingest-pseudonymise")
    assert serious_accessibility_violations(page) == []
