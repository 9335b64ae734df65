"""Actors: codebook actor codes, the role lexicon, company aliases and name-like words.

No trained named-entity recogniser for Swedish, Norwegian or Danish can be installed
offline (none ships inside a package on the registries), so names of people and
organisations are found by a capitalisation heuristic: capitalised words inside a
sentence, and sentence-initial ones that are unknown to the lemmatiser or seen
capitalised elsewhere in the same batch. These proposals get a low score.
"""

from __future__ import annotations

import re
from typing import Any

import simplemma

from coding.suggest.lexicon import (
    FUNCTION_WORDS,
    ROLES,
    LexiconHit,
    codes_for_concepts,
    concept_matcher,
)
from coding.suggest.matching import Match, PhraseMatcher
from coding.suggest.nlp import Token
from coding.suggest.segments import Analysed, analyse
from coding.suggest.types import CodebookEntry, SegmentInput, SuggestContext, Suggestion

_SENTENCE_BREAK = re.compile(r"[.!?:;\n\"“”«»()\-–—]")
_ORG_SUFFIXES = frozenset("ab as asa a/s aps oy oyj inc ltd plc gmbh llc group gruppen".split())
_ORG_TAILS = ("verket", "etaten", "styrelsen", "bolaget", "banken", "bank", "kommun", "kommune")
_NOT_NAMES = frozenset(
    "i jag jeg vi du ni de dem han hon hun den det man ja nej nei jo okej ok "
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december english swedish norwegian "
    "danish intervjuare interviewer respondent ip".split()
)
_CODE_SCORE, _LEMMA_SCORE, _ROLE_SCORE, _NAME_SCORE = 0.9, 0.75, 0.6, 0.35


class ActorSuggester:
    name = "actors"
    version = "1"

    def suggest(self, segments: list[SegmentInput], ctx: SuggestContext) -> list[Suggestion]:
        actors = ctx.codes_of("actor")
        codes = _code_matcher(actors)
        company = _company_matcher(ctx.company_aliases)
        company_code = _company_code(actors, ctx.company_aliases)
        role_codes = codes_for_concepts(ROLES, actors)
        analysed = [analyse(segment) for segment in segments]
        names_seen = {t.text for a in analysed for t in _name_tokens(a, set(), initial=False)}
        best: dict[tuple[int, int, int | None, str | None], Suggestion] = {}
        for item in analysed:
            for suggestion in self._segment(item, actors, codes, company, company_code, ctx,
                                            role_codes, names_seen):
                key = (suggestion.start, suggestion.end, suggestion.code_id,
                       suggestion.proposed_name)
                if key not in best or best[key].score < suggestion.score:
                    best[key] = suggestion
        return list(best.values())

    def _segment(
        self, item: Analysed, actors: list[CodebookEntry], codes: PhraseMatcher[CodebookEntry],
        company: PhraseMatcher[str], company_code: CodebookEntry | None, ctx: SuggestContext,
        role_codes: dict[str, CodebookEntry], names_seen: set[str],
    ) -> list[Suggestion]:
        """Company aliases first, then codebook codes, roles and names, never overlapping."""
        out: list[Suggestion] = []
        taken: list[tuple[int, int]] = []
        for hit in company.find(item.tokens):
            out.append(self._company(item, hit, company_code, ctx.company_aliases))
            taken.append((hit.start, hit.end))
        for match in codes.find(item.tokens):
            if not _overlaps(match, taken):
                out.append(self._code(item, match, match.payload))
        taken.extend((s.start - item.segment.start, s.end - item.segment.start) for s in out)
        for role in concept_matcher(ROLES, item.lang).find(item.tokens):
            first = item.tokens[role.first_token]
            if role.payload.proper and not first.capitalised:
                continue
            if role.via_compound and first.capitalised and not _sentence_initial(item, role.first_token):
                continue  # "Handelsbanken", "Sparebanken": a name, proposed below
            if not _overlaps(role, taken):
                out.append(self._role(item, role, role_codes.get(role.payload.concept.key)))
                taken.append((role.start, role.end))
        for start, end, words in _names(item, names_seen):
            if not any(s < end and start < e for s, e in taken):
                out.append(self._name(item, start, end, words))
        return out

    def _suggestion(
        self, item: Analysed, start: int, end: int, code: CodebookEntry | None, *,
        name: str | None = None, score: float, rationale: str, extra: dict[str, object],
    ) -> Suggestion:
        begin, stop = item.source_span(start, end)
        return Suggestion(
            item.segment.source_id, begin, stop, code.id if code else None,
            None if code else "actor", None if code else name, score, rationale,
            self.name, self.version, extra,
        )

    def _code(self, item: Analysed, match: Match[CodebookEntry], code: CodebookEntry) -> Suggestion:
        said = item.segment.text[match.start:match.end]
        exact = said.lower() == match.phrase.lower()
        how = "alias" if match.phrase != code.name else "name"
        return self._suggestion(
            item, match.start, match.end, code, score=_CODE_SCORE if exact else _LEMMA_SCORE,
            rationale=f"matches {how} '{match.phrase}'" + ("" if exact else f" ('{said}')"),
            extra={"matched": said},
        )

    def _company(
        self, item: Analysed, match: Match[str], code: CodebookEntry | None,
        aliases: tuple[str, ...],
    ) -> Suggestion:
        said = item.segment.text[match.start:match.end]
        return self._suggestion(
            item, match.start, match.end, code, name=aliases[0], score=_CODE_SCORE,
            rationale=f"matches the company alias '{match.payload}'",
            extra={"ownership": "company", "actor_type": "organisation", "matched": said},
        )

    def _role(
        self, item: Analysed, match: Match[LexiconHit], code: CodebookEntry | None
    ) -> Suggestion:
        concept = match.payload.concept
        said = item.segment.text[match.start:match.end]
        name = match.phrase if match.payload.proper else concept.name
        rationale = f"role lexicon: '{said}' = {concept.name.lower()}"
        if code:
            rationale += f", coded here as '{code.name}'"
        return self._suggestion(
            item, match.start, match.end, code, name=name, score=_ROLE_SCORE, rationale=rationale,
            extra={"ownership": concept.ownership, "actor_type": concept.actor_type,
                   "role": concept.key, "matched": said},
        )

    def _name(self, item: Analysed, start: int, end: int, words: list[Token]) -> Suggestion:
        text = item.segment.text[start:end]
        organisation = any(w.lower in _ORG_SUFFIXES or w.lower.endswith(_ORG_TAILS) for w in words)
        kind = "organisation" if organisation else "person_or_organisation"
        return self._suggestion(
            item, start, end, None, name=text, score=_NAME_SCORE,
            rationale=f"'{text}' looks like a name ({kind.replace('_', ' ')})",
            extra={"ownership": "third_party", "actor_type": kind, "matched": text},
        )


def _overlaps(match: Match[Any], taken: list[tuple[int, int]]) -> bool:
    return any(start < match.end and match.start < end for start, end in taken)


def _code_matcher(actors: list[CodebookEntry]) -> PhraseMatcher[CodebookEntry]:
    matcher: PhraseMatcher[CodebookEntry] = PhraseMatcher()
    for code in actors:
        for phrase in (code.name, *code.aliases):
            matcher.add(phrase, code)
    return matcher


def _company_matcher(aliases: tuple[str, ...]) -> PhraseMatcher[str]:
    matcher: PhraseMatcher[str] = PhraseMatcher()
    for alias in aliases:
        matcher.add(alias, alias, compound_head=False)
    return matcher


def _company_code(actors: list[CodebookEntry], aliases: tuple[str, ...]) -> CodebookEntry | None:
    """The actor code that stands for the studied company, if the codebook has one."""
    names = {alias.lower() for alias in aliases}
    own = [code for code in actors if code.ownership == "company"]
    for code in own:
        if {code.name.lower(), *(a.lower() for a in code.aliases)} & names:
            return code
    return None


def _name_tokens(item: Analysed, seen: set[str], *, initial: bool) -> list[Token]:
    """Name-like tokens: capitalised, not a pronoun, and not merely sentence-initial."""
    out = []
    for index, token in enumerate(item.tokens):
        if not token.capitalised or token.lower in _NOT_NAMES or any(c.isdigit() for c in token.text):
            continue
        sentence_start = _sentence_initial(item, index)
        if not sentence_start:
            out.append(token)
        elif initial and token.lower not in FUNCTION_WORDS and (
            token.text in seen or not simplemma.is_known(token.lower, item.lang)
        ):
            out.append(token)
    return out


def _sentence_initial(item: Analysed, index: int) -> bool:
    if index == 0:
        return True
    gap = item.segment.text[item.tokens[index - 1].end:item.tokens[index].start]
    return bool(_SENTENCE_BREAK.search(gap))


def _names(item: Analysed, seen: set[str]) -> list[tuple[int, int, list[Token]]]:
    """Runs of adjacent name-like tokens (separated by one space), e.g. "Handelsbanken Umeå"."""
    text = item.segment.text
    runs: list[list[Token]] = []
    for token in _name_tokens(item, seen, initial=True):
        if runs and text[runs[-1][-1].end:token.start] == " ":
            runs[-1].append(token)
        else:
            runs.append([token])
    return [(run[0].start, run[-1].end, run) for run in runs]
