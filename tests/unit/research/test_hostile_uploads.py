import io
from collections.abc import Callable

import pytest

from research.archives import open_safe_zip
from research.errors import IngestError
from research.parsers import PdfLimits, parse_file
from research.tables import read_table
from tests.hostile_files import docx_with, zip_of


def test_the_minimal_docx_used_below_is_itself_accepted() -> None:
    assert parse_file("ok.docx", docx_with({})).text == "Hej"


def test_a_pdf_named_docx_is_refused_naming_the_file_and_what_it_is(
    make_pdf: Callable[[list[str]], bytes],
) -> None:
    with pytest.raises(IngestError) as caught:
        parse_file("rapport.docx", make_pdf(["Hej"]))
    message = str(caught.value)
    assert message.startswith("rapport.docx: ")
    assert "Word document (.docx)" in message and "a PDF document" in message


def test_a_docx_named_txt_is_refused(make_docx: Callable[..., bytes]) -> None:
    with pytest.raises(IngestError, match=r"^notes\.txt: .*a Word document \(\.docx\)"):
        parse_file("notes.txt", make_docx(["Hej"]))


def test_an_image_named_pdf_is_refused() -> None:
    with pytest.raises(IngestError, match="a PNG image"):
        parse_file("scan.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)


def test_an_encrypted_office_file_is_refused_with_a_hint_about_passwords() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    with pytest.raises(IngestError, match="password-protected"):
        parse_file("hemlig.docx", ole)
    with pytest.raises(IngestError, match="password-protected"):
        read_table("hemlig.xlsx", ole)


def test_a_truncated_docx_is_refused_as_damaged(make_docx: Callable[..., bytes]) -> None:
    data = make_docx(["Hej"])
    with pytest.raises(IngestError, match="damaged"):
        parse_file("trasig.docx", data[: len(data) // 2])


def test_a_docx_with_malformed_xml_is_refused_as_damaged() -> None:
    with pytest.raises(IngestError, match="not well-formed XML"):
        parse_file("trasig.docx", docx_with({"word/document.xml": b"<w:document><w:body>"}))


def test_a_docx_with_an_entity_expansion_bomb_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]><w:document>&lol2;</w:document>'
    )
    with pytest.raises(IngestError, match="refused for safety"):
        parse_file("lol.docx", docx_with({"word/document.xml": bomb}))


def test_a_zip_bomb_is_refused_by_its_expansion_ratio_before_parsing() -> None:
    with pytest.raises(IngestError, match="zip bomb"):
        parse_file("bomb.docx", docx_with({"word/media/pad.bin": b"\x00" * 20_000_000}))


def test_a_zip_bomb_is_refused_by_its_total_size() -> None:
    data = zip_of({f"part{n}.xml": b"a" * 1000 for n in range(5)})
    with pytest.raises(IngestError, match="unpack to more than"):
        open_safe_zip(data, max_total=4000)


def test_a_zip_with_too_many_entries_is_refused() -> None:
    data = zip_of({f"part{n}.xml": b"" for n in range(11)})
    with pytest.raises(IngestError, match="11 files inside"):
        open_safe_zip(data, max_entries=10)


@pytest.mark.parametrize("name", ["../evil.xml", "word/../../evil.xml", "..\\evil.xml"])
def test_a_zip_entry_that_climbs_out_with_dot_dot_is_refused(name: str) -> None:
    with pytest.raises(IngestError, match="leaves the archive"):
        parse_file("trick.docx", docx_with({name: b"x"}))


@pytest.mark.parametrize("name", ["/etc/evil.xml", "C:/evil.xml"])
def test_a_zip_entry_with_an_absolute_path_is_refused(name: str) -> None:
    with pytest.raises(IngestError, match="absolute path"):
        parse_file("trick.docx", docx_with({name: b"x"}))


def test_a_zip_entry_that_is_a_symbolic_link_is_refused() -> None:
    with pytest.raises(IngestError, match="symbolic link"):
        parse_file("trick.docx", docx_with({}, symlink="word/link.xml"))


def test_a_path_trick_inside_an_xlsx_is_refused_before_openpyxl_reads_it() -> None:
    data = zip_of({"xl/workbook.xml": b"<workbook/>", "../evil.xml": b"x"})
    with pytest.raises(IngestError, match=r"^data\.xlsx: .*leaves the archive"):
        read_table("data.xlsx", data)


def test_a_pdf_that_takes_too_long_is_stopped_by_the_time_limit(
    make_pdf: Callable[[list[str]], bytes],
) -> None:
    with pytest.raises(IngestError, match="longer than 0.01 seconds"):
        parse_file("seg.pdf", make_pdf(["Hej"]), pdf_limits=PdfLimits(seconds=0.01))


def test_a_pdf_that_needs_too_much_memory_is_stopped_by_the_memory_limit(
    make_pdf: Callable[[list[str]], bytes],
) -> None:
    with pytest.raises(IngestError, match="memory"):
        parse_file("stor.pdf", make_pdf(["Hej"]), pdf_limits=PdfLimits(memory_bytes=16 << 20))


def test_an_encrypted_pdf_is_refused_with_a_hint_about_passwords(
    make_pdf: Callable[[list[str]], bytes],
) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Hemligt"]))))
    writer.encrypt("hemligt", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(IngestError, match="password-protected"):
        parse_file("hemlig.pdf", buffer.getvalue())


def test_a_corrupt_pdf_is_refused_as_damaged(make_pdf: Callable[[list[str]], bytes]) -> None:
    with pytest.raises(IngestError, match="damaged"):
        parse_file("trasig.pdf", make_pdf(["Hej"])[:120])


def test_a_ragged_csv_row_is_refused_naming_its_line() -> None:
    data = b'id,svar\n1,"bra"\n\n2,"ok",extra\n'
    with pytest.raises(IngestError, match=r"^enkat\.csv: Line 4 has 3 values but the header"):
        read_table("enkat.csv", data)


def test_an_unclosed_quote_in_a_csv_is_refused_naming_its_line() -> None:
    with pytest.raises(IngestError, match=r"Line 3 cannot be read as CSV"):
        read_table("enkat.csv", b'id,svar\n1,"bra"\n2,"inte st\xc3\xa4ngd\n3,ok\n')


def test_binary_data_named_txt_is_refused() -> None:
    with pytest.raises(IngestError, match=r"^data\.txt: .*binary data"):
        parse_file("data.txt", bytes(range(256)) * 8)


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(IngestError, match=r"^tom\.txt: The file is empty\."):
        parse_file("tom.txt", b"")


def test_a_file_of_an_unsupported_type_is_refused_listing_the_supported_ones() -> None:
    with pytest.raises(IngestError, match=r"'\.exe' cannot be imported.*\.docx"):
        parse_file("virus.exe", b"MZ\x90\x00")


def test_a_spreadsheet_given_as_a_document_points_to_the_survey_import() -> None:
    with pytest.raises(IngestError, match="survey or as a participant list"):
        parse_file("enkat.csv", b"a,b\n1,2\n")
