"""Changing the codebook: edit, rename, move, merge and delete codes, each an event.

``create_code`` lives in :mod:`coding.codebook`; this module holds what happens to a
code afterwards, and the tree order the pages list codes in.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from coding.codebook import (
    KIND_FIELDS,
    Code,
    _valid_colour,
    check_kind_references,
    codes_of,
    get_code,
    validate_kind_fields,
)
from coding.codings import Coding
from coding.events import record
from coding.kinds import CodeKind
from coding.memos import Memo
from research.errors import Conflict, InvalidInput


def code_tree(codes: list[Code]) -> list[tuple[Code, int]]:
    """Codes in tree order (folders before their contents), each with its depth."""
    children: dict[int | None, list[Code]] = {}
    ids = {c.id for c in codes}
    for code in codes:
        parent = code.parent_id if code.parent_id in ids else None
        children.setdefault(parent, []).append(code)
    ordered: list[tuple[Code, int]] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for code in sorted(children.get(parent, []), key=lambda c: (not c.is_folder, c.position, c.name.lower())):
            if code.id in seen:
                continue
            seen.add(code.id)
            ordered.append((code, depth))
            walk(code.id, depth + 1)

    walk(None, 0)
    return ordered


def descendants(session: Session, code: Code) -> set[int]:
    codes = codes_of(session, code.project_id)
    found, frontier = set(), {code.id}
    while frontier:
        frontier = {c.id for c in codes if c.parent_id in frontier and c.id not in found}
        found |= frontier
    return found


def snapshot(code: Code) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": code.name, "kind": code.kind.value, "parent_id": code.parent_id, "colour": code.colour,
        "is_folder": code.is_folder, "description": code.description,
    }
    data.update({name: getattr(code, name) for name in KIND_FIELDS if getattr(code, name) is not None})
    return data


def _check_expected(code: Code, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != code.version:
        raise Conflict(f"Someone changed the code '{code.name}' after you opened it; reload to see their change.")


def update_code(
    session: Session, *, project_id: int, code_id: int, user_id: int | None, expected_version: int | None = None,
    name: str | None = None, kind: CodeKind | None = None, colour: str | None = None,
    description: str | None = None, when_to_use: str | None = None, when_not: str | None = None,
    examples: str | None = None, aliases: list[str] | None = None, kind_fields: dict[str, object] | None = None,
) -> Code:
    """Rename or edit a code; kind fields are replaced as a whole when given (or when the kind changes)."""
    code = get_code(session, project_id=project_id, code_id=code_id)
    _check_expected(code, expected_version)
    before = snapshot(code)
    if name is not None:
        name = name.strip()
        if not name:
            raise InvalidInput("A code needs a name.")
        clash = session.scalar(select(Code.id).where(Code.project_id == project_id, Code.parent_id == code.parent_id,
                                                     Code.name == name, Code.id != code.id))
        if clash is not None:
            raise Conflict(f"There is already a code named '{name}' here.")
        code.name = name[:200]
    if kind is not None:
        code.kind = kind
    if colour is not None:
        code.colour = _valid_colour(colour)
    for attribute, value in (("description", description), ("when_to_use", when_to_use), ("when_not", when_not),
                             ("examples", examples)):
        if value is not None:
            setattr(code, attribute, value.strip())
    if aliases is not None:
        code.aliases = [a.strip() for a in aliases if a.strip()]
    if kind_fields is not None or kind is not None:
        current = {n: getattr(code, n) for n in KIND_FIELDS}
        fields = validate_kind_fields(code.kind, kind_fields if kind_fields is not None else current)
        check_kind_references(session, project_id, fields)
        for attribute, value in fields.items():
            setattr(code, attribute, value)
    session.flush()
    record(session, "code.change", user_id=user_id, project_id=project_id, object_type="code", object_id=code.id,
           before=before, after=snapshot(code))
    return code


def move_code(session: Session, *, project_id: int, code_id: int, parent_id: int | None, user_id: int | None,
              expected_version: int | None = None) -> Code:
    code = get_code(session, project_id=project_id, code_id=code_id)
    _check_expected(code, expected_version)
    if parent_id is not None:
        parent = get_code(session, project_id=project_id, code_id=parent_id)
        if parent.id == code.id or parent.id in descendants(session, code):
            raise InvalidInput("A code cannot be moved into itself or one of its own sub-codes.")
    clash = session.scalar(select(Code.id).where(Code.project_id == project_id, Code.parent_id == parent_id,
                                                 Code.name == code.name, Code.id != code.id))
    if clash is not None:
        raise Conflict(f"There is already a code named '{code.name}' there.")
    before = {"parent_id": code.parent_id}
    code.parent_id = parent_id
    session.flush()
    record(session, "code.move", user_id=user_id, project_id=project_id, object_type="code", object_id=code.id,
           before=before, after={"parent_id": parent_id})
    return code


def merge_codes(session: Session, *, project_id: int, source_id: int, target_id: int, user_id: int | None) -> Code:
    """Merge code ``source_id`` into ``target_id``: its codings, memos and sub-codes move to the
    target, codings that would become exact duplicates are dropped, and the source code is deleted."""
    source = get_code(session, project_id=project_id, code_id=source_id)
    target = get_code(session, project_id=project_id, code_id=target_id)
    if source.id == target.id:
        raise InvalidInput("Choose two different codes to merge.")
    if target.is_folder and not source.is_folder:
        raise InvalidInput(f"'{target.name}' is a folder; codings can only be merged into a code.")
    if target.id in descendants(session, source):
        raise InvalidInput("A code cannot be merged into one of its own sub-codes.")
    moved = dropped = 0
    target_keys = {
        (c.source_id, c.start, c.end, c.coder_id)
        for c in session.scalars(select(Coding).where(Coding.code_id == target.id))
    }
    for coding in list(session.scalars(select(Coding).where(Coding.code_id == source.id))):
        key = (coding.source_id, coding.start, coding.end, coding.coder_id)
        if key in target_keys:
            record(session, "coding.remove", user_id=user_id, project_id=project_id, object_type="coding",
                   object_id=coding.id, before={**coding.snapshot(), "merged_into": target.id})
            session.delete(coding)
            dropped += 1
        else:
            before = coding.snapshot()
            coding.code_id = target.id
            target_keys.add(key)
            record(session, "coding.change", user_id=user_id, project_id=project_id, object_type="coding",
                   object_id=coding.id, before=before, after={**coding.snapshot(), "merged_into": target.id})
            moved += 1
    session.flush()
    session.execute(update(Code).where(Code.parent_id == source.id).values(parent_id=target.id))
    session.execute(update(Code).where(Code.goal_id == source.id).values(goal_id=target.id))
    session.execute(update(Memo).where(Memo.target_type == "code", Memo.target_id == source.id)
                    .values(target_id=target.id))
    record(session, "code.merge", user_id=user_id, project_id=project_id, object_type="code", object_id=target.id,
           before={"merged": snapshot(source), "merged_id": source.id},
           after={"codings_moved": moved, "duplicates_dropped": dropped})
    session.delete(source)
    session.flush()
    session.expire(target)
    return target


def usage(session: Session, code: Code) -> tuple[int, int]:
    """(codings of the code and its sub-codes, number of sub-codes), for the delete confirmation."""
    ids = descendants(session, code) | {code.id}
    codings = session.scalar(select(func.count()).select_from(Coding).where(Coding.code_id.in_(ids))) or 0
    return codings, len(ids) - 1


def delete_code(session: Session, *, project_id: int, code_id: int, user_id: int | None) -> None:
    """Delete a code with its sub-codes and their codings (the events keep what was there)."""
    code = get_code(session, project_id=project_id, code_id=code_id)
    ids = descendants(session, code) | {code.id}
    codings = list(session.scalars(select(Coding).where(Coding.code_id.in_(ids))))
    for coding in codings:
        record(session, "coding.remove", user_id=user_id, project_id=project_id, object_type="coding",
               object_id=coding.id, before={**coding.snapshot(), "code_deleted": True})
        session.delete(coding)
    session.flush()
    session.execute(update(Code).where(Code.goal_id.in_(ids)).values(goal_id=None))
    record(session, "code.delete", user_id=user_id, project_id=project_id, object_type="code", object_id=code.id,
           before={**snapshot(code), "codings": len(codings), "sub_codes": len(ids) - 1})
    session.delete(code)  # the database removes its sub-codes (ON DELETE CASCADE)
    session.flush()
    for sub in ids - {code.id}:
        stale = session.get(Code, sub)
        if stale is not None:
            session.expunge(stale)


def split_code(session: Session, *, project_id: int, code_id: int, new_name: str, coding_ids: list[int],
               user_id: int | None) -> Code:
    """Split code ``code_id``: a new sibling code of the same kind and fields, named ``new_name``,
    takes over the chosen codings; the rest stay. Runs in the caller's transaction."""
    code = get_code(session, project_id=project_id, code_id=code_id)
    if code.is_folder:
        raise InvalidInput(f"'{code.name}' is a folder; only a code with codings can be split.")
    name = (new_name or "").strip()[:200]
    if not name:
        raise InvalidInput("The new code needs a name.")
    chosen = sorted(set(coding_ids))
    if not chosen:
        raise InvalidInput("Choose the codings that go to the new code.")
    codings = list(session.scalars(select(Coding).where(Coding.id.in_(chosen))))
    found = {c.id: c for c in codings}
    wrong = [i for i in chosen if i not in found or found[i].code_id != code.id or found[i].project_id != project_id]
    if wrong:
        raise InvalidInput(f"Coding {wrong[0]} is not a coding of '{code.name}'.")
    clash = session.scalar(select(Code.id).where(Code.project_id == project_id, Code.parent_id == code.parent_id,
                                                 Code.name == name))
    if clash is not None:
        raise Conflict(f"There is already a code named '{name}' here.")
    position = session.scalar(select(func.count()).select_from(Code).where(Code.project_id == project_id)) or 0
    sibling = Code(
        project_id=project_id, parent_id=code.parent_id, name=name, kind=code.kind, is_folder=False,
        colour=code.colour, position=position, description=code.description, when_to_use=code.when_to_use,
        when_not=code.when_not, examples=code.examples, aliases=list(code.aliases),
        **{field: getattr(code, field) for field in KIND_FIELDS},
    )
    session.add(sibling)
    session.flush()
    record(session, "code.create", user_id=user_id, project_id=project_id, object_type="code", object_id=sibling.id,
           after={**snapshot(sibling), "split_from": code.id})
    for coding in sorted(codings, key=lambda c: c.id):
        before = coding.snapshot()
        coding.code_id = sibling.id
        record(session, "coding.change", user_id=user_id, project_id=project_id, object_type="coding",
               object_id=coding.id, before=before, after={**coding.snapshot(), "split_into": sibling.id})
    session.flush()
    record(session, "code.split", user_id=user_id, project_id=project_id, object_type="code", object_id=code.id,
           before={"name": code.name}, after={"new_code_id": sibling.id, "new_name": sibling.name,
                                              "codings_moved": len(codings)})
    return sibling
