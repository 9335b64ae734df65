"""The report of the demo project: its content, the DOCX/HTML/Markdown writers, escaping,
section choice and filters, and the CLI exports (report, network files, backup) with
import-project of a backup."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from docx import Document
from sqlalchemy import func, select

from coding.codebook import Code
from coding.codings import Coding
from coding.evidence import EvidenceFilters
from exports.report import SECTION_KEYS, build_report, parse_request, write_report
from exports.report_document import Figure, Quote, Report, Section, Table
from exports.report_pictures import Label, Picture
from exports.report_writers import md_escape
from research.db import transaction
from research.errors import InvalidInput, NotFound
from research.projects import Project

HOSTILE = "<script>alert(1)</script>"


def written(report: Report, fmt: str) -> bytes:
    out = io.BytesIO()
    write_report(report, fmt, out)
    return out.getvalue()


def rename_a_code(session, project_id: int, name: str) -> None:
    with transaction(session):
        code = session.scalars(select(Code).where(Code.project_id == project_id, Code.name == "Mäklare")).one()
        code.name = name


def test_the_demo_report_as_docx_has_headings_tables_quotes_and_both_pictures(session, demo):
    _, project_id = demo
    steps = []
    report = build_report(session, project_id, progress=lambda done, total, message: steps.append((done, total)))
    assert [s.key for s in report.sections] == list(SECTION_KEYS)
    assert steps[-1] == (len(SECTION_KEYS), len(SECTION_KEYS) + 1)
    document = Document(io.BytesIO(written(report, "docx")))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Summary", "Method", "Codebook", "Key quotes per phase", "Key quotes per goal",
                        "Actor network", "Journey map", "Where customers get stuck"]
    subheadings = {p.text for p in document.paragraphs if p.style.name == "Heading 2"}
    assert {"Goals", "Actors", "Köper", "Köpa en bostad", "Candidate partners"} <= subheadings
    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote" and not p.text.startswith("— ")]
    assert len(quotes) == len(report.quotes()) >= 30
    assert any("Bostadsportalen" in q for q in quotes)
    tables = {t.rows[0].cells[0].text: t for t in document.tables}
    assert {"Kind", "Persona", "Coder", "Code", "Group", "Actor", "Lane", "Phase"} <= set(tables)
    journey = tables["Lane"]
    assert [c.text for c in journey.rows[0].cells][1:] == ["Medveten", "Intresserad", "Överväger", "Köper",
                                                          "Utvärderar", "Förtroende över tid"]
    beyond = next(t for t in document.tables if t.rows[0].cells[0].text == "Group" and t.rows[1].cells[0].text
                  == "(all)")
    assert [c.text for c in beyond.rows[1].cells] == ["(all)", "105", "81", "77 %", "20", "17", "85 %"]
    pictures = [r for r in document.part.rels.values() if "image" in r.reltype]
    assert len(pictures) == 2 and all(r.target_part.blob.startswith(b"\x89PNG") for r in pictures)
    assert len(document.inline_shapes) == 2


def test_the_method_section_reports_sources_coders_and_their_agreement(session, demo):
    _, project_id = demo
    method = build_report(session, project_id, sections=["method"]).sections[0]
    tables = {b.caption: b for b in method.blocks if isinstance(b, Table)}
    assert {row[0] for row in tables["Sources by kind"].rows} == {"Interview", "Observation", "Survey answers"}
    assert [row[0] for row in tables["Coders"].rows] == ["Demo researcher", "Second coder"]
    text = written(build_report(session, project_id, sections=["method"]), "md").decode()
    assert "Cohen's kappa" in text and "Percentage agreement" in text


def test_html_is_self_contained_and_escapes_a_hostile_code_name_and_quote(session, demo):
    _, project_id = demo
    rename_a_code(session, project_id, HOSTILE)
    report = build_report(session, project_id)
    report.sections[0].blocks.append(Quote(HOSTILE + " & more", HOSTILE))
    html = written(report, "html").decode()
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<svg") == 2 and "<img" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")


def test_pictures_escape_their_labels_in_svg_and_draw_a_png():
    picture = Picture(HOSTILE, HOSTILE, 200, 100, [Label(10, 20, HOSTILE)])
    svg = picture.svg()
    assert "<script" not in svg and svg.count("&lt;script&gt;") == 3
    assert picture.png().startswith(b"\x89PNG\r\n\x1a\n")


def test_markdown_escapes_user_text_so_it_renders_as_written(session, demo):
    assert md_escape("*bold* _x_ [link](http://a) <b> | `code`") == \
        r"\*bold\* \_x\_ \[link\](http://a) \<b\> \| \`code\`"
    assert md_escape("# head\n- item\n1. first\n> quote") == "\\# head\n\\- item\n\\1. first\n\\> quote"
    _, project_id = demo
    rename_a_code(session, project_id, HOSTILE + " *x*|y")
    text = written(build_report(session, project_id, sections=["codebook", "network"]), "md").decode()
    assert "<script>" not in text
    assert r"\<script\>alert(1)\</script\> \*x\*\|y" in text
    assert "](data:image/png;base64," in text


def test_choosing_sections_leaves_the_others_out(session, demo):
    _, project_id = demo
    report = build_report(session, project_id, sections=["stuck", "codebook"])
    assert [s.key for s in report.sections] == ["codebook", "stuck"]
    document = Document(io.BytesIO(written(report, "docx")))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == \
        ["Codebook", "Where customers get stuck"]
    assert len(document.inline_shapes) == 0
    with pytest.raises(InvalidInput):
        build_report(session, project_id, sections=["summary", "appendix"])


def test_filters_narrow_the_quotes_and_figures_and_are_named_in_the_report(session, demo):
    _, project_id = demo
    whole = build_report(session, project_id, sections=["summary", "phases", "network"])
    wanted = parse_request(["summary", "phases", "network"], {"persona": "Småföretagare"}, "html")
    narrow = build_report(session, project_id, sections=wanted.sections, filters=wanted.filters)
    assert narrow.filters == (("Persona", "Småföretagare"),)
    assert {q.text for q in narrow.quotes()} != {q.text for q in whole.quotes()}
    assert all("Anna Lindqvist" not in q.attribution for q in narrow.quotes())
    html = written(narrow, "html").decode()
    assert "Filters: Persona: Småföretagare" in html
    phase = session.scalars(select(Project).where(Project.id == project_id)).one().phases[3]
    only = build_report(session, project_id, sections=["journey"], filters=EvidenceFilters(phase_id=phase.id))
    lanes = next(b for b in only.sections[0].blocks if isinstance(b, Table))
    assert lanes.header == ("Lane", phase.name)


def test_a_bad_request_or_project_is_refused_with_a_clear_reason(session, demo):
    with pytest.raises(InvalidInput, match="format"):
        parse_request(None, None, "pdf")
    with pytest.raises(InvalidInput, match="filter"):
        parse_request(None, {"colour": "red"}, "docx")
    with pytest.raises(InvalidInput, match="number"):
        parse_request(None, {"phase": "first"}, "docx")
    with pytest.raises(NotFound):
        build_report(session, 999999)


def test_the_docx_writer_survives_control_characters_and_empty_sections():
    report = Report("Odd \x07 title", 1, datetime(2025, 1, 1, tzinfo=UTC), ())
    report.sections.append(Section("summary", "Summary", [Quote("a\x00b\x1fc", "x"), Figure(
        Picture("p", "d", 50, 50, []), "caption")]))
    document = Document(io.BytesIO(written(report, "docx")))
    assert any(p.text == "“abc”" for p in document.paragraphs)


# --- the command line ---------------------------------------------------------------------


def test_the_cli_exports_the_report_network_files_and_a_backup(kundstig, demo, tmp_path):
    _, project_id = demo
    for fmt in ("docx", "html", "md", "graphml", "gexf", "backup"):
        target = tmp_path / f"demo.{fmt}"
        code, out = kundstig("export", str(project_id), "--format", fmt, "-o", str(target))
        assert code == 0, out
        assert f"Wrote {target}" in out and target.stat().st_size > 0
    assert not list(tmp_path.glob("*.partial"))
    document = Document(str(tmp_path / "demo.docx"))
    assert len([p for p in document.paragraphs if p.style.name == "Heading 1"]) == len(SECTION_KEYS)
    assert b"<svg" in (tmp_path / "demo.html").read_bytes()
    assert (tmp_path / "demo.md").read_text(encoding="utf-8").startswith("# ")
    assert b"<graphml" in (tmp_path / "demo.graphml").read_bytes()
    assert b"<gexf" in (tmp_path / "demo.gexf").read_bytes()
    with zipfile.ZipFile(tmp_path / "demo.backup") as archive:
        assert json.loads(archive.read("manifest.json"))["format"] == "kundstig-backup"


def test_import_project_restores_a_backup_and_prints_its_counts(kundstig, demo, session, tmp_path):
    owner, project_id = demo
    archive = tmp_path / "demo.zip"
    assert kundstig("export", str(project_id), "--format", "backup", "-o", str(archive))[0] == 0
    code, out = kundstig("import-project", str(archive), "--owner", owner.email, "--json")
    assert code == 0, out
    result = json.loads(out)
    assert result["format"] == "kundstig-backup" and result["project_id"] != project_id
    assert result["counts"]["coding"] == 287
    session.rollback()
    assert session.scalar(select(func.count(Coding.id)).where(Coding.project_id == result["project_id"])) == 287
    code, out = kundstig("import-project", str(archive), "--owner", owner.email)
    assert code == 0 and out.startswith("Restored project ")
    code, out = kundstig("import-project", str(archive), "--owner", owner.email, "--into", str(project_id))
    assert code == 1 and "new project" in out


def test_a_failed_cli_report_leaves_no_file(kundstig, demo, tmp_path):
    code, out = kundstig("export", "999999", "--format", "docx", "-o", str(tmp_path / "none.docx"))
    assert code == 1 and "no project 999999" in out
    assert not list(tmp_path.glob("none.docx*"))
