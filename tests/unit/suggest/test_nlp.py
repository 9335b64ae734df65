import pytest

from coding.suggest.nlp import parse, phrase_lemmas, pipeline, tokenize


@pytest.mark.parametrize("lang", ["sv", "nb", "da", "en"])
def test_each_language_has_one_blank_pipeline_with_sentences_and_lemmas(lang):
    nlp = pipeline(lang)
    assert pipeline(lang) is nlp
    assert nlp.lang == lang
    assert nlp.pipe_names == ["sentencizer", "kundstig_paragraphs", "kundstig_lemmas"]


def test_unknown_language_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="no NLP pipeline for language 'fi'"):
        pipeline("fi")


@pytest.mark.parametrize(
    ("text", "lang", "words"),
    [
        ("Åsa på Ørsted-banken, ja.", "sv", ["Åsa", "på", "Ørsted-banken", "ja"]),
        ("Ærlig talt var mægleren sød 😀 og hjælpsom.", "da",
         ["Ærlig", "talt", "var", "mægleren", "sød", "og", "hjælpsom"]),
        ("Kafe\u0301en i Tromsø 👍🏽 lå ved siden av banken.", "nb",
         ["Kafe\u0301en", "i", "Tromsø", "lå", "ved", "siden", "av", "banken"]),
        ("We met at the café \U0001F600 near the bank.", "en",
         ["We", "met", "at", "the", "café", "near", "the", "bank"]),
    ],
)
def test_tokens_are_words_with_exact_code_point_offsets(text, lang, words):
    tokens = tokenize(text, lang)
    assert [t.text for t in tokens] == words
    assert all(text[t.start:t.end] == t.text for t in tokens)


def test_tokens_carry_the_lemma_set_by_the_pipeline_component():
    parsed = parse("Mäklarens kollegor ringde bankerna.", "sv")
    doc, tokens = parsed.doc, parsed.tokens
    assert [t.lemma for t in tokens] == ["mäklare", "kollega", "ringa", "bank"]
    assert [t.lemma_ for t in doc if not t.is_punct] == ["mäklare", "kollega", "ringa", "bank"]


def test_norwegian_lemmas_come_from_simplemma():
    assert [t.lemma for t in tokenize("Megleren og takstmannen", "nb")] == ["megler", "og", "takstmann"]


def test_parsing_the_same_text_twice_reuses_the_cached_doc():
    assert parse("Vi ringde banken.", "sv") is parse("Vi ringde banken.", "sv")


def test_sentences_are_trimmed_spans_and_abbreviations_do_not_end_them():
    text = "Först banken, t.ex. Nordea. Sen mäklaren!  Klart"
    assert [text[s:e] for s, e in parse(text, "sv").sentences] == [
        "Först banken, t.ex. Nordea.", "Sen mäklaren!", "Klart"]


def test_a_blank_line_ends_a_sentence():
    text = "Bra bemötande\n\nLång väntan"
    assert [text[s:e] for s, e in parse(text, "sv").sentences] == ["Bra bemötande", "Lång väntan"]


def test_phrase_lemmas_read_a_code_name_in_the_given_language():
    assert phrase_lemmas("Köpa bostäder", "sv") == ("köpa", "bostad")
