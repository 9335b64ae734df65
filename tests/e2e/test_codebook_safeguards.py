"""The codebook's safeguards in a real browser: the merge confirmation, the refusal to make a
coded code a folder, the code form following the chosen kind, the created row shown with its
message, and the new-project page with its codebook choice. Screenshots for review."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.database import get_database
from coding.codebook import Code, create_code
from coding.codings import add_coding
from coding.kinds import CodeKind
from research.db import transaction
from research.segmenting import segment
from research.sources import SourceKind, add_source
from tests.e2e.conftest import SCREENSHOTS, screenshot, serious_accessibility_violations

pytestmark = pytest.mark.e2e


def _coded(live_server, name: str, kind: CodeKind, codings: int) -> int:
    """A code of the demo project carrying ``codings`` codings of a source of its own (the demo's
    sources are left as other browser tests expect them)."""
    with get_database(live_server.app).writer() as session, transaction(session):
        pid = live_server.demo.project_id
        text = f"{name}: vi ville köpa en bostad och pratade länge med banken om lånet."
        source = add_source(session, project_id=pid, kind=SourceKind.INTERVIEW, name=f"Källa för {name}", text=text,
                            spans=segment(text), original=text.encode(), language="sv")
        code = create_code(session, project_id=pid, name=name, kind=kind)
        for i in range(codings):
            add_coding(session, project_id=pid, source_id=source.id, code_id=code.id, start=i * 7, end=i * 7 + 5,
                       user_id=None)
        return code.id


def _card(locator, name: str) -> None:
    """A screenshot of one part of a long page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_merging_codes_of_different_kinds_shows_what_moves_and_needs_the_tick(logged_in: Page, live_server):
    page = logged_in
    pid = live_server.demo.project_id
    source_id = _coded(live_server, "E2E Oro", CodeKind.EMOTION, 3)
    _coded(live_server, "E2E Köpa en bostad", CodeKind.GOAL, 0)
    page.goto(f"/projects/{pid}/codebook/{source_id}")
    expect(page.locator("#merge-target_id")).to_have_value("")
    page.click("text=Merge into the chosen code…")
    expect(page.locator("#merge-target_id-error")).to_have_text("Choose the code to merge into.")
    page.select_option("#merge-target_id", label="E2E Köpa en bostad")
    page.click("text=Merge into the chosen code…")
    confirm = page.locator("#merge")
    expect(confirm).to_contain_text("'E2E Oro' is an emotion, 'E2E Köpa en bostad' is a goal.")
    expect(confirm.locator("label[for=merge-confirm]")).to_have_text(
        "Move 3 codings from 'E2E Oro' to 'E2E Köpa en bostad' and delete 'E2E Oro'")
    expect(page.locator("#merge-confirm")).to_be_focused()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "codebook-merge-confirmation")
    page.click("text=Merge and delete 'E2E Oro'")
    expect(page.locator("#merge-confirm-error")).to_have_text("Tick the box to confirm the merge.")
    page.check("#merge-confirm")
    page.click("text=Merge and delete 'E2E Oro'")
    expect(page.locator(".flash-success")).to_have_text(
        "'E2E Oro' merged into 'E2E Köpa en bostad': 3 codings moved.")
    expect(page.locator(".code-tree li", has_text="E2E Köpa en bostad")).to_contain_text("3 codings")


def test_a_coded_code_is_not_made_a_folder(logged_in: Page, live_server):
    page = logged_in
    code_id = _coded(live_server, "E2E Köpa ett radhus", CodeKind.GOAL, 5)
    page.goto(f"/projects/{live_server.demo.project_id}/codebook/{code_id}")
    page.check("#is_folder")
    page.click("button:text-is('Save')")
    expect(page.locator(".flash-error")).to_contain_text(
        "'E2E Köpa ett radhus' has 5 codings; a folder cannot hold codings. Move or merge them first.")
    expect(page.locator(".flash-error")).to_be_in_viewport()
    screenshot(page, "codebook-folder-refused")


def test_the_code_form_shows_the_fields_of_the_chosen_kind(logged_in: Page, live_server):
    page = logged_in
    page.goto(f"/projects/{live_server.demo.project_id}/codebook")
    form = page.locator("form[data-code-form]")
    form.locator("#kind").select_option("actor")
    for shown in ("#ownership", "#actor_type"):
        expect(form.locator(shown)).to_be_visible()
    for hidden in ("#medium", "#valence", "#phase_id", "#goal_id", "#touchpoint_type"):
        expect(form.locator(hidden)).to_be_hidden()
    expect(form.locator(".kind-fields legend")).to_have_text("Actor fields")
    form.locator("#name").fill("E2E Mäklaren")
    _card(form, "codebook-form-actor")
    form.locator("#kind").select_option("touchpoint")
    for shown in ("#ownership", "#medium", "#touchpoint_type", "#company_role"):
        expect(form.locator(shown)).to_be_visible()
    for hidden in ("#actor_type", "#valence", "#goal_id"):
        expect(form.locator(hidden)).to_be_hidden()
    _card(form, "codebook-form-touchpoint")
    form.locator("#kind").select_option("goal")
    expect(form.locator(".kind-fields")).to_be_hidden()
    assert form.locator("#colour").get_attribute("type") == "color"


def test_a_created_code_is_shown_highlighted_with_its_message(logged_in: Page, live_server):
    page = logged_in
    page.goto(f"/projects/{live_server.demo.project_id}/codebook")
    form = page.locator("form[data-code-form]")
    form.locator("#name").fill("E2E Trygghet")
    form.locator("#kind").select_option("emotion")
    form.locator("#valence").select_option("2")
    page.click("text=Create code")
    row = page.locator("li.just-created")
    expect(row).to_contain_text("Code 'E2E Trygghet' created.")
    expect(row.locator(".row-flash")).to_be_in_viewport()
    page.screenshot(path=str(SCREENSHOTS / "codebook-code-created.png"))  # what the viewport shows


def test_the_new_project_page_offers_the_template_or_an_empty_codebook(logged_in: Page, live_server):
    page = logged_in
    page.goto("/projects/new")
    expect(page.get_by_label("Start from the customer-path template")).to_be_checked()
    assert serious_accessibility_violations(page) == []
    page.fill("#name", "E2E Bolånestudien")
    page.fill("#company_name", "Fjällbanken")
    screenshot(page, "new-project")
    page.click("text=Create project")
    expect(page.locator(".flash-success")).to_contain_text("with the customer-path codebook")
    page.click("nav.project-nav >> text=Codebook")
    expect(page.locator(".code-tree li", has_text="Fjällbanken")).to_contain_text("Actor")
    with get_database(live_server.app).reader() as session:
        assert session.scalar(select(Code.id).where(Code.name == "Fjällbanken")) is not None
