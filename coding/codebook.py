"""The codebook: hierarchical codes with a customer-path kind and kind-specific fields."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from coding.kinds import ACTOR_TYPES, COMPANY_ROLES, MEDIA, OWNERSHIPS, TOUCHPOINT_TYPES, VALENCES, CodeKind
from research.db import Base, new_guid, utcnow
from research.errors import Conflict, InvalidInput, NotFound
from research.projects import Phase


class Code(Base):
    __tablename__ = "code"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (migration 0008)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CodeKind] = mapped_column(Enum(CodeKind, native_enum=False, length=12,
                                                values_callable=lambda e: [m.value for m in e]))
    is_folder: Mapped[bool] = mapped_column(default=False)
    colour: Mapped[str] = mapped_column(String(7), default="#7f8c8d")
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    when_to_use: Mapped[str] = mapped_column(Text, default="")
    when_not: Mapped[str] = mapped_column(Text, default="")
    examples: Mapped[str] = mapped_column(Text, default="")
    aliases: Mapped[list[str]] = mapped_column(default=list)
    # Kind-specific fields (see DOMAIN.md); None where they do not apply.
    ownership: Mapped[str | None] = mapped_column(String(20))
    actor_type: Mapped[str | None] = mapped_column(String(20))
    medium: Mapped[str | None] = mapped_column(String(10))
    touchpoint_type: Mapped[str | None] = mapped_column(String(20))
    company_role: Mapped[str | None] = mapped_column(String(10))
    phase_id: Mapped[int | None] = mapped_column(ForeignKey("phase.id", ondelete="SET NULL"))
    valence: Mapped[int | None]
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("code.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}


KIND_FIELDS = ("ownership", "actor_type", "medium", "touchpoint_type", "company_role", "phase_id", "valence", "goal_id")

# The fields each kind uses, with their vocabulary (None: a reference checked against the project).
KIND_RULES: dict[CodeKind, dict[str, tuple[object, ...] | None]] = {
    CodeKind.ACTOR: {"ownership": tuple(OWNERSHIPS), "actor_type": ACTOR_TYPES},
    CodeKind.TOUCHPOINT: {"ownership": tuple(OWNERSHIPS), "medium": MEDIA,
                          "touchpoint_type": TOUCHPOINT_TYPES, "company_role": COMPANY_ROLES},
    CodeKind.CHANNEL: {"medium": MEDIA},
    CodeKind.PHASE: {"phase_id": None},
    CodeKind.EMOTION: {"valence": VALENCES},
    CodeKind.SUB_GOAL: {"goal_id": None},
}


def kinds_using(field: str) -> list[CodeKind]:
    """The kinds that keep ``field`` (the code form shows the field only for them)."""
    return [kind for kind in CodeKind if field in KIND_RULES.get(kind, {})]


# Distinct colours handed to new codes in turn, so codes can be told apart in the coding view.
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
           "#bcbd22", "#393b79", "#637939", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354")


def next_colour(session: Session, project_id: int, *, avoid: Iterable[str] = ()) -> str:
    """The palette colour fewest codes of the project use (first in palette order on a tie),
    never one of ``avoid`` while another is left."""
    used = Counter(c.lower() for c in session.scalars(select(Code.colour).where(Code.project_id == project_id)))
    banned = {c.lower() for c in avoid}
    candidates = [c for c in PALETTE if c not in banned] or list(PALETTE)
    return min(candidates, key=lambda c: (used[c], PALETTE.index(c)))


def parse_colour(text: str) -> str:
    """'#3366cc', '#36c' or '3366CC' as '#3366cc' (a text field stands in for the colour picker
    in some browsers, so people type colours too)."""
    value = (text or "").strip().lower()
    digits = value[1:] if value.startswith("#") else value
    if len(digits) not in (3, 6) or any(c not in "0123456789abcdef" for c in digits):
        raise InvalidInput("Colour must look like #3366cc.")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits


def clean_name(name: str) -> str:
    """A code's name as stored: NFC, without surrounding spaces."""
    return unicodedata.normalize("NFC", name or "").strip()


def name_key(name: str) -> str:
    """What two sibling names are compared by: 'Oro', 'oro' and a decomposed 'Oro' are one name."""
    return clean_name(name).casefold()


def check_unique_name(session: Session, *, project_id: int, parent_id: int | None, name: str,
                      exclude_id: int | None = None, where: str = "here") -> None:
    """Refuse a name that a sibling already has, ignoring letter case and Unicode form."""
    siblings = select(Code.name).where(Code.project_id == project_id, Code.parent_id.is_(None) if parent_id is None
                                       else Code.parent_id == parent_id)
    if exclude_id is not None:
        siblings = siblings.where(Code.id != exclude_id)
    key = name_key(name)
    for existing in session.scalars(siblings):
        if name_key(existing) == key:
            raise Conflict(f"There is already a code named '{existing}' {where}.")


def validate_kind_fields(kind: CodeKind, fields: dict[str, object]) -> dict[str, object]:
    """Keep only the fields the kind uses, each checked against its vocabulary."""
    rules = KIND_RULES.get(kind, {})
    clean: dict[str, object] = {name: None for name in KIND_FIELDS}
    for name, value in fields.items():
        if value in (None, ""):
            continue
        if name not in rules:
            continue
        vocabulary = rules[name]
        if vocabulary is not None and value not in vocabulary:
            raise InvalidInput(f"'{value}' is not a valid {name.replace('_', ' ')} for a {kind.label.lower()} code.")
        clean[name] = value
    return clean


def check_kind_references(session: Session, project_id: int, fields: dict[str, object]) -> None:
    """A sub-goal's goal and a phase code's phase must exist in the same project."""
    if fields["goal_id"] is not None:
        goal = get_code(session, project_id=project_id, code_id=int(fields["goal_id"]))  # type: ignore[call-overload]
        if goal.kind is not CodeKind.GOAL:
            raise InvalidInput("A sub-goal must point to a goal code.")
    if fields["phase_id"] is not None and session.scalar(select(Phase.id).where(
            Phase.id == fields["phase_id"], Phase.project_id == project_id)) is None:
        raise InvalidInput("No such phase in this project.")


def codes_of(session: Session, project_id: int) -> list[Code]:
    return list(session.scalars(
        select(Code).where(Code.project_id == project_id).order_by(Code.position, Code.name)
    ))


def get_code(session: Session, *, project_id: int, code_id: int) -> Code:
    code = session.get(Code, code_id)
    if code is None or code.project_id != project_id:
        raise NotFound("No such code in this project.")
    return code


def create_code(
    session: Session,
    *,
    project_id: int,
    name: str,
    kind: CodeKind,
    parent_id: int | None = None,
    is_folder: bool = False,
    colour: str | None = None,
    description: str = "",
    when_to_use: str = "",
    when_not: str = "",
    examples: str = "",
    aliases: list[str] | None = None,
    **kind_fields: object,
) -> Code:
    name = clean_name(name)
    if not name:
        raise InvalidInput("A code needs a name.")
    if len(name) > 200:
        raise InvalidInput("A code's name can be at most 200 characters.")
    if parent_id is not None:
        parent = get_code(session, project_id=project_id, code_id=parent_id)
        if not parent.is_folder and parent.kind is not kind and kind is not CodeKind.THEME:
            raise InvalidInput("A code can only sit inside a folder or a code of its own kind.")
    check_unique_name(session, project_id=project_id, parent_id=parent_id, name=name)
    fields = validate_kind_fields(kind, kind_fields)
    check_kind_references(session, project_id, fields)
    position = len(list(session.scalars(select(Code.id).where(Code.project_id == project_id))))
    code = Code(
        project_id=project_id, name=name[:200], kind=kind, parent_id=parent_id, is_folder=is_folder,
        colour=parse_colour(colour) if colour else next_colour(session, project_id), position=position,
        description=description, when_to_use=when_to_use,
        when_not=when_not, examples=examples, aliases=list(aliases or []), **fields,
    )
    session.add(code)
    session.flush()
    return code




def code_paths(codes: list[Code]) -> dict[int, str]:
    """'Folder / Sub / Code' for every code, for lists and exports."""
    by_id = {c.id: c for c in codes}

    def path(code: Code) -> str:
        parts, seen = [code.name], {code.id}
        while code.parent_id is not None and code.parent_id in by_id and code.parent_id not in seen:
            code = by_id[code.parent_id]
            seen.add(code.id)
            parts.append(code.name)
        return " / ".join(reversed(parts))

    return {c.id: path(c) for c in codes}
