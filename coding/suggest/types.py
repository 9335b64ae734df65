"""Plain data passed into and out of the suggesters (no database objects)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from coding.suggest.embedding import Embedder
    from coding.suggest.learner import Learner

CODE_KINDS = (
    "goal",
    "sub_goal",
    "actor",
    "phase",
    "touchpoint",
    "channel",
    "pain_point",
    "need",
    "emotion",
    "theme",
)
OWNERSHIPS = ("company", "partner", "third_party", "customer_sphere")


@dataclass(frozen=True, slots=True)
class CodebookEntry:
    """One codable code of the project."""

    id: int
    name: str
    kind: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    ownership: str | None = None
    goal_id: int | None = None
    phase_position: int | None = None
    valence: int | None = None

    def definition(self) -> str:
        """The text embedded for deductive coding: name, description and aliases."""
        parts = [self.name]
        if self.description:
            parts.append(self.description)
        if self.aliases:
            parts.append(", ".join(self.aliases))
        return ". ".join(parts)


@dataclass(frozen=True, slots=True)
class SegmentInput:
    """A segment of a source; `start`/`end` are its code-point offsets in the source."""

    id: int
    source_id: int
    start: int
    end: int
    text: str
    language: str | None


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A proposed coding; offsets are code points in the source text, end exclusive."""

    source_id: int
    start: int
    end: int
    code_id: int | None
    proposed_kind: str | None
    proposed_name: str | None
    score: float
    rationale: str
    suggester: str
    model_version: str
    extra: dict[str, object] | None = None


@dataclass(slots=True)
class SuggestContext:
    """What the suggesters know about the project.

    `segment_vectors` holds stored embeddings (segment id -> vector of the context's
    embedder); suggesters embed only the segments missing from it.
    """

    codebook: list[CodebookEntry]
    company_aliases: tuple[str, ...] = ()
    phases: list[tuple[int, str, str]] = field(default_factory=list)
    embedder: Embedder | None = None
    learner: Learner | None = None
    segment_vectors: Mapping[int, np.ndarray] = field(default_factory=dict)

    def codes_of(self, *kinds: str) -> list[CodebookEntry]:
        return [entry for entry in self.codebook if entry.kind in kinds]

    def code(self, code_id: int) -> CodebookEntry | None:
        return next((entry for entry in self.codebook if entry.id == code_id), None)


class Suggester(Protocol):
    name: str
    version: str

    def suggest(
        self, segments: list[SegmentInput], ctx: SuggestContext
    ) -> list[Suggestion]: ...
