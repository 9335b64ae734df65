import pytest

from coding.suggest.emotion import PROTOTYPES, EmotionSuggester
from coding.suggest.types import CodebookEntry, SuggestContext

from .support import StubEmbedder, segments_of


def valence(text, language=None, codebook=(), embedder=None):
    ctx = SuggestContext(codebook=list(codebook), embedder=embedder)
    found = EmotionSuggester().suggest(segments_of(text, language=language), ctx)
    return found[0].extra["valence"] if found else 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Det var fantastiskt!", 2),
        ("Personalen var trevlig.", 1),
        ("Det var inte bra alls.", -1),
        ("Det var krångligt och dyrt.", -1),
        ("Det var helt forferdelig.", -2),
        ("Megleren var hyggelig og hjelpsom.", 1),
        ("Det var ikke godt.", -1),
        ("The staff were very helpful.", 2),
        ("It wasn't good at all.", -1),
        ("We went there on Tuesday.", 0),
    ],
)
def test_lexicon_valence_with_negation_and_intensifiers(text, expected):
    assert valence(text) == expected


def test_emotion_code_with_the_same_valence_is_used():
    code = CodebookEntry(11, "Glad", "emotion", valence=1)
    found = EmotionSuggester().suggest(segments_of("Vi var nöjda.", language="sv"),
                                       SuggestContext(codebook=[code]))
    assert found[0].code_id == 11


def test_prototypes_give_a_valence_when_a_segment_is_close_to_one_side(embedder):
    ctx = SuggestContext(codebook=[], embedder=embedder)
    found = EmotionSuggester().suggest(segments_of("We had to wait for ages and nobody answered."), ctx)
    assert found[0].extra["valence"] < 0
    assert "closer to the negative examples" in found[0].rationale


def leaning_embedder(text, positive, negative):
    """Prototype sentences on two axes; `text` at the given cosines to each side."""
    vectors = {sentence: StubEmbedder.axis(0) for sentence in PROTOTYPES[1]}
    vectors |= {sentence: StubEmbedder.axis(1) for sentence in PROTOTYPES[-1]}
    vectors[text] = StubEmbedder.leaning(positive, negative)
    return StubEmbedder(vectors)


@pytest.mark.parametrize(
    "text",
    ["Ja, precis, det var i april.", "Vi snakket med megleren om boligen.",
     "Vi ringede til banken om lånet.", "We went there on Tuesday."],
)
def test_a_faint_lean_towards_the_prototypes_is_no_emotion(text):
    ctx = SuggestContext(codebook=[], embedder=leaning_embedder(text, 0.42, 0.40))
    assert EmotionSuggester().suggest(segments_of(text), ctx) == []


def test_a_clear_prototype_margin_is_shown_in_the_rationale():
    text = "Vi fikk svar samme dag."
    ctx = SuggestContext(codebook=[], embedder=leaning_embedder(text, 0.50, 0.40))
    (found,) = EmotionSuggester().suggest(segments_of(text, language="nb"), ctx)
    assert found.extra["valence"] == 1
    assert found.rationale == "valence +1: closer to the positive examples (cosine margin +0.10)"


@pytest.mark.parametrize(
    ("text", "language"),
    [("Mäklaren var trevlig men banken var krånglig.", "sv"),
     ("Det var greit, men dyrt.", "nb"),
     ("Personalet var venlige, men det var besværligt.", "da"),
     ("The app was easy but the fees were expensive.", "en")],
)
def test_words_that_cancel_out_give_no_emotion(text, language):
    assert valence(text, language) == 0


def test_valence_words_are_named_in_the_rationale():
    (found,) = EmotionSuggester().suggest(segments_of("Det var krångligt och dyrt.", language="sv"),
                                          SuggestContext(codebook=[]))
    assert found.rationale == "valence -1: words 'krångligt', 'dyrt'"


def test_words_and_prototypes_pointing_in_opposite_directions_give_no_emotion():
    text = "Det var bra att vi fick vänta i tre veckor."
    ctx = SuggestContext(codebook=[], embedder=leaning_embedder(text, 0.30, 0.45))
    assert valence(text, "sv", embedder=ctx.embedder) == 0


def test_swedish_have_is_not_danish_hate():
    assert valence("Vi hade haft samma bank länge och har ett lån där.", "sv") == 0
    assert valence("Jeg hader at vente i telefonkø.", "da") == -2


def test_valence_words_do_not_match_inside_compounds():
    assert valence("Vi hade ett driftstopp i två timmar.", "sv") == 0
