"""Lemma-aware phrase matching over tokens, with Nordic compound heads."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Generic, TypeVar

from coding.suggest.lemmas import LANGUAGES, NORDIC, Token, compound_tails, forms, phrase_keys

T = TypeVar("T")

_MIN_COMPOUND = 6
# Heads shorter than four letters match inside compounds too often ("alternati-ven");
# these few are frequent heads worth the risk ("bankappen", "bostadslån").
_SHORT_HEADS = frozenset({"app", "lån", "sms", "kø", "kö"})


@dataclass(frozen=True, slots=True)
class Match(Generic[T]):
    """A phrase found in a text; `start`/`end` are code-point offsets in that text."""

    start: int
    end: int
    first_token: int
    end_token: int
    payload: T
    phrase: str
    via_compound: bool


@dataclass(frozen=True, slots=True)
class _Entry(Generic[T]):
    rest: tuple[str, ...]
    payload: T
    phrase: str


class PhraseMatcher(Generic[T]):
    """Finds phrases whose words match a token's forms (lemma, suffix-stripped stems).

    A one-word phrase added with `compound_head=True` also matches Nordic compounds that
    end in it: "bank" matches "nätbanken", "mäklare" matches "fastighetsmäklaren".
    """

    def __init__(self) -> None:
        self._index: dict[str, list[_Entry[T]]] = defaultdict(list)
        self._heads: dict[str, list[_Entry[T]]] = defaultdict(list)
        self._compound_cache: dict[tuple[str, str], list[_Entry[T]]] = {}

    def add(
        self, phrase: str, payload: T, lang: str | None = None, *, compound_head: bool = True
    ) -> None:
        """Index a phrase under its lower-case words and their lemmas in `lang` (or all)."""
        variants = {phrase_keys(phrase)}
        for language in (lang,) if lang else LANGUAGES:
            variants.add(phrase_keys(phrase, language))
        for keys in variants:
            if not keys:
                continue
            entry = _Entry(keys[1:], payload, phrase)
            if entry not in self._index[keys[0]]:
                self._index[keys[0]].append(entry)
            if compound_head and len(keys) == 1 and (len(keys[0]) >= 4 or keys[0] in _SHORT_HEADS):
                if entry not in self._heads[keys[0]]:
                    self._heads[keys[0]].append(entry)
        self._compound_cache.clear()

    def __bool__(self) -> bool:
        return bool(self._index)

    def find(self, tokens: list[Token], lang: str) -> list[Match[T]]:
        """Longest matches, left to right; several payloads may share one span."""
        found: list[Match[T]] = []
        i = 0
        while i < len(tokens):
            best_len, best = self._longest_at(tokens, i)
            if best:
                first, last = tokens[i], tokens[i + best_len - 1]
                found.extend(
                    Match(first.start, last.end, i, i + best_len, e.payload, e.phrase, False)
                    for e in best
                )
                i += best_len
                continue
            token = tokens[i]
            if lang in NORDIC and len(token.lower) >= _MIN_COMPOUND:
                found.extend(
                    Match(token.start, token.end, i, i + 1, e.payload, e.phrase, True)
                    for e in self._compound(token.lower, lang)
                )
            i += 1
        return found

    def _longest_at(self, tokens: list[Token], i: int) -> tuple[int, list[_Entry[T]]]:
        best_len, best = 0, []
        for form in tokens[i].forms:
            for entry in self._index.get(form, ()):
                size = len(entry.rest) + 1
                if size < best_len or i + size > len(tokens):
                    continue
                if all(key in tokens[i + 1 + k].forms for k, key in enumerate(entry.rest)):
                    if size > best_len:
                        best_len, best = size, []
                    if entry not in best:
                        best.append(entry)
        return best_len, best

    def _compound(self, word: str, lang: str) -> list[_Entry[T]]:
        cached = self._compound_cache.get((word, lang))
        if cached is not None:
            return cached
        hits: list[_Entry[T]] = []
        for tail in compound_tails(word):
            for form in forms(tail, lang):
                hits = self._heads.get(form, [])
                if hits:
                    break
            if hits:
                break
        self._compound_cache[(word, lang)] = hits
        return hits
