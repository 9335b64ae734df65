"""The shared development corpus imports with the values checked by hand."""

import os
import re
from pathlib import Path

import pytest

from research.errors import IngestError
from research.language import detect_language
from research.parsers import parse_file
from research.segmenting import speakers
from research.tables import infer_type, read_table

pytestmark = pytest.mark.skipif(not os.environ.get("KUNDSTIG_CORPUS"), reason="KUNDSTIG_CORPUS is not set")


def corpus(relative: str) -> bytes:
    return (Path(os.environ["KUNDSTIG_CORPUS"]) / relative).read_bytes()


def test_the_qualcoder_transcript_has_seven_turns_of_three_speakers() -> None:
    document = parse_file("transcript.txt", corpus("qualcoder_examples/transcript.txt"))
    assert [span.kind for span in document.spans] == ["turn"] * 7
    assert speakers(document.spans) == ["id1", "id2", "id3"]
    assert [span.speaker for span in document.spans] == [
        "id1", "id2", "id3", "id1", "id3", "id1", "id2",
    ]  # fmt: skip
    first, last = document.spans[0], document.spans[-1]
    assert document.text[first.start : first.end].startswith("hello, I like the course.")
    assert (first.start, document.text[last.start : last.end]) == (
        6,
        "Hmm, I will ask the tutor for more help as I am really struggling.",
    )
    assert detect_language(document.text) == "en"


def test_id1_docx_has_three_paragraphs_ending_in_a_euro_amount() -> None:
    document = parse_file("ID1.docx", corpus("qualcoder_examples/ID1.docx"))
    assert len(document.text) == 629
    assert [(span.start, span.end) for span in document.spans] == [
        (0, 204),
        (206, 365),
        (367, 629),
    ]
    assert document.text.startswith("I really like learning new things.")
    assert document.text.endswith("I'm happy to pay €200.")


def test_id2_odt_has_three_paragraphs_with_the_spans_of_its_styles_joined() -> None:
    document = parse_file("ID2.odt", corpus("qualcoder_examples/ID2.odt"))
    assert [document.text[span.start : span.end] for span in document.spans] == [
        "I have not studied much before, but my father Joe Bloggs really encouraged me to "
        "study again. I know that I must get help as I have struggled understanding the "
        "lecture slides so far and searching the web did not help.",
        "I really want someone to sit down with me and explain the course material.",
        "The course cost €200.00 and I do not want to waste my money.",
    ]


def test_survey456_csv_has_three_respondents_and_a_free_text_column() -> None:
    table = read_table("survey456.csv", corpus("qualcoder_examples/survey456.csv"))
    assert table.columns == ["Case", "Age", "Gender", "Interest", "freetext"]
    assert [row[:4] for row in table.rows] == [
        ["ID4", "24", "f", "shopping"],
        ["ID5", None, "m", "golf"],
        ["ID6", "67", "m", "gardening"],
    ]
    assert table.rows[2][4] == (
        "I did not enrol in any studies, even though I am retired. Currently, I am mainly "
        "enjoying being away from work and doing my gardening."
    )
    assert [infer_type(column) for column in zip(*table.rows, strict=True)] == [
        "text", "number", "choice", "text", "text",
    ]  # fmt: skip


def test_survey789_xlsx_has_two_open_questions() -> None:
    table = read_table("survey789.xlsx", corpus("qualcoder_examples/survey789.xlsx"))
    assert table.columns == [
        "Case", "Age", "Gender", "Interest", "Qual_hobby_opinions", "Qual_pet_opinions",
    ]  # fmt: skip
    assert [row[:4] for row in table.rows] == [
        ["ID7", "33", "m", "surveys"],
        ["ID8", None, "f", "television"],
        ["ID9", "55", "f", "economics"],
    ]
    assert table.rows[1][4:] == [
        "I like tv programs, and my favourites are morning shows and the news",
        "A fish",
    ]


def test_cases123_csv_and_cases456_xlsx_hold_participant_attributes() -> None:
    csv_table = read_table("cases123.csv", corpus("qualcoder_examples/cases123.csv"))
    assert csv_table.columns == ["case", "Age", "gender", "interest"]
    assert csv_table.rows == [
        ["ID1", "20", "f", "science"],
        ["ID2", "22", "m", "performing arts"],
        ["ID3", "45", "f", "politics"],
    ]
    xlsx_table = read_table("cases456.xlsx", corpus("qualcoder_examples/cases456.xlsx"))
    assert xlsx_table.columns == ["case", "Age", "gender", "interest"]
    assert xlsx_table.rows == [
        ["ID4", "56", "f", "netball"],
        ["ID5", "73", "m", "gardening"],
        ["ID6", "29", "m", "soccer"],
    ]


def test_the_nhs_survey_reads_as_a_table_of_2812_answers() -> None:
    table = read_table("nhs_fft_NHFT.csv", corpus("nhs_fft_dev/nhs_fft_NHFT.csv"))
    assert len(table.rows) == 2812
    assert len(table.columns) == 61
    assert table.columns[:9] == [
        "Comment ID", "Trust", "Respondent ID", "Date", "Service type 1", "Service type 2",
        "FFT categorical answer", "FFT question", "FFT answer",
    ]  # fmt: skip
    assert table.rows[0][:4] == ["NHFT 45 - Q1", "NHFT", "NHFT 45", "02/06/2021"]
    assert (table.rows[0][8] or "").startswith("The stroke team should have been engaged")
    column = table.columns.index("Date")
    assert infer_type(row[column] for row in table.rows) == "date"
    # The export itself contains UTF-8 read as Windows-1252 (e.g. "Iâ€™ve"): flagged.
    assert len(table.warnings) == 1 and "double-encoded" in table.warnings[0]


def _qualcoder_files() -> list[str]:
    folder = Path(os.environ.get("KUNDSTIG_CORPUS", ".")) / "qualcoder_examples"
    return sorted(path.name for path in folder.glob("*")) if folder.is_dir() else []


@pytest.mark.parametrize("name", _qualcoder_files())
def test_every_qualcoder_example_file_imports_or_is_refused_with_its_name(name: str) -> None:
    """Documents and text files come in with text; tables read with rows; the two formats
    that are not research material (RIS bibliography, LaTeX) are refused, naming the file."""
    data = corpus(f"qualcoder_examples/{name}")
    suffix = Path(name).suffix
    if suffix in (".csv", ".xlsx"):
        table = read_table(name, data)
        assert table.rows and len(table.columns) >= 2
        assert all(len(row) == len(table.columns) for row in table.rows)
    elif suffix in (".ris", ".tex"):
        with pytest.raises(IngestError, match=f"^{re.escape(name)}: "):
            parse_file(name, data)
    else:
        document = parse_file(name, data)
        assert document.text.strip() and document.spans
        assert all(document.text[s.start:s.end].strip() for s in document.spans)
