"""Restoring a project backup (see ``exports.backup``) as a new project.

Rows get new ids in the target database; every foreign key, and the
polymorphic references of memos and events, is mapped to the new ids. Authors
are matched to accounts by e-mail; unknown authors become accounts that cannot
log in, so authorship survives. GUIDs are kept unless the target already holds
them (restoring a copy beside the original). Everything happens in the
caller's transaction: a broken archive leaves the database unchanged.
"""

from __future__ import annotations

import base64
import json
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, LargeBinary, Table, insert, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from coding.all_models import metadata
from exports.backup import FORMAT, FORMAT_VERSION, table_names
from research.accounts import User
from research.archives import open_safe_zip
from research.db import UTCDateTime
from research.errors import IngestError, InvalidInput
from research.projects import Membership, Role

MAX_ARCHIVE_BYTES = 4 * 1024 * 1024 * 1024
BATCH = 1000
# Polymorphic references: which table an object_type / target_type names.
REFERENCED_BY_TYPE = {"project": "project", "source": "source", "code": "code", "coding": "coding", "memo": "memo",
                      "user": "user_account", "participant": "participant"}
USER_TABLE = "user_account"
# What reading a damaged or tampered archive raises: broken compression, JSON or text, rows
# of the wrong shape, values the columns refuse. All mean "this backup is damaged".
DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, KeyError, TypeError, AttributeError, OverflowError,
          StatementError)


@dataclass
class RestoreResult:
    project_id: int
    counts: dict[str, int] = field(default_factory=dict)
    created_users: list[str] = field(default_factory=list)


def restore_backup(session: Session, data: bytes, *, owner_id: int) -> RestoreResult:
    """Add the archived project to this database; ``owner_id`` becomes one of its owners."""
    try:
        archive = open_safe_zip(data, max_total=MAX_ARCHIVE_BYTES)
    except IngestError as exc:
        raise InvalidInput(f"This is not a usable Kundstig backup: {exc}") from exc
    with archive:
        try:
            return _restore(session, archive, owner_id)
        except DAMAGE as exc:
            raise InvalidInput(f"This backup is damaged and was not restored ({type(exc).__name__} while reading "
                               "it). Restore an intact copy.") from exc


def _restore(session: Session, archive: zipfile.ZipFile, owner_id: int) -> RestoreResult:
    names = set(archive.namelist())
    if "manifest.json" not in names:
        raise InvalidInput("This zip file is not a Kundstig backup (it has no manifest.json).")
    manifest = json.loads(archive.read("manifest.json"))
    if not isinstance(manifest, dict):
        raise InvalidInput("This zip file is not a Kundstig backup (its manifest.json is not an object).")
    if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
        raise InvalidInput(f"Unsupported backup format {manifest.get('format')!r} version "
                           f"{manifest.get('version')!r}; this Kundstig reads version {FORMAT_VERSION}.")
    ids: dict[str, dict[int, int]] = {USER_TABLE: {}}
    result = RestoreResult(project_id=0)
    for user in json.loads(archive.read("users.json")):
        ids[USER_TABLE][user["id"]] = _user_id(session, user, result)
    for name in table_names():
        path = f"tables/{name}.jsonl"
        if path not in names:
            raise InvalidInput(f"The backup is incomplete: {path} is missing.")
        result.counts[name] = _restore_table(session, metadata.tables[name], _lines(archive.read(path)), ids)
    if not ids.get("project"):
        raise InvalidInput("The backup is incomplete: it holds no project.")
    result.project_id = next(iter(ids["project"].values()))
    if session.scalar(select(Membership.id).where(Membership.project_id == result.project_id,
                                                  Membership.user_id == owner_id)) is None:
        session.add(Membership(project_id=result.project_id, user_id=owner_id, role=Role.OWNER))
    session.flush()
    return result


def _lines(raw: bytes) -> Iterator[dict[str, Any]]:
    for line in raw.splitlines():
        if line.strip():
            yield json.loads(line)


def _user_id(session: Session, user: dict[str, Any], result: RestoreResult) -> int:
    existing = session.scalar(select(User.id).where(User.email == user["email"]))
    if existing is not None:
        return existing
    # An author who has no account here: kept for authorship, unable to log in ("!" is no valid hash).
    created = User(email=user["email"], display_name=user["display_name"], password_hash="!", is_active=False)
    session.add(created)
    session.flush()
    result.created_users.append(user["email"])
    return created.id


def _restore_table(session: Session, table: Table, rows: Iterator[dict[str, Any]],
                   ids: dict[str, dict[int, int]]) -> int:
    has_id = "id" in table.c and table.c.id.primary_key
    references = {fk.parent.name: fk.column.table.name for fk in table.foreign_keys}
    deferred: list[tuple[int, str, int]] = []  # (old row id, column, old referenced id) for self references
    mapping = ids.setdefault(table.name, {})
    guids = set(session.scalars(select(table.c.guid))) if "guid" in table.c else set()
    batch: list[tuple[int | None, dict[str, Any]]] = []
    count = 0
    for raw in rows:
        row = {key: _value(table, key, value) for key, value in raw.items() if key in table.c}
        old_id = row.pop("id", None) if has_id else None
        for column, target in references.items():
            old = row.get(column)
            if old is None:
                continue
            if target == table.name and old not in mapping:
                deferred.append((old_id, column, old))  # type: ignore[arg-type]
                row[column] = None
            else:
                row[column] = _mapped(ids, target, old, table.name, column)
        _map_polymorphic(table.name, row, ids)
        if "guid" in row and row["guid"] in guids:
            row["guid"] = str(uuid.uuid4())
        batch.append((old_id, row))
        count += 1
        if len(batch) >= BATCH or references.get("parent_id") == table.name:
            _insert(session, table, batch, mapping, has_id)
            batch = []
    _insert(session, table, batch, mapping, has_id)
    for old_id, column, old_target in deferred:
        session.execute(table.update().where(table.c.id == mapping[old_id])
                        .values({column: _mapped(ids, table.name, old_target, table.name, column)}))
    return count


def _insert(session: Session, table: Table, batch: list[tuple[int | None, dict[str, Any]]],
            mapping: dict[int, int], has_id: bool) -> None:
    if not batch:
        return
    rows = [row for _, row in batch]
    if not has_id:
        session.execute(insert(table), rows)
        return
    new_ids = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars()
    for (old_id, _), new_id in zip(batch, new_ids, strict=True):
        assert old_id is not None
        mapping[old_id] = new_id


def _mapped(ids: dict[str, dict[int, int]], target: str, old: int, table: str, column: str) -> int:
    try:
        return ids[target][old]
    except KeyError as exc:
        raise InvalidInput(f"The backup is inconsistent: {table}.{column} points to {target} {old}, "
                           "which the archive does not hold.") from exc


def _map_polymorphic(table: str, row: dict[str, Any], ids: dict[str, dict[int, int]]) -> None:
    if table == "memo" and row.get("target_id") is not None:
        row["target_id"] = ids.get(REFERENCED_BY_TYPE.get(row["target_type"], ""), {}).get(row["target_id"])
    if table == "event" and row.get("object_id") is not None:
        # Events may name objects that were deleted before the backup; those keep no id.
        row["object_id"] = ids.get(REFERENCED_BY_TYPE.get(row["object_type"], ""), {}).get(row["object_id"])


def _value(table: Table, key: str, value: Any) -> Any:
    column_type = table.c[key].type
    if value is None:
        return None
    if isinstance(column_type, LargeBinary) and isinstance(value, dict):
        return base64.b64decode(value["base64"])
    if isinstance(column_type, DateTime | UTCDateTime):
        return datetime.fromisoformat(value)
    return value

