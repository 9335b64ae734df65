"""The background job of the NLP helper: ``nlp.suggest`` (embed, retrain the learner, suggest).

The job carries ids, the name of the embedding model chosen when it was queued (the
project's choice or ``KUNDSTIG_EMBEDDING_MODEL``; "none" runs only the rule-based
suggesters) and the threads the model may use. The model loads once per worker process
(``embedder_from_settings`` caches it). After a change of a project's model the same job
re-embeds every segment with the new model and re-suggests."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from coding.suggest.embedding import Embedder, embedder_from_settings
from coding.suggest_service import run_suggestions
from research.jobs import Job, Report


def embedder_named(name: str | None, threads: int = 0) -> Embedder | None:
    """The embedder for a model name (tests replace this with a fast fake)."""
    return embedder_from_settings(name, threads)


def suggest(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Suggestions for ``source_ids`` (or every source of the project); progress per source,
    committed between sources, so a cancelled run keeps what it finished."""
    assert job.project_id is not None
    params = job.params or {}
    source_ids = None if params.get("all") or params.get("source_ids") is None else list(params["source_ids"])
    embedder = embedder_named(params.get("embedding_model"), int(params.get("nlp_threads") or 0))
    result = run_suggestions(session, project_id=job.project_id, source_ids=source_ids, embedder=embedder,
                             progress=report)
    out = result.to_json()
    out["model_id"] = embedder.model_id if embedder is not None else None
    return out
