"""Property tests and brief fuzzing of the text pipeline and every importer.

Importers must either produce a valid document or raise IngestError (a clear
message) for any bytes at all: never another exception, never a span outside
the text. `make fuzz` runs the same properties with many more examples.
"""

from __future__ import annotations

import io
import zipfile

from hypothesis import given
from hypothesis import strategies as st

from research.errors import IngestError
from research.parsers import parse_file
from research.segmenting import segment
from research.tables import read_table
from research.text import decode, normalise
from tests.fuzz.budget import FUZZ

NORDIC = st.text(alphabet=st.sampled_from(list("abcåäöøæ ÅÄÖØÆ\n\r\t:[]0123456789.!?-–🏠é\u0301IRQA")), max_size=400)
EXTENSIONS = ["txt", "md", "docx", "odt", "rtf", "html", "pdf", "vtt", "srt"]


def _check_document(name: str, data: bytes) -> None:
    try:
        document = parse_file(name, data)
    except IngestError as error:
        assert str(error).startswith(f"{name}: ")
        return
    assert document.text == normalise(document.text)
    previous_end = 0
    for span in document.spans:
        assert previous_end <= span.start < span.end <= len(document.text)
        previous_end = span.end


@FUZZ
@given(st.text(max_size=500))
def test_normalising_is_idempotent_and_leaves_no_carriage_returns(text):
    once = normalise(text)
    assert normalise(once) == once and "\r" not in once


@FUZZ
@given(NORDIC)
def test_segments_are_ordered_non_empty_trimmed_and_inside_the_text(raw):
    text = normalise(raw)
    spans = segment(text)
    previous_end = 0
    for span in spans:
        assert previous_end <= span.start < span.end <= len(text)
        piece = text[span.start:span.end]
        assert piece == piece.strip() and piece
        previous_end = span.end


@FUZZ
@given(NORDIC)
def test_utf8_text_decodes_back_to_itself_without_a_warning(raw):
    decoded = decode(raw.encode("utf-8"))
    assert decoded.text == raw and decoded.encoding.replace("-", "").lower().startswith("utf8")


@FUZZ
@given(st.sampled_from(EXTENSIONS), st.binary(max_size=2000))
def test_any_bytes_with_any_extension_import_or_are_refused_clearly(extension, data):
    _check_document(f"upload.{extension}", data)


@FUZZ
@given(st.sampled_from(["docx", "odt"]), st.dictionaries(st.sampled_from(
    ["word/document.xml", "content.xml", "[Content_Types].xml", "mimetype", "META-INF/manifest.xml", "x/../y"]),
    st.binary(max_size=300), max_size=5))
def test_zip_based_documents_with_random_entries_are_refused_clearly(extension, entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    _check_document(f"upload.{extension}", buffer.getvalue())


@FUZZ
@given(st.binary(max_size=3000) | NORDIC.map(lambda t: t.replace("\t", ",").encode("utf-8")))
def test_any_csv_reads_as_a_rectangular_table_or_is_refused_clearly(data):
    try:
        table = read_table("answers.csv", data)
    except IngestError as error:
        assert str(error).startswith("answers.csv: ")
        return
    assert all(len(row) == len(table.columns) for row in table.rows)
