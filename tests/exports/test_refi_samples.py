"""Real REFI-QDA files from other programs (the shared samples) and their vendor quirks.

Counts were checked by hand against the XML of each sample."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from coding.codebook import Code, code_paths
from coding.codings import Coding
from coding.memos import Memo
from exports.refi.importer import ImportResult, import_file
from research.db import transaction
from research.participants import AttributeDef, Participant, attributes_of
from research.sources import Source
from tests.conftest import make_user
from tests.exports.conftest import needs_corpus, refi_folder


def run_import(session, name: str, data: bytes | None = None) -> ImportResult:
    owner = make_user(session, email="importer@example.org")
    payload = data if data is not None else (refi_folder() / "samples" / name).read_bytes()
    with transaction(session):
        return import_file(session, name, payload, owner_id=owner.id)


def paths(session, project_id: int) -> set[str]:
    return set(code_paths(list(session.scalars(select(Code).where(Code.project_id == project_id)))).values())


@needs_corpus
def test_an_empty_atlas_ti_23_project_imports_as_an_empty_project(session):
    result = run_import(session, "atlasti23_blank.qdpx")
    assert result.counts == {"codes": 0, "sources": 0, "participants": 0, "attributes": 0, "codings": 0, "memos": 0}
    assert result.report.is_empty


@needs_corpus
def test_an_atlas_ti_23_codebook_keeps_its_two_level_hierarchy(session):
    result = run_import(session, "atlasti23_codebook.qdpx")
    assert result.counts["codes"] == 3
    assert paths(session, result.project_id) == {"Commits", "Commits / 2022-05-10T02:05:59Z 19e4dce",
                                                 "Commits / 2022-02-11T10:39:25Z cdbfd92"}


@needs_corpus
@pytest.mark.parametrize("name", ["atlasti_standard_project.qde", "skyloom_TestProject.qdpx"])
def test_the_atlas_ti_standard_project_imports_its_codebook_and_notes_and_reports_the_rest(session, name):
    result = run_import(session, name)
    assert result.counts == {"codes": 14, "sources": 0, "participants": 0, "attributes": 0, "codings": 0, "memos": 2}
    found = paths(session, result.project_id)
    assert {"Coke", "Coke / full-fat Coke", "Coke / diet Coke", "happiness"} <= found and len(found) == 14
    report = result.report
    assert report.lost_count("codings") == 16
    assert report.lost_count("sets (groups of codes or sources)") == 16
    assert report.lost_count("graphs (network views)") == 1
    assert report.lost_count("links between objects") == 1
    assert report.lost_count("picture sources") == 1
    assert report.lost_count("selections of PDF areas") == 4
    assert report.lost_count("time selections in video") == 2
    missing = [i for i in report.lost.values() if i.what.startswith("text sources whose file")]
    assert len(missing) == 1 and missing[0].count == 6
    assert report.adjusted_count("code names containing '::' split into a hierarchy") == 2
    memos = session.scalars(select(Memo.text).where(Memo.project_id == result.project_id)).all()
    assert len(memos) == 2


@needs_corpus
def test_the_hand_authored_project_keeps_its_case_variables_and_pdf_text(session):
    result = run_import(session, "hand_authored_project.qde")
    assert result.counts == {"codes": 4, "sources": 1, "participants": 1, "attributes": 2, "codings": 0, "memos": 1}
    project_id = result.project_id
    assert paths(session, project_id) == {"Topics", "Topics / Health", "Topics / Health / Diet", "Topics / Wellbeing"}
    folder = session.scalar(select(Code).where(Code.project_id == project_id, Code.name == "Topics"))
    assert folder is not None and folder.is_folder
    participant = session.scalar(select(Participant).where(Participant.project_id == project_id))
    assert participant is not None and participant.name == "Participant 1"
    assert attributes_of(participant) == {"Age": "34", "Consented": "true"}
    types = dict((n, t) for n, t in session.execute(select(AttributeDef.name, AttributeDef.type)
                                 .where(AttributeDef.project_id == project_id)).all())
    assert types == {"Age": "number", "Consented": "boolean"}
    source = session.scalar(select(Source).where(Source.project_id == project_id))
    assert source is not None and source.text == "Notes about diet and health from the document."
    assert result.report.lost_count("codings") == 7
    assert result.report.lost_count("codes applied to whole cases") == 1
    assert result.report.lost_count("picture sources") == 1


@needs_corpus
def test_the_nvivo_for_mac_project_imports_every_code_and_reports_its_empty_sources(session):
    result = run_import(session, "nvivo15_mac_project.qdpx")
    assert result.counts["codes"] == 262 and result.counts["sources"] == 0
    assert result.report.lost_count("sources without any text") == 2
    assert result.report.adjusted_count("hidden files in the sources folder ignored") == 1
    roots = session.scalars(select(Code.name).where(Code.project_id == result.project_id,
                                                   Code.parent_id.is_(None))).all()
    assert len(roots) == 3


@needs_corpus
def test_a_codebook_with_ids_that_are_not_guids_gets_fresh_guids(session):
    result = run_import(session, "openqda_example_codebook_nonguid.qdc")
    assert result.counts["codes"] == 44
    assert result.report.adjusted_count("ids that are not GUIDs replaced by new GUIDs") == 44
    found = paths(session, result.project_id)
    assert "Negativ/Aufgeregt / Rage" in found and "Positiv/Ruhig / Serenity" in found


@needs_corpus
def test_a_taguette_codebook_with_empty_sets_imports_and_rebuilds_the_hierarchy(session):
    result = run_import(session, "taguette_codebook_invalid_empty_sets.qdc")
    assert result.counts["codes"] == 3
    assert paths(session, result.project_id) == {"interesting", "people", "interesting / places"}
    assert result.report.lost == {}


def quirky_qdpx(origin: str, text: bytes, start: int, end: int) -> bytes:
    """A project as some programs write it: Project.qde, Sources/, a bare file name, CRLF text."""
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Quirks" origin="{origin}" basePath="C:\\Users\\someone">
 <CodeBook><Codes><Code guid="{{0E1D2C3B-4A59-6877-8695-A4B3C2D1E0F9}}" name="Tid" isCodable="true"/></Codes></CodeBook>
 <Sources><TextSource guid="11111111-2222-3333-4444-555555555555" name="Intervju" plainTextPath="board_2017.txt">
  <PlainTextSelection guid="66666666-7777-8888-9999-000000000000" startPosition="{start}" endPosition="{end}">
   <Coding guid="abcdefab-cdef-abcd-efab-cdefabcdefab">
    <CodeRef targetGUID="0E1D2C3B-4A59-6877-8695-A4B3C2D1E0F9"/></Coding>
  </PlainTextSelection></TextSource></Sources>
</Project>"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Project.qde", qde.encode())
        archive.writestr("Sources/board_2017.txt", text)
    return buffer.getvalue()


@pytest.mark.parametrize(("origin", "start", "end"), [("QualCoder 3.5", 12, 16), ("ATLAS.ti 9", 11, 15)])
def test_crlf_texts_are_normalised_and_offsets_follow_whether_crlf_counts_as_one_or_two(session, origin, start, end):
    text = "Första rad\r\nåtta ord här\r\n".encode()
    result = run_import(session, "quirks.qdpx", quirky_qdpx(origin, text, start, end))
    source = session.scalar(select(Source).where(Source.project_id == result.project_id))
    coding = session.scalar(select(Coding).where(Coding.project_id == result.project_id))
    assert source is not None and coding is not None
    assert source.text == "Första rad\nåtta ord här\n"
    assert source.text[coding.start:coding.end] == "åtta"
    assert coding.guid == "abcdefab-cdef-abcd-efab-cdefabcdefab"
    code = session.get(Code, coding.code_id)
    assert code is not None and code.guid == "0e1d2c3b-4a59-6877-8695-a4b3c2d1e0f9"


def test_a_selection_running_past_the_text_is_cut_and_reported(session):
    result = run_import(session, "quirks.qdpx", quirky_qdpx("Tool", b"kort text", 5, 40))
    coding = session.scalar(select(Coding).where(Coding.project_id == result.project_id))
    assert coding is not None and (coding.start, coding.end) == (5, 9)
    assert result.report.adjusted_count("selections running past the end of their text, cut at the end") == 1
