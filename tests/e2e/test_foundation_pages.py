"""The first pages a researcher sees, in a real browser: they work, look right
(screenshots), pass axe-core without serious findings, and work by keyboard."""

import pytest

from tests.e2e.conftest import log_in, screenshot, serious_accessibility_violations

pytestmark = pytest.mark.e2e


def test_the_login_page_renders_and_has_no_serious_accessibility_problems(page):
    page.goto("/login")
    assert page.locator("h1").inner_text() == "Log in to Kundstig"
    screenshot(page, "login")
    assert serious_accessibility_violations(page) == []


def test_a_researcher_logs_in_with_the_keyboard_alone(page, live_server):
    page.goto("/login")
    # The e-mail field takes the focus on arrival (autofocus); wait until the browser has applied it.
    page.wait_for_function("document.activeElement && document.activeElement.name === 'email'")
    page.keyboard.type(live_server.demo.email)
    page.keyboard.press("Tab")
    page.keyboard.type(live_server.demo.password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text() == "Your projects"


def test_the_project_list_shows_the_demo_project(logged_in, live_server):
    page = logged_in
    assert live_server.demo.project_name in page.locator(".project-card h2").all_inner_texts()  # others' tests add more
    screenshot(page, "project-list")
    assert serious_accessibility_violations(page) == []


def test_the_demo_overview_shows_sources_codes_and_phases(logged_in, live_server):
    page = logged_in
    page.click(f"text={live_server.demo.project_name}")
    page.wait_for_selector(".stats")
    numbers = page.locator(".stat .number").all_inner_texts()
    sources, participants, codes, codings = (int(n) for n in numbers)
    assert sources >= 12 and participants >= 40 and codes >= 40 and codings >= 200
    assert page.locator("ol.phases li").count() == 6
    screenshot(page, "project-overview")
    assert serious_accessibility_violations(page) == []


@pytest.mark.parametrize("path", ["settings", "members"])
def test_project_admin_pages_have_no_serious_accessibility_problems(logged_in, live_server, path):
    logged_in.goto(f"/projects/{live_server.demo.project_id}/{path}")
    screenshot(logged_in, f"project-{path}")
    assert serious_accessibility_violations(logged_in) == []


def test_a_backup_job_shows_its_progress_and_offers_the_archive(logged_in, live_server):
    page = logged_in
    page.goto(f"/projects/{live_server.demo.project_id}")
    page.click("text=Back up project")
    page.wait_for_selector("#job-download:not([hidden])")
    assert page.locator("#job-status").inner_text() == "done"
    screenshot(page, "backup-job")
    assert serious_accessibility_violations(page) == []
    with page.expect_download() as download:
        page.click("#job-download a")
    assert download.value.suggested_filename.endswith(".zip")


def test_the_account_and_error_pages_are_accessible(logged_in):
    logged_in.goto("/account")
    assert serious_accessibility_violations(logged_in) == []
    logged_in.goto("/projects/999999")
    assert "Not found" in logged_in.locator("h1").inner_text()
    screenshot(logged_in, "error-404")
    assert serious_accessibility_violations(logged_in) == []


def test_an_anonymous_visitor_is_sent_to_the_login_page(page, live_server):
    page.goto(f"/projects/{live_server.demo.project_id}")
    assert "/login" in page.url
    log_in(page, live_server)
