"""A segment's language and tokens, shared by the rule-based suggesters."""

from __future__ import annotations

from dataclasses import dataclass

from coding.suggest.lemmas import Token, language_of, sentence_spans, tokenize
from coding.suggest.types import SegmentInput


@dataclass(frozen=True, slots=True)
class Analysed:
    segment: SegmentInput
    lang: str
    tokens: list[Token]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in the segment text -> offsets in the source text."""
        return self.segment.start + start, self.segment.start + end

    def sentences(self) -> list[tuple[int, int, list[Token]]]:
        """(start, end, tokens) of each sentence, in segment-text offsets."""
        out = []
        for begin, end in sentence_spans(self.segment.text):
            out.append((begin, end, [t for t in self.tokens if begin <= t.start < end]))
        return out


def analyse(segment: SegmentInput) -> Analysed:
    lang = language_of(segment.text, segment.language)
    return Analysed(segment, lang, tokenize(segment.text, lang))
