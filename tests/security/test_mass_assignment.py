"""Mass assignment: the JSON API accepts only the fields an action is meant to set.
Sending an id, an owner, a coder, a project or a role alongside valid fields is
refused with 400 and nothing is saved; the same body without them succeeds."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from coding.codebook import Code, create_code
from coding.codings import Coding, add_coding
from coding.kinds import CodeKind
from coding.memos import Memo
from coding.suggestions import Suggestion
from research import accounts
from research.db import transaction
from research.projects import Membership, Project
from research.segmenting import Span
from research.sources import SourceKind, add_source
from tests.conftest import make_project, make_user

SMUGGLED = {"id": 999, "project_id": 999, "coder_id": 999, "created_by": 999, "author_id": 999, "role": "owner",
            "owner_id": 999, "user_id": 999, "origin": "imported", "status": "accepted", "decided_by": 999}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    body: dict[str, object]
    model: type
    status: int


@pytest.fixture
def api(app, session):
    owner = make_user(session)
    make_user(session, "anna@example.org")
    project = make_project(session, owner)
    other = make_project(session, owner, name="Another study")
    with transaction(session):
        source = add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name="Intervju 1",
                            text="Banken ringde oss.", spans=[Span("paragraph", 0, 18)], original=b"1")
        code = create_code(session, project_id=project.id, name="Bank", kind=CodeKind.ACTOR)
        coding = add_coding(session, project_id=project.id, source_id=source.id, code_id=code.id, start=0, end=6,
                            user_id=owner.id)
        suggestion = Suggestion(project_id=project.id, source_id=source.id, start=0, end=6, code_id=code.id,
                                score=0.9, rationale="", suggester="actors")
        session.add(suggestion)
        session.flush()
        token = accounts.create_token(session, user_id=owner.id)
    pid = project.id
    cases = [
        Case("project", "POST", "/api/v1/projects", {"name": "Ny studie"}, Project, 201),
        Case("code", "POST", f"/api/v1/projects/{pid}/codes", {"name": "Mäklare", "kind": "actor"}, Code, 201),
        Case("coding", "POST", f"/api/v1/projects/{pid}/codings",
             {"source_id": source.id, "code_id": code.id, "start": 7, "end": 12}, Coding, 201),
        Case("coding change", "PATCH", f"/api/v1/projects/{pid}/codings/{coding.id}",
             {"version": coding.version, "end": 5}, Coding, 200),
        Case("memo", "POST", f"/api/v1/projects/{pid}/memos", {"target_type": "project", "text": "Hypotes"}, Memo,
             201),
        Case("member", "POST", f"/api/v1/projects/{pid}/members", {"email": "anna@example.org", "role": "viewer"},
             Membership, 201),
        Case("suggestion", "POST", f"/api/v1/projects/{pid}/suggestions/{suggestion.id}/accept", {}, Coding, 200),
    ]
    return {"token": token, "cases": {c.name: c for c in cases}, "coding_id": coding.id, "other": other.id}


def _rows(session, model) -> list[tuple]:
    session.rollback()
    return [tuple(row) for row in session.execute(select(model.__table__).order_by(model.__table__.c.id))]


@pytest.mark.parametrize("name", ["project", "code", "coding", "coding change", "memo", "member", "suggestion"])
def test_smuggled_fields_are_refused_and_nothing_is_saved(client, session, api, name):
    """ASVS 5.0 V15.3.3 (mass assignment), V8.2.3 (field-level access)."""
    case = api["cases"][name]
    headers = {"Authorization": f"Bearer {api['token']}"}
    allowed = set(case.body) | ({"role"} if name == "member" else set())
    smuggled = {k: v for k, v in SMUGGLED.items() if k not in allowed}
    before = _rows(session, case.model)
    refused = client.open(case.path, method=case.method, json={**case.body, **smuggled}, headers=headers)
    assert refused.status_code == 400, refused.get_json()
    assert "read-only" in refused.get_json()["detail"]
    assert _rows(session, case.model) == before
    accepted = client.open(case.path, method=case.method, json=case.body, headers=headers)
    assert accepted.status_code == case.status, accepted.get_json()


def test_a_coding_cannot_be_moved_into_another_project_or_to_another_coder(client, session, api):
    """ASVS 5.0 V15.3.3, V8.2.2: the project and the coder come from the URL and the
    caller, never from the body."""
    headers = {"Authorization": f"Bearer {api['token']}"}
    case = api["cases"]["coding"]
    for field, value in (("project_id", api["other"]), ("coder_id", 999)):
        assert client.post(case.path, json={**case.body, field: value}, headers=headers).status_code == 400
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Coding).where(Coding.project_id == api["other"])) == 0
    assert session.scalar(select(func.count()).select_from(Coding).where(Coding.coder_id == 999)) == 0
