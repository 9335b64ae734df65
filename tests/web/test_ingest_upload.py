"""Uploading documents through /projects/{pid}/import: every format, exact text and offsets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from research.jobs import Job, JobStatus
from research.participants import Participant
from research.sources import Source, SourceFile, SpeakerMapping
from research.staging import StagedUpload
from tests.conftest import Auth, make_member, make_project, make_user
from tests.unit.research.conftest import build_docx, build_odt, build_pdf
from tests.web.ingest_support import Setup, logged_in_project

INTERVIEW = (
    "Intervju med Åsa, 12 mars\n\n"
    "I: Hur hittade du bostaden?\n"
    "Åsa: Jag letade på nätet i flera månader.\n"
    "I: Och banken?\n"
    "Åsa: Banken var snabb med lånelöftet.\n"
)


@pytest.fixture
def setup(client: FlaskClient, auth: Auth, session: Session) -> Setup:
    return logged_in_project(client, auth, session)


def segment_texts(source: Source) -> list[tuple[str | None, str]]:
    return [(s.speaker, source.text[s.start:s.end]) for s in source.segments]


def test_a_transcript_imports_with_turns_speakers_language_and_the_original_file(setup: Setup) -> None:
    [result] = setup.results(("asa.txt", INTERVIEW.encode("utf-8")))
    assert result["status"] == "imported" and result["name"] == "asa.txt"
    assert result["speakers"] == ["I", "Åsa"] and result["segments"] == 5 and result["language"] == "sv"
    [source] = setup.sources()
    assert source.text == INTERVIEW.rstrip("\n") + "\n" or source.text == INTERVIEW
    assert segment_texts(source) == [
        (None, "Intervju med Åsa, 12 mars"),
        ("I", "Hur hittade du bostaden?"),
        ("Åsa", "Jag letade på nätet i flera månader."),
        ("I", "Och banken?"),
        ("Åsa", "Banken var snabb med lånelöftet."),
    ]
    assert [(s.start, s.end) for s in source.segments][:2] == [(0, 25), (30, 54)]
    assert (source.kind.value, source.language, source.original_name, source.media_type) == (
        "interview", "sv", "asa.txt", "text/plain")
    assert setup.session.get(SourceFile, source.id).data == INTERVIEW.encode("utf-8")
    labels = setup.session.scalars(select(SpeakerMapping.label).where(SpeakerMapping.source_id == source.id))
    assert sorted(labels) == ["I", "Åsa"]


def test_a_latin1_text_with_crlf_is_decoded_and_normalised(setup: Setup) -> None:
    [result] = setup.results(("gammal.txt", "Första raden\r\nAndra raden – slut\r\n".encode("cp1252")))
    assert result["status"] == "imported"
    [source] = setup.sources()
    assert source.text == "Första raden\nAndra raden – slut\n"
    assert source.encoding == "cp1252"
    assert segment_texts(source) == [(None, "Första raden"), (None, "Andra raden – slut")]


def test_a_docx_imports_its_paragraphs_with_exact_offsets(setup: Setup) -> None:
    [result] = setup.results(("mote.docx", build_docx(["Första stycket.", "", "Andra stycket med ö."])))
    assert result["status"] == "imported", result
    [source] = setup.sources()
    assert source.text == "Första stycket.\n\nAndra stycket med ö."
    assert [(s.start, s.end) for s in source.segments] == [(0, 15), (17, 37)]


def test_an_odt_imports_its_paragraphs(setup: Setup) -> None:
    [result] = setup.results(("notes.odt", build_odt("<text:p>One.</text:p><text:p>Two æøå.</text:p>")))
    assert result["status"] == "imported", result
    [source] = setup.sources()
    assert segment_texts(source) == [(None, "One."), (None, "Two æøå.")]


def test_rtf_html_markdown_vtt_and_srt_import_with_their_text(setup: Setup) -> None:
    files = [
        ("brev.rtf", rb"{\rtf1\ansi Hej p\'e5 dig.\par Andra raden.\par}"),
        ("sida.html", b"<html><head><style>p{}</style><script>alert(1)</script></head>"
                      b"<body><p>Hej</p><p>V&auml;rlden</p></body></html>"),
        ("anteckning.md", "# Rubrik\n\nText här.\n".encode()),
        ("samtal.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Anna>Hej hej\n\n"
                       b"00:00:05.500 --> 00:00:07.000\n<v Bo>Tjena\n"),
        ("samtal.srt", b"1\n00:00:01,000 --> 00:00:02,000\nAnna: Hej\n\n2\n00:00:03,000 --> 00:00:04,000\nBo: Ja\n"),
    ]
    results = setup.results(*files)
    assert [r["status"] for r in results] == ["imported"] * 5, results
    rtf, html, md, vtt, srt = setup.sources()
    assert rtf.text == "Hej på dig.\n\nAndra raden."
    assert html.text == "Hej\n\nVärlden" and "alert" not in html.text
    assert md.text == "# Rubrik\n\nText här.\n"
    assert vtt.text == "Anna: Hej hej\n\nBo: Tjena"
    assert [(s.speaker, s.timestamp_ms, s.start, s.end) for s in vtt.segments] == [
        ("Anna", 1000, 6, 13), ("Bo", 5500, 19, 24)]
    assert [(s.speaker, s.timestamp_ms, srt.text[s.start:s.end]) for s in srt.segments] == [
        ("Anna", 1000, "Hej"), ("Bo", 3000, "Ja")]


def test_a_pdf_imports_its_text_layer(setup: Setup) -> None:
    [result] = setup.results(("rapport.pdf", build_pdf(["Kunden ringde banken.", "Sedan mejlade hon."])))
    assert result["status"] == "imported", result
    [source] = setup.sources()
    assert "Kunden ringde banken." in source.text and "Sedan mejlade hon." in source.text
    assert all(source.text[s.start:s.end].strip() == source.text[s.start:s.end] for s in source.segments)


def test_the_same_file_twice_is_reported_as_a_duplicate_and_stored_once(setup: Setup) -> None:
    data = INTERVIEW.encode()
    first, second = setup.results(("a.txt", data), ("b.txt", data))
    assert first["status"] == "imported"
    assert second["status"] == "duplicate" and "b.txt" in second["reason"] and "'a'" in second["reason"]
    assert len(setup.sources()) == 1


def test_an_observation_keeps_its_date_place_observer_and_context(setup: Setup) -> None:
    [result] = setup.results(("filial.txt", "Kunden väntade i kön i tjugo minuter.".encode()),
                             kind="observation",
                             date="2024-03-12", place="Filialen i Umeå", observer="Lisa", context="Lunchrusning")
    assert result["status"] == "imported"
    [source] = setup.sources()
    assert source.kind.value == "observation"
    assert source.details == {"date": "2024-03-12", "place": "Filialen i Umeå", "observer": "Lisa",
                              "context": "Lunchrusning"}


def test_an_observation_with_an_impossible_date_is_refused_with_a_reason(setup: Setup) -> None:
    response = setup.upload(("filial.txt", b"Text."), kind="observation", date="2024-13-45")
    assert response.status_code == 400
    assert "2024-13-45" in response.get_json()["detail"]
    assert setup.sources() == []


def test_without_javascript_the_form_renders_a_result_per_file(setup: Setup) -> None:
    response = setup.upload(("ok.txt", b"Hej."), ("bad.exe", b"MZ\x90"), json=False)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "ok.txt" in page and "imported" in page
    assert "bad.exe" in page and "rejected" in page and "cannot be imported" in page


def test_a_large_file_is_imported_by_a_background_job(setup: Setup, app) -> None:  # type: ignore[no-untyped-def]
    app.config["KUNDSTIG_INGEST_JOB_BYTES"] = 100
    body = ("I: Fråga?\nAnna: Svar som är långt nog.\n" * 10).encode()
    [queued, small] = setup.results(("stor.txt", body), ("liten.txt", b"Kort."))
    assert queued["status"] == "queued" and queued["job_id"] and queued["job_url"].endswith(f"/jobs/{queued['job_id']}")
    assert small["status"] == "imported"
    setup.session.rollback()
    job = setup.session.get(Job, queued["job_id"])
    assert job.kind == "ingest.document" and job.status is JobStatus.DONE, job.error
    assert job.result["status"] == "imported" and job.result["speakers"] == ["I", "Anna"]
    assert job.result["segments"] == 20
    assert setup.session.scalars(select(StagedUpload)).all() == []
    assert {s.name for s in setup.sources()} == {"stor", "liten"}


def test_a_rejected_large_file_fails_its_job_softly_and_stores_nothing(setup: Setup, app) -> None:  # type: ignore[no-untyped-def]
    app.config["KUNDSTIG_INGEST_JOB_BYTES"] = 10
    [queued] = setup.results(("trasig.docx", b"PK\x03\x04 this is not a real zip archive"))
    setup.session.rollback()
    job = setup.session.get(Job, queued["job_id"])
    assert job.result["status"] == "rejected" and job.result["reason"].startswith("trasig.docx: ")
    assert setup.sources() == [] and setup.session.scalars(select(StagedUpload)).all() == []


def test_detected_speakers_are_mapped_to_participants_and_the_interviewer(setup: Setup) -> None:
    [result] = setup.results(("asa.txt", INTERVIEW.encode()))
    source_id = result["source_ids"][0]
    page = setup.client.get(f"/projects/{setup.project.id}/import/sources/{source_id}/speakers")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Åsa" in html and 'value="interviewer" selected' in html
    response = setup.client.post(f"/projects/{setup.project.id}/import/sources/{source_id}/speakers", data={
        "csrf_token": setup.token, "choice-0": "interviewer", "choice-1": "new", "name-1": "Åsa Berg"})
    assert response.status_code == 302
    setup.session.rollback()
    source = setup.session.get(Source, source_id)
    participant = setup.session.scalar(select(Participant).where(Participant.project_id == setup.project.id))
    assert participant.name == "Åsa Berg" and source.participant_id == participant.id
    turns = {s.speaker: s.participant_id for s in source.segments if s.speaker}
    assert turns == {"I": None, "Åsa": participant.id}
    mapping = {m.label: (m.participant_id, m.is_interviewer) for m in setup.session.scalars(
        select(SpeakerMapping).where(SpeakerMapping.source_id == source_id))}
    assert mapping == {"I": (None, True), "Åsa": (participant.id, False)}


def test_a_group_interview_maps_two_participants_and_keeps_the_source_unowned(setup: Setup) -> None:
    text = "I: Hej båda.\nAnna: Hej.\nBo: Tjena.\nAnna: Vi köpte i fjol.\n"
    [result] = setup.results(("grupp.txt", text.encode()))
    source_id = result["source_ids"][0]
    setup.client.post(f"/projects/{setup.project.id}/import/sources/{source_id}/speakers", data={
        "csrf_token": setup.token, "choice-0": "interviewer", "choice-1": "new", "name-1": "Anna",
        "choice-2": "new", "name-2": "Bo"})
    setup.session.rollback()
    source = setup.session.get(Source, source_id)
    assert source.participant_id is None
    assert len({s.participant_id for s in source.segments if s.speaker in ("Anna", "Bo")}) == 2


def test_viewers_cannot_open_the_upload_page(client: FlaskClient, auth: Auth, session: Session) -> None:
    owner = make_user(session)
    project = make_project(session, owner)
    from research.projects import Role

    make_member(session, project, "viewer@example.org", Role.VIEWER)
    auth.login("viewer@example.org")
    assert client.get(f"/projects/{project.id}/import").status_code == 403


@pytest.mark.skipif(not os.environ.get("KUNDSTIG_CORPUS"), reason="KUNDSTIG_CORPUS is not set")
def test_every_document_of_the_qualcoder_examples_imports_through_the_upload_route(setup: Setup) -> None:
    folder = Path(os.environ["KUNDSTIG_CORPUS"]) / "qualcoder_examples"
    names = ["transcript.txt", "ID1.docx", "ID2.odt", "project_memo.txt", "NOTES.txt", "stopwords.txt",
             "plain_codes_categories_for_import.txt"]
    results = setup.results(*[(name, (folder / name).read_bytes()) for name in names])
    assert {r["name"]: r["status"] for r in results} == dict.fromkeys(names, "imported")
    by_name = {s.original_name: s for s in setup.sources()}
    transcript = by_name["transcript.txt"]
    assert [s.speaker for s in transcript.segments] == ["id1", "id2", "id3", "id1", "id3", "id1", "id2"]
    assert transcript.segments[0].start == 6
    assert [(s.start, s.end) for s in by_name["ID1.docx"].segments] == [(0, 204), (206, 365), (367, 629)]
    assert by_name["ID1.docx"].text.endswith("I'm happy to pay €200.")
    assert len(by_name["ID2.odt"].segments) == 3


