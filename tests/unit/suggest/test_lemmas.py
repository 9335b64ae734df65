import pytest

from coding.suggest.lemmas import compound_tails, detect_language, forms, lemma


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


@pytest.mark.parametrize(
    ("word", "lang", "base"),
    [("mäklarens", "sv", "mäklare"), ("kollegaene", "nb", "kollega"), ("kolleger", "da", "kollega"),
     ("neighbours", "en", "neighbour")],
)
def test_lemma_is_the_dictionary_form_in_each_language(word, lang, base):
    assert lemma(word, lang) == base


def test_compound_tails_run_from_the_longest_to_the_shortest_head():
    tails = compound_tails("fastighetsmäklaren")
    assert tails[0] == "tighetsmäklaren" and tails[-1] == "ren"
    assert "mäklaren" in tails


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
