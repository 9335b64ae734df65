"""Detecting the language of a source or segment (Swedish, Norwegian, Danish, English).

simplemma scores how many of the most common tokens each language's dictionary knows.
Scandinavian languages share many short words ("det", "var", "bra"), so a clear margin
is required, with the letters only one side uses (ä/ö versus æ/ø) as a tie-breaker.
"""

from __future__ import annotations

import re

from simplemma import langdetect

LANGUAGES = ("sv", "nb", "da", "en")
# Nynorsk is scored too and counts as Norwegian. Each further language costs about a
# second and a half of dictionary loading per process, so only these are scored.
_CANDIDATES = ("sv", "nb", "nn", "da", "en")
_MIN_SCORE = 0.5
_MIN_MARGIN = 0.1
_SWEDISH_LETTERS = re.compile(r"[äöÄÖ]")
_DANO_NORWEGIAN_LETTERS = re.compile(r"[æøÆØ]")
_WORD = re.compile(r"[^\W\d_]+")


def detect_language(text: str) -> str | None:
    """Return "sv", "nb", "da" or "en", or None when unsure or the text has no words."""
    if not _WORD.search(text):
        return None
    scores: dict[str, float] = {}
    for language, score in langdetect(text, lang=_CANDIDATES):
        if language == "unk":
            continue
        key = "nb" if language == "nn" else language
        scores[key] = max(score, scores.get(key, 0.0))
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1] < _MIN_SCORE:
        return None
    best, best_score = ranked[0]
    tied = [language for language, score in ranked if best_score - score < _MIN_MARGIN]
    if len(tied) == 1:
        return best
    return _break_tie(text, tied)


def _break_tie(text: str, tied: list[str]) -> str | None:
    swedish = _SWEDISH_LETTERS.search(text) is not None
    if "sv" in tied and swedish and not _DANO_NORWEGIAN_LETTERS.search(text):
        return "sv"
    if _DANO_NORWEGIAN_LETTERS.search(text):
        remaining = [language for language in tied if language in ("nb", "da")]
        if len(remaining) == 1:
            return remaining[0]
    return None
