"""Recall of the rule-based suggesters on the hand-labelled Nordic excerpts.

An actor or goal counts as found when a suggestion of that suggester overlaps its gold
span. Phases use the five-phase template, with cue words only unless an embedder is
given: accuracy counts every excerpt with a gold phase (no proposal counts as wrong),
precision only those that got a proposal, coverage is the share that got one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from coding.suggest.actors import ActorSuggester
from coding.suggest.embedding import Embedder
from coding.suggest.goals import GoalSuggester
from coding.suggest.phases import PhaseSuggester, phase_concept
from coding.suggest.types import SegmentInput, SuggestContext, Suggestion

COMPANY = ("Nordbo",)


@dataclass(frozen=True, slots=True)
class Excerpt:
    segment: SegmentInput
    actors: list[tuple[int, int]]
    goals: list[tuple[int, int]]
    phase: str | None


def load_excerpts() -> tuple[list[Excerpt], list[tuple[int, str, str]]]:
    data = json.loads(resources.files("coding.suggest").joinpath("data/nordic_eval.json")
                      .read_text(encoding="utf-8"))
    excerpts = []
    offset = 0
    for number, item in enumerate(data["excerpts"]):
        text = item["text"]
        segment = SegmentInput(number, 1, offset, offset + len(text), text, item["lang"])

        def span(quote: str, text: str = text, offset: int = offset) -> tuple[int, int]:
            start = text.index(quote)
            return offset + start, offset + start + len(quote)

        excerpts.append(Excerpt(segment, [span(a) for a in item["actors"]],
                                [span(g) for g in item["goals"]], item["phase"]))
        offset += len(text) + 2
    phases = [(int(p), str(n), str(d)) for p, n, d in data["phases"]]
    return excerpts, phases


def nordic_report(embedder: Embedder | None = None) -> dict[str, object]:
    """Actor and goal-clause recall and precision, phase accuracy, precision and coverage,
    overall and per language."""
    excerpts, phases = load_excerpts()
    ctx = SuggestContext(codebook=[], company_aliases=COMPANY, phases=phases, embedder=embedder)
    segments = [e.segment for e in excerpts]
    actors = ActorSuggester().suggest(segments, ctx)
    goals = GoalSuggester().suggest(segments, ctx)
    phase_of = {s.start: s for s in PhaseSuggester().suggest(segments, ctx)}
    concepts = {position: phase_concept(name, description) for position, name, description in phases}
    report: dict[str, object] = {}
    for lang in (None, "sv", "nb", "da", "en"):
        chosen = [e for e in excerpts if lang is None or e.segment.language == lang]
        gold_actors = [span for e in chosen for span in e.actors]
        gold_goals = [span for e in chosen for span in e.goals]
        phased = [e for e in chosen if e.phase]
        proposed = [e for e in phased if e.segment.start in phase_of]
        right = sum(
            1 for e in proposed
            if (extra := phase_of[e.segment.start].extra) is not None
            and concepts.get(int(str(extra["phase_position"]))) == e.phase
        )
        report[lang or "all"] = {
            "excerpts": len(chosen),
            "actor_recall": _recall(gold_actors, actors),
            "actor_precision": _precision(gold_actors, [s for s in actors if _in(s, chosen)]),
            "goal_recall": _recall(gold_goals, goals),
            "goal_precision": _precision(gold_goals, [s for s in goals if _in(s, chosen)]),
            "phase_accuracy": round(right / len(phased), 3) if phased else None,
            "phase_precision": round(right / len(proposed), 3) if proposed else None,
            "phase_coverage": round(len(proposed) / len(phased), 3) if phased else None,
        }
    return report


def _recall(gold: list[tuple[int, int]], found: list[Suggestion]) -> float | None:
    if not gold:
        return None
    hit = sum(any(s.start < end and start < s.end for s in found) for start, end in gold)
    return round(hit / len(gold), 3)


def _precision(gold: list[tuple[int, int]], found: list[Suggestion]) -> float | None:
    if not found:
        return None
    hit = sum(any(s.start < end and start < s.end for start, end in gold) for s in found)
    return round(hit / len(found), 3)


def _in(suggestion: Suggestion, excerpts: list[Excerpt]) -> bool:
    return any(e.segment.start <= suggestion.start < e.segment.end for e in excerpts)
