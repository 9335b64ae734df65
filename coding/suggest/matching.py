"""Lemma-aware phrase matching over spaCy docs, with Nordic compound heads.

Phrases go into spaCy's `PhraseMatcher` on the LEMMA attribute, one per text language,
each phrase under two keys: its lower-case words, and their lemmas in the phrase's own
language (the text's language for phrases of no given language). A phrase is never
lemmatised as another language reads it: Danish "hade" (hate) read as Swedish is "ha"
(have). Words the lemmatiser
does not reduce ("Nordbos", "banker" in Norwegian) and compounds ("bostadslånen",
"fastighetsmäklaren") are matched in a second pass against one-word phrases, through
the word's suffix-stripped forms and its compound tails.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from coding.suggest.lemmas import NORDIC, compound_tails, forms, lemma
from coding.suggest.nlp import Token, pipeline

if TYPE_CHECKING:
    from spacy.matcher import PhraseMatcher as SpacyPhraseMatcher

T = TypeVar("T")

_MIN_COMPOUND = 6
# Heads shorter than four letters match inside compounds too often ("alternati-ven");
# these few are frequent heads worth the risk ("bankappen", "bostadslån").
_SHORT_HEADS = frozenset({"app", "lån", "sms", "kø", "kö"})


@dataclass(frozen=True, slots=True)
class Match(Generic[T]):
    """A phrase found in a text; `start`/`end` are code-point offsets in that text and
    `first_token`/`end_token` index the token sequence that was searched."""

    start: int
    end: int
    first_token: int
    end_token: int
    payload: T
    phrase: str
    via_compound: bool


@dataclass(frozen=True, slots=True)
class _Entry(Generic[T]):
    phrase: str
    payload: T
    lang: str | None
    compound_head: bool


@dataclass(slots=True)
class _Compiled(Generic[T]):
    """The phrases compiled for text in one language."""

    matcher: SpacyPhraseMatcher
    numbers: dict[int, int]
    entries: list[_Entry[T]]
    single: dict[str, list[_Entry[T]]]
    single_keys: frozenset[str]
    heads: dict[str, list[_Entry[T]]]
    compounds: dict[str, list[_Entry[T]]]


class PhraseMatcher(Generic[T]):
    """Finds phrases whose words match a token's lemma, or (for one-word phrases) any of
    its forms or, in Nordic text, its compound head.

    A one-word phrase added with `compound_head=True` also matches Nordic compounds that
    end in it: "bank" matches "nätbanken", "mäklare" matches "fastighetsmäklaren".
    """

    def __init__(self) -> None:
        self._entries: list[_Entry[T]] = []
        self._added: set[_Entry[T]] = set()
        self._compiled: dict[str, _Compiled[T]] = {}

    def add(
        self, phrase: str, payload: T, lang: str | None = None, *, compound_head: bool = True
    ) -> None:
        """Add a phrase written in `lang` (or in any language when None)."""
        entry = _Entry(phrase, payload, lang, compound_head)
        if phrase.strip() and entry not in self._added:
            self._added.add(entry)
            self._entries.append(entry)
            self._compiled.clear()

    def __bool__(self) -> bool:
        return bool(self._entries)

    def find(self, tokens: Sequence[Token]) -> list[Match[T]]:
        """Longest matches, left to right; several payloads may share one span.

        `tokens` is a contiguous run of word tokens of one parsed text (a whole segment,
        a sentence, a phrase); match token indices refer to positions in it.
        """
        if not tokens or not self._entries:
            return []
        lang = tokens[0].doc.lang_
        compiled = self._compile(lang)
        longest = _longest(compiled, tokens)
        compounds = lang in NORDIC
        found: list[Match[T]] = []
        n = 0
        while n < len(tokens):
            token = tokens[n]
            if n in longest:
                size, numbers = longest[n]
                end = tokens[n + size - 1].end
                found.extend(Match(token.start, end, n, n + size, e.payload, e.phrase, False)
                             for e in _distinct(compiled.entries[k] for k in sorted(numbers)))
                n += size
                continue
            if not compiled.single_keys.isdisjoint(token.forms):
                found.extend(Match(token.start, token.end, n, n + 1, e.payload, e.phrase, False)
                             for e in _by_forms(compiled.single, token))
            elif compounds and len(token.lower) >= _MIN_COMPOUND:
                found.extend(Match(token.start, token.end, n, n + 1, e.payload, e.phrase, True)
                             for e in _by_head(compiled, token.lower, lang))
            n += 1
        return found

    def _compile(self, lang: str) -> _Compiled[T]:
        compiled = self._compiled.get(lang)
        if compiled is not None:
            return compiled
        from spacy.matcher import PhraseMatcher as SpacyPhraseMatcher

        nlp = pipeline(lang)
        matcher = SpacyPhraseMatcher(nlp.vocab, attr="LEMMA")
        single: dict[str, list[_Entry[T]]] = defaultdict(list)
        heads: dict[str, list[_Entry[T]]] = defaultdict(list)
        numbers: dict[int, int] = {}
        for number, entry in enumerate(self._entries):
            written = nlp.make_doc(entry.phrase)
            words = [t.lower_ for t in written]
            own = tuple(lemma(word, entry.lang or lang) for word in words)
            patterns = []
            for keys in dict.fromkeys((tuple(words), own)):
                pattern = nlp.make_doc(entry.phrase)
                for token, key in zip(pattern, keys, strict=True):
                    token.lemma_ = key
                patterns.append(pattern)
            matcher.add(str(number), patterns)
            numbers[nlp.vocab.strings[str(number)]] = number
            if len([t for t in written if not t.is_punct]) != 1:
                continue
            for key in dict.fromkeys((words[0], own[0])):
                single[key].append(entry)
                if entry.compound_head and (len(key) >= 4 or key in _SHORT_HEADS):
                    heads[key].append(entry)
        compiled = _Compiled(matcher, numbers, self._entries, dict(single), frozenset(single),
                             dict(heads), {})
        self._compiled[lang] = compiled
        return compiled


def _longest(compiled: _Compiled[T], tokens: Sequence[Token]) -> dict[int, tuple[int, list[int]]]:
    """spaCy's matches as {first token: (length in tokens, entry numbers of the longest)}."""
    doc = tokens[0].doc
    matches = compiled.matcher(doc[tokens[0].i:tokens[-1].i + 1])
    if not matches:
        return {}
    position = {token.i: n for n, token in enumerate(tokens)}
    longest: dict[int, tuple[int, list[int]]] = {}
    for match_id, begin, stop in matches:
        first = position.get(begin)
        last = next((position[i] for i in range(stop - 1, begin - 1, -1) if i in position), None)
        if first is None or last is None:
            continue
        size, numbers = longest.get(first, (0, []))
        if last + 1 - first > size:
            longest[first] = (last + 1 - first, [compiled.numbers[match_id]])
        elif last + 1 - first == size:
            numbers.append(compiled.numbers[match_id])
    return longest


def _distinct(entries: Iterable[_Entry[T]]) -> list[_Entry[T]]:
    """One entry per phrase and payload, in the order they were added ("dyr" is a Swedish,
    Norwegian and Danish valence word: one hit, not three)."""
    seen: dict[tuple[str, object], _Entry[T]] = {}
    for entry in entries:
        seen.setdefault((entry.phrase, entry.payload), entry)
    return list(seen.values())


def _by_forms(single: dict[str, list[_Entry[T]]], token: Token) -> list[_Entry[T]]:
    for form in token.forms:
        hits = single.get(form)
        if hits:
            return _distinct(hits)
    return []


def _by_head(compiled: _Compiled[T], word: str, lang: str) -> list[_Entry[T]]:
    cached = compiled.compounds.get(word)
    if cached is not None:
        return cached
    hits: list[_Entry[T]] = []
    for tail in compound_tails(word):
        for form in forms(tail, lang):
            hits = compiled.heads.get(form, [])
            if hits:
                break
        if hits:
            break
    compiled.compounds[word] = _distinct(hits)
    return compiled.compounds[word]
