"""Touchpoints, channels, pain points and needs: lexicons, code aliases, definitions.

Channels and touchpoints are coded on the words that name them; pain points and needs
on the sentence that voices them. With an embedder, a segment is also proposed for the
code whose definition it is closest to, when that code stands out for this segment
relative to the other segments of the batch (a z-score, not an absolute cosine).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coding.suggest.embedding import cosine_softmax, segment_vectors
from coding.suggest.goals import phrase_after
from coding.suggest.lexicon import (
    CHANNELS,
    NEED_CUES,
    PAIN_POINTS,
    TOUCHPOINTS,
    Concept,
    codes_for_concepts,
    concept_matcher,
    term_matcher,
)
from coding.suggest.matching import Match, PhraseMatcher
from coding.suggest.segments import Analysed, analyse
from coding.suggest.types import CodebookEntry, SegmentInput, SuggestContext, Suggestion

KINDS = ("touchpoint", "channel", "pain_point", "need")
_SENTENCE_KINDS = frozenset({"pain_point", "need"})
_LEXICONS: tuple[tuple[str, tuple[Concept, ...]], ...] = (
    ("channel", CHANNELS), ("touchpoint", TOUCHPOINTS), ("pain_point", PAIN_POINTS),
)
_MIN_BATCH_FOR_Z = 5
_Z = 1.5


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    kind: str
    code: CodebookEntry | None
    name: str
    score: float
    rationale: str


class LexicalSuggester:
    name = "lexical"
    version = "1"

    def suggest(self, segments: list[SegmentInput], ctx: SuggestContext) -> list[Suggestion]:
        codes = ctx.codes_of(*KINDS)
        aliases: PhraseMatcher[CodebookEntry] = PhraseMatcher()
        for code in codes:
            for phrase in (code.name, *code.aliases):
                aliases.add(phrase, code)
        mapped = {kind: codes_for_concepts(concepts, [c for c in codes if c.kind == kind])
                  for kind, concepts in _LEXICONS}
        out: list[Suggestion] = []
        for segment in segments:
            item = analyse(segment)
            found = self._aliases(item, aliases) + self._lexicons(item, mapped) + self._needs(item)
            out.extend(self._to_suggestion(item, f) for f in found)
        out.extend(self._similar(segments, codes, ctx))
        return _best(out)

    def _aliases(self, item: Analysed, matcher: PhraseMatcher[CodebookEntry]) -> list[_Found]:
        found = []
        for match in matcher.find(item.tokens):
            code = match.payload
            start, end = _span(item, match, code.kind)
            found.append(_Found(start, end, code.kind, code, code.name, 0.8,
                                f"matches '{match.phrase}'"))
        return found

    def _lexicons(self, item: Analysed, mapped: dict[str, dict[str, CodebookEntry]]) -> list[_Found]:
        found = []
        for kind, concepts in _LEXICONS:
            for match in concept_matcher(concepts, item.lang).find(item.tokens):
                hit = match.payload
                if hit.proper and not item.tokens[match.first_token].capitalised:
                    continue
                said = item.segment.text[match.start:match.end]
                code = mapped[kind].get(hit.concept.key)
                start, end = _span(item, match, kind)
                found.append(_Found(start, end, kind, code, hit.concept.name, 0.6,
                                    f"{kind.replace('_', ' ')} lexicon: '{said}' = "
                                    f"{hit.concept.name.lower()}"))
        return found

    def _needs(self, item: Analysed) -> list[_Found]:
        found = []
        for match in term_matcher(NEED_CUES, item.lang).find(item.tokens):
            phrase = phrase_after(item.segment.text, item.tokens, match.end_token)
            if phrase is None:
                continue
            first, last, _ = phrase
            what = item.segment.text[item.tokens[first].start:item.tokens[last - 1].end]
            start, end = _span(item, match, "need")
            found.append(_Found(start, end, "need", None, what[:1].upper() + what[1:], 0.5,
                                f"need cue '{item.segment.text[match.start:match.end]}'"))
        return found

    def _to_suggestion(self, item: Analysed, found: _Found) -> Suggestion:
        start, end = item.source_span(found.start, found.end)
        return Suggestion(
            item.segment.source_id, start, end, found.code.id if found.code else None,
            None if found.code else found.kind, None if found.code else found.name,
            found.score, found.rationale, self.name, self.version,
        )

    def _similar(
        self, segments: list[SegmentInput], codes: list[CodebookEntry], ctx: SuggestContext
    ) -> list[Suggestion]:
        if ctx.embedder is None or not codes or len(segments) < _MIN_BATCH_FOR_Z:
            return []
        vectors = segment_vectors(segments, ctx)
        if vectors is None:
            return []
        cosines = vectors @ ctx.embedder.embed([code.definition() for code in codes]).T
        z = (cosines - cosines.mean(axis=0)) / (cosines.std(axis=0) + 1e-6)
        probabilities = cosine_softmax(cosines)
        out = []
        for row, segment in enumerate(segments):
            best = int(np.argmax(cosines[row]))
            if z[row, best] >= _Z:
                code = codes[best]
                out.append(Suggestion(
                    segment.source_id, segment.start, segment.end, code.id, None, None,
                    round(0.5 * float(probabilities[row, best]), 4),
                    f"close to the definition of '{code.name}'", self.name, self.version,
                ))
        return out


def _span(item: Analysed, match: Match[object], kind: str) -> tuple[int, int]:
    """The words themselves, or for pain points and needs the sentence around them."""
    if kind in _SENTENCE_KINDS:
        for start, end, _ in item.sentences():
            if start <= match.start < end:
                return start, end
    return match.start, match.end


def _best(suggestions: list[Suggestion]) -> list[Suggestion]:
    best: dict[tuple[int, int, int | None, str | None, str | None], Suggestion] = {}
    for s in suggestions:
        key = (s.start, s.end, s.code_id, s.proposed_kind, s.proposed_name)
        if key not in best or best[key].score < s.score:
            best[key] = s
    return list(best.values())
