"""Projects, their phase models and their members.

Every lookup of project data goes through :func:`get_project_for`, which makes a
project the user does not belong to indistinguishable from one that does not
exist (both raise ``NotFound``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from research.accounts import User, get_user_by_email
from research.db import Base, new_guid, utcnow
from research.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from research.phase_models import PHASE_MODELS


class Role(enum.StrEnum):
    VIEWER = "viewer"
    CODER = "coder"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        return {"viewer": 0, "coder": 1, "owner": 2}[self.value]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


LANGUAGES = {
    "sv": "Svenska", "nb": "Norsk bokmål", "nn": "Norsk nynorsk", "da": "Dansk", "en": "English", "fi": "Suomi",
}


class Project(Base):
    __tablename__ = "project"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (migration 0008)

    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="sv")
    company_name: Mapped[str] = mapped_column(String(200), default="")
    company_aliases: Mapped[list[str]] = mapped_column(default=list)
    phase_model: Mapped[str] = mapped_column(String(40), default="six")
    # The NLP helper's embedding model for this project; "" is the instance's default.
    embedding_model: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    phases: Mapped[list[Phase]] = relationship(
        back_populates="project", order_by="Phase.position", cascade="all, delete-orphan"
    )
    memberships: Mapped[list[Membership]] = relationship(back_populates="project", cascade="all, delete-orphan")

    def company_terms(self) -> list[str]:
        """Lower-case names that mark the studied company's own actors and touchpoints."""
        terms = [self.company_name, *self.company_aliases]
        return sorted({t.strip().lower() for t in terms if t.strip()})


class Phase(Base):
    __tablename__ = "phase"
    __table_args__ = (UniqueConstraint("project_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    project: Mapped[Project] = relationship(back_populates="phases")


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e])
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()


def parse_aliases(text: str) -> list[str]:
    """Aliases typed one per line or separated by commas."""
    parts = [p.strip() for line in text.splitlines() for p in line.split(",")]
    return list(dict.fromkeys(p for p in parts if p))


def create_project(
    session: Session,
    *,
    owner_id: int,
    name: str,
    description: str = "",
    language: str = "sv",
    company_name: str = "",
    company_aliases: list[str] | None = None,
    phase_model: str = "six",
) -> Project:
    name = name.strip()
    if not name:
        raise InvalidInput("A project needs a name.")
    if len(name) > 200 or len(company_name.strip()) > 200:
        raise InvalidInput("A project's name and its company's name can each be at most 200 characters.")
    if phase_model not in PHASE_MODELS:
        raise InvalidInput(f"Unknown phase model '{phase_model}'; choose one of {', '.join(PHASE_MODELS)}.")
    if language not in LANGUAGES:
        raise InvalidInput(f"Unknown language '{language}'; choose one of {', '.join(LANGUAGES)}.")
    project = Project(
        name=name, description=description.strip(), language=language, company_name=company_name.strip(),
        company_aliases=list(company_aliases or []), phase_model=phase_model,
    )
    _, templates = PHASE_MODELS[phase_model]
    project.phases = [Phase(position=i, name=t.name, description=t.description) for i, t in enumerate(templates)]
    project.memberships = [Membership(user_id=owner_id, role=Role.OWNER)]
    session.add(project)
    session.flush()
    return project


def update_project(
    session: Session, project: Project, *, name: str, description: str, language: str,
    company_name: str, company_aliases: list[str],
) -> Project:
    if not name.strip():
        raise InvalidInput("A project needs a name.")
    if language not in LANGUAGES:
        raise InvalidInput(f"Unknown language '{language}'.")
    project.name, project.description, project.language = name.strip()[:200], description.strip(), language
    project.company_name, project.company_aliases = company_name.strip(), company_aliases
    session.flush()
    return project


def set_phases(session: Session, project: Project, phases: list[tuple[str, str]]) -> None:
    """Replace the phase list, keeping rows (and their ids) where positions remain."""
    if not phases or any(not name.strip() for name, _ in phases):
        raise InvalidInput("Every phase needs a name, and a project needs at least one phase.")
    existing = list(project.phases)
    for position, (name, description) in enumerate(phases):
        if position < len(existing):
            existing[position].name, existing[position].description = name.strip(), description.strip()
        else:
            project.phases.append(Phase(position=position, name=name.strip(), description=description.strip()))
    for extra in existing[len(phases):]:
        project.phases.remove(extra)
    session.flush()


def role_in(session: Session, *, project_id: int, user_id: int) -> Role | None:
    return session.scalar(
        select(Membership.role).where(Membership.project_id == project_id, Membership.user_id == user_id)
    )


# Built once: every project page and API call asks.
_PROJECT_FOR = select(Project, Membership.role).join(Membership, Membership.project_id == Project.id).where(
    Project.id == bindparam("project_id"), Membership.user_id == bindparam("user_id"))


def get_project_for(
    session: Session, *, project_id: int, user_id: int, needs: Role = Role.VIEWER
) -> tuple[Project, Role]:
    """The project and the user's role in it; NotFound for outsiders, PermissionDenied for too small a role."""
    found = session.execute(_PROJECT_FOR, {"project_id": project_id, "user_id": user_id}).first()
    if found is None:
        raise NotFound("No such project, or you are not a member of it.")
    project, role = found
    if not role.allows(needs):
        raise PermissionDenied(f"Your role in this project is {role.value}; this needs {needs.value}.")
    return project, role


def projects_of(session: Session, user_id: int) -> list[tuple[Project, Role]]:
    rows = session.execute(
        select(Project, Membership.role).join(Membership).where(Membership.user_id == user_id).order_by(Project.name)
    )
    return [(p, r) for p, r in rows]


def all_projects(session: Session) -> list[Project]:
    return list(session.scalars(select(Project).order_by(Project.id)))


def members_of(session: Session, project_id: int) -> list[Membership]:
    return list(session.scalars(
        select(Membership).join(User).where(Membership.project_id == project_id).order_by(User.email)
    ))


def add_member(session: Session, *, project_id: int, email: str, role: Role) -> Membership:
    try:
        user = get_user_by_email(session, email)
    except NotFound as exc:
        raise InvalidInput(f"There is no account for '{email}'; ask them to register first.") from exc
    if role_in(session, project_id=project_id, user_id=user.id) is not None:
        raise Conflict(f"{user.email} is already a member of this project.")
    membership = Membership(project_id=project_id, user_id=user.id, role=role)
    session.add(membership)
    session.flush()
    return membership


def change_role(session: Session, *, project_id: int, user_id: int, role: Role) -> Membership:
    membership = session.scalar(
        select(Membership).where(Membership.project_id == project_id, Membership.user_id == user_id)
    )
    if membership is None:
        raise NotFound("That person is not a member of this project.")
    if membership.role is Role.OWNER and role is not Role.OWNER and _owner_count(session, project_id) == 1:
        raise Conflict("A project needs at least one owner; make someone else owner first.")
    membership.role = role
    session.flush()
    return membership


def remove_member(session: Session, *, project_id: int, user_id: int) -> None:
    membership = session.scalar(
        select(Membership).where(Membership.project_id == project_id, Membership.user_id == user_id)
    )
    if membership is None:
        raise NotFound("That person is not a member of this project.")
    if membership.role is Role.OWNER and _owner_count(session, project_id) == 1:
        raise Conflict("A project needs at least one owner; make someone else owner first.")
    session.delete(membership)
    session.flush()


def _owner_count(session: Session, project_id: int) -> int:
    return len(list(session.scalars(
        select(Membership.id).where(Membership.project_id == project_id, Membership.role == Role.OWNER)
    )))
