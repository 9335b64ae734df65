import pytest

from coding.suggest.lemmas import detect_language, forms, sentence_spans, tokenize


@pytest.mark.parametrize(
    ("word", "lang", "base"),
    [
        ("mäklaren", "sv", "mäklare"),
        ("megleren", "nb", "megler"),
        ("banken", "sv", "bank"),
        ("banker", "nb", "bank"),
        ("bankens", "da", "bank"),
        ("ejendomsmægleren", "da", "ejendomsmægler"),
        ("leverantörer", "sv", "leverantör"),
        ("nordbos", "sv", "nordbo"),
    ],
)
def test_forms_include_the_base_form_of_inflected_and_genitive_words(word, lang, base):
    assert base in forms(word, lang)


def test_tokens_keep_exact_offsets_with_nordic_letters():
    text = "Åsa på Ørsted-banken, ja."
    tokens = tokenize(text, "sv")
    assert [text[t.start:t.end] for t in tokens] == ["Åsa", "på", "Ørsted-banken", "ja"]
    assert tokens[0].lower == "åsa"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Vi ville köpa en bostad och gick till banken.", "sv"),
        ("Jeg ville kjøpe en leilighet, så jeg snakket med megleren.", "nb"),
        ("Vi ønskede at købe et hus, så vi talte med ejendomsmægleren.", "da"),
        ("We wanted to buy a house near the school.", "en"),
    ],
)
def test_language_detection_tells_the_four_languages_apart(text, lang):
    assert detect_language(text) == lang


def test_sentences_are_trimmed_spans():
    text = "Först banken. Sen mäklaren!  Klart"
    assert [text[s:e] for s, e in sentence_spans(text)] == ["Först banken.", "Sen mäklaren!", "Klart"]
