"""The OpenAPI 3.1 description of /api/v1, kept beside the routes it describes."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from werkzeug.wrappers import Response

from app.api import bp


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {str(code): _json(_ref("Error"), text) for code, text in
          ((400, "Invalid input"), (401, "Not authenticated"), (403, "Role too small"), (404, "Not found"),
           (409, "Conflict"))}
PROJECT_ID = {"name": "project_id", "in": "path", "required": True, "schema": {"type": "integer"}}
JOB_ID = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "integer"}}

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error", "detail", "status"],
              "properties": {"error": {"type": "string"}, "detail": {"type": "string"}, "status": {"type": "integer"}}},
    "Phase": {"type": "object", "required": ["id", "position", "name", "description"],
              "properties": {"id": {"type": "integer"}, "position": {"type": "integer"}, "name": {"type": "string"},
                             "description": {"type": "string"}}},
    "Project": {"type": "object",
                "required": ["id", "guid", "name", "description", "language", "company_name", "company_aliases",
                             "phase_model", "phases", "role", "created_at"],
                "properties": {"id": {"type": "integer"}, "guid": {"type": "string"}, "name": {"type": "string"},
                               "description": {"type": "string"}, "language": {"type": "string"},
                               "company_name": {"type": "string"},
                               "company_aliases": {"type": "array", "items": {"type": "string"}},
                               "phase_model": {"type": "string"}, "phases": {"type": "array", "items": _ref("Phase")},
                               "role": {"enum": ["owner", "coder", "viewer"]},
                               "created_at": {"type": "string", "format": "date-time"}}},
    "NewProject": {"type": "object", "required": ["name"], "additionalProperties": False,
                   "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200},
                                  "description": {"type": "string"},
                                  "language": {"enum": ["sv", "nb", "nn", "da", "en", "fi"]},
                                  "company_name": {"type": "string", "maxLength": 200},
                                  "company_aliases": {"type": "array", "items": {"type": "string"}},
                                  "phase_model": {"enum": ["five", "six", "b2b", "before-during-after"]}}},
    "Member": {"type": "object", "required": ["user_id", "email", "display_name", "role"],
               "properties": {"user_id": {"type": "integer"}, "email": {"type": "string"},
                              "display_name": {"type": "string"}, "role": {"enum": ["owner", "coder", "viewer"]}}},
    "NewMember": {"type": "object", "required": ["email"], "additionalProperties": False,
                  "properties": {"email": {"type": "string"}, "role": {"enum": ["owner", "coder", "viewer"]}}},
    "Job": {"type": "object", "required": ["id", "kind", "status", "progress", "total", "percent", "message"],
            "properties": {"id": {"type": "integer"}, "kind": {"type": "string"},
                           "status": {"enum": ["queued", "running", "done", "failed", "cancelled"]},
                           "progress": {"type": "integer"}, "total": {"type": "integer"},
                           "percent": {"type": "integer"}, "message": {"type": "string"},
                           "error": {"type": ["string", "null"]}, "result": {"type": "object"},
                           "created_at": {"type": "string"}, "finished_at": {"type": ["string", "null"]}}},
}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Kundstig API", "version": "1",
                 "description": "Projects, members and jobs. Authenticate with `Authorization: Bearer TOKEN` "
                                "(create one with `kundstig token create EMAIL` or on the account page)."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": {
            "/projects": {
                "get": {"summary": "Projects you are a member of",
                        "responses": {"200": _json({"type": "array", "items": _ref("Project")}), **ERRORS}},
                "post": {"summary": "Create a project (you become its owner)",
                         "requestBody": {"required": True,
                                         "content": {"application/json": {"schema": _ref("NewProject")}}},
                         "responses": {"201": _json(_ref("Project"), "Created"), **ERRORS}},
            },
            "/projects/{project_id}": {
                "get": {"summary": "One project", "parameters": [PROJECT_ID],
                        "responses": {"200": _json(_ref("Project")), **ERRORS}},
            },
            "/projects/{project_id}/members": {
                "get": {"summary": "Members and roles", "parameters": [PROJECT_ID],
                        "responses": {"200": _json({"type": "array", "items": _ref("Member")}), **ERRORS}},
                "post": {"summary": "Add an existing account (owners only)", "parameters": [PROJECT_ID],
                         "requestBody": {"required": True,
                                         "content": {"application/json": {"schema": _ref("NewMember")}}},
                         "responses": {"201": _json(_ref("Member"), "Added"), **ERRORS}},
            },
            "/projects/{project_id}/backup": {
                "post": {"summary": "Start a backup job (owners only)", "parameters": [PROJECT_ID],
                         "responses": {"202": _json(_ref("Job"), "Queued"), **ERRORS}},
            },
            "/projects/{project_id}/jobs/{job_id}": {
                "get": {"summary": "A job's progress and outcome", "parameters": [PROJECT_ID, JOB_ID],
                        "responses": {"200": _json(_ref("Job")), **ERRORS}},
            },
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())
