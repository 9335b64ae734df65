"""A seeded project and its owner's API token, for the API schema tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine

from app import create_app
from app.database import get_database
from coding.codebook import create_code
from coding.codings import add_coding
from coding.kinds import CodeKind
from coding.memos import add_memo
from coding.suggestions import Suggestion
from research.accounts import create_token
from research.db import transaction
from research.jobs import create_job
from research.sources import SourceKind, add_source
from tests import databases
from tests.conftest import make_project, make_user, settings_for
from tests.web.workbench_data import SPANS, TEXT, span_of


@dataclass(frozen=True)
class Seeded:
    app: Flask
    token: str
    ids: dict[str, int]


@pytest.fixture
def seeded(migrated_engine: Engine, tmp_path: Path) -> Iterator[Seeded]:
    """The app with a queue that only stores jobs (none runs inside a request), and a
    project with a source, codes, a coding, a memo, a suggestion and a job."""
    url = migrated_engine.url.render_as_string(hide_password=False)
    app = create_app({"SETTINGS": settings_for(url, tmp_path / "instance", queue_url=f"sqlite:///{tmp_path}/queue.db"),
                      "TESTING": True})
    with get_database(app).reader() as session:
        owner = make_user(session)
        project = make_project(session, owner)
        with transaction(session):
            source = add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name="Intervju: Åsa",
                                text=TEXT, spans=SPANS, original=TEXT.encode(), language="sv")
            code = create_code(session, project_id=project.id, name="Banken", kind=CodeKind.ACTOR,
                               ownership="company")
            start, end = span_of("gick till banken")
            coding = add_coding(session, project_id=project.id, source_id=source.id, code_id=code.id, start=start,
                                end=end, user_id=owner.id)
            add_memo(session, project_id=project.id, target_type="coding", target_id=coding.id, text="Banken först",
                     author_id=owner.id)
            suggestion = Suggestion(project_id=project.id, source_id=source.id, code_id=code.id, start=start,
                                    end=end, score=0.8, suggester="actors", rationale="named organisation")
            session.add(suggestion)
            job = create_job(session, kind="project.backup", project_id=project.id, user_id=owner.id, params={})
            token = create_token(session, user_id=owner.id)
            session.flush()
            ids = {"project_id": project.id, "source_id": source.id, "coding_id": coding.id,
                   "suggestion_id": suggestion.id, "job_id": job.id}
    yield Seeded(app, token, ids)
    get_database(app).engine.dispose()
    databases.clear(migrated_engine)
