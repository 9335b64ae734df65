"""Runs the suggesters over segments and merges their proposals."""

from __future__ import annotations

from collections.abc import Iterable, Set

from coding.suggest.actors import ActorSuggester
from coding.suggest.emotion import EmotionSuggester
from coding.suggest.goals import GoalSuggester
from coding.suggest.learner import LearnerSuggester
from coding.suggest.lexical import LexicalSuggester
from coding.suggest.phases import PhaseSuggester
from coding.suggest.types import SegmentInput, SuggestContext, Suggester, Suggestion


def default_suggesters() -> list[Suggester]:
    return [ActorSuggester(), GoalSuggester(), PhaseSuggester(), LexicalSuggester(),
            EmotionSuggester(), LearnerSuggester()]


def run_suggesters(
    segments: list[SegmentInput],
    ctx: SuggestContext,
    suggesters: Iterable[Suggester] | None = None,
    existing: Set[tuple[int, int, int]] = frozenset(),
) -> list[Suggestion]:
    """All proposals, one per span and code (the best-scored), none that `existing`
    (start, end, code id) codings already hold; sorted by source, position, score."""
    best: dict[tuple[int, int, int, object], Suggestion] = {}
    for suggester in suggesters if suggesters is not None else default_suggesters():
        for s in suggester.suggest(segments, ctx):
            if s.code_id is not None and (s.start, s.end, s.code_id) in existing:
                continue
            target: object = s.code_id if s.code_id is not None else (
                s.proposed_kind, (s.proposed_name or "").lower())
            key = (s.source_id, s.start, s.end, target)
            if key not in best or best[key].score < s.score:
                best[key] = s
    return sorted(best.values(), key=lambda s: (s.source_id, s.start, s.end, -s.score))
