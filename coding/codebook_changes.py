"""Changing the codebook: edit, rename, move, merge and delete codes, each an event.

``create_code`` lives in :mod:`coding.codebook`; this module holds what happens to a
code afterwards, and the tree order the pages list codes in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from coding.codebook import (
    KIND_FIELDS,
    Code,
    check_kind_references,
    check_unique_name,
    clean_name,
    codes_of,
    get_code,
    next_colour,
    parse_colour,
    validate_kind_fields,
)
from coding.codings import Coding
from coding.events import record
from coding.history import plural
from coding.kinds import CodeKind
from coding.memos import Memo, take_coding_memos
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


class _Unchanged:
    """The parent argument was not given (``None`` means the top level)."""


UNCHANGED: Final = _Unchanged()


def own_codings(session: Session, code_id: int) -> int:
    """How many codings carry the code itself (not its sub-codes)."""
    return session.scalar(select(func.count()).select_from(Coding).where(Coding.code_id == code_id)) or 0


def _check_parent(session: Session, code: Code, parent_id: int | None, kind: CodeKind) -> None:
    """A code may go to the top level, into a folder, or into a code of its own kind (any code
    may hold themes); never into itself or one of its own sub-codes."""
    if parent_id is None:
        return
    parent = get_code(session, project_id=code.project_id, code_id=parent_id)
    if parent.id == code.id or parent.id in descendants(session, code):
        raise InvalidInput(f"'{code.name}' cannot be placed inside itself or one of its own sub-codes.")
    if not parent.is_folder and parent.kind is not kind and kind is not CodeKind.THEME:
        raise InvalidInput("A code can only sit inside a folder or a code of its own kind.")


def _check_expected(code: Code, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != code.version:
        raise Conflict(f"Someone changed the code '{code.name}' after you opened it; reload to see their change.")


def update_code(
    session: Session, *, project_id: int, code_id: int, user_id: int | None, expected_version: int | None = None,
    name: str | None = None, kind: CodeKind | None = None, colour: str | None = None,
    description: str | None = None, when_to_use: str | None = None, when_not: str | None = None,
    examples: str | None = None, aliases: list[str] | None = None, kind_fields: dict[str, object] | None = None,
    parent_id: int | None | _Unchanged = UNCHANGED, is_folder: bool | None = None,
) -> Code:
    """Edit a code: rename it, change its kind, place it elsewhere, make it a folder or a code.
    Kind fields are replaced as a whole when given (or when the kind changes). A code that
    carries codings cannot become a folder: folders cannot hold codings."""
    code = get_code(session, project_id=project_id, code_id=code_id)
    _check_expected(code, expected_version)
    before = snapshot(code)
    new_parent = code.parent_id if isinstance(parent_id, _Unchanged) else parent_id
    if new_parent != code.parent_id:
        _check_parent(session, code, new_parent, kind or code.kind)
    if is_folder and not code.is_folder:
        carried = own_codings(session, code.id)
        if carried:
            raise InvalidInput(f"'{code.name}' has {plural(carried, 'coding')}; a folder cannot hold codings. "
                               "Move or merge them first.")
    if name is not None or new_parent != code.parent_id:
        name = clean_name(code.name if name is None else name)
        if not name:
            raise InvalidInput("A code needs a name.")
        if len(name) > 200:
            raise InvalidInput("A code's name can be at most 200 characters.")
        check_unique_name(session, project_id=project_id, parent_id=new_parent, name=name, exclude_id=code.id,
                          where="here" if new_parent == code.parent_id else "there")
        code.name = name
    code.parent_id = new_parent
    if is_folder is not None:
        code.is_folder = is_folder
    if kind is not None:
        code.kind = kind
    if colour is not None:
        code.colour = parse_colour(colour)
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
    check_unique_name(session, project_id=project_id, parent_id=parent_id, name=code.name, exclude_id=code.id,
                      where="there")
    before = {"parent_id": code.parent_id}
    code.parent_id = parent_id
    session.flush()
    record(session, "code.move", user_id=user_id, project_id=project_id, object_type="code", object_id=code.id,
           before=before, after={"parent_id": parent_id})
    return code


@dataclass(frozen=True)
class MergePlan:
    """What merging ``source`` into ``target`` would do, for the confirmation step."""

    source: Code
    target: Code
    codings: int  # the source's own codings, all of which leave it
    duplicates: int  # of those, the ones the target already has (same text, same coder): dropped
    sub_codes: int  # direct sub-codes that move under the target

    @property
    def kinds_differ(self) -> bool:
        return self.source.kind is not self.target.kind


def _merge_pair(session: Session, project_id: int, source_id: int, target_id: int) -> tuple[Code, Code]:
    source = get_code(session, project_id=project_id, code_id=source_id)
    target = get_code(session, project_id=project_id, code_id=target_id)
    if source.id == target.id:
        raise InvalidInput("Choose two different codes to merge.")
    if target.is_folder and not source.is_folder:
        raise InvalidInput(f"'{target.name}' is a folder; codings can only be merged into a code.")
    if source.is_folder and not target.is_folder:
        raise InvalidInput(f"'{source.name}' is a folder; a folder can only be merged into another folder.")
    if target.id in descendants(session, source):
        raise InvalidInput("A code cannot be merged into one of its own sub-codes.")
    return source, target


def _coding_key(coding: Coding) -> tuple[int, int, int, int | None]:
    return (coding.source_id, coding.start, coding.end, coding.coder_id)


def plan_merge(session: Session, *, project_id: int, source_id: int, target_id: int) -> MergePlan:
    """Check that ``source_id`` can be merged into ``target_id`` and count what would move."""
    source, target = _merge_pair(session, project_id, source_id, target_id)
    target_keys = {_coding_key(c) for c in session.scalars(select(Coding).where(Coding.code_id == target.id))}
    keys = [_coding_key(c) for c in session.scalars(select(Coding).where(Coding.code_id == source.id))]
    duplicates, seen = 0, set(target_keys)
    for key in keys:
        duplicates += key in seen
        seen.add(key)
    sub_codes = session.scalar(select(func.count()).select_from(Code).where(Code.parent_id == source.id)) or 0
    return MergePlan(source=source, target=target, codings=len(keys), duplicates=duplicates, sub_codes=sub_codes)


def merge_codes(session: Session, *, project_id: int, source_id: int, target_id: int, user_id: int | None) -> Code:
    """Merge code ``source_id`` into ``target_id``: its codings, memos and sub-codes move to the
    target, codings that would become exact duplicates are dropped (their memos go to the coding
    they duplicate), and the source code is deleted."""
    source, target = _merge_pair(session, project_id, source_id, target_id)
    moved = dropped = 0
    target_keys = {_coding_key(c): c.id for c in session.scalars(select(Coding).where(Coding.code_id == target.id))}
    for coding in list(session.scalars(select(Coding).where(Coding.code_id == source.id))):
        key = _coding_key(coding)
        if key in target_keys:
            record(session, "coding.remove", user_id=user_id, project_id=project_id, object_type="coding",
                   object_id=coding.id, before={**coding.snapshot(), "merged_into": target.id})
            session.execute(update(Memo).where(Memo.project_id == project_id, Memo.target_type == "coding",
                                               Memo.target_id == coding.id).values(target_id=target_keys[key]))
            session.delete(coding)
            dropped += 1
        else:
            before = coding.snapshot()
            coding.code_id = target.id
            target_keys[key] = coding.id
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


def delete_code(session: Session, *, project_id: int, code_id: int, user_id: int | None) -> tuple[int, int]:
    """Delete a code with its sub-codes, their codings and the memos on all of them (the events
    keep what was there); returns how many codings and sub-codes went with it."""
    code = get_code(session, project_id=project_id, code_id=code_id)
    ids = descendants(session, code) | {code.id}
    codings = list(session.scalars(select(Coding).where(Coding.code_id.in_(ids))))
    memos: dict[object, list[dict[str, object]]] = defaultdict(list)
    for memo in take_coding_memos(session, project_id=project_id, coding_ids=[c.id for c in codings]):
        memos[memo["coding_id"]].append(memo)
    for coding in codings:
        record(session, "coding.remove", user_id=user_id, project_id=project_id, object_type="coding",
               object_id=coding.id, before={**coding.snapshot(), "code_deleted": True,
                                            **({"memos": memos[coding.id]} if memos[coding.id] else {})})
        session.delete(coding)
    session.flush()
    session.execute(update(Code).where(Code.goal_id.in_(ids)).values(goal_id=None))
    code_memos = list(session.scalars(select(Memo.text).where(
        Memo.project_id == project_id, Memo.target_type == "code", Memo.target_id.in_(ids)).order_by(Memo.id)))
    session.execute(delete(Memo).where(Memo.project_id == project_id, Memo.target_type == "code",
                                       Memo.target_id.in_(ids)))
    record(session, "code.delete", user_id=user_id, project_id=project_id, object_type="code", object_id=code.id,
           before={**snapshot(code), "codings": len(codings), "sub_codes": len(ids) - 1,
                   **({"memos": [{"text": text} for text in code_memos]} if code_memos else {})})
    session.delete(code)  # the database removes its sub-codes (ON DELETE CASCADE)
    session.flush()
    for sub in ids - {code.id}:
        stale = session.get(Code, sub)
        if stale is not None:
            session.expunge(stale)
    return len(codings), len(ids) - 1


def split_code(session: Session, *, project_id: int, code_id: int, new_name: str, coding_ids: list[int],
               user_id: int | None) -> Code:
    """Split code ``code_id``: a new sibling code of the same kind and fields, named ``new_name``,
    takes over the chosen codings; the rest stay. Runs in the caller's transaction."""
    code = get_code(session, project_id=project_id, code_id=code_id)
    if code.is_folder:
        raise InvalidInput(f"'{code.name}' is a folder; only a code with codings can be split.")
    name = clean_name(new_name)[:200]
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
    check_unique_name(session, project_id=project_id, parent_id=code.parent_id, name=name)
    position = session.scalar(select(func.count()).select_from(Code).where(Code.project_id == project_id)) or 0
    sibling = Code(
        project_id=project_id, parent_id=code.parent_id, name=name, kind=code.kind, is_folder=False,
        colour=next_colour(session, project_id, avoid=[code.colour]), position=position,
        description=code.description, when_to_use=code.when_to_use,
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
