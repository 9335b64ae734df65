"""A segment's language, spaCy doc, words and sentences, shared by the rule-based suggesters."""

from __future__ import annotations

from dataclasses import dataclass

from coding.suggest.lemmas import language_of
from coding.suggest.nlp import Parsed, Token, parse
from coding.suggest.types import SegmentInput


@dataclass(frozen=True, slots=True)
class Analysed:
    segment: SegmentInput
    lang: str
    parsed: Parsed

    @property
    def tokens(self) -> tuple[Token, ...]:
        return self.parsed.tokens

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in the segment text -> offsets in the source text."""
        return self.segment.start + start, self.segment.start + end

    def sentences(self) -> list[tuple[int, int, list[Token]]]:
        """(start, end, tokens) of each sentence, in segment-text offsets."""
        return [(begin, end, [t for t in self.tokens if begin <= t.start < end])
                for begin, end in self.parsed.sentences]

    def words_within(self, start: int, end: int) -> list[Token]:
        return [t for t in self.tokens if start <= t.start and t.end <= end]


def analyse(segment: SegmentInput) -> Analysed:
    lang = language_of(segment.text, segment.language)
    return Analysed(segment, lang, parse(segment.text, lang))
