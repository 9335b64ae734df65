"""The one account and project the database fuzz targets share: hypothesis runs many
examples on one database, so they are made by the first example and found by the rest."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from research.accounts import User, create_user
from research.db import transaction
from research.ingest import ImportOptions, SurveyColumns, import_file
from research.projects import Project
from research.sources import SourceKind
from tests.conftest import PASSWORD, make_project

SURVEY = "id;svar;typ\nåsa;Banken 🏠 var snabb;B2C\nbo;\"Mäklaren, sen banken\";B2B\n".encode()


def owner(session: Session) -> User:
    """The one account of these tests (hypothesis runs many examples on one database)."""
    found = session.scalar(select(User).where(User.email == "owner@example.org"))
    if found is not None:
        return found
    with transaction(session):
        return create_user(session, email="owner@example.org", password=PASSWORD)


def project_id(session: Session) -> int:
    """A project with participants, attributes and survey answers, made once per database."""
    found = session.scalar(select(Project.id).where(Project.name == "Fuzzed"))
    if found is not None:
        return found
    user = owner(session)
    pid = make_project(session, user, name="Fuzzed").id
    result = import_file(session, project_id=pid, user_id=user.id, name="enkat.csv", data=SURVEY,
                         options=ImportOptions(kind=SourceKind.SURVEY, survey=SurveyColumns("id", ["svar"], ["typ"])))
    assert result.status == "imported", result.reason
    return pid
