"""A small hand-counted study for the retrieval and matrix tests.

Interview (turns Anna, Bo, Anna; the source belongs to Anna, Bo speaks the middle turn)
and a one-answer survey of Bo's. Codings (owner unless noted):

    goal    "köpa en bostad"                (Anna, turn 1)
    agent   "mäklaren"                      (Anna, turn 1)
    search  the whole of turn 1             (phase code)
    bank    "FB och banken"                 (Bo)   and the same span again by the coder
    bank    "banken gav oss"                (Bo)   overlaps the first: one run "FB och banken gav oss"
    goal    "banken gav oss ett lånelöfte"  (Bo,   by the coder)
    agent   "Mamma"                         (Anna, turn 3, by the coder)
    goal    "Mamma hjälpte till"            (Anna, turn 3)
    bank    "Banken"                        (survey, Bo)
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from coding.codebook import Code, create_code
from coding.codings import add_coding
from coding.kinds import CodeKind
from research.db import transaction
from research.participants import create_participant, define_attribute, set_attribute
from research.projects import Project, Role
from research.segmenting import Span
from research.sources import Source, SourceKind, add_source
from tests.conftest import make_member, make_project, make_user

TEXT = (
    "Anna: Vi ville köpa en bostad, så mäklaren visade oss en tvåa.\n\n"
    "Bo: Jag ringde FB och banken gav oss ett lånelöfte till slut.\n\n"
    "Anna: Mamma hjälpte till med kontantinsatsen."
)
TURNS = ("Vi ville köpa en bostad, så mäklaren visade oss en tvåa.",
         "Jag ringde FB och banken gav oss ett lånelöfte till slut.",
         "Mamma hjälpte till med kontantinsatsen.")
SURVEY = "Banken svarade snabbt."


@dataclass
class Study:
    project: Project
    interview: Source
    survey: Source
    codes: dict[str, Code]
    anna: int
    bo: int
    owner_id: int
    coder_id: int
    persona_id: int


def span(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def make_study(session: Session) -> Study:
    owner = make_user(session)
    project = make_project(session, owner)
    coder = make_member(session, project, "coder@example.org", Role.CODER)
    with transaction(session):
        anna = create_participant(session, project_id=project.id, name="Anna")
        bo = create_participant(session, project_id=project.id, name="Bo")
        persona = define_attribute(session, project_id=project.id, name="persona", type="choice")
        set_attribute(session, anna, persona, "Förstagångsköpare")
        set_attribute(session, bo, persona, "Familj")
        turns = [Span("turn", *span(t), speaker) for t, speaker in zip(TURNS, ("Anna", "Bo", "Anna"), strict=True)]
        interview = add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name="Intervju Anna och Bo",
                               text=TEXT, spans=turns, original=TEXT.encode(), participant_id=anna.id)
        for segment in interview.segments:
            segment.participant_id = bo.id if TEXT[segment.start:].startswith("Jag ringde") else anna.id
        survey = add_source(session, project_id=project.id, kind=SourceKind.SURVEY, name="Enkät", text=SURVEY,
                            spans=[Span("answer", 0, len(SURVEY))], original=SURVEY.encode(), participant_id=bo.id)
        phases = [p.id for p in project.phases]
        codes = {
            "goal": create_code(session, project_id=project.id, name="Köpa en bostad", kind=CodeKind.GOAL),
            "agent": create_code(session, project_id=project.id, name="Mäklare", kind=CodeKind.ACTOR),
            "bank": create_code(session, project_id=project.id, name="Banken", kind=CodeKind.ACTOR),
            "search": create_code(session, project_id=project.id, name="Söker", kind=CodeKind.PHASE,
                                  phase_id=phases[2]),
            "unused": create_code(session, project_id=project.id, name="Oanvänd", kind=CodeKind.THEME),
        }
    study = Study(project, interview, survey, codes, anna.id, bo.id, owner.id, coder.id, persona.id)
    with transaction(session):
        for name, phrase, user in [
            ("goal", "köpa en bostad", owner.id), ("agent", "mäklaren", owner.id), ("search", TURNS[0], owner.id),
            ("bank", "FB och banken", owner.id), ("bank", "FB och banken", coder.id),
            ("bank", "banken gav oss", owner.id), ("goal", "banken gav oss ett lånelöfte", coder.id),
            ("agent", "Mamma", coder.id), ("goal", "Mamma hjälpte till", owner.id),
        ]:
            start, end = span(phrase)
            add_coding(session, project_id=project.id, source_id=interview.id, code_id=codes[name].id, start=start,
                       end=end, user_id=user)
        add_coding(session, project_id=project.id, source_id=survey.id, code_id=codes["bank"].id, start=0, end=6,
                   user_id=owner.id)
    return study
