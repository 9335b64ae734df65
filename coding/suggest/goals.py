"""Goals and sub-goals from purpose and intention clauses.

"För att kunna köpa en bostad behövde vi lånelöfte": the purpose marker "för att" opens
the goal phrase "köpa en bostad", which ends at the finite verb "behövde"; what was
needed ("lånelöfte") is a sub-goal serving that goal. The same link is read the other
way round in "vi behövde ett lånelöfte för att kunna köpa en bostad".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coding.suggest.lexicon import (
    ARTICLES,
    FUNCTION_WORDS,
    GOAL_BREAK,
    GOAL_LEAD_SKIP,
    INTENTION_MARKERS,
    NEED_VERBS,
    PURPOSE_MARKERS,
    term_matcher,
)
from coding.suggest.matching import PhraseMatcher
from coding.suggest.nlp import Token, phrase_lemmas
from coding.suggest.segments import Analysed, analyse
from coding.suggest.types import CodebookEntry, SegmentInput, SuggestContext, Suggestion

_MAX_PHRASE = 8
# e5 cosines of a phrase and a paraphrased code name sit above this; unrelated goals below.
_SIMILAR = 0.9
# Trimmed from the end of a phrase; particles like "in" stay ("move in", "flytta in").
_TRAILING = ARTICLES | frozenset("och og and att å at to för for med with av af of till til på".split())


@dataclass(frozen=True, slots=True)
class GoalPhrase:
    """A goal phrase found in a segment (offsets in the segment text)."""

    start: int
    end: int
    text: str
    kind: str
    marker: str
    serves: GoalPhrase | None = None


class GoalSuggester:
    name = "goals"
    version = "1"

    def suggest(self, segments: list[SegmentInput], ctx: SuggestContext) -> list[Suggestion]:
        goal_codes = ctx.codes_of("goal", "sub_goal")
        matcher: PhraseMatcher[CodebookEntry] = PhraseMatcher()
        for code in goal_codes:
            for phrase in (code.name, *code.aliases):
                matcher.add(phrase, code)
        found = [(item, phrase) for item in map(analyse, segments) for phrase in goal_phrases(item)]
        similar = _similar_codes([p.text for _, p in found], goal_codes, ctx)
        out = []
        for (item, phrase), by_embedding in zip(found, similar, strict=True):
            code, how = _existing(phrase, item, matcher, goal_codes, by_embedding)
            extra: dict[str, object] = {"marker": phrase.marker}
            if phrase.serves:
                goal, _ = _existing(phrase.serves, item, matcher, goal_codes, None)
                extra.update(serves_goal=phrase.serves.text,
                             serves_goal_id=goal.id if goal else None,
                             serves_goal_span=list(item.source_span(phrase.serves.start,
                                                                    phrase.serves.end)))
            rationale = f"follows '{phrase.marker}'"
            if phrase.serves:
                rationale += f"; needed for '{phrase.serves.text}'"
            if code:
                rationale += f"; {how}"
            start, end = item.source_span(phrase.start, phrase.end)
            out.append(Suggestion(
                item.segment.source_id, start, end, code.id if code else None,
                None if code else phrase.kind, None if code else _name(phrase.text),
                0.7 if code else 0.5, rationale, self.name, self.version, extra,
            ))
        return out


def goal_phrases(item: Analysed) -> list[GoalPhrase]:
    """Goal and sub-goal phrases of a segment, with sub-goal -> goal links."""
    text = item.segment.text
    intention = term_matcher(INTENTION_MARKERS, item.lang)
    purpose = term_matcher(PURPOSE_MARKERS, item.lang)
    out: list[GoalPhrase] = []
    for _, _, tokens in item.sentences():
        markers: dict[tuple[int, int], tuple[str, str]] = {}
        for kind, matcher in (("goal", intention), ("sub_goal", purpose)):
            for m in matcher.find(tokens):
                said = text[m.start:m.end].lower()
                if (m.first_token, m.end_token) not in markers or said == m.phrase:
                    markers[(m.first_token, m.end_token)] = (said, kind)
        for (first, after), (marker, kind) in sorted(markers.items()):
            span = phrase_after(text, tokens, after)
            if span is None:
                continue
            start, end, stop = span
            goal = GoalPhrase(tokens[start].start, tokens[end - 1].end,
                              text[tokens[start].start:tokens[end - 1].end], kind, marker)
            sub = None
            if stop is not None and tokens[stop].lower in NEED_VERBS:
                sub = phrase_after(text, tokens, stop + 1)
            elif kind == "sub_goal":
                sub = _need_before(text, tokens, first)
            if sub is not None:
                s_start, s_end, _ = sub
                goal = GoalPhrase(goal.start, goal.end, goal.text, "goal", marker)
                out.append(goal)
                out.append(GoalPhrase(tokens[s_start].start, tokens[s_end - 1].end,
                                      text[tokens[s_start].start:tokens[s_end - 1].end],
                                      "sub_goal", marker, goal))
            else:
                out.append(goal)
    return out


def phrase_after(text: str, tokens: list[Token], i: int) -> tuple[int, int, int | None] | None:
    """Token range [start, end) of the phrase from token i, and the token that ended it."""
    while i < len(tokens) and tokens[i].lower in GOAL_LEAD_SKIP:
        i += 1
    start, end, stop = i, i, None
    while end < len(tokens) and end - start < _MAX_PHRASE:
        token = tokens[end]
        if end > start and (token.lower in GOAL_BREAK or _punctuation(text, tokens[end - 1], token)):
            stop = end if token.lower in GOAL_BREAK else None
            break
        end += 1
    while end > start and tokens[end - 1].lower in _TRAILING:
        end -= 1
    while start < end and tokens[start].lower in ARTICLES:
        start += 1
    return (start, end, stop) if end > start else None


def _need_before(text: str, tokens: list[Token], marker: int) -> tuple[int, int, int | None] | None:
    """In "vi behövde X för att ...", the phrase X between the need verb and the marker."""
    for i in range(marker - 1, -1, -1):
        if tokens[i].lower in NEED_VERBS:
            span = phrase_after(text, tokens[:marker], i + 1)
            return span if span and span[1] == marker else span
        if _punctuation(text, tokens[i], tokens[i + 1]):
            return None
    return None


def _punctuation(text: str, before: Token, after: Token) -> bool:
    return any(c in ",;:.!?()–—\"" for c in text[before.end:after.start])


def _name(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def _existing(
    phrase: GoalPhrase, item: Analysed, matcher: PhraseMatcher[CodebookEntry],
    codes: list[CodebookEntry], by_embedding: tuple[CodebookEntry, float] | None,
) -> tuple[CodebookEntry | None, str]:
    """A goal code the phrase names: its name or an alias (as a phrase, or all its content
    words in any order), covering at least half of the phrase; then embedding similarity."""
    tokens = [t for t in item.tokens if phrase.start <= t.start and t.end <= phrase.end]
    content = [t for t in tokens if t.lower not in FUNCTION_WORDS]
    for match in matcher.find(tokens):
        covered = [t for t in content if match.start <= t.start and t.end <= match.end]
        if len(covered) * 2 >= len(content):
            return match.payload, f"matches '{match.phrase}'"
    said = {form for t in content for form in t.forms}
    for code in codes:
        for phrase in (code.name, *code.aliases):
            keys = {k for k in phrase_lemmas(phrase, item.lang) if k not in FUNCTION_WORDS}
            if keys and keys <= said and len(keys) * 2 >= len(content):
                return code, f"matches '{phrase}'"
    if by_embedding:
        code, cosine = by_embedding
        return code, f"similar to '{code.name}' ({cosine:.2f})"
    return None, ""


def _similar_codes(
    phrases: list[str], codes: list[CodebookEntry], ctx: SuggestContext
) -> list[tuple[CodebookEntry, float] | None]:
    if not ctx.embedder or not codes or not phrases:
        return [None] * len(phrases)
    vectors = ctx.embedder.embed(phrases)
    definitions = ctx.embedder.embed([code.definition() for code in codes])
    cosines = vectors @ definitions.T
    out: list[tuple[CodebookEntry, float] | None] = []
    for row in cosines:
        best = int(np.argmax(row))
        out.append((codes[best], float(row[best])) if row[best] >= _SIMILAR else None)
    return out
