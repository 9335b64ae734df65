"""Hidden bidirectional controls ("Trojan Source", issue 8): pages show each as a visible
mark in text content, leave attributes and form fields as they are, and the document
view keeps every piece one text node at its stored offset."""

from __future__ import annotations

import re

import pytest

from app.bidi_marks import bidi_mark, mark_bidi_controls
from coding.codebook import create_code
from coding.kinds import CodeKind
from research.db import transaction
from research.sources import SourceKind, add_source
from research.text import BIDI_CONTROLS
from tests.web.workbench_data import Team, make_team

RLO = "\u202e"
TEXT = f"abc{RLO}def ghi"


def test_a_control_in_text_content_is_wrapped_in_a_mark_that_keeps_the_character():
    marked = mark_bidi_controls(f"<p>abc{RLO}def</p>")
    assert marked == f"<p>abc{bidi_mark(RLO)}def</p>"
    assert re.fullmatch(r'<span class="bidi-mark" data-bidi="RLO" title="[^"<>]*U\+202E[^"<>]*">\u202e</span>',
                        bidi_mark(RLO))


@pytest.mark.parametrize("control", list(BIDI_CONTROLS))
def test_every_direction_control_gets_a_named_mark(control):
    assert f'data-bidi="{BIDI_CONTROLS[control]}"' in mark_bidi_controls(f"<li>x{control}y</li>")


@pytest.mark.parametrize("html", [
    f'<input name="name" value="x{RLO}y">',
    f"<textarea>x{RLO}y</textarea>",
    f"<title>x{RLO}y</title>",
    f"<select><option>x{RLO}y</option></select>",
    f'<script>if (a < b) {{ s = "x{RLO}y"; }}</script>',
    f"<style>p::after {{ content: '{RLO}'; }}</style>",
    f"<svg><text>x{RLO}y</text></svg>",
])
def test_attributes_form_fields_and_raw_text_are_left_as_they_are(html):
    assert mark_bidi_controls(html) == html


def test_marking_twice_marks_once_and_a_page_without_controls_is_untouched():
    once = mark_bidi_controls(f"<h1>{RLO}gnp.exe</h1><p>a<br>{RLO}{RLO}</p>")
    assert once.count('class="bidi-mark"') == 3
    assert mark_bidi_controls(once) == once
    plain = "<p>Ærø 🏠 a &lt; b</p>"
    assert mark_bidi_controls(plain) is plain


@pytest.fixture
def team(session) -> Team:
    team = make_team(session)
    with transaction(session):
        team.source = add_source(session, project_id=team.project.id, kind=SourceKind.INTERVIEW,
                                 name=f"Fil {RLO}gnp.exe", text=TEXT, spans=[], original=TEXT.encode())
        create_code(session, project_id=team.project.id, name=f"Kod {RLO}tset", kind=CodeKind.THEME)
    return team


def test_the_document_view_shows_the_control_as_a_mark_that_is_a_piece_of_its_own(client, auth, team):
    auth.login(team.email("coder"))
    pid, sid = team.project.id, team.source.id
    for path in (f"/projects/{pid}/sources/{sid}", f"/projects/{pid}/sources/{sid}/text"):
        body = client.get(path).get_data(as_text=True)
        assert f'<span data-s="0">abc</span><span data-s="3">{bidi_mark(RLO)}</span><span data-s="4">def ghi</span>' \
            in body, path
    body = client.get(f"/projects/{pid}/sources/{sid}").get_data(as_text=True)
    assert f"<h1>Fil {bidi_mark(RLO)}gnp.exe</h1>" in body
    assert f"Kod {bidi_mark(RLO)}tset" in body  # the code list beside the text


def test_a_form_field_gives_back_the_stored_name_unchanged(client, auth, team):
    auth.login(team.email("owner"))
    code_id = next(c["id"] for c in client.get(f"/api/v1/projects/{team.project.id}/codes").get_json()
                   if c["name"].startswith("Kod"))
    body = client.get(f"/projects/{team.project.id}/codebook/{code_id}").get_data(as_text=True)
    assert f'value="Kod {RLO}tset"' in body
    assert f"Kod {bidi_mark(RLO)}tset" in body
