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
# An empty query value (``?coder=``) means "not given", as forms send it.
BLANK_OR_ID = {"anyOf": [{"type": "integer"}, {"const": ""}]}
EVIDENCE_FILTERS = [
    {"name": "phase", "in": "query", "schema": BLANK_OR_ID, "description": "Id of a phase of the project"},
    {"name": "persona", "in": "query", "schema": {"type": "string"}},
    {"name": "participant", "in": "query", "schema": BLANK_OR_ID},
    {"name": "source_kind", "in": "query",
     "schema": {"enum": ["interview", "observation", "survey", "document", ""]}},
    {"name": "coder", "in": "query", "schema": BLANK_OR_ID, "description": "User id of the coder"},
]
NETWORK_PARAMS = [
    *EVIDENCE_FILTERS,
    {"name": "layers", "in": "query", "schema": {"type": "string"},
     "description": "Comma list of actor, goal, sub_goal, touchpoint, channel, phase, participant (default: all)"},
    {"name": "window", "in": "query", "schema": {"enum": ["segment", "overlap"], "default": "segment"}},
    {"name": "min_weight", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1}},
    {"name": "format", "in": "query",
     "schema": {"enum": ["json", "graphml", "gexf", "kumu", "kumu-elements", "kumu-connections"], "default": "json"}},
]
SOURCE_ID = {"name": "source_id", "in": "path", "required": True, "schema": {"type": "integer"}}
CODING_ID = {"name": "coding_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or BLANK_OR_ID}


def _body(name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}
CODE_KINDS = ["goal", "sub_goal", "actor", "phase", "touchpoint", "channel", "pain_point", "need", "emotion", "theme"]
KIND_FIELD_SCHEMAS: dict[str, Any] = {
    "ownership": {"enum": ["company", "partner", "third_party", "customer_sphere", None]},
    "actor_type": {"enum": ["person", "organisation", "role", "system", None]},
    "medium": {"enum": ["digital", "physical", None]},
    "touchpoint_type": {"enum": ["owned", "paid", "earned", "user_generated", None]},
    "company_role": {"enum": ["active", "passive", None]},
    "phase_id": NULLABLE_INT,
    "valence": {"enum": [-2, -1, 0, 1, 2, None]},
    "goal_id": NULLABLE_INT,
}
CODE_TEXT_FIELDS = ("description", "when_to_use", "when_not", "examples")

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
    "Code": {"type": "object",
             "required": ["id", "guid", "name", "path", "kind", "parent_id", "is_folder", "colour", "position",
                          *CODE_TEXT_FIELDS, "aliases", "version", *KIND_FIELD_SCHEMAS],
             "properties": {"id": {"type": "integer"}, "guid": {"type": "string"}, "name": {"type": "string"},
                            "path": {"type": "string", "description": "Folder / Sub-folder / Code"},
                            "kind": {"enum": CODE_KINDS}, "parent_id": NULLABLE_INT, "is_folder": {"type": "boolean"},
                            "colour": {"type": "string", "pattern": "^#[0-9a-f]{6}$"}, "position": {"type": "integer"},
                            **{name: {"type": "string"} for name in CODE_TEXT_FIELDS},
                            "aliases": {"type": "array", "items": {"type": "string"}},
                            "version": {"type": "integer"}, **KIND_FIELD_SCHEMAS}},
    "NewCode": {"type": "object", "required": ["name"], "additionalProperties": False,
                "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200},
                               "kind": {"enum": CODE_KINDS, "default": "theme"}, "parent_id": NULLABLE_INT,
                               "is_folder": {"type": "boolean"},
                               "colour": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
                               **{name: {"type": "string"} for name in CODE_TEXT_FIELDS},
                               "aliases": {"type": "array", "items": {"type": "string"}}, **KIND_FIELD_SCHEMAS}},
    "Source": {"type": "object",
               "required": ["id", "guid", "kind", "name", "language", "participant_id", "characters", "created_at"],
               "properties": {"id": {"type": "integer"}, "guid": {"type": "string"},
                              "kind": {"enum": ["interview", "observation", "survey", "document"]},
                              "name": {"type": "string"}, "language": NULLABLE_STRING,
                              "participant_id": NULLABLE_INT,
                              "characters": {"type": "integer", "description": "Length in Unicode code points"},
                              "created_at": {"type": "string", "format": "date-time"}}},
    "Segment": {"type": "object",
                "required": ["id", "kind", "start", "end", "speaker", "timestamp_ms", "participant_id", "question"],
                "properties": {"id": {"type": "integer"}, "kind": {"enum": ["paragraph", "turn", "answer"]},
                               "start": {"type": "integer"}, "end": {"type": "integer"}, "speaker": NULLABLE_STRING,
                               "timestamp_ms": NULLABLE_INT, "participant_id": NULLABLE_INT,
                               "question": NULLABLE_STRING}},
    "SourceText": {"allOf": [_ref("Source"), {
        "type": "object", "required": ["text", "segments", "codings"],
        "properties": {"text": {"type": "string", "description": "NFC text; offsets are code points"},
                       "segments": {"type": "array", "items": _ref("Segment")},
                       "codings": {"type": "array", "items": _ref("Coding")}}}]},
    "Coding": {"type": "object",
               "required": ["id", "guid", "source_id", "code_id", "start", "end", "coder_id", "coder", "origin",
                            "memo", "version", "created_at"],
               "properties": {"id": {"type": "integer"}, "guid": {"type": "string"}, "source_id": {"type": "integer"},
                              "code_id": {"type": "integer"},
                              "start": {"type": "integer", "description": "Code point offset, 0-based"},
                              "end": {"type": "integer", "description": "Code point offset, exclusive"},
                              "coder_id": NULLABLE_INT, "coder": {"type": "string"},
                              "origin": {"enum": ["manual", "suggested", "imported"]},
                              "memo": NULLABLE_STRING, "version": {"type": "integer"},
                              "created_at": {"type": "string", "format": "date-time"}}},
    "NewCoding": {"type": "object", "required": ["source_id", "code_id", "start", "end"], "additionalProperties": False,
                  "properties": {"source_id": {"type": "integer"}, "code_id": {"type": "integer"},
                                 "start": {"type": "integer", "minimum": 0}, "end": {"type": "integer", "minimum": 1},
                                 "memo": {"type": "string"},
                                 "client_key": {"type": "string", "minLength": 8, "maxLength": 64,
                                                "description": "Idempotency key: a retry with the same key returns "
                                                               "the coding made the first time (200)."}}},
    "CodingChange": {"type": "object", "required": ["version"], "additionalProperties": False,
                     "properties": {"version": {"type": "integer", "description": "The version you last saw; "
                                                                                   "409 if it changed since."},
                                    "start": {"type": "integer"}, "end": {"type": "integer"},
                                    "code_id": {"type": "integer"}, "memo": {"type": "string"}}},
    "Memo": {"type": "object",
             "required": ["id", "target_type", "target_id", "text", "author_id", "author", "created_at"],
             "properties": {"id": {"type": "integer"}, "target_type": {"enum": ["project", "source", "code", "coding"]},
                            "target_id": NULLABLE_INT, "text": {"type": "string"}, "author_id": NULLABLE_INT,
                            "author": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}}},
    "NewMemo": {"type": "object", "required": ["text"], "additionalProperties": False,
                "properties": {"target_type": {"enum": ["project", "source", "code", "coding"]},
                               "target_id": NULLABLE_INT, "text": {"type": "string", "minLength": 1}}},
    "Undone": {"type": "object", "required": ["action", "coding_id", "source_id", "message"],
               "properties": {"action": {"enum": ["coding.add", "coding.change", "coding.remove"]},
                              "coding_id": {"type": "integer"}, "source_id": {"type": "integer"},
                              "message": {"type": "string"}}},
    "NetworkNode": {"type": "object",
                    "required": ["id", "kind", "label", "ownership", "is_company", "segments", "participants",
                                 "evidence", "metrics"],
                    "properties": {"id": {"type": "string"}, "kind": {"type": "string"}, "label": {"type": "string"},
                                   "code_id": {"type": ["integer", "null"]},
                                   "participant_id": {"type": ["integer", "null"]},
                                   "ownership": {"type": ["string", "null"]}, "is_company": {"type": "boolean"},
                                   "persona": {"type": ["string", "null"]},
                                   "segments": {"type": "integer"}, "participants": {"type": "integer"},
                                   "evidence": {"type": "array", "items": {"type": "integer"}},
                                   "metrics": {"type": "object", "properties": {
                                       "degree": {"type": "integer"}, "weighted_degree": {"type": "integer"},
                                       "betweenness": {"type": "number"}, "pagerank": {"type": "number"},
                                       "community": {"type": "integer"}}}}},
    "NetworkEdge": {"type": "object",
                    "required": ["id", "source", "target", "relation", "segments", "participants", "evidence"],
                    "properties": {"id": {"type": "string"}, "source": {"type": "string"},
                                   "target": {"type": "string"},
                                   "relation": {"enum": ["co_occurs", "part_of", "mentions"]},
                                   "segments": {"type": "integer"}, "participants": {"type": "integer"},
                                   "evidence": {"type": "array", "items": {"type": "integer"}}}},
    "BeyondShare": {"type": "object",
                    "properties": {"group": {"type": ["integer", "string", "null"]}, "label": {"type": "string"},
                                   "mentions": {"type": "integer"}, "beyond_mentions": {"type": "integer"},
                                   "mention_share": {"type": ["number", "null"]}, "actors": {"type": "integer"},
                                   "beyond_actors": {"type": "integer"}, "actor_share": {"type": ["number", "null"]},
                                   "evidence": {"type": "array", "items": {"type": "integer"}}}},
    "Network": {"type": "object", "required": ["nodes", "edges", "beyond_share"],
                "properties": {"window": {"type": "string"}, "layers": {"type": "array", "items": {"type": "string"}},
                               "min_weight": {"type": "integer"}, "betweenness_sampled": {"type": "boolean"},
                               "nodes": {"type": "array", "items": _ref("NetworkNode")},
                               "edges": {"type": "array", "items": _ref("NetworkEdge")},
                               "beyond_share": {"type": "object", "properties": {
                                   key: {"type": "array", "items": _ref("BeyondShare")}
                                   for key in ("overall", "by_phase", "by_persona")}},
                               "candidate_partners": {"type": "array", "items": {"type": "object"}},
                               "active_channels": {"type": "array", "items": {"type": "object"}},
                               "stuck_phases": {"type": "array", "items": {"type": "object"}},
                               "codings": {"type": "object"}, "filters": {"type": "object"}}},
    "KumuBlueprint": {"type": "object", "required": ["elements", "connections"],
                      "description": "format=kumu: Kumu's import JSON",
                      "properties": {"elements": {"type": "array", "items": {"type": "object"}},
                                     "connections": {"type": "array", "items": {"type": "object"}}}},
    "Journey": {"type": "object", "required": ["columns", "lanes", "emotion"],
                "properties": {"columns": {"type": "array", "items": {"type": "object", "properties": {
                                   "phase_id": {"type": "integer"}, "name": {"type": "string"}}}},
                               "lanes": {"type": "array", "items": {"type": "object"}},
                               "emotion": {"type": "array", "items": {"type": "object", "properties": {
                                   "phase_id": {"type": "integer"}, "mean": {"type": ["number", "null"]},
                                   "n": {"type": "integer"}, "sd": {"type": ["number", "null"]},
                                   "evidence": {"type": "array", "items": {"type": "integer"}}}}},
                               "unassigned": {"type": "integer"}, "codings": {"type": "object"},
                               "filters": {"type": "object"}}},
    "Quote": {"type": "object",
              "required": ["coding_id", "code_id", "code", "source_id", "source", "start", "end", "text", "href"],
              "properties": {"coding_id": {"type": "integer"}, "code_id": {"type": "integer"},
                             "code": {"type": "string"}, "source_id": {"type": "integer"},
                             "source": {"type": "string"}, "start": {"type": "integer"}, "end": {"type": "integer"},
                             "text": {"type": "string"}, "participant_id": {"type": ["integer", "null"]},
                             "participant": {"type": ["string", "null"]}, "href": {"type": "string"}}},
}


# The NLP helper's suggestions (app/suggestions/api.py).
SUGGESTION_ID = {"name": "suggestion_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_NULLABLE_INT = {"type": ["integer", "null"]}
_NULLABLE_STR = {"type": ["string", "null"]}
SCHEMAS.update({
    "Suggestion": {
        "type": "object",
        "required": ["id", "source_id", "start", "end", "status", "code_id", "code_name", "kind", "proposed_kind",
                     "proposed_name", "score", "rationale", "suggester", "model_version", "decided_by",
                     "decided_at", "coding_id"],
        "properties": {
            "id": {"type": "integer"}, "source_id": {"type": "integer"},
            "start": {"type": "integer", "description": "Code-point offset in the source text, 0-based"},
            "end": {"type": "integer", "description": "Code-point offset, exclusive"},
            "status": {"enum": ["pending", "accepted", "rejected"]},
            "code_id": _NULLABLE_INT, "code_name": _NULLABLE_STR, "kind": _NULLABLE_STR,
            "proposed_kind": _NULLABLE_STR, "proposed_name": _NULLABLE_STR, "ownership": _NULLABLE_STR,
            "score": {"type": "number"}, "rationale": {"type": "string"}, "suggester": {"type": "string"},
            "model_version": {"type": "string"}, "decided_by": _NULLABLE_INT,
            "decided_at": {"type": ["string", "null"], "format": "date-time"}, "coding_id": _NULLABLE_INT,
            "text": {"type": "string"}, "before": {"type": "string"}, "after": {"type": "string"},
            "context_start": {"type": "integer"}, "context": {"type": "string"},
        }},
    "SuggestionCoding": {
        "type": "object", "required": ["id", "source_id", "code_id", "start", "end", "origin", "coder_id"],
        "properties": {"id": {"type": "integer"}, "source_id": {"type": "integer"}, "code_id": {"type": "integer"},
                       "start": {"type": "integer"}, "end": {"type": "integer"},
                       "origin": {"enum": ["manual", "suggested", "imported"]}, "coder_id": _NULLABLE_INT}},
    "Decision": {
        "allOf": [_ref("Suggestion"), {"type": "object", "required": ["coding"],
                                       "properties": {"coding": {"oneOf": [_ref("SuggestionCoding"),
                                                                           {"type": "null"}]}}}]},
    "Accept": {"type": "object", "additionalProperties": False,
               "properties": {"code_id": {"type": "integer", "description": "Accept with this code instead"},
                              "start": {"type": "integer"}, "end": {"type": "integer"}}},
    "AcceptAll": {"type": "object", "required": ["min_score"], "additionalProperties": False,
                  "properties": {"code_id": {"type": "integer"}, "proposed_kind": {"type": "string"},
                                 "proposed_name": {"type": "string"},
                                 "min_score": {"type": "number", "minimum": 0, "maximum": 1},
                                 "source_id": {"type": "integer"}}},
    "AcceptedAll": {"type": "object", "required": ["accepted", "suggestion_ids", "codings"],
                    "properties": {"accepted": {"type": "integer"},
                                   "suggestion_ids": {"type": "array", "items": {"type": "integer"}},
                                   "codings": {"type": "array", "items": _ref("SuggestionCoding")}}},
    "SuggestRun": {"type": "object", "additionalProperties": False,
                   "properties": {"source_ids": {"type": ["array", "null"], "items": {"type": "integer"},
                                                 "description": "Leave out (or null) for every source"}}},
})
# POST /projects/{pid}/sources (app/api/sources_import.py): multipart upload, one result per file.
IMPORT_OPERATION: dict[str, Any] = {
    "summary": "Import files as sources (coders and owners); one result per file",
    "parameters": [PROJECT_ID],
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["files"],
        "properties": {
            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
            "kind": {"enum": ["interview", "observation", "survey", "document"], "default": "interview"},
            **{name: {"type": "string"} for name in ("date", "place", "observer", "context")},
            "id_column": {"type": "string", "description": "Survey: the respondent id column"},
            "text_columns": {"type": "string", "description": "Survey: open questions, comma-separated"},
            "attribute_columns": {"type": "string", "description": "Survey: attribute columns, comma-separated"},
            "question_column": {"type": "string", "description": "Survey (long export): the question's wording"},
        }}}}},
    "responses": {"200": _json({"type": "object", "required": ["results"], "properties": {"results": {
        "type": "array", "items": {
            "type": "object", "required": ["name", "status", "reason", "source_ids", "speakers", "segments"],
            "properties": {"name": {"type": "string"},
                           "status": {"enum": ["imported", "duplicate", "rejected", "queued"]},
                           "reason": {"type": "string"}, "source_ids": {"type": "array", "items": {"type": "integer"}},
                           "speakers": {"type": "array", "items": {"type": "string"}},
                           "segments": {"type": "integer"}, "language": NULLABLE_STRING,
                           "warnings": {"type": "array", "items": {"type": "string"}}, "job_id": NULLABLE_INT,
                           "job_url": {"type": "string"}, "speakers_url": {"type": "string"}}}}}}),
                  "413": _json(_ref("Error"), "Upload larger than KUNDSTIG_MAX_UPLOAD_MB"), **ERRORS},
}

SUGGESTION_PATHS: dict[str, Any] = {
    "/projects/{project_id}/suggestions": {
        "get": {"summary": "Suggestions of the NLP helper (pending unless ?status= says otherwise)",
                "parameters": [PROJECT_ID,
                               {"name": "source_id", "in": "query", "schema": {"type": "integer"}},
                               {"name": "status", "in": "query",
                                "schema": {"enum": ["pending", "accepted", "rejected", "all"]}},
                               {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                "responses": {"200": _json({"type": "array", "items": _ref("Suggestion")}), **ERRORS}},
    },
    "/projects/{project_id}/suggestions/{suggestion_id}/accept": {
        "post": {"summary": "Accept a suggestion (coders and owners): it becomes a coding with origin 'suggested'",
                 "parameters": [PROJECT_ID, SUGGESTION_ID],
                 "requestBody": {"required": False, "content": {"application/json": {"schema": _ref("Accept")}}},
                 "responses": {"200": _json(_ref("Decision")), **ERRORS}},
    },
    "/projects/{project_id}/suggestions/{suggestion_id}/reject": {
        "post": {"summary": "Reject a suggestion (coders and owners); the learner uses it as a negative",
                 "parameters": [PROJECT_ID, SUGGESTION_ID],
                 "responses": {"200": _json(_ref("Decision")), **ERRORS}},
    },
    "/projects/{project_id}/suggestions/accept-all": {
        "post": {"summary": "Accept every pending suggestion of one code scoring at least min_score",
                 "parameters": [PROJECT_ID],
                 "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("AcceptAll")}}},
                 "responses": {"200": _json(_ref("AcceptedAll")), **ERRORS}},
    },
    "/projects/{project_id}/suggest": {
        "post": {"summary": "Start an nlp.suggest job for some or all sources (coders and owners)",
                 "parameters": [PROJECT_ID],
                 "requestBody": {"required": False, "content": {"application/json": {"schema": _ref("SuggestRun")}}},
                 "responses": {"202": _json(_ref("Job"), "Queued"), **ERRORS}},
    },
}


REPORT_SECTIONS = ["summary", "method", "codebook", "phases", "goals", "network", "journey", "stuck"]
SCHEMAS["ReportRequest"] = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "sections": {"type": "array", "minItems": 1, "items": {"enum": REPORT_SECTIONS},
                     "description": "Sections to include, in any order (default: all)"},
        "filters": {"type": "object", "additionalProperties": False,
                    "properties": {"phase": {"type": ["integer", "null"], "description": "Id of a phase"},
                                   "persona": NULLABLE_STRING, "participant": NULLABLE_INT,
                                   "source_kind": {"enum": ["interview", "observation", "survey", "document", None]},
                                   "coder": NULLABLE_INT}},
        "format": {"enum": ["docx", "html", "md"], "default": "docx"},
    },
}
REPORT_PATHS: dict[str, Any] = {
    "/projects/{project_id}/report": {
        "post": {"summary": "Start an export.report job (viewers and up); download the file from the job page "
                            "when it is done",
                 "parameters": [PROJECT_ID],
                 "requestBody": {"required": True,
                                 "content": {"application/json": {"schema": _ref("ReportRequest")}}},
                 "responses": {"202": _json(_ref("Job"), "Queued"), **ERRORS}},
    },
}

SCHEMAS["ExportRequest"] = {
    "type": "object", "additionalProperties": False, "required": ["format"],
    "properties": {
        "format": {"enum": ["qdpx", "qdc", "xlsx", "csv", "graphml", "gexf"]},
        "table": {"enum": ["long", "wide", "wide-participants", "matrix", "codebook", None], "default": "long",
                  "description": "For csv: which table (left out or null: long); other formats ignore it"},
    },
}
EXPORT_PATHS: dict[str, Any] = {
    "/projects/{project_id}/exports": {
        "post": {"summary": "Start an export.file job (viewers and up): REFI-QDA, spreadsheet or network file; "
                            "download it from the job page when it is done",
                 "parameters": [PROJECT_ID],
                 "requestBody": {"required": True,
                                 "content": {"application/json": {"schema": _ref("ExportRequest")}}},
                 "responses": {"202": _json(_ref("Job"), "Queued"), **ERRORS}},
    },
}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Kundstig API", "version": "1",
                 "description": "Projects, members, jobs, codes, sources, codings and memos. Offsets "
                                "are Unicode code points of the NFC text, 0-based, end exclusive. "
                                "Authenticate with `Authorization: Bearer TOKEN` "
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
            "/projects/{project_id}/network": {
                "get": {"summary": "The evidence-linked actor network with metrics and the beyond-share figures "
                                   "(format=graphml|gexf|kumu|kumu-elements|kumu-connections downloads a file)",
                        "parameters": [PROJECT_ID, *NETWORK_PARAMS],
                        "responses": {"200": {"description": "OK", "content": {
                            "application/json": {"schema": {"anyOf": [_ref("Network"), _ref("KumuBlueprint")]}},
                            "application/graphml+xml": {"schema": {"type": "string"}},
                            "application/gexf+xml": {"schema": {"type": "string"}},
                            "text/csv": {"schema": {"type": "string"}}}}, **ERRORS}},
            },
            "/projects/{project_id}/journey": {
                "get": {"summary": "The journey map: lanes by phase with counts and quotes, and the emotion curve",
                        "parameters": [PROJECT_ID, *EVIDENCE_FILTERS,
                                       {"name": "format", "in": "query",
                                        "schema": {"enum": ["json", "csv"], "default": "json"}}],
                        "responses": {"200": {"description": "OK", "content": {
                            "application/json": {"schema": _ref("Journey")},
                            "text/csv": {"schema": {"type": "string"}}}}, **ERRORS}},
            },
            "/projects/{project_id}/quotes": {
                "get": {"summary": "The quoted text of codings (at most 200 ids)",
                        "parameters": [PROJECT_ID, {"name": "ids", "in": "query", "required": True,
                                                    "schema": {"type": "string"},
                                                    "description": "Coding ids separated by commas"}],
                        "responses": {"200": _json({"type": "array", "items": _ref("Quote")}), **ERRORS}},
            },
            "/projects/{project_id}/jobs/{job_id}": {
                "get": {"summary": "A job's progress and outcome", "parameters": [PROJECT_ID, JOB_ID],
                        "responses": {"200": _json(_ref("Job")), **ERRORS}},
            },
            "/projects/{project_id}/codes": {
                "get": {"summary": "The codebook, folders and codes, in order", "parameters": [PROJECT_ID],
                        "responses": {"200": _json({"type": "array", "items": _ref("Code")}), **ERRORS}},
                "post": {"summary": "Create a code or folder (coders and owners)", "parameters": [PROJECT_ID],
                         "requestBody": _body("NewCode"),
                         "responses": {"201": _json(_ref("Code"), "Created"), **ERRORS}},
            },
            "/projects/{project_id}/sources": {
                "get": {"summary": "Sources of the project (without their text)", "parameters": [PROJECT_ID],
                        "responses": {"200": _json({"type": "array", "items": _ref("Source")}), **ERRORS}},
                "post": IMPORT_OPERATION,
            },
            "/projects/{project_id}/sources/{source_id}": {
                "get": {"summary": "A source with its text, segments and codings",
                        "parameters": [PROJECT_ID, SOURCE_ID, _query("coder_id", "Only this coder's codings")],
                        "responses": {"200": _json(_ref("SourceText")), **ERRORS}},
            },
            "/projects/{project_id}/codings": {
                "get": {"summary": "Codings, optionally of one source, code or coder",
                        "parameters": [PROJECT_ID, _query("source_id", "Only codings of this source"),
                                       _query("code_id", "Only codings with this code"),
                                       _query("coder_id", "Only codings by this coder")],
                        "responses": {"200": _json({"type": "array", "items": _ref("Coding")}), **ERRORS}},
                "post": {"summary": "Code a span (coders and owners); idempotent with client_key",
                         "parameters": [PROJECT_ID], "requestBody": _body("NewCoding"),
                         "responses": {"201": _json(_ref("Coding"), "Created"),
                                       "200": _json(_ref("Coding"), "Already made by an earlier request"), **ERRORS}},
            },
            "/projects/{project_id}/codings/{coding_id}": {
                "patch": {"summary": "Change a coding's boundaries or code, or add a memo (needs the version seen)",
                          "parameters": [PROJECT_ID, CODING_ID], "requestBody": _body("CodingChange"),
                          "responses": {"200": _json(_ref("Coding")), **ERRORS}},
                "delete": {"summary": "Remove a coding",
                           "parameters": [PROJECT_ID, CODING_ID,
                                          _query("version", "The version seen; 409 if it changed since")],
                           "responses": {"204": {"description": "Removed"}, **ERRORS}},
            },
            "/projects/{project_id}/memos": {
                "get": {"summary": "Memos, optionally of one target",
                        "parameters": [PROJECT_ID,
                                       _query("target_type", "project, source, code or coding",
                                              {"enum": ["project", "source", "code", "coding"]}),
                                       _query("target_id", "The target's id")],
                        "responses": {"200": _json({"type": "array", "items": _ref("Memo")}), **ERRORS}},
                "post": {"summary": "Write a memo (coders and owners)", "parameters": [PROJECT_ID],
                         "requestBody": _body("NewMemo"), "responses": {"201": _json(_ref("Memo"), "Created"),
                                                                        **ERRORS}},
            },
            "/projects/{project_id}/undo": {
                "post": {"summary": "Undo your own last coding action in this project, or in one source",
                         "parameters": [PROJECT_ID],
                         "requestBody": {"required": False, "content": {"application/json": {"schema": {
                             "type": "object", "additionalProperties": False,
                             "properties": {"source_id": NULLABLE_INT}}}}},
                         "responses": {"200": _json(_ref("Undone")), **ERRORS}},
            },
            **SUGGESTION_PATHS,
            **REPORT_PATHS,
            **EXPORT_PATHS,
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())
