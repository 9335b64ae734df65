"""Valence (-2 .. +2) per segment, for the emotion curve.

A small valence lexicon per language with negation ("inte bra" -> -1) and intensifiers
("väldigt bra" -> +2); with an embedder, the segment's similarity to positive and
negative prototype sentences in the four languages is added. Neutral segments (valence
0) get no suggestion.
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
_NEGATION_WINDOW = 3
# Prototype cosine difference that counts as one valence step (e5's narrow band).
_PROTOTYPE_STEP = 0.03
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
    name = "emotion"
    version = "1"

    def suggest(self, segments: list[SegmentInput], ctx: SuggestContext) -> list[Suggestion]:
        lexical = [lexicon_valence(analyse(segment)) for segment in segments]
        prototype = _prototype_scores(segments, ctx)
        emotions = ctx.codes_of("emotion")
        out = []
        for row, segment in enumerate(segments):
            score, words = lexical[row]
            reasons = [", ".join(f"'{w}'" for w in words)] if words else []
            if prototype is not None:
                score = score + float(prototype[row])
                reasons.append("similarity to positive/negative examples")
            valence = int(np.clip(round(score), -2, 2))
            if valence == 0:
                continue
            code = _emotion_code(valence, emotions)
            out.append(Suggestion(
                segment.source_id, segment.start, segment.end, code.id if code else None,
                None if code else "emotion", None if code else NAMES[valence],
                round(min(1.0, 0.4 + 0.15 * abs(score)), 4),
                f"valence {valence:+d}: " + "; ".join(reasons), self.name, self.version,
                {"valence": valence},
            ))
        return out


def lexicon_valence(item: Analysed) -> tuple[float, list[str]]:
    """Mean valence of the segment's valence words (negated, intensified), and the words."""
    matcher = _valence_matcher()
    values = []
    words = []
    for match in matcher.find(item.tokens, item.lang):
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
def _valence_matcher() -> PhraseMatcher[int]:
    matcher: PhraseMatcher[int] = PhraseMatcher()
    for lang, entries in VALENCE.items():
        for word, value in entries:
            matcher.add(word, value, lang)
    return matcher


def _prototype_scores(segments: list[SegmentInput], ctx: SuggestContext) -> np.ndarray | None:
    vectors = segment_vectors(segments, ctx)
    if vectors is None or ctx.embedder is None or not len(vectors):
        return None
    positive, negative = _prototypes(ctx.embedder)
    return (vectors @ positive - vectors @ negative) / _PROTOTYPE_STEP


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
