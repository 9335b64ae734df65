"""The phase of the project's phase model for each segment.

Two kinds of evidence: cue words of the phase concept the project's phase stands for
(a phase named "Överväga" or "Consideration" gets the consideration cues: "jämförde",
"alternativ", "compare"), and, with an embedder, similarity of the segment to each
phase's name and description. A phase is proposed only when the evidence clearly points
at it (see `PhaseSuggester`). Cue words inside a goal clause do not count: "we wanted to
buy a flat" states a goal, it is not the purchase.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from coding.suggest.embedding import cosine_softmax, segment_vectors
from coding.suggest.goals import goal_phrases
from coding.suggest.lexicon import FUNCTION_WORDS, PHASE_CUES, PHASE_NAMES
from coding.suggest.matching import PhraseMatcher
from coding.suggest.nlp import tokenize
from coding.suggest.segments import analyse
from coding.suggest.types import CodebookEntry, SegmentInput, SuggestContext, Suggestion

_CUE_WEIGHT = 0.5
# The leading phase needs one concept cue (weight 1) more than any other phase.
_CUE_LEAD = 1.0
# e5 cosines sit in a narrow band: a lead of 0.015 over the next phase definition.
_SIMILARITY_MARGIN = 0.015


class PhaseSuggester:
    """Proposes a phase for a segment only on clear evidence, named in the rationale.

    Clear cue evidence: the leading phase has at least one concept cue's weight more than
    any other phase. Clear similarity: the closest phase definition leads the next by
    `_SIMILARITY_MARGIN` (with multilingual-e5 on the Nordic set, 7 of the 8 segments
    above that margin were right, against 11 of 30 below it). When both are clear and disagree, nothing is
    proposed; interview turns without cues ("Ja, precis.") get no phase.
    """

    name = "phases"
    version = "2"

    def suggest(self, segments: list[SegmentInput], ctx: SuggestContext) -> list[Suggestion]:
        if not ctx.phases or not segments:
            return []
        phases = sorted(ctx.phases)
        cue_matcher = _phase_cue_matcher(tuple(phases))
        cues = np.zeros((len(segments), len(phases)))
        words: list[list[set[str]]] = [[set() for _ in phases] for _ in segments]
        for row, segment in enumerate(segments):
            item = analyse(segment)
            goals = [(g.start, g.end) for g in goal_phrases(item)]
            by_span: dict[tuple[int, int], dict[int, float]] = {}
            for match in cue_matcher.find(item.tokens):
                if any(start <= match.start and match.end <= end for start, end in goals):
                    continue  # "vi ville köpa en bostad" names a goal, not the purchase
                weights = by_span.setdefault((match.start, match.end), {})
                for column, weight in match.payload:
                    weights[column] = max(weight, weights.get(column, 0.0))
            for (start, end), weights in by_span.items():  # a word counts once ("köpte")
                for column, weight in weights.items():
                    cues[row, column] += weight
                    words[row][column].add(segment.text[start:end].lower())
        cosines = _cosines(segments, phases, ctx)
        codes = {position: _phase_code(position, name, ctx.codebook) for position, name, _ in phases}
        out = []
        for row, segment in enumerate(segments):
            by_cues = _clear_lead(cues[row], _CUE_LEAD)
            by_similarity = _clear_lead(cosines[row], _SIMILARITY_MARGIN) if cosines is not None else None
            best = by_cues if by_cues is not None else by_similarity
            if best is None or (by_similarity is not None and by_similarity != best):
                continue  # no clear evidence, or cues and similarity disagree
            parts, reasons = [], []
            if by_cues is not None:
                parts.append(cues[row, best] / cues[row].sum())
                reasons.append("cue words " + ", ".join(f"'{w}'" for w in sorted(words[row][best])))
            if by_similarity is not None and cosines is not None:
                parts.append(float(cosine_softmax(cosines[row])[best]))
                reasons.append(_similarity_reason(cosines[row], best, phases))
            position, name, _ = phases[best]
            code = codes[position]
            out.append(Suggestion(
                segment.source_id, segment.start, segment.end, code.id if code else None,
                None if code else "phase", None if code else name, round(float(np.mean(parts)), 4),
                "; ".join(reasons), self.name, self.version, {"phase_position": position},
            ))
        return out


def _clear_lead(scores: np.ndarray, lead: float) -> int | None:
    """The column that leads every other by at least `lead` (and is above zero)."""
    order = np.argsort(-scores, kind="stable")
    top = float(scores[order[0]])
    second = float(scores[order[1]]) if len(order) > 1 else 0.0
    return int(order[0]) if top > 0 and top - second >= lead else None


def _similarity_reason(row: np.ndarray, best: int, phases: list[tuple[int, str, str]]) -> str:
    runner_up = max((c for c in range(len(row)) if c != best), key=lambda c: row[c], default=None)
    reason = f"closest to the definition of '{phases[best][1]}' (cosine {row[best]:.2f}"
    if runner_up is not None:
        reason += f"; next '{phases[runner_up][1]}' {row[runner_up]:.2f}"
    return reason + ")"


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
            for match in _concept_names().find(tokenize(text, lang)):
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


def _cosines(
    segments: list[SegmentInput], phases: list[tuple[int, str, str]], ctx: SuggestContext
) -> np.ndarray | None:
    vectors = segment_vectors(segments, ctx)
    if vectors is None or ctx.embedder is None:
        return None
    definitions = ctx.embedder.embed([f"{name}: {description}" for _, name, description in phases])
    return np.asarray(vectors @ definitions.T)
