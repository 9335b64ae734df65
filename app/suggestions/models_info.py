"""What the NLP settings page shows about models: which one the project uses, the
others it may choose, where each comes from, and how many of the project's segments
have stored vectors of each. Read from package metadata only: no model is loaded in
the web process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.settings import Settings
from app.suggestions.runs import model_choices
from coding import suggest_service as svc
from coding.suggest.model_catalogue import OFF, ModelInfo, describe, package_version
from research.projects import Project

# Language resources of the rule-based suggesters and the learner, shown with their versions.
LANGUAGE_PACKAGES = (
    ("simplemma", "lemmas and language detection"),
    ("spacy", "tokens, sentences and phrase matching"),
    ("spacy-lookups-data", "lookup lemmas for spaCy"),
    ("scikit-learn", "the learner (logistic regression)"),
    ("numpy", "the multilingual encoder and vector maths"),
    ("torch", "the transformers backend"),
    ("transformers", "the transformers backend"),
)


@dataclass(frozen=True)
class ModelRow:
    info: ModelInfo
    active: bool
    instance_default: bool
    vectors: int
    coverage: float | None


def model_overview(session: Session, project: Project, settings: Settings) -> dict[str, Any]:
    """The template's view of the models: the project's active model, one row per model
    it may choose, and the stored vectors of models no longer offered."""
    active_name = (project.embedding_model or settings.embedding_model) if settings.nlp_enabled else OFF
    counts = svc.embedding_counts(session, project.id)
    segments = svc.segment_count(session, project.id)
    rows = []
    for name in model_choices():
        info = describe(name)
        vectors = counts.get(info.model_id, 0) if info.model_id else 0
        rows.append(ModelRow(info, name.strip().lower() == active_name.strip().lower(),
                             name == settings.embedding_model, vectors,
                             vectors / segments if segments and info.backend != "none" else None))
    offered = {row.info.model_id for row in rows}
    return {"active": describe(active_name), "models": rows, "segments": segments,
            "project_choice": project.embedding_model, "instance_default": settings.embedding_model,
            "other_vectors": sorted((m, n) for m, n in counts.items() if m not in offered)}


def language_packages() -> list[tuple[str, str, str]]:
    """(package, version, what for) of the installed language resources."""
    found = []
    for package, purpose in LANGUAGE_PACKAGES:
        version = package_version(package)
        if version:
            found.append((package, version, purpose))
    return found
