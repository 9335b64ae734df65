"""Codes, sources, codings, memos and undo in the JSON API (/api/v1).

Viewers read; coders and owners write. Every write is one unit of work with its event."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from app.api import bp
from app.api.projects import json_body
from app.database import db_session
from app.database_ints import database_int, json_int, query_int
from app.errors import render_error
from app.projects.access import load_project
from app.security import current_user
from coding.codebook import KIND_FIELDS, Code, code_paths, codes_of, create_code, get_code
from coding.codings import Coding, apply_code, change_coding, find_codings, get_coding, remove_coding
from coding.events import record
from coding.kinds import ACTOR_TYPES, COMPANY_ROLES, MEDIA, OWNERSHIPS, TOUCHPOINT_TYPES, VALENCES, CodeKind
from coding.memos import MEMO_TARGETS, Memo, add_memo, memos_of
from coding.undo import undo_last
from research.accounts import User
from research.db import transaction
from research.errors import Conflict, InvalidInput, NotFound
from research.projects import Role
from research.sources import Source, get_source, sources_of

KIND_FIELD_VALUES: dict[str, tuple[object, ...]] = {
    "ownership": tuple(OWNERSHIPS), "actor_type": ACTOR_TYPES, "medium": MEDIA, "touchpoint_type": TOUCHPOINT_TYPES,
    "company_role": COMPANY_ROLES, "valence": VALENCES}
CODE_FIELDS = ("name", "kind", "parent_id", "is_folder", "colour", "description", "when_to_use", "when_not",
               "examples", "aliases", *KIND_FIELDS)


def _user_id() -> int:
    user = current_user()
    assert user is not None
    return user.id


def code_json(code: Code, path: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": code.id, "guid": code.guid, "name": code.name, "path": path or code.name, "kind": code.kind.value,
        "parent_id": code.parent_id, "is_folder": code.is_folder, "colour": code.colour, "position": code.position,
        "description": code.description, "when_to_use": code.when_to_use, "when_not": code.when_not,
        "examples": code.examples, "aliases": list(code.aliases), "version": code.version,
    }
    data.update({name: getattr(code, name) for name in KIND_FIELDS})
    return data


def source_json(source: Source) -> dict[str, Any]:
    return {"id": source.id, "guid": source.guid, "kind": source.kind.value, "name": source.name,
            "language": source.language, "participant_id": source.participant_id, "characters": len(source.text),
            "created_at": source.created_at.isoformat()}


def codings_json(codings: list[Coding]) -> list[dict[str, Any]]:
    """Codings with their coder's name and newest memo, in two queries for the whole list."""
    db = db_session()
    coder_ids = {c.coder_id for c in codings if c.coder_id is not None}
    names = dict(db.execute(select(User.id, User.display_name).where(User.id.in_(coder_ids))).all()) \
        if coder_ids else {}
    memos: dict[int, str] = {}
    if codings:
        project_id = codings[0].project_id
        ids = [c.id for c in codings]
        for target_id, text in db.execute(
            select(Memo.target_id, Memo.text).where(Memo.project_id == project_id, Memo.target_type == "coding",
                                                    Memo.target_id.in_(ids)).order_by(Memo.id)
        ):
            memos[target_id] = text
    return [coding_json(c, names.get(c.coder_id, "") if c.coder_id else "", memos.get(c.id)) for c in codings]


def coding_json(coding: Coding, coder: str, memo: str | None) -> dict[str, Any]:
    return {"id": coding.id, "guid": coding.guid, "source_id": coding.source_id, "code_id": coding.code_id,
            "start": coding.start, "end": coding.end, "coder_id": coding.coder_id, "coder": coder,
            "origin": coding.origin.value, "memo": memo, "version": coding.version,
            "created_at": coding.created_at.isoformat()}


@bp.errorhandler(StaleDataError)
def stale(_exc: StaleDataError) -> tuple[Response, int]:
    return render_error(409, "Someone else changed this at the same moment; reload and try again.")  # type: ignore[return-value]


# --- codes ---------------------------------------------------------------------------------------------------

@bp.get("/projects/<int:project_id>/codes")
def list_codes(project_id: int) -> Response:
    project, _ = load_project(project_id)
    codes = codes_of(db_session(), project.id)
    paths = code_paths(codes)
    return jsonify([code_json(c, paths[c.id]) for c in codes])


@bp.post("/projects/<int:project_id>/codes")
def create_code_api(project_id: int) -> tuple[Response, int]:
    project, _ = load_project(project_id, needs=Role.CODER)
    body = json_body(*CODE_FIELDS)
    try:
        kind = CodeKind(body.get("kind", "theme"))
    except ValueError as exc:
        raise InvalidInput(f"kind must be one of {', '.join(k.value for k in CodeKind)}.") from exc
    aliases = body.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise InvalidInput("aliases must be a list of strings.")
    texts = {name: body.get(name, "") for name in ("name", "colour", "description", "when_to_use", "when_not",
                                                   "examples")}
    if not all(isinstance(v, str) for v in texts.values()):
        raise InvalidInput("name, colour, description, when_to_use, when_not and examples must be strings.")
    if not isinstance(body.get("is_folder", False), bool):
        raise InvalidInput("is_folder must be true or false.")
    for name in KIND_FIELDS:  # checked even where the kind ignores them: a wrong value is a mistake
        value = body.get(name)
        vocabulary = KIND_FIELD_VALUES.get(name)
        if value is not None and (isinstance(value, bool) or (
                value not in vocabulary if vocabulary is not None else not isinstance(value, int))):
            raise InvalidInput(f"{value!r} is not a valid {name.replace('_', ' ')}.")
        if vocabulary is None and value is not None:
            database_int(value, name)
    db = db_session()
    with transaction(db):
        code = create_code(
            db, project_id=project.id, name=texts["name"], kind=kind,
            parent_id=json_int(body, "parent_id", optional=True),
            is_folder=body.get("is_folder", False), colour=texts["colour"] or None,
            description=texts["description"], when_to_use=texts["when_to_use"], when_not=texts["when_not"],
            examples=texts["examples"], aliases=aliases, **{n: body.get(n) for n in KIND_FIELDS if n in body},
        )
        record(db, "code.create", user_id=_user_id(), project_id=project.id, object_type="code", object_id=code.id,
               after={"name": code.name, "kind": code.kind.value, "parent_id": code.parent_id})
    paths = code_paths(codes_of(db, project.id))
    return jsonify(code_json(code, paths.get(code.id))), 201


# --- sources -------------------------------------------------------------------------------------------------

@bp.get("/projects/<int:project_id>/sources")
def list_sources(project_id: int) -> Response:
    project, _ = load_project(project_id)
    return jsonify([source_json(s) for s in sources_of(db_session(), project.id)])


@bp.get("/projects/<int:project_id>/sources/<int:source_id>")
def get_source_api(project_id: int, source_id: int) -> Response:
    project, _ = load_project(project_id)
    db = db_session()
    source = get_source(db, project_id=project.id, source_id=source_id)
    data = source_json(source)
    data["text"] = source.text
    data["segments"] = [{"id": s.id, "kind": s.kind, "start": s.start, "end": s.end, "speaker": s.speaker,
                         "timestamp_ms": s.timestamp_ms, "participant_id": s.participant_id, "question": s.question}
                        for s in source.segments]
    data["codings"] = codings_json(find_codings(db, project_id=project.id, source_id=source.id,
                                                coder_id=query_int("coder_id")))
    return jsonify(data)


# --- codings -------------------------------------------------------------------------------------------------

@bp.get("/projects/<int:project_id>/codings")
def list_codings(project_id: int) -> Response:
    project, _ = load_project(project_id)
    codings = find_codings(db_session(), project_id=project.id, source_id=query_int("source_id"),
                           code_id=query_int("code_id"), coder_id=query_int("coder_id"))
    return jsonify(codings_json(codings))


@bp.post("/projects/<int:project_id>/codings")
def create_coding(project_id: int) -> tuple[Response, int]:
    project, _ = load_project(project_id, needs=Role.CODER)
    body = json_body("source_id", "code_id", "start", "end", "memo", "client_key")
    memo = body.get("memo")
    client_key = body.get("client_key")
    if memo is not None and not isinstance(memo, str):
        raise InvalidInput("memo must be a string.")
    if client_key is not None and not isinstance(client_key, str):
        raise InvalidInput("client_key must be a string.")
    db = db_session()
    with transaction(db):
        coding, created = apply_code(
            db, project_id=project.id, source_id=json_int(body, "source_id") or 0,
            code_id=json_int(body, "code_id") or 0, start=json_int(body, "start") or 0,
            end=json_int(body, "end") or 0, user_id=_user_id(), client_key=client_key, memo=memo,
        )
        if created and not memo:  # the most frequent write: nothing to look up for its answer
            saved = coding_json(coding, current_user().display_name, None)  # type: ignore[union-attr]
        else:  # read in the same transaction: no second one per save
            saved = codings_json([coding])[0]
    return jsonify(saved), 201 if created else 200


@bp.patch("/projects/<int:project_id>/codings/<int:coding_id>")
def update_coding(project_id: int, coding_id: int) -> Response:
    project, role = load_project(project_id, needs=Role.CODER)
    body = json_body("version", "start", "end", "code_id", "memo")
    if "version" not in body:
        raise InvalidInput("Send the version you last saw, so a concurrent change is never overwritten.")
    memo = body.get("memo")
    if memo is not None and not isinstance(memo, str):
        raise InvalidInput("memo must be a string.")
    db = db_session()
    with transaction(db):
        coding = change_coding(
            db, project_id=project.id, coding_id=coding_id, user_id=_user_id(),
            expected_version=json_int(body, "version"), start=json_int(body, "start", optional=True),
            end=json_int(body, "end", optional=True),
            code_id=json_int(body, "code_id", optional=True), role=role,
        )
        if memo and memo.strip():
            add_memo(db, project_id=project.id, target_type="coding", target_id=coding.id, text=memo,
                     author_id=_user_id())
    return jsonify(codings_json([coding])[0])


@bp.delete("/projects/<int:project_id>/codings/<int:coding_id>")
def delete_coding(project_id: int, coding_id: int) -> tuple[str, int]:
    project, role = load_project(project_id, needs=Role.CODER)
    expected = query_int("version")
    db = db_session()
    with transaction(db):
        if expected is not None and get_coding(db, project_id=project.id, coding_id=coding_id).version != expected:
            raise Conflict("Someone changed this coding after you opened it; reload to see their change.")
        remove_coding(db, project_id=project.id, coding_id=coding_id, user_id=_user_id(), role=role)
    return "", 204


@bp.post("/projects/<int:project_id>/undo")
def undo(project_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.CODER)
    body = json_body("source_id") if request.get_data() else {}
    db = db_session()
    with transaction(db):
        undone = undo_last(db, project_id=project.id, user_id=_user_id(),
                           source_id=json_int(body, "source_id", optional=True))
    return jsonify({"action": undone.action, "coding_id": undone.coding_id, "source_id": undone.source_id,
                    "message": undone.message})


# --- memos ---------------------------------------------------------------------------------------------------

def memo_json(memo: Memo, authors: dict[int, str]) -> dict[str, Any]:
    return {"id": memo.id, "target_type": memo.target_type, "target_id": memo.target_id, "text": memo.text,
            "author_id": memo.author_id, "author": authors.get(memo.author_id or 0, ""),
            "created_at": memo.created_at.isoformat()}


def _authors(memos: list[Memo]) -> dict[int, str]:
    ids = {m.author_id for m in memos if m.author_id is not None}
    return dict(db_session().execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()) if ids else {}


@bp.get("/projects/<int:project_id>/memos")
def list_memos(project_id: int) -> Response:
    project, _ = load_project(project_id)
    target_type = request.args.get("target_type")
    if target_type is not None and target_type not in MEMO_TARGETS:
        raise InvalidInput(f"target_type must be one of {', '.join(MEMO_TARGETS)}.")
    memos = memos_of(db_session(), project.id, target_type, query_int("target_id"))
    return jsonify([memo_json(m, _authors(memos)) for m in memos])


def _check_target(project_id: int, target_type: str, target_id: int | None) -> None:
    db = db_session()
    if target_type == "project":
        return
    if target_id is None:
        raise InvalidInput("target_id is needed for a memo on a source, code or coding.")
    if target_type == "source":
        get_source(db, project_id=project_id, source_id=target_id)
    elif target_type == "code":
        get_code(db, project_id=project_id, code_id=target_id)
    elif target_type == "coding":
        get_coding(db, project_id=project_id, coding_id=target_id)
    else:
        raise NotFound("No such memo target.")


@bp.post("/projects/<int:project_id>/memos")
def create_memo(project_id: int) -> tuple[Response, int]:
    project, _ = load_project(project_id, needs=Role.CODER)
    body = json_body("target_type", "target_id", "text")
    target_type, text = body.get("target_type", "project"), body.get("text", "")
    if not isinstance(target_type, str) or not isinstance(text, str):
        raise InvalidInput("target_type and text must be strings.")
    if target_type not in MEMO_TARGETS:
        raise InvalidInput(f"target_type must be one of {', '.join(MEMO_TARGETS)}.")
    target_id = json_int(body, "target_id", optional=True)
    _check_target(project.id, target_type, target_id)
    db = db_session()
    with transaction(db):
        memo = add_memo(db, project_id=project.id, target_type=target_type, target_id=target_id, text=text,
                        author_id=_user_id())
    return jsonify(memo_json(memo, _authors([memo]))), 201
