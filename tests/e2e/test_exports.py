"""The export page in a real browser: reach it from the project's tabs, start an XLSX
export, wait for the job, download the workbook and open it."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import screenshot, serious_accessibility_violations

pytestmark = pytest.mark.e2e


def test_an_xlsx_export_runs_as_a_job_and_downloads_a_workbook_that_opens(logged_in, live_server, tmp_path):
    page = logged_in
    page.goto(f"/projects/{live_server.demo.project_id}")
    page.click("nav.project-nav >> text=Export")
    page.wait_for_selector("h1:text('Export')")
    screenshot(page, "exports")
    assert serious_accessibility_violations(page) == []
    page.click("li:has(#format-xlsx) button")
    page.wait_for_selector("#job-download:not([hidden])")
    assert page.locator("#job-status").inner_text() == "done"
    with page.expect_download() as download:
        page.click("#job-download a")
    assert download.value.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    workbook = load_workbook(saved, read_only=True)
    assert workbook.sheetnames[0] == "Codings"
    header, *rows = workbook["Codings"].iter_rows(values_only=True)
    assert header[:3] == ("code", "kind", "text") and len(rows) >= 200
    workbook.close()
    page.goto(f"/projects/{live_server.demo.project_id}/exports")
    assert page.locator("table tbody tr td").first.inner_text() == "Excel workbook (.xlsx)"
    screenshot(page, "exports-recent")
