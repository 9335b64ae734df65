"""Test helpers: a fake embedder and segments laid out in one source."""

import hashlib
import re

import numpy as np

from coding.suggest.types import SegmentInput


class HashEmbedder:
    """A deterministic bag-of-words embedder for tests: each word hashes to one dimension."""

    model_id = "test-hash"
    dim = 64

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
            out[row] += 1e-3
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def segments_of(*texts: str, language: str | None = None, source_id: int = 7) -> list[SegmentInput]:
    """Segments laid out in one source, two characters apart."""
    out = []
    offset = 100
    for number, text in enumerate(texts):
        out.append(SegmentInput(number + 1, source_id, offset, offset + len(text), text, language))
        offset += len(text) + 2
    return out


def source_text(segments: list[SegmentInput]) -> str:
    """The source text the segments were cut from (padding with spaces)."""
    chars = [" "] * (segments[-1].end if segments else 0)
    for segment in segments:
        chars[segment.start:segment.end] = segment.text
    return "".join(chars)


class StubEmbedder:
    """Embeds each known text as a given vector, so a test sets the cosines it needs.

    `leaning(0.4, 0.3)` is a unit vector with cosine 0.4 to axis 0 and 0.3 to axis 1.
    """

    model_id = "test-stub"
    dim = 8

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self.vectors[text] for text in texts]).astype(np.float32)

    @classmethod
    def axis(cls, number: int) -> np.ndarray:
        return np.eye(cls.dim, dtype=np.float32)[number]

    @classmethod
    def leaning(cls, *cosines: float) -> np.ndarray:
        vector = np.zeros(cls.dim, dtype=np.float32)
        vector[:len(cosines)] = cosines
        vector[-1] = np.sqrt(1.0 - float(np.sum(np.square(cosines))))
        return vector
