"""REFI-QDA export: valid against the schemas, exact offsets, stable GUIDs, no empty containers."""

from __future__ import annotations

import io
import zipfile
from xml.etree.ElementTree import fromstring

import pytest
from sqlalchemy import select

from coding.codebook import Code
from coding.codings import Coding
from coding.kinds import CodeKind
from exports.refi.model import split_marker
from research.errors import NotFound
from research.sources import Source
from tests.conftest import make_project, make_user
from tests.exports.conftest import project_xml, qdc_bytes, qdpx_bytes, schema_errors

NS = "{urn:QDA-XML:project:1.0}"
CONTAINERS = {"Users", "CodeBook", "Codes", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs"}


def test_the_demo_project_exports_as_a_qdpx_that_validates_against_project_xsd(session, demo):
    qdpx = qdpx_bytes(session, demo[1])
    assert schema_errors(project_xml(qdpx), "Project.xsd") == []


def test_the_demo_codebook_exports_as_a_qdc_that_validates_against_codebook_xsd(session, demo):
    assert schema_errors(qdc_bytes(session, demo[1]), "Codebook.xsd") == []


def test_no_export_holds_an_empty_container(session, demo):
    for document in (project_xml(qdpx_bytes(session, demo[1])), qdc_bytes(session, demo[1])):
        for element in fromstring(document).iter():
            if element.tag.rpartition("}")[2] in CONTAINERS:
                assert len(element) > 0, element.tag


def test_an_empty_project_exports_without_any_container_and_still_validates(session):
    owner = make_user(session)
    project = make_project(session, owner)
    document = project_xml(qdpx_bytes(session, project.id))
    assert schema_errors(document, "Project.xsd") == []
    root = fromstring(document)
    assert [c.tag.rpartition("}")[2] for c in root] == ["Description"]
    with pytest.raises(NotFound, match="no codes"):
        qdc_bytes(session, project.id)


def test_every_selection_points_at_its_exact_code_points_in_the_internal_utf8_text(session, demo):
    qdpx = qdpx_bytes(session, demo[1])
    codings = {c.guid: c for c in session.scalars(select(Coding).where(Coding.project_id == demo[1]))}
    with zipfile.ZipFile(io.BytesIO(qdpx)) as archive:
        root = fromstring(archive.read("project.qde"))
        seen = 0
        for source in root.iter(f"{NS}TextSource"):
            path = source.get("plainTextPath")
            assert path == f"internal://{source.get('guid')}.txt"
            text = archive.read(f"sources/{source.get('guid')}.txt").decode("utf-8")
            assert text == session.scalar(select(Source.text).where(Source.guid == source.get("guid")))
            for selection in source.iter(f"{NS}PlainTextSelection"):
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                for item in selection.iter(f"{NS}Coding"):
                    coding = codings[item.get("guid")]
                    assert (coding.start, coding.end) == (start, end)
                    seen += 1
                assert selection.get("name").rstrip("…") == text[start:end][: len(selection.get("name").rstrip("…"))]
    assert seen == len(codings) == 287


def test_folders_are_not_codable_and_kinds_and_definitions_travel_in_the_description(session, demo):
    root = fromstring(project_xml(qdpx_bytes(session, demo[1])))
    codes = {c.guid: c for c in session.scalars(select(Code).where(Code.project_id == demo[1]))}
    for element in root.iter(f"{NS}Code"):
        code = codes[element.get("guid")]
        assert element.get("isCodable") == ("false" if code.is_folder else "true")
        readable, data = split_marker(element.find(f"{NS}Description").text)
        assert data is not None and data["kind"] == code.kind.value
        assert f"Kind: {code.kind.label}" in readable
        if code.when_to_use:
            assert f"When to use: {code.when_to_use}" in readable
    sets = {s.get("name"): len(s) for s in root.iter(f"{NS}Set")}
    assert "Kind: Actor" in sets and any(name.startswith("Phase 1: ") for name in sets)
    assert all(count > 0 for count in sets.values())


def test_the_same_project_exports_byte_for_byte_the_same_archive(session, demo):
    assert qdpx_bytes(session, demo[1]) == qdpx_bytes(session, demo[1])
    assert qdc_bytes(session, demo[1]) == qdc_bytes(session, demo[1])


def test_the_export_writes_no_local_path_and_keeps_nordic_letters(session, demo):
    document = project_xml(qdpx_bytes(session, demo[1]))
    assert b"basePath" not in document
    assert "Vägen till nytt hem".encode() in document
    assert CodeKind.ACTOR.value.encode() in document
