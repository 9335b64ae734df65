"""Issue 3's "Bad input", through the upload route: each bad file gets a clear message
naming it, nothing of it is stored, and the other files of the batch still import."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from research import ingest
from research.parsers import PdfLimits
from research.participants import Participant
from research.sources import Segment, Source, SourceFile
from tests.conftest import Auth
from tests.hostile_files import docx_with, zip_of
from tests.unit.research.conftest import build_docx, build_pdf
from tests.web.ingest_support import Setup, logged_in_project

GOOD = ("good.txt", b"I: Hur gick det?\nAnna: Bra, tack.\n")


@pytest.fixture
def setup(client: FlaskClient, auth: Auth, session: Session) -> Setup:
    return logged_in_project(client, auth, session)


def nothing_stored_but_the_good_file(setup: Setup) -> None:
    sources = setup.sources()
    assert [s.original_name for s in sources] == ["good.txt"]
    count = setup.session.scalar(select(func.count()).select_from(Segment))
    assert count == len(sources[0].segments) == 2
    assert setup.session.scalar(select(func.count()).select_from(SourceFile)) == 1


def rejected(setup: Setup, name: str, data: bytes, *, pattern: str) -> str:
    bad, good = setup.results((name, data), GOOD)
    assert bad["status"] == "rejected", bad
    assert bad["name"] == name.replace("\\", "/").split("/")[-1]
    assert bad["reason"].startswith(f"{bad['name']}: "), bad["reason"]
    assert pattern in bad["reason"], bad["reason"]
    assert good["status"] == "imported"
    nothing_stored_but_the_good_file(setup)
    return bad["reason"]


def test_an_oversized_upload_gets_413_before_anything_is_parsed(
    setup: Setup, app: Flask, monkeypatch: pytest.MonkeyPatch,
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 2048

    def must_not_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed although the upload was too large")

    monkeypatch.setattr(ingest, "parse_file", must_not_parse)
    response = setup.upload(("huge.txt", b"a" * 10_000))
    assert response.status_code == 413
    assert "KUNDSTIG_MAX_UPLOAD_MB" in response.get_json()["detail"]
    page = setup.upload(("huge.txt", b"a" * 10_000), json=False)
    html = page.get_data(as_text=True)
    assert page.status_code == 413 and "File too large" in html and "Split it" in html
    assert setup.sources() == []


def test_the_upload_page_tells_the_browser_the_size_limit(setup: Setup, app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024
    page = setup.client.get(f"/projects/{setup.project.id}/import").get_data(as_text=True)
    assert f'data-max-bytes="{5 * 1024 * 1024}"' in page and "5.0 MB" in page


def test_a_pdf_named_docx_is_rejected_as_mismatched_content(setup: Setup) -> None:
    reason = rejected(setup, "rapport.docx", build_pdf(["Hej"]), pattern="a PDF document")
    assert "Word document" in reason


def test_a_docx_named_txt_is_rejected_as_mismatched_content(setup: Setup) -> None:
    rejected(setup, "notes.txt", build_docx(["Hej"]), pattern="a Word document (.docx)")


def test_an_encrypted_office_document_is_rejected_with_a_hint_about_passwords(setup: Setup) -> None:
    rejected(setup, "hemlig.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, pattern="password-protected")


def test_a_truncated_docx_is_rejected_as_damaged(setup: Setup) -> None:
    data = build_docx(["Hej"])
    rejected(setup, "trasig.docx", data[: len(data) // 2], pattern="damaged")


def test_a_docx_with_broken_xml_is_rejected(setup: Setup) -> None:
    rejected(setup, "trasig.docx", docx_with({"word/document.xml": b"<w:document><w:body>"}), pattern="XML")


def test_a_zip_bomb_docx_is_rejected_before_it_is_unpacked(setup: Setup) -> None:
    rejected(setup, "bomb.docx", docx_with({"word/media/pad.bin": b"\x00" * 20_000_000}), pattern="zip bomb")


@pytest.mark.parametrize("entry", ["../evil.xml", "/etc/evil.xml", "word/../../evil.xml"])
def test_path_tricks_inside_a_docx_are_rejected(setup: Setup, entry: str) -> None:
    reason = rejected(setup, "trick.docx", docx_with({entry: b"x"}), pattern="trick.docx")
    assert "leaves the archive" in reason or "absolute path" in reason


def test_a_symbolic_link_inside_an_odt_named_file_is_rejected(setup: Setup) -> None:
    data = zip_of({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
                  symlink="Pictures/link.png")
    rejected(setup, "trick.odt", data, pattern="symbolic link")


def test_a_path_in_the_uploaded_file_name_is_reduced_to_the_name(setup: Setup) -> None:
    [result] = setup.results(("../../etc/cron.d/anteckning.txt", b"Hej."))
    assert result["status"] == "imported" and result["name"] == "anteckning.txt"
    [source] = setup.sources()
    assert source.original_name == "anteckning.txt"


def test_a_pdf_that_stalls_the_parser_is_stopped_and_rejected(setup: Setup, app: Flask) -> None:
    app.config["KUNDSTIG_PDF_LIMITS"] = PdfLimits(seconds=0.01)
    rejected(setup, "seg.pdf", build_pdf(["Hej"]), pattern="longer than 0.01 seconds")


def test_an_encrypted_pdf_is_rejected(setup: Setup) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(build_pdf(["Hemligt"]))))
    writer.encrypt("hemligt", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    rejected(setup, "hemlig.pdf", buffer.getvalue(), pattern="password-protected")


def test_binary_data_named_txt_is_rejected(setup: Setup) -> None:
    rejected(setup, "data.txt", bytes(range(256)) * 8, pattern="binary data")


def test_an_empty_file_is_rejected(setup: Setup) -> None:
    rejected(setup, "tom.txt", b"", pattern="empty")


def test_a_spreadsheet_uploaded_as_an_interview_points_to_the_survey_import(setup: Setup) -> None:
    rejected(setup, "enkat.csv", b"id,svar\n1,bra\n", pattern="survey")


def _survey_post(setup: Setup, name: str, data: bytes) -> str:
    response = setup.client.post(f"/projects/{setup.project.id}/import/survey", data={
        "csrf_token": setup.token, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data",
        follow_redirects=True)
    return response.get_data(as_text=True)


def test_a_ragged_csv_is_rejected_naming_the_file_and_the_line(setup: Setup) -> None:
    page = _survey_post(setup, "enkat.csv", b'id,svar\n1,"bra"\n\n2,"ok",extra\n')
    assert "enkat.csv: Line 4 has 3 values but the header has 2 columns" in page
    assert setup.sources() == []
    assert setup.session.scalar(select(func.count()).select_from(Participant)) == 0


def test_a_ragged_csv_through_the_survey_import_leaves_the_other_files_of_the_batch(setup: Setup) -> None:
    from research.ingest import ImportOptions, SurveyColumns, import_files
    from research.sources import SourceKind

    options = ImportOptions(kind=SourceKind.SURVEY, survey=SurveyColumns("id", ["svar"]))
    results = import_files(setup.session, project_id=setup.project.id, user_id=None, options=options, files=[
        ("trasig.csv", b'id,svar\n1,"bra"\n2,"ok",extra\n'), ("hel.csv", b"id,svar\n1,bra\n2,ok\n")])
    assert [(r.name, r.status) for r in results] == [("trasig.csv", "rejected"), ("hel.csv", "imported")]
    assert results[0].reason.startswith("trasig.csv: Line 3")
    sources = setup.sources()
    assert [s.original_name for s in sources] == ["hel.csv"]


def test_a_corrupt_xlsx_is_rejected_in_the_survey_preview(setup: Setup) -> None:
    page = _survey_post(setup, "enkat.xlsx", zip_of({"xl/workbook.xml": b"<workbook/>", "../evil.xml": b"x"}))
    assert "enkat.xlsx: " in page and "leaves the archive" in page


def test_a_file_that_fails_while_stored_leaves_nothing_and_the_batch_goes_on(
    setup: Setup, monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = ingest.store_document

    def fail_after_writing(session: Session, prepared: ingest.PreparedDocument, **kwargs: object) -> Source:
        source = real(session, prepared, **kwargs)  # type: ignore[arg-type]
        if prepared.name == "halv.txt":
            from research.errors import InvalidInput

            raise InvalidInput("simulated failure after the rows were written")
        return source

    monkeypatch.setattr(ingest, "store_document", fail_after_writing)
    bad, good = setup.results(("halv.txt", b"Text som skrivs och rullas tillbaka."), GOOD)
    assert bad["status"] == "rejected" and bad["reason"].startswith("halv.txt: simulated")
    assert good["status"] == "imported"
    nothing_stored_but_the_good_file(setup)


