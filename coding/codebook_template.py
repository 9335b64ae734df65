"""The "customer path" template codebook a new project can start from (DOMAIN.md):
a folder per kind, one phase code per phase of the project's phase model, and a few
example codes that show how the kind-specific fields are meant to be used.

The template is in English only (the phase codes take the names of the project's own
phases); the actor that stands for the studied company takes the project's company name
and aliases, so the NLP helper's actor suggester recognises it from the start."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coding.codebook import Code, create_code, name_key
from coding.events import record
from coding.kinds import CodeKind
from research.errors import Conflict
from research.projects import Project

FOLDERS: tuple[tuple[CodeKind, str, str], ...] = (
    (CodeKind.GOAL, "Goals", "#1f6f78"),
    (CodeKind.SUB_GOAL, "Sub-goals", "#4c9aa2"),
    (CodeKind.ACTOR, "Actors", "#7a4ea3"),
    (CodeKind.PHASE, "Phases", "#b07a00"),
    (CodeKind.TOUCHPOINT, "Touchpoints", "#2e6b34"),
    (CodeKind.CHANNEL, "Channels", "#5a7f2b"),
    (CodeKind.PAIN_POINT, "Pain points", "#a8322d"),
    (CodeKind.NEED, "Needs", "#b0562a"),
    (CodeKind.EMOTION, "Emotions", "#b0467a"),
    (CodeKind.THEME, "Themes", "#5d6770"),
)

COMPANY_ACTOR = "The studied company"

EXAMPLES: tuple[tuple[CodeKind, str, str, dict[str, Any]], ...] = (
    (CodeKind.GOAL, "Buy a new home", "What the customer ultimately wants; nobody wants a loan for its own sake.", {}),
    (CodeKind.SUB_GOAL, "Find a suitable home", "A step towards the goal.", {"goal": "Buy a new home"}),
    (CodeKind.SUB_GOAL, "Get a loan approved", "A step towards the goal.", {"goal": "Buy a new home"}),
    (CodeKind.ACTOR, COMPANY_ACTOR, "The company itself, its staff and its own channels.",
     {"ownership": "company", "actor_type": "organisation"}),
    (CodeKind.ACTOR, "Estate agent", "An actor the customer deals with anyway: a potential partner.",
     {"ownership": "third_party", "actor_type": "person"}),
    (CodeKind.ACTOR, "Family and friends", "People in the customer's own sphere.",
     {"ownership": "customer_sphere", "actor_type": "person"}),
    (CodeKind.TOUCHPOINT, "The company's web site", "A touchpoint the company owns.",
     {"ownership": "company", "medium": "digital", "touchpoint_type": "owned", "company_role": "active"}),
    (CodeKind.TOUCHPOINT, "Reviews and forums", "User-generated touchpoints the brand does not own.",
     {"ownership": "third_party", "medium": "digital", "touchpoint_type": "user_generated",
      "company_role": "passive"}),
    (CodeKind.CHANNEL, "Search engine", "", {"medium": "digital"}),
    (CodeKind.CHANNEL, "Store or branch office", "", {"medium": "physical"}),
    (CodeKind.PAIN_POINT, "Waiting without news", "The customer is stuck and does not know why.", {}),
    (CodeKind.NEED, "Feeling secure about the decision", "", {}),
    (CodeKind.EMOTION, "Relief", "", {"valence": 2}),
    (CodeKind.EMOTION, "Frustration", "", {"valence": -2}),
)


def apply_customer_path_template(session: Session, *, project: Project, user_id: int | None) -> list[Code]:
    """Create the template codebook in a project whose codebook is still empty. Runs in the
    caller's transaction (a new project gets it in the transaction that creates the project)."""
    if session.scalar(select(Code.id).where(Code.project_id == project.id).limit(1)) is not None:
        raise Conflict("The codebook is not empty; the template can only start an empty codebook.")
    created: list[Code] = []
    folders: dict[CodeKind, Code] = {}
    for kind, name, colour in FOLDERS:
        folders[kind] = create_code(session, project_id=project.id, name=name, kind=kind, is_folder=True,
                                    colour=colour)
        created.append(folders[kind])
    colours = {kind: colour for kind, _, colour in FOLDERS}
    for phase in project.phases:
        created.append(create_code(session, project_id=project.id, name=phase.name, kind=CodeKind.PHASE,
                                   parent_id=folders[CodeKind.PHASE].id, colour=colours[CodeKind.PHASE],
                                   description=phase.description, phase_id=phase.id))
    by_name: dict[str, Code] = {}
    for kind, name, description, fields in EXAMPLES:
        fields = dict(fields)
        goal = fields.pop("goal", None)
        if goal is not None:
            fields["goal_id"] = by_name[goal].id
        key, aliases = name, []
        if name == COMPANY_ACTOR and project.company_name.strip() and name_key(project.company_name) not in {
                name_key(other) for other_kind, other, _, _ in EXAMPLES if other_kind is CodeKind.ACTOR}:
            name, aliases = project.company_name.strip(), list(project.company_aliases)
        code = create_code(session, project_id=project.id, name=name, kind=kind, parent_id=folders[kind].id,
                           colour=colours[kind], description=description, aliases=aliases, **fields)
        by_name[key] = code
        created.append(code)
    record(session, "codebook.template", user_id=user_id, project_id=project.id, object_type="project",
           object_id=project.id, after={"template": "customer_path", "codes": len(created)})
    return created
