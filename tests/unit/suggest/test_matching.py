from coding.suggest.matching import PhraseMatcher
from coding.suggest.nlp import parse, tokenize


def found(matcher, text, lang):
    return [(text[m.start:m.end], m.payload, m.via_compound) for m in matcher.find(tokenize(text, lang))]


def test_multi_word_phrases_match_inflected_words_by_lemma():
    matcher = PhraseMatcher()
    matcher.add("estate agent", "agent")
    assert found(matcher, "We called two estate agents.", "en") == [("estate agents", "agent", False)]


def test_the_longest_phrase_wins_and_payloads_may_share_a_span():
    matcher = PhraseMatcher()
    matcher.add("bank", "bank")
    matcher.add("Nordbo Bank", "company")
    matcher.add("nordbo bank", "company code")
    assert found(matcher, "Vi ringde Nordbo Bank.", "sv") == [
        ("Nordbo Bank", "company", False), ("Nordbo Bank", "company code", False)]


def test_unknown_words_match_through_their_suffix_stripped_forms():
    matcher = PhraseMatcher()
    matcher.add("Kvarnberg", "firm", compound_head=False)
    assert found(matcher, "Kvarnbergs mäklare ringde.", "sv") == [("Kvarnbergs", "firm", False)]


def test_nordic_compounds_match_on_their_head_and_english_ones_do_not():
    matcher = PhraseMatcher()
    matcher.add("lån", "loan", "sv")
    matcher.add("mäklare", "agent", "sv")
    matcher.add("loan", "loan", "en")
    assert found(matcher, "Bostadslånen och fastighetsmäklaren.", "sv") == [
        ("Bostadslånen", "loan", True), ("fastighetsmäklaren", "agent", True)]
    assert found(matcher, "Their homeloans were fine.", "en") == []


def test_a_word_listed_in_several_languages_is_one_hit():
    matcher = PhraseMatcher()
    for lang in ("sv", "nb", "da"):
        matcher.add("dyr", -1, lang)
    assert found(matcher, "Det var dyrt.", "sv") == [("dyrt", -1, False)]


def test_match_token_indices_refer_to_the_searched_run_of_words():
    matcher = PhraseMatcher()
    matcher.add("för att", "purpose", "sv", compound_head=False)
    parsed = parse("Vi ringde. Sen för att få lån.", "sv")
    second = [t for t in parsed.tokens if t.start >= parsed.sentences[1][0]]
    (match,) = matcher.find(second)
    assert (match.first_token, match.end_token) == (1, 3)
    assert [t.text for t in second[match.first_token:match.end_token]] == ["för", "att"]


def test_an_empty_matcher_or_text_finds_nothing():
    assert not PhraseMatcher()
    assert PhraseMatcher().find(tokenize("Vi ringde banken.", "sv")) == []
