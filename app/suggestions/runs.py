"""Starting ``nlp.suggest`` jobs from views, the API, the CLI and the import pages."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask
from sqlalchemy.orm import Session

from app import get_settings
from app.queue import get_queue
from research.jobs import Job


def model_name(app: Flask | None = None) -> str:
    from flask import current_app

    settings = get_settings(app or current_app)  # type: ignore[arg-type]
    return settings.embedding_model if settings.nlp_enabled else "none"


def enqueue_suggest(session: Session, *, project_id: int, user_id: int | None,
                    source_ids: Iterable[int] | None = None, app: Flask | None = None) -> Job:
    ids = None if source_ids is None else [int(s) for s in source_ids]
    return get_queue(app).enqueue(session, "nlp.suggest", project_id=project_id, user_id=user_id,
                                  source_ids=ids, all=ids is None, embedding_model=model_name(app))


def after_import(session: Session, *, project_id: int, user_id: int | None, source_ids: Iterable[int],
                 app: Flask | None = None) -> Job | None:
    """Queue suggestions for freshly imported sources. Only with a real background worker:
    an immediate queue (``memory://``) would run the NLP inside the upload request."""
    from flask import current_app

    ids = [int(s) for s in source_ids]
    target = app or current_app
    if not ids or not get_settings(target).nlp_enabled or get_queue(target).huey.immediate:  # type: ignore[arg-type]
        return None
    return enqueue_suggest(session, project_id=project_id, user_id=user_id, source_ids=ids, app=app)
