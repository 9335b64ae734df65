"""The phase of the project's phase model for each segment.

Two kinds of evidence: cue words of the phase concept the project's phase stands for
(a phase named "Överväga" or "Consideration" gets the consideration cues: "jämförde",
"alternativ", "compare"), and, with an embedder, similarity of the segment to each
phase's name and description, turned into a distribution by a low-temperature softmax.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from coding.suggest.embedding import cosine_softmax, segment_vectors
from coding.suggest.lemmas import tokenize
from coding.suggest.lexicon import FUNCTION_WORDS, PHASE_CUES, PHASE_NAMES
from coding.suggest.matching import PhraseMatcher
from coding.suggest.segments import analyse
from coding.suggest.types import CodebookEntry, SegmentInput, SuggestContext, Suggestion

_CUE_WEIGHT = 0.5


class PhaseSuggester:
    name = "phases"
    version = "1"

    def suggest(self, segments: list[SegmentInput], ctx: SuggestContext) -> list[Suggestion]:
        if not ctx.phases or not segments:
            return []
        phases = sorted(ctx.phases)
        cue_matcher = _phase_cue_matcher(tuple(phases))
        cues = np.zeros((len(segments), len(phases)))
        words: list[list[set[str]]] = [[set() for _ in phases] for _ in segments]
        for row, segment in enumerate(segments):
            item = analyse(segment)
            for match in cue_matcher.find(item.tokens, item.lang):
                for column, weight in match.payload:
                    cues[row, column] += weight
                    words[row][column].add(segment.text[match.start:match.end].lower())
        similarity = _similarity(segments, phases, ctx)
        codes = {position: _phase_code(position, name, ctx.codebook) for position, name, _ in phases}
        out = []
        for row, segment in enumerate(segments):
            has_cues = cues[row].sum() > 0
            if not has_cues and similarity is None:
                continue
            parts = []
            if has_cues:
                parts.append(cues[row] / cues[row].sum())
            if similarity is not None:
                parts.append(similarity[row])
            probability = np.mean(parts, axis=0)
            best = int(np.argmax(probability))
            position, name, _ = phases[best]
            reasons = []
            if words[row][best]:
                reasons.append("cue words " + ", ".join(f"'{w}'" for w in sorted(words[row][best])))
            if similarity is not None:
                reasons.append(f"closest to the definition of '{name}'")
            code = codes[position]
            out.append(Suggestion(
                segment.source_id, segment.start, segment.end, code.id if code else None,
                None if code else "phase", None if code else name, round(float(probability[best]), 4),
                "; ".join(reasons), self.name, self.version, {"phase_position": position},
            ))
        return out


def _phase_code(position: int, name: str, codebook: list[CodebookEntry]) -> CodebookEntry | None:
    phases = [code for code in codebook if code.kind == "phase"]
    return next((c for c in phases if c.phase_position == position), None) or next(
        (c for c in phases if c.name.lower() == name.lower()), None)


@cache
def _concept_names() -> PhraseMatcher[str]:
    matcher: PhraseMatcher[str] = PhraseMatcher()
    for concept, names in PHASE_NAMES.items():
        for name in names:
            matcher.add(name, concept, compound_head=False)
    return matcher


def phase_concept(name: str, description: str) -> str | None:
    """The template concept ("awareness", "purchase", ...) a project phase stands for."""
    votes: dict[str, float] = {}
    for text, weight in ((name, 2.0), (description, 1.0)):
        for lang in ("sv", "nb", "da", "en"):
            for match in _concept_names().find(tokenize(text, lang), lang):
                votes[match.payload] = votes.get(match.payload, 0.0) + weight
    return max(votes, key=lambda k: votes[k]) if votes else None


@cache
def _phase_cue_matcher(phases: tuple[tuple[int, str, str], ...]) -> PhraseMatcher[tuple[tuple[int, float], ...]]:
    """Cue phrase -> ((phase column, weight), ...): concept cues plus the phase's own words."""
    weights: dict[str, dict[int, float]] = {}
    for column, (_, name, description) in enumerate(phases):
        concept = phase_concept(name, description)
        for cue in PHASE_CUES.get(concept or "", ()):
            weights.setdefault(cue, {})[column] = 1.0
        for word in tokenize(f"{name} {description}", "en"):
            if len(word.lower) > 3 and word.lower not in FUNCTION_WORDS:
                slot = weights.setdefault(word.lower, {})
                slot[column] = max(slot.get(column, 0.0), _CUE_WEIGHT)
    matcher: PhraseMatcher[tuple[tuple[int, float], ...]] = PhraseMatcher()
    for cue, columns in weights.items():
        matcher.add(cue, tuple(sorted(columns.items())), compound_head=False)
    return matcher


def _similarity(
    segments: list[SegmentInput], phases: list[tuple[int, str, str]], ctx: SuggestContext
) -> np.ndarray | None:
    vectors = segment_vectors(segments, ctx)
    if vectors is None or ctx.embedder is None:
        return None
    definitions = ctx.embedder.embed([f"{name}: {description}" for _, name, description in phases])
    return cosine_softmax(vectors @ definitions.T)
