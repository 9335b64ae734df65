import pytest

from coding.suggest.emotion import EmotionSuggester
from coding.suggest.types import CodebookEntry, SuggestContext

from .support import segments_of


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


def test_prototypes_add_a_graded_score_with_an_embedder(embedder):
    ctx = SuggestContext(codebook=[], embedder=embedder)
    found = EmotionSuggester().suggest(segments_of("We had to wait for ages and nobody answered."), ctx)
    assert found[0].extra["valence"] < 0
    assert "similarity" in found[0].rationale
