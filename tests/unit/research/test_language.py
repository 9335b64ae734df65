import pytest

from research.language import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Jag tycker att det var jättebra, tack!", "sv"),
        ("Nej, inte alls.", "sv"),
        ("Personalen var trevlig men väntetiden var lång.", "sv"),
        ("Jeg synes det var veldig bra, takk!", "nb"),
        ("Nei, ikke i det hele tatt.", "nb"),
        ("Jeg synes, det var rigtig godt, tak!", "da"),
        ("Nej, slet ikke.", "da"),
        ("I think it was really good, thanks!", "en"),
    ],
)
def test_short_replies_are_recognised_in_the_nordic_languages_and_english(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["", "   ", "123 456", "ok", "Ja", "Det var bra"])
def test_empty_or_ambiguous_text_gives_none(text: str) -> None:
    assert detect_language(text) is None


def test_a_swedish_letter_breaks_a_tie_between_scandinavian_languages() -> None:
    assert detect_language("Det var bra för mig") == "sv"
