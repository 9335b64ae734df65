from collections.abc import Callable

from research.parsers import ParsedDocument, parse_file
from research.segmenting import speakers


def texts(document: ParsedDocument) -> list[str]:
    return [document.text[span.start : span.end] for span in document.spans]


def test_a_utf8_text_file_with_crlf_bom_and_decomposed_letters_is_normalised() -> None:
    data = "\ufeffRubrik\r\n\r\nBla\u030abär 😀 smakar gott.\r\n".encode()
    document = parse_file("anteckning.txt", data)
    assert document.text == "Rubrik\n\nBlåbär 😀 smakar gott.\n"
    assert (document.media_type, document.encoding, document.warnings) == (
        "text/plain",
        "utf-8",
        [],
    )
    assert texts(document) == ["Rubrik", "Blåbär 😀 smakar gott."]
    assert (document.spans[1].start, document.spans[1].end) == (8, 29)


def test_a_windows_1252_transcript_becomes_turns_with_speakers() -> None:
    data = "Intervjuare: Hur var kön?\r\nØystein: Lång, så jäkla lång.\r\n".encode("cp1252")
    document = parse_file("intervju.TXT", data)
    assert document.encoding == "cp1252"
    assert speakers(document.spans) == ["Intervjuare", "Øystein"]
    assert texts(document) == ["Hur var kön?", "Lång, så jäkla lång."]


def test_a_double_encoded_text_file_is_imported_with_a_warning() -> None:
    data = "Det är så här.".encode().decode("cp1252").encode()
    document = parse_file("trasig.txt", data)
    assert document.text == "Det Ã¤r sÃ¥ hÃ¤r."
    assert len(document.warnings) == 1 and "double-encoded" in document.warnings[0]


def test_markdown_keeps_its_media_type() -> None:
    document = parse_file("memo.md", b"# Memo\n\nEtt *viktigt* fynd.")
    assert document.media_type == "text/markdown"
    assert texts(document) == ["# Memo", "Ett *viktigt* fynd."]


def test_a_docx_yields_paragraphs_and_table_rows_in_order(
    make_docx: Callable[..., bytes],
) -> None:
    data = make_docx(
        ["Intervjuare: Hur hittade du oss?", "", "Åsa: Via en vän 😀.", "Intervjuare: Tack."],
        table=[["Fas", "Kanal"], ["Köp", "Webb"]],
    )
    document = parse_file("intervju.docx", data)
    assert document.text == (
        "Intervjuare: Hur hittade du oss?\n\nÅsa: Via en vän 😀.\n\nIntervjuare: Tack.\n\nFas\tKanal\n\nKöp\tWebb"
    )
    assert document.media_type.endswith("wordprocessingml.document")
    assert speakers(document.spans) == ["Intervjuare", "Åsa"]
    assert texts(document) == [
        "Hur hittade du oss?",
        "Via en vän 😀.",
        "Tack.\n\nFas\tKanal\n\nKöp\tWebb",
    ]


def test_an_odt_yields_headings_paragraphs_lists_tables_and_spaces(
    make_odt: Callable[[str], bytes],
) -> None:
    body = (
        "<text:h>Fältanteckning</text:h>"
        "<text:p>Kunden <text:span>väntade</text:span><text:s text:c='3'/>länge"
        "<text:line-break/>vid kassan.<office:annotation><text:p>kommentar</text:p>"
        "</office:annotation></text:p>"
        "<text:list><text:list-item><text:p>kö</text:p></text:list-item></text:list>"
        "<table:table><table:table-row><table:table-cell><text:p>A</text:p></table:table-cell>"
        "<table:table-cell><text:p>B</text:p></table:table-cell></table:table-row></table:table>"
    )
    document = parse_file("falt.odt", make_odt(body))
    assert document.text == "Fältanteckning\n\nKunden väntade   länge\nvid kassan.\n\nkö\n\nA\tB"
    assert texts(document) == [
        "Fältanteckning",
        "Kunden väntade   länge\nvid kassan.",
        "kö",
        "A\tB",
    ]


def test_an_rtf_document_decodes_code_page_unicode_escapes_and_skips_tables_of_fonts() -> None:
    data = (
        rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}{\colortbl;\red0\green0\blue0;}"
        rb"{\*\generator Word;}{\info{\title Hemligt}}\uc1\pard"
        rb" Intervjuare: Hur \'e4r det med bl\'e5b\'e4ren?\par"
        rb" Anna: Det \u228?r bra \u-10179?\u-8704?\line och \{s\'e5\}.\par"
        rb"{\header Sidhuvud}Intervjuare: Tack\tab ok\par}"
    )
    document = parse_file("samtal.rtf", data)
    assert document.text == (
        "Intervjuare: Hur är det med blåbären?\n\nAnna: Det är bra 😀\noch {så}.\n\nIntervjuare: Tack\tok"
    )
    assert (document.media_type, document.encoding) == ("application/rtf", "cp1252")
    assert texts(document) == ["Hur är det med blåbären?", "Det är bra 😀\noch {så}.", "Tack\tok"]


def test_html_drops_scripts_styles_and_head_and_keeps_blocks_as_paragraphs() -> None:
    html = (
        "<!DOCTYPE html><html><head><meta charset='windows-1252'><title>Titel</title>"
        "<style>p {color: red}</style></head><body><h1>Kundresa &amp; m&aring;l</h1>"
        "<p>Anna sa:   det var  <b>bra</b>,<br>tack.</p><script>alert('<p>x</p>')</script>"
        "<ul><li>ett</li><li>två</li></ul>"
        "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>"
        "</body></html>"
    )
    document = parse_file("sida.html", html.encode("cp1252"))
    assert document.text == ("Kundresa & mål\n\nAnna sa: det var bra,\ntack.\n\nett\n\ntvå\n\nA\tB\n\n1\t2")
    assert document.encoding == "cp1252"
    assert len(document.spans) == 6


def test_a_pdf_text_layer_is_extracted_in_a_worker(make_pdf: Callable[[list[str]], bytes]) -> None:
    document = parse_file("intervju.pdf", make_pdf(["Intervjuare: Hur mår du?", "Åsa: Bra!"]))
    assert document.text == "Intervjuare: Hur mår du?\nÅsa: Bra!"
    assert document.media_type == "application/pdf"
    assert texts(document) == ["Hur mår du?", "Bra!"]
    assert speakers(document.spans) == ["Intervjuare", "Åsa"]


def test_webvtt_cues_become_turns_with_voice_speakers_and_start_times() -> None:
    vtt = (
        "WEBVTT\n\nNOTE en kommentar\n\n1\n00:00:01.500 --> 00:00:04.000\n"
        "<v Intervjuare>Hur började det?</v>\n\n"
        "00:05.000 --> 00:00:09.000 align:start\n<v.loud Åsa Öberg>Med en <i>annons</i> "
        "&amp; ett samtal 😀\npå telefon.\n\n00:00:10.000 --> 00:00:11.000\nPer: Ja.\n"
    )
    document = parse_file("samtal.vtt", vtt.encode())
    assert document.text == (
        "Intervjuare: Hur började det?\n\nÅsa Öberg: Med en annons & ett samtal 😀\npå telefon.\n\nPer: Ja."
    )
    assert [(s.speaker, s.timestamp_ms) for s in document.spans] == [
        ("Intervjuare", 1500),
        ("Åsa Öberg", 5000),
        ("Per", 10000),
    ]
    assert texts(document) == [
        "Hur började det?",
        "Med en annons & ett samtal 😀\npå telefon.",
        "Ja.",
    ]


def test_srt_cues_become_turns_and_a_name_prefix_is_the_speaker() -> None:
    srt = (
        "1\r\n00:00:01,000 --> 00:00:02,500\r\nIntervjuare: Hej!\r\n\r\n"
        "2\r\n00:01:02,250 --> 00:01:05,000\r\n<i>Hej hej.</i>\r\nVälkommen.\r\n"
    )
    document = parse_file("samtal.srt", srt.encode("cp1252"))
    assert document.text == "Intervjuare: Hej!\n\nHej hej.\nVälkommen."
    assert [(s.kind, s.speaker, s.timestamp_ms) for s in document.spans] == [
        ("turn", "Intervjuare", 1000),
        ("turn", None, 62250),
    ]
    assert texts(document) == ["Hej!", "Hej hej.\nVälkommen."]
