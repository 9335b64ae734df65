"""The OpenAPI document describes the workbench routes, and real answers match it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.api.openapi import document
from research import accounts
from research.db import transaction
from tests.web.workbench_data import make_team, span_of

TYPES = {"integer": int, "string": str, "boolean": bool, "object": dict, "array": list, "null": type(None)}


def resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def problems(value: Any, schema: dict[str, Any], spec: dict[str, Any], where: str = "$") -> list[str]:
    """A small JSON Schema check: $ref, allOf, type, enum, required, properties, items."""
    schema = resolve(schema, spec)
    found: list[str] = []
    for part in schema.get("allOf", []):
        found += problems(value, part, spec, where)
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where}: {value!r} not in {schema['enum']}")
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = any(isinstance(value, TYPES[t]) and not (t == "integer" and isinstance(value, bool)) for t in types)
        if not ok:
            found.append(f"{where}: {value!r} is not {types}")
    if isinstance(value, dict):
        found += [f"{where}: missing {name}" for name in schema.get("required", []) if name not in value]
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                found += problems(value[name], sub, spec, f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            found += problems(item, schema["items"], spec, f"{where}[{i}]")
    return found


def test_every_reference_resolves_and_every_path_parameter_is_declared():
    spec = document()
    assert spec["openapi"].startswith("3.1")
    text = repr(spec)
    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in spec["components"]["schemas"], name
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), (path, method)
            assert operation["responses"], (path, method)


@pytest.mark.parametrize("path", ["/projects/{project_id}/codes", "/projects/{project_id}/sources",
                                  "/projects/{project_id}/sources/{source_id}", "/projects/{project_id}/codings",
                                  "/projects/{project_id}/codings/{coding_id}", "/projects/{project_id}/memos",
                                  "/projects/{project_id}/undo"])
def test_the_workbench_paths_are_documented(path):
    assert path in document()["paths"]


def test_real_answers_match_their_documented_schemas(client, session):
    team = make_team(session)
    with transaction(session):
        token = accounts.create_token(session, user_id=team.owner.id, name="t")
    headers = {"Authorization": f"Bearer {token}"}
    spec = document()
    pid, sid = team.project.id, team.source.id
    start, end = span_of("banken")

    def check(method: str, url: str, template: str, status: int, body: Any = None) -> Any:
        response = client.open(url, method=method, headers=headers, json=body)
        assert response.status_code == status, response.get_data(as_text=True)
        documented = spec["paths"][template][method.lower()]["responses"][str(status)]
        if "content" in documented:
            schema = documented["content"]["application/json"]["schema"]
            assert problems(response.get_json(), schema, spec) == []
        return response.get_json()

    check("POST", f"/api/v1/projects/{pid}/codes", "/projects/{project_id}/codes", 201,
          {"name": "Ny känsla", "kind": "emotion", "valence": -1})
    check("GET", f"/api/v1/projects/{pid}/codes", "/projects/{project_id}/codes", 200)
    check("GET", f"/api/v1/projects/{pid}/sources", "/projects/{project_id}/sources", 200)
    coding = check("POST", f"/api/v1/projects/{pid}/codings", "/projects/{project_id}/codings", 201,
                   {"source_id": sid, "code_id": team.bank.id, "start": start, "end": end, "memo": "m",
                    "client_key": "x" * 16})
    check("GET", f"/api/v1/projects/{pid}/sources/{sid}", "/projects/{project_id}/sources/{source_id}", 200)
    check("GET", f"/api/v1/projects/{pid}/codings", "/projects/{project_id}/codings", 200)
    check("PATCH", f"/api/v1/projects/{pid}/codings/{coding['id']}", "/projects/{project_id}/codings/{coding_id}",
          200, {"version": coding["version"], "start": start - 1})
    check("PATCH", f"/api/v1/projects/{pid}/codings/{coding['id']}", "/projects/{project_id}/codings/{coding_id}",
          409, {"version": coding["version"], "start": start - 2})
    check("POST", f"/api/v1/projects/{pid}/memos", "/projects/{project_id}/memos", 201,
          {"target_type": "source", "target_id": sid, "text": "Bra intervju"})
    check("GET", f"/api/v1/projects/{pid}/memos", "/projects/{project_id}/memos", 200)
    check("DELETE", f"/api/v1/projects/{pid}/codings/{coding['id']}", "/projects/{project_id}/codings/{coding_id}",
          204)
    check("POST", f"/api/v1/projects/{pid}/undo", "/projects/{project_id}/undo", 200, {})
