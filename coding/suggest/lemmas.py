"""Lemmas and match keys for Swedish, Norwegian, Danish and English (no spaCy here).

The spaCy pipelines (`nlp.py`) set every token's lemma from `lemma` below: simplemma's
dictionary lemma ("mäklaren" -> "mäklare", "megleren" -> "megler"; it measured better than
spaCy's lookup tables, which are case-sensitive and have almost nothing for Norwegian).
Words it does not know (new compounds, names of firms, spoken forms) go through a few
Scandinavian suffix rules instead: the definite article (-en, -et, -n, -t, -arna, -ene,
-erne), plural (-ar, -er, -or) and the genitive -s. A word therefore has several *forms*;
a match against the lexicon succeeds when any form is a known key. Compound heads
(`bostadslån` -> `lån`) are found by trying the word's tails, see `compound_tails`.
"""

from __future__ import annotations

from functools import lru_cache

import simplemma

LANGUAGES = ("sv", "nb", "da", "en")
NORDIC = frozenset({"sv", "nb", "da"})

# Longest first: definite plural, definite singular, plural, genitive.
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "sv": ("arnas", "ernas", "ornas", "arna", "erna", "orna", "ens", "ets", "en", "et",
           "ar", "er", "or", "na", "n", "s", "t"),
    "nb": ("enes", "ene", "ens", "ets", "en", "et", "er", "a", "n", "s"),
    "da": ("ernes", "erne", "ene", "ens", "ets", "en", "et", "er", "ne", "n", "s"),
    "en": ("'s", "’s", "s"),
}
_MIN_STEM = 3


def detect_language(text: str, default: str = "sv") -> str:
    """The most likely of sv/nb/da/en for a segment (ties go to `default`)."""
    scores = simplemma.langdetect(text, lang=LANGUAGES)
    best, top = scores[0]
    if best == "unk" or top == 0:
        return default
    tied = [lang for lang, score in scores if score == top]
    return default if default in tied else best


def language_of(text: str, language: str | None) -> str:
    return language if language in LANGUAGES else detect_language(text)


@lru_cache(maxsize=200_000)
def lemma(word: str, lang: str) -> str:
    """simplemma's lemma of a lower-case word (itself when unknown)."""
    return simplemma.lemmatize(word, lang=lang).lower()


@lru_cache(maxsize=200_000)
def forms(word: str, lang: str) -> tuple[str, ...]:
    """Candidate base forms of a lower-case word: itself, its lemma, suffix-stripped stems."""
    found = [word]
    base = lemma(word, lang)
    if base not in found:
        found.append(base)
    for suffix in _SUFFIXES.get(lang, ()):
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            stem = word[: -len(suffix)]
            if stem not in found:
                found.append(stem)
    return tuple(found)


def compound_tails(word: str, min_head: int = 3, min_modifier: int = 3) -> list[str]:
    """Tails of a Nordic compound, longest first: "bostadslånen" -> "tadslånen" ... "nen".

    The caller keeps the first tail whose forms hit the lexicon, so "fastighetsmäklaren"
    resolves to "mäklaren" (-> mäklare) before shorter, accidental tails.
    """
    return [word[i:] for i in range(min_modifier, len(word) - min_head + 1)]
