"""The codebook: hierarchical codes with a customer-path kind and kind-specific fields."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from coding.kinds import ACTOR_TYPES, COMPANY_ROLES, MEDIA, OWNERSHIPS, TOUCHPOINT_TYPES, VALENCES, CodeKind
from research.db import Base, new_guid, utcnow
from research.errors import Conflict, InvalidInput, NotFound
from research.projects import Phase


class Code(Base):
    __tablename__ = "code"

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


def validate_kind_fields(kind: CodeKind, fields: dict[str, object]) -> dict[str, object]:
    """Keep only the fields the kind uses, each checked against its vocabulary."""
    allowed: dict[CodeKind, dict[str, tuple[object, ...] | None]] = {
        CodeKind.ACTOR: {"ownership": tuple(OWNERSHIPS), "actor_type": ACTOR_TYPES},
        CodeKind.TOUCHPOINT: {"ownership": tuple(OWNERSHIPS), "medium": MEDIA,
                              "touchpoint_type": TOUCHPOINT_TYPES, "company_role": COMPANY_ROLES},
        CodeKind.CHANNEL: {"medium": MEDIA},
        CodeKind.PHASE: {"phase_id": None},
        CodeKind.EMOTION: {"valence": VALENCES},
        CodeKind.SUB_GOAL: {"goal_id": None},
    }
    rules = allowed.get(kind, {})
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
    colour: str = "#7f8c8d",
    description: str = "",
    when_to_use: str = "",
    when_not: str = "",
    examples: str = "",
    aliases: list[str] | None = None,
    **kind_fields: object,
) -> Code:
    name = name.strip()
    if not name:
        raise InvalidInput("A code needs a name.")
    if len(name) > 200:
        raise InvalidInput("A code's name can be at most 200 characters.")
    if parent_id is not None:
        parent = get_code(session, project_id=project_id, code_id=parent_id)
        if not parent.is_folder and parent.kind is not kind and kind is not CodeKind.THEME:
            raise InvalidInput("A code can only sit inside a folder or a code of its own kind.")
    if session.scalar(select(Code.id).where(Code.project_id == project_id, Code.parent_id == parent_id,
                                            Code.name == name)) is not None:
        raise Conflict(f"There is already a code named '{name}' here.")
    fields = validate_kind_fields(kind, kind_fields)
    check_kind_references(session, project_id, fields)
    position = len(list(session.scalars(select(Code.id).where(Code.project_id == project_id))))
    code = Code(
        project_id=project_id, name=name[:200], kind=kind, parent_id=parent_id, is_folder=is_folder,
        colour=_valid_colour(colour), position=position, description=description, when_to_use=when_to_use,
        when_not=when_not, examples=examples, aliases=list(aliases or []), **fields,
    )
    session.add(code)
    session.flush()
    return code


def _valid_colour(colour: str) -> str:
    colour = colour.strip().lower()
    if len(colour) != 7 or not colour.startswith("#") or any(c not in "0123456789abcdef" for c in colour[1:]):
        raise InvalidInput(f"'{colour}' is not a colour; use the form #3366cc.")
    return colour


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
