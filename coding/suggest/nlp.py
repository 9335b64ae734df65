"""spaCy pipelines for sv, nb, da and en: tokens, sentences and lemmas, no model download.

One `spacy.blank(lang)` per language, created on first use and kept for the process, with
the rule-based sentencizer, a paragraph-break rule and a lemma component that sets
`token.lemma_` from `lemmas.lemma` (simplemma, cached per word). spaCy is imported here
only, inside the loader. `token.idx` counts code points of the Python string, so the
offsets of `Token` are exact source offsets (å, ø, emoji and combining marks included).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from coding.suggest.lemmas import LANGUAGES, forms, lemma

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

LEMMAS = "kundstig_lemmas"
PARAGRAPHS = "kundstig_paragraphs"
# About 14 kB per cached 40-word segment: a source of up to 2,048 segments is parsed once
# per run, not once per suggester.
_PARSED_CACHE = 2048


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a text: `start`/`end` are code-point offsets in that text.

    `i` is the token's index in `doc` (punctuation and spaces are tokens there, not here);
    `forms` are the candidate base forms used when the lemma alone does not match.
    """

    text: str
    start: int
    end: int
    lower: str
    lemma: str
    forms: tuple[str, ...]
    i: int
    doc: Doc

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


def _set_lemmas(doc: Doc) -> Doc:
    lang = doc.lang_
    for token in doc:
        if not token.is_space:
            token.lemma_ = lemma(token.lower_, lang)
    return doc


def _paragraph_breaks(doc: Doc) -> Doc:
    """A blank line ends a sentence even without a full stop (headings, survey lines)."""
    for token in doc[:-1]:
        if token.is_space and token.text.count("\n") >= 2:
            doc[token.i + 1].is_sent_start = True
    return doc


@cache
def pipeline(lang: str) -> Language:
    """The process-wide blank pipeline of `lang` (one of sv, nb, da, en)."""
    if lang not in LANGUAGES:
        raise ValueError(f"no NLP pipeline for language {lang!r}; expected one of {LANGUAGES}")
    import spacy
    from spacy.language import Language

    if not Language.has_factory(LEMMAS):
        Language.component(LEMMAS, func=_set_lemmas)
        Language.component(PARAGRAPHS, func=_paragraph_breaks)
    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(PARAGRAPHS)
    nlp.add_pipe(LEMMAS)
    return nlp


@dataclass(frozen=True, slots=True)
class Parsed:
    """A text read by its language's pipeline: the spaCy doc, its words (punctuation and
    white space left out) and its sentences as trimmed (start, end) offsets."""

    doc: Doc
    tokens: tuple[Token, ...]
    sentences: tuple[tuple[int, int], ...]


@lru_cache(maxsize=_PARSED_CACHE)
def parse(text: str, lang: str) -> Parsed:
    """Parse a text once (cached: every suggester reads the same segments)."""
    doc = pipeline(lang)(text)
    words: list[Token] = []
    sentences: list[tuple[int, int]] = []
    first = last = -1
    for t in doc:
        if t.is_sent_start and first >= 0:
            sentences.append((first, last))
            first = -1
        if t.is_space:
            continue
        end = t.idx + len(t.text)
        if first < 0:
            first = t.idx
        last = end
        if t.is_alpha or (not t.is_punct and any(c.isalnum() for c in t.text)):
            words.append(Token(t.text, t.idx, end, t.lower_, t.lemma_, forms(t.lower_, lang), t.i, doc))
    if first >= 0:
        sentences.append((first, last))
    return Parsed(doc, tuple(words), tuple(sentences))


def tokenize(text: str, lang: str) -> list[Token]:
    return list(parse(text, lang).tokens)


def phrase_lemmas(phrase: str, lang: str) -> tuple[str, ...]:
    """The lemma of each word of a phrase (a code name, an alias), as `lang` reads it."""
    return tuple(token.lemma for token in parse(phrase, lang).tokens)
