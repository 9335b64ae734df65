from coding.suggest.lexical import LexicalSuggester
from coding.suggest.types import CodebookEntry, SuggestContext

from .support import segments_of, source_text


def lexical(*texts, codebook=(), language=None, embedder=None):
    segments = segments_of(*texts, language=language)
    source = source_text(segments)
    ctx = SuggestContext(codebook=list(codebook), embedder=embedder)
    return [(source[s.start:s.end], s) for s in LexicalSuggester().suggest(segments, ctx)]


def names(found):
    return {(text, s.proposed_name or s.code_id) for text, s in found}


def test_channels_in_four_languages_are_found_on_their_words():
    found = names(lexical("Jag mejlade dem och kollade appen.", "Vi ringte og brukte nettsiden.",
                          "Jeg skrev i chatten.", "I googled it and emailed them."))
    assert {("mejlade", "E-mail"), ("appen", "App"), ("ringte", "Phone"),
            ("nettsiden", "Web site"), ("chatten", "Chat"), ("googled", "Search engine"),
            ("emailed", "E-mail")} <= found


def test_compound_channel_head_and_existing_code():
    code = CodebookEntry(3, "App", "channel")
    found = dict(lexical("Bankappen kraschade hela tiden.", codebook=[code], language="sv"))
    assert found["Bankappen"].code_id == 3


def test_pain_points_cover_their_sentence():
    found = names(lexical("Det var krångligt. Vi fick vänta i två veckor!", "It was so confusing."))
    assert ("Det var krångligt.", "Complicated process") in found
    assert ("Vi fick vänta i två veckor!", "Waiting") in found
    assert ("It was so confusing.", "Confusing information") in found


def test_needs_name_what_is_needed():
    found = names(lexical("Vi behöver en enklare app.", "Vi trenger mer informasjon.", "We need a clear price."))
    assert ("Vi behöver en enklare app.", "Enklare app") in found
    assert ("Vi trenger mer informasjon.", "Mer informasjon") in found
    assert ("We need a clear price.", "Clear price") in found


def test_aliases_of_touchpoint_codes_match(embedder):
    code = CodebookEntry(8, "Visning", "touchpoint", aliases=("open house",))
    found = dict(lexical("Vi gick på visningen i söndags.", codebook=[code], language="sv"))
    assert found["visningen"].code_id == 8


def test_definition_similarity_proposes_a_code_that_stands_out(embedder):
    code = CodebookEntry(6, "Parking", "pain_point", description="no spaces to leave the car near the clinic")
    texts = ["there were no spaces to leave the car near the clinic", "nice staff", "good food",
             "kind nurse", "clean ward", "quick visit"]
    found = [s for _, s in lexical(*texts, codebook=[code], embedder=embedder) if s.code_id == 6]
    assert [s.start for s in found] == [100]
    assert "definition of 'Parking'" in found[0].rationale
