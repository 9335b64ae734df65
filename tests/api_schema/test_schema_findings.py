"""What schemathesis found, pinned down as plain examples: numbers too large for the
database, NUL characters, wrong types, broken digits and undeclared methods are answered
with a clear 4xx on both databases, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_schema.conftest import Seeded

TOO_BIG = 2**63


def call(seeded: Seeded, method: str, path: str, **kwargs: Any) -> Any:
    client = seeded.app.test_client()
    return client.open(f"/api/v1/projects/{seeded.ids['project_id']}{path}", method=method,
                       headers={"Authorization": f"Bearer {seeded.token}"}, **kwargs)


@pytest.mark.parametrize(("method", "path"), [("GET", "/sources/3000000000"), ("GET", "/jobs/2147483648"),
                                            ("DELETE", "/codings/99999999999999999999")])
def test_an_id_too_large_for_the_database_is_simply_not_found(seeded, method, path):
    assert call(seeded, method, path).status_code == 404


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/codings", {"source_id": 1, "code_id": 1, "start": TOO_BIG, "end": TOO_BIG + 1}),
    ("GET", f"/suggestions?source_id={TOO_BIG}", None),
    ("GET", "/codings?coder_id=3908939337882810", None),
    ("POST", "/memos", {"text": "x", "target_type": "coding", "target_id": 102586199753}),
    ("GET", "/network?coder=4000000000", None),
    ("GET", "/quotes?ids=\u00b2", None),
    ("GET", "/suggestions?limit=-5", None),
])
def test_out_of_range_or_malformed_numbers_are_refused_with_400(seeded, method, path, body):
    response = call(seeded, method, path, json=body)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["detail"]


@pytest.mark.parametrize(("path", "body"), [
    ("/codes", {"name": "x" * 201}),
    ("/codes", {"name": "Fas", "kind": "phase", "phase_id": -738}),
    ("/codes", {"name": "Fas", "kind": "phase", "phase_id": -142895462407}),
    ("/codes", {"name": "Tema", "is_folder": -1}),
    ("/codes", {"name": "Tema", "actor_type": "robot"}),
    ("/report", {"format": {"a": 1}}),
    ("/report", {"filters": {"persona": 0}}),
    ("/memos", {"text": "nul \u0000 here"}),
])
def test_bodies_the_schema_forbids_are_refused_with_400(seeded, path, body):
    response = call(seeded, "POST", path, json=body)
    assert response.status_code == 400, response.get_json()


def test_a_project_with_an_overlong_company_name_or_a_nul_is_refused(seeded):
    client = seeded.app.test_client()
    headers = {"Authorization": f"Bearer {seeded.token}"}
    for body in ({"name": "P", "company_name": "x" * 201}, {"name": "P", "company_name": {}},
                 {"name": "P", "description": "a\u0000b"}):
        assert client.post("/api/v1/projects", json=body, headers=headers).status_code == 400


def test_a_method_the_address_does_not_take_gets_405_with_the_allowed_ones(seeded):
    response = call(seeded, "PUT", "/codes")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_quotes_without_ids_say_what_is_missing(seeded):
    response = call(seeded, "GET", "/quotes")
    assert response.status_code == 400 and "ids" in response.get_json()["detail"]
