import codecs

import pytest

from research.errors import IngestError
from research.text import count_mojibake, decode, normalise

NORDIC = "Blåbär och smørbrød, sa Åsa Øberg. Ærlig talt – ”visst”."


def test_normalise_strips_a_leading_bom_and_unifies_line_endings() -> None:
    assert normalise("\ufeffett\r\ntvå\rtre\n") == "ett\ntvå\ntre\n"


def test_normalise_composes_combining_marks_to_nfc() -> None:
    decomposed = "Bla\u030aba\u0308r"
    assert normalise(decomposed) == "Blåbär"
    assert len(normalise(decomposed)) == 6


def test_normalise_keeps_a_bom_that_is_not_leading() -> None:
    assert normalise("a\ufeffb") == "a\ufeffb"


def test_strict_utf8_is_taken_as_it_is() -> None:
    decoded = decode(NORDIC.encode("utf-8"))
    assert decoded == type(decoded)(NORDIC, "utf-8", None)


@pytest.mark.parametrize(
    ("bom", "codec", "name"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    ],
)
def test_a_byte_order_mark_decides_the_encoding_and_is_removed(bom: bytes, codec: str, name: str) -> None:
    decoded = decode(bom + NORDIC.encode(codec))
    assert (decoded.text, decoded.encoding, decoded.warning) == (NORDIC, name, None)


def test_utf16_without_a_bom_is_recognised_by_its_zero_bytes() -> None:
    text = "Det är bra. Jag tycker att det är så."
    assert decode(text.encode("utf-16-le")).text == text


def test_a_windows_1252_file_with_nordic_letters_decodes_and_is_flagged_nowhere() -> None:
    decoded = decode(NORDIC.encode("cp1252"))
    assert (decoded.text, decoded.encoding, decoded.warning) == (NORDIC, "cp1252", None)


def test_a_mac_roman_file_with_nordic_letters_decodes_and_is_flagged_nowhere() -> None:
    text = "Blåbär och smørbrød, sa Åsa Øberg."
    decoded = decode(text.encode("mac_roman"))
    assert (decoded.text, decoded.encoding, decoded.warning) == (text, "mac_roman", None)


def test_a_latin1_file_decodes_as_its_superset_windows_1252() -> None:
    assert decode("Köttbullar på gården".encode("latin-1")).text == "Köttbullar på gården"


def test_double_encoded_utf8_is_flagged_with_a_sentence_not_silently_accepted() -> None:
    broken = "Blåbär är gött – det är så’n.".encode().decode("cp1252").encode()
    decoded = decode(broken)
    assert decoded.text.startswith("BlÃ¥bÃ¤r")
    assert decoded.encoding == "utf-8"
    assert decoded.warning is not None
    assert "double-encoded" in decoded.warning and "UTF-8" in decoded.warning


def test_the_broken_seed_article_with_cp1250_style_mojibake_is_flagged() -> None:
    # The opening of shared/domain/seeds/000_*: "ä" arrived as "Ă€", "å" as "Ă„".
    line = (
        "â Digitala kundresor Ă€r ett vĂ€ldigt intressant omrĂ„de som skapar möjligheter "
        "att arbeta med kundrelationer och interaktioner pĂ„ ett helt nytt sĂ€tt."
    )
    decoded = decode(line.encode())
    assert decoded.text == line
    assert decoded.warning is not None and "double-encoded" in decoded.warning


def test_replacement_characters_are_flagged() -> None:
    decoded = decode("Bl\ufffdb\ufffdr".encode())
    assert decoded.warning is not None and "replacement characters" in decoded.warning


def test_clean_nordic_text_with_a_capital_letter_before_a_quote_is_not_flagged() -> None:
    text = "Hon sa ÅÅ” och sen gick hon. " + "Här är en lång mening om blåbär och äpplen. " * 5
    assert decode(text.encode()).warning is None


def test_count_mojibake_finds_two_and_three_byte_sequences() -> None:
    assert count_mojibake("Ã¥ Ã¤ Ã¶ Ã¸ Ã¦ â€™") == 6
    assert count_mojibake("å ä ö ø æ ’ é ü") == 0


def test_binary_data_is_refused_with_a_sentence() -> None:
    with pytest.raises(IngestError, match="binary data"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01")
    with pytest.raises(IngestError, match="binary data"):
        decode(bytes(range(256)) * 4)


def test_an_empty_file_decodes_to_empty_text() -> None:
    assert decode(b"").text == ""
