"""Valence (-2 .. +2) per segment, for the emotion curve.

A small valence lexicon per language with negation ("inte bra" -> -1) and intensifiers
("väldigt bra" -> +2); with an embedder, the segment's similarity to positive and
negative prototype sentences in the four languages. Only clear evidence gives a
suggestion: a faint lean towards one set of prototypes is no emotion.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from coding.suggest.embedding import Embedder, segment_vectors
from coding.suggest.lexicon import INTENSIFIERS, NEGATIONS, VALENCE
from coding.suggest.matching import PhraseMatcher
from coding.suggest.segments import Analysed, analyse
from coding.suggest.types import CodebookEntry, SegmentInput, SuggestContext, Suggestion

NAMES = {-2: "Very negative", -1: "Negative", 1: "Positive", 2: "Very positive"}
# Valence words of the text's own language: false friends would flip a segment (Danish
# "hade" is hate, Swedish "hade" is had). Norwegian and Danish are read together, as
# short turns in the two are hard to tell apart.
_VALENCE_LANGUAGES = {"sv": ("sv",), "nb": ("nb", "da"), "da": ("nb", "da"), "en": ("en",)}
_NEGATION_WINDOW = 3
# A prototype margin this large is clear evidence. With multilingual-e5, neutral
# sentences ("Ja, precis.", "Vi ringde banken i april.") fall within +-0.035 and plainly
# positive or negative ones beyond +-0.045.
_CLEAR_PROTOTYPE_MARGIN = 0.045
PROTOTYPES = {
    1: (
        "Det gick jättebra och vi var mycket nöjda.", "Personalen var trevlig och hjälpsam.",
        "Det var enkelt og vi var veldig fornøyde.", "Alle var hyggelige og hjelpsomme.",
        "Det var nemt, og vi var meget tilfredse.", "Everything went smoothly and we were very happy.",
        "The staff were kind and helpful.",
    ),
    -1: (
        "Det var krångligt och vi var besvikna.", "Vi fick vänta länge och ingen svarade.",
        "Det var tungvint og vi ble skuffet.", "Vi måtte vente lenge og ingen svarte.",
        "Det var besværligt, og vi blev skuffede.", "It was a frustrating experience and we were disappointed.",
        "We had to wait for ages and nobody answered.",
    ),
}


class EmotionSuggester:
    """Proposes a valence only on clear evidence, named in the rationale: valence words of
    the lexicon, or a clear lead of the positive or negative prototypes. When the two
    point in opposite directions, or the words cancel out, nothing is proposed."""

    name = "emotion"
    version = "2"

    def suggest(self, segments: list[SegmentInput], ctx: SuggestContext) -> list[Suggestion]:
        lexical = [lexicon_valence(analyse(segment)) for segment in segments]
        margins = _prototype_margins(segments, ctx)
        emotions = ctx.codes_of("emotion")
        out = []
        for row, segment in enumerate(segments):
            score, words = lexical[row]
            by_words = int(np.clip(round(score), -2, 2))
            margin = float(margins[row]) if margins is not None else 0.0
            by_prototypes = int(np.sign(margin)) if abs(margin) >= _CLEAR_PROTOTYPE_MARGIN else 0
            valence = by_words or by_prototypes
            if valence == 0 or (by_words and by_prototypes and by_prototypes != np.sign(by_words)):
                continue
            reasons = []
            if by_words:
                reasons.append("words " + ", ".join(f"'{w}'" for w in words))
            if by_prototypes:
                side = "positive" if margin > 0 else "negative"
                reasons.append(f"closer to the {side} examples (cosine margin {margin:+.2f})")
            code = _emotion_code(valence, emotions)
            confidence = 0.4 + 0.15 * abs(score) + (0.15 if by_prototypes else 0.0)
            out.append(Suggestion(
                segment.source_id, segment.start, segment.end, code.id if code else None,
                None if code else "emotion", None if code else NAMES[valence],
                round(min(1.0, confidence), 4),
                f"valence {valence:+d}: " + "; ".join(reasons), self.name, self.version,
                {"valence": valence},
            ))
        return out


def lexicon_valence(item: Analysed) -> tuple[float, list[str]]:
    """Mean valence of the segment's valence words (negated, intensified), and the words."""
    matcher = _valence_matcher(_VALENCE_LANGUAGES.get(item.lang, (item.lang,)))
    values = []
    words = []
    for match in matcher.find(item.tokens):
        value = float(match.payload)
        window = item.tokens[max(0, match.first_token - _NEGATION_WINDOW):match.first_token]
        if any(t.lower in NEGATIONS or t.lower.endswith("n't") for t in window):
            value = -value / 2 if abs(value) == 2 else -value
        if window and window[-1].lower in INTENSIFIERS:
            value *= 1.5
        values.append(value)
        words.append(item.segment.text[match.start:match.end])
    if not values:
        return 0.0, []
    total = sum(values)
    return float(np.clip(total / np.sqrt(len(values)), -2.5, 2.5)), words


@cache
def _valence_matcher(languages: tuple[str, ...]) -> PhraseMatcher[int]:
    matcher: PhraseMatcher[int] = PhraseMatcher()
    for lang in languages:
        for word, value in VALENCE.get(lang, ()):
            # Not inside compounds: "driftstopp" would end in "topp" (as in "toppen").
            matcher.add(word, value, lang, compound_head=False)
    return matcher


def _prototype_margins(segments: list[SegmentInput], ctx: SuggestContext) -> np.ndarray | None:
    """Cosine to the positive prototype minus cosine to the negative one, per segment."""
    vectors = segment_vectors(segments, ctx)
    if vectors is None or ctx.embedder is None or not len(vectors):
        return None
    positive, negative = _prototypes(ctx.embedder)
    return np.asarray(vectors @ positive - vectors @ negative)


def _prototypes(embedder: Embedder) -> tuple[np.ndarray, np.ndarray]:
    key = embedder.model_id
    if key not in _PROTOTYPE_CACHE:
        means = []
        for sign in (1, -1):
            vectors = embedder.embed(list(PROTOTYPES[sign]))
            mean = vectors.mean(axis=0)
            means.append(mean / np.linalg.norm(mean))
        _PROTOTYPE_CACHE[key] = (means[0], means[1])
    return _PROTOTYPE_CACHE[key]


_PROTOTYPE_CACHE: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def _emotion_code(valence: int, codes: list[CodebookEntry]) -> CodebookEntry | None:
    return next((code for code in codes if code.valence == valence), None)
