"""Starting ``nlp.suggest`` jobs from views, the API, the CLI and the import pages."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask
from sqlalchemy.orm import Session

from app import get_settings
from app.queue import get_queue
from coding.suggest.model_catalogue import DEFAULT, MINILM, OFF, packaged_model_dir
from research.jobs import Job
from research.projects import Project


def model_name(app: Flask | None = None, project: Project | None = None) -> str:
    """The embedding model a run uses: the project's choice, else the instance's default
    (``KUNDSTIG_EMBEDDING_MODEL``); "none" when the NLP helper is turned off."""
    from flask import current_app

    settings = get_settings(app or current_app)  # type: ignore[arg-type]
    if not settings.nlp_enabled:
        return "none"
    return (project.embedding_model if project is not None else "") or settings.embedding_model


def model_choices(app: Flask | None = None) -> list[str]:
    """The models a project owner may choose: the instance's default and further models
    (``KUNDSTIG_EMBEDDING_MODELS``), the packaged multilingual model, model packages that
    are installed (the English MiniLM of the transformers extra), and none."""
    from flask import current_app

    settings = get_settings(app or current_app)  # type: ignore[arg-type]
    packaged = [MINILM] if packaged_model_dir(MINILM) is not None else []
    return list(dict.fromkeys([settings.embedding_model, DEFAULT, *settings.embedding_models, *packaged, OFF]))


def enqueue_suggest(session: Session, *, project_id: int, user_id: int | None,
                    source_ids: Iterable[int] | None = None, app: Flask | None = None) -> Job:
    ids = None if source_ids is None else [int(s) for s in source_ids]
    from flask import current_app

    name = model_name(app, session.get(Project, project_id))
    threads = get_settings(app or current_app).nlp_threads  # type: ignore[arg-type]
    return get_queue(app).enqueue(session, "nlp.suggest", project_id=project_id, user_id=user_id,
                                  source_ids=ids, all=ids is None, embedding_model=name, nlp_threads=threads)


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
