"""The learner: one-vs-rest logistic regression over embeddings of the researcher's decisions.

Every accepted coding is a positive example of its code; a rejected suggestion is an
explicit negative; a segment coded with other codes is an implicit negative. Codes with
fewer than `min_examples` positives fall back on deductive coding: similarity of the
segment to the code's definition (name, description, aliases).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

from coding.suggest.embedding import cosine_softmax, segment_vectors
from coding.suggest.types import SegmentInput, SuggestContext, Suggestion

Example = tuple[np.ndarray, int, bool]
# Deductive (definition) scores are capped below learnt ones: they are weaker evidence.
_DEFINITION_WEIGHT = 0.5
# A looser tolerance than scikit-learn's 1e-4 stops L-BFGS after a handful of iterations,
# which keeps retraining on 5,000 decisions near 1 s (a little less precise ranking; the
# evaluation uses 1e-4).
FAST_TOLERANCE = 1e-3


class Learner:
    def __init__(self, *, min_examples: int = 3, c: float = 10.0, tol: float = FAST_TOLERANCE) -> None:
        self.min_examples = min_examples
        self.c = c
        self.tol = tol
        self.positives: dict[int, int] = {}
        self._codes: list[int] = []
        self._weights = np.zeros((0, 0), dtype=np.float32)
        self._bias = np.zeros(0, dtype=np.float32)
        self._constant: dict[int, float] = {}
        self._definition_codes: list[int] = []
        self._definitions = np.zeros((0, 0), dtype=np.float32)

    def fit(
        self, examples: Sequence[Example], definitions: Mapping[int, np.ndarray] | None = None
    ) -> Learner:
        """Train on decisions; `definitions` (code id -> definition vector) serve the fallback."""
        rows: dict[bytes, int] = {}
        vectors: list[np.ndarray] = []
        positive: list[set[int]] = []
        seen: list[dict[tuple[int, bool], int]] = []
        for vector, code_id, is_positive in examples:
            vector = np.asarray(vector, dtype=np.float32)
            key = vector.tobytes()
            if key not in rows:
                rows[key] = len(vectors)
                vectors.append(vector)
                positive.append(set())
                seen.append({})
            row = rows[key]
            if is_positive:
                positive[row].add(code_id)
            seen[row][(code_id, is_positive)] = seen[row].get((code_id, is_positive), 0) + 1
        # Equal vectors are one segment with several decisions, or equal texts decided
        # several times ("Very good"); the most repeated decision counts how many.
        weight = np.array([max(counts.values()) for counts in seen], dtype=np.float64)
        counts: dict[int, int] = {}
        for labels in positive:
            for code_id in labels:
                counts[code_id] = counts.get(code_id, 0) + 1
        self.positives = counts
        learnt = sorted(code for code, n in counts.items() if n >= self.min_examples)
        x = np.vstack(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)
        weights, biases, constant = [], [], {}
        for code_id in learnt:
            y = np.fromiter((code_id in labels for labels in positive), dtype=np.int8, count=len(positive))
            if y.all():
                constant[code_id] = 1.0
                continue
            model = LogisticRegression(C=self.c, max_iter=1000, tol=self.tol).fit(x, y, sample_weight=weight)
            weights.append(model.coef_[0])
            biases.append(model.intercept_[0])
        self._codes = [c for c in learnt if c not in constant]
        self._constant = constant
        self._weights = np.array(weights, dtype=np.float32).reshape(len(weights), x.shape[1] if len(x) else 0)
        self._bias = np.array(biases, dtype=np.float32)
        fallback = sorted(set(definitions or {}) - set(learnt))
        self._definition_codes = fallback
        self._definitions = (np.vstack([definitions[c] for c in fallback]).astype(np.float32)
                             if definitions and fallback else np.zeros((0, 0), dtype=np.float32))
        return self

    def learnt(self, code_id: int) -> bool:
        return code_id in self._codes or code_id in self._constant

    def predict(self, vectors: np.ndarray) -> list[list[tuple[int, float]]]:
        """Per row, (code id, probability) best first: learnt codes, then definition fallbacks."""
        vectors = np.asarray(vectors, dtype=np.float32)
        columns: list[int] = []
        blocks: list[np.ndarray] = []
        if self._codes:
            columns += self._codes
            blocks.append(1.0 / (1.0 + np.exp(-(vectors @ self._weights.T + self._bias))))
        if self._constant:
            columns += list(self._constant)
            blocks.append(np.ones((len(vectors), len(self._constant)), dtype=np.float32))
        if self._definition_codes:
            columns += self._definition_codes
            blocks.append(_DEFINITION_WEIGHT * cosine_softmax(vectors @ self._definitions.T))
        if not blocks:
            return [[] for _ in range(len(vectors))]
        scores = np.hstack(blocks)
        order = np.argsort(-scores, axis=1)
        return [[(columns[j], float(scores[i, j])) for j in order[i]] for i in range(len(vectors))]


class LearnerSuggester:
    """Proposes codes the learner scores above `threshold` for each segment."""

    name = "learner"
    version = "1"

    def __init__(self, threshold: float = 0.5, top_k: int = 3) -> None:
        self.threshold = threshold
        self.top_k = top_k

    def suggest(self, segments: list[SegmentInput], ctx: SuggestContext) -> list[Suggestion]:
        if ctx.learner is None or not segments:
            return []
        vectors = segment_vectors(segments, ctx)
        if vectors is None:
            return []
        out = []
        for segment, ranked in zip(segments, ctx.learner.predict(vectors), strict=True):
            for code_id, probability in ranked[: self.top_k]:
                code = ctx.code(code_id)
                if code is None or probability < self.threshold * (
                    1.0 if ctx.learner.learnt(code_id) else _DEFINITION_WEIGHT
                ):
                    continue
                if ctx.learner.learnt(code_id):
                    n = ctx.learner.positives.get(code_id, 0)
                    rationale = f"similar to {n} segments you coded as '{code.name}'"
                else:
                    rationale = f"close to the definition of '{code.name}'"
                out.append(Suggestion(
                    segment.source_id, segment.start, segment.end, code_id, None, None,
                    round(probability, 4), rationale, self.name, self.version,
                ))
        return out
