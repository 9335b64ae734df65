"""The network and journey services read a project from the database (both backends) and
give exactly what the in-memory builders give for the same facts, read here the slow,
obvious way: ORM objects, one coding at a time, the quoted text sliced from the source."""

from __future__ import annotations

import gc
import random
from dataclasses import dataclass, replace

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from coding.codebook import create_code
from coding.codings import Coding, add_coding
from coding.evidence import EvidenceFilters, in_phase, journey_for, load_codes, network_for
from coding.facts import CodeFact, CodingFact
from coding.journey import build_journey
from coding.kinds import CodeKind
from coding.network import (
    PARTICIPANT,
    active_channels,
    beyond_share,
    build_network,
    candidate_partners,
    stuck_phases,
)
from research.db import transaction
from research.participants import AttributeDef, AttributeValue, create_participant, define_attribute, set_attribute
from research.projects import Project, Role
from research.segmenting import Span
from research.sources import Source, SourceKind, add_source
from tests.conftest import make_member, make_project, make_user

TURNS = [
    ("Anna", "Vi ville köpa en bostad 🏠 och mäklaren på Fjällbanken hjälpte oss med lånelöftet."),
    ("Bo", "Jag ringde FB, men appen krånglade och vi fick vänta två veckor på svar."),
    ("Anna", "Mamma läste avtalet, och föreningen ville se vår ekonomi innan budgivningen."),
    ("Bo", "Till slut kändes det tryggt; besiktningen och flyttfirman var snabba ✨."),
]
NOTES = "Observation: kunden jämför kortterminaler på mässan.\n\n(paus)\n\nHon frågar revisorn om avgifterna."


@dataclass
class Study:
    project: Project
    participants: dict[str, int]
    coders: list[int]
    phases: list[int]


def _interview(name: str, turns: list[tuple[str, str]]) -> tuple[str, list[Span]]:
    text, spans = "", []
    for speaker, words in turns:
        start = len(text) + len(speaker) + 2
        text += f"{speaker}: {words}\n\n"
        spans.append(Span("turn", start, start + len(words), speaker))
    return text.rstrip("\n"), spans


@pytest.fixture
def study(session: Session) -> Study:
    """Two interviews with speaker turns and an observation whose middle paragraph is
    not a segment; 160 codings of every kind at random places (seeded), so spans
    overlap, cross segment borders and fall outside segments."""
    owner = make_user(session)
    project = make_project(session, owner)  # company Fjällbanken, alias "FB"
    coder = make_member(session, project, "coder@example.org", Role.CODER)
    rng = random.Random(7)
    with transaction(session):
        people = {name: create_participant(session, project_id=project.id, name=name) for name in ("Anna", "Bo", "Cia")}
        persona = define_attribute(session, project_id=project.id, name="Persona", type="text")
        set_attribute(session, people["Anna"], persona, "Förstagångsköpare")
        set_attribute(session, people["Bo"], persona, "Familj")
        sources = []
        for index, turns in enumerate((TURNS, TURNS[::-1])):
            text, spans = _interview(f"Intervju {index}", turns)
            source = add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name=f"Intervju {index}",
                                text=text, spans=spans, original=text.encode(), participant_id=people["Cia"].id)
            for segment, span in zip(sorted(source.segments, key=lambda s: s.start), spans, strict=True):
                segment.participant_id = people[span.speaker or ""].id
            sources.append(source)
        paragraphs = [Span("paragraph", 0, NOTES.index("\n")), Span("paragraph", NOTES.rindex("\n") + 1, len(NOTES))]
        sources.append(add_source(session, project_id=project.id, kind=SourceKind.OBSERVATION, name="Mässan",
                                  text=NOTES, spans=paragraphs, original=NOTES.encode(),
                                  participant_id=people["Bo"].id))
        phases = [p.id for p in project.phases]
        codes = [create_code(session, project_id=project.id, name=f"Fas {i}", kind=CodeKind.PHASE, phase_id=phase)
                 for i, phase in enumerate(phases[:4])]
        codes.append(create_code(session, project_id=project.id, name="Fas 1 igen", kind=CodeKind.PHASE,
                                 phase_id=phases[1]))
        goal = create_code(session, project_id=project.id, name="Köpa en bostad", kind=CodeKind.GOAL)
        codes += [goal, create_code(session, project_id=project.id, name="Få lånelöfte", kind=CodeKind.SUB_GOAL,
                                    goal_id=goal.id)]
        for name, ownership in (("Mäklare", "third_party"), ("Banken", None), ("Mamma", "customer_sphere"),
                                ("Rådgivare", "company"), ("Föreningen", "partner")):
            codes.append(create_code(session, project_id=project.id, name=name, kind=CodeKind.ACTOR,
                                     ownership=ownership, aliases=["FB"] if name == "Banken" else []))
        codes += [
            create_code(session, project_id=project.id, name="Fjällbanken-appen", kind=CodeKind.TOUCHPOINT),
            create_code(session, project_id=project.id, name="Telefon", kind=CodeKind.CHANNEL),
            create_code(session, project_id=project.id, name="Väntan", kind=CodeKind.PAIN_POINT),
            create_code(session, project_id=project.id, name="Snabba svar", kind=CodeKind.NEED),
            create_code(session, project_id=project.id, name="Orolig", kind=CodeKind.EMOTION, valence=-2),
            create_code(session, project_id=project.id, name="Trygg", kind=CodeKind.EMOTION, valence=2),
            create_code(session, project_id=project.id, name="Övrigt", kind=CodeKind.THEME),
        ]
    with transaction(session):
        for _ in range(160):
            source = rng.choice(sources)
            start = rng.randrange(len(source.text) - 3)
            end = min(len(source.text), start + rng.randrange(3, 60))
            add_coding(session, project_id=project.id, source_id=source.id, code_id=rng.choice(codes).id,
                       start=start, end=end, user_id=rng.choice((owner.id, coder.id)))
    return Study(project, {n: p.id for n, p in people.items()}, [owner.id, coder.id], phases)


def facts_by_hand(session: Session, project: Project) -> tuple[list[CodeFact], list[CodingFact]]:
    codes, merged, *_ = load_codes(session, project)
    personas = dict(session.execute(
        select(AttributeValue.participant_id, AttributeValue.value).join(AttributeDef)
        .where(AttributeDef.project_id == project.id, AttributeDef.name == "Persona")).all())
    facts = []
    for coding in session.scalars(select(Coding).where(Coding.project_id == project.id).order_by(Coding.id)):
        source = session.get_one(Source, coding.source_id)
        segment = next((s for s in source.segments if s.start <= coding.start < s.end), None)
        speaker = segment.participant_id if segment is not None else None
        participant = speaker if speaker is not None else source.participant_id
        facts.append(CodingFact(
            id=coding.id, code_id=merged.get(coding.code_id, coding.code_id), source_id=source.id,
            start=coding.start, end=coding.end, segment_id=segment.id if segment is not None else None,
            participant_id=participant, persona=personas.get(participant) if participant is not None else None,
            coder_id=coding.coder_id or 0, source_kind=source.kind.value, text=source.text[coding.start:coding.end],
        ))
    return codes, facts


def filtered(codes: list[CodeFact], facts: list[CodingFact], study: Study, filters: EvidenceFilters,
             session: Session) -> list[CodingFact]:
    kept = [f for f in facts if (filters.persona is None or f.persona == filters.persona)
            and (filters.source_kind is None or f.source_kind == filters.source_kind)
            and (filters.coder_id is None or f.coder_id == filters.coder_id)
            and (filters.participant_id is None or f.participant_id == filters.participant_id)]
    if filters.phase_id is not None:
        _, _, _, phase_code_of, _ = load_codes(session, study.project)
        kept = in_phase(codes, kept, phase_code_of.get(filters.phase_id))
    return kept


FILTERS = {
    "all": lambda study: EvidenceFilters(),
    "persona": lambda study: EvidenceFilters(persona="Familj"),
    "source kind": lambda study: EvidenceFilters(source_kind="observation"),
    "coder": lambda study: EvidenceFilters(coder_id=study.coders[1]),
    "participant": lambda study: EvidenceFilters(participant_id=study.participants["Anna"]),
    "phase": lambda study: EvidenceFilters(phase_id=study.phases[1]),
}


@pytest.mark.parametrize("which", list(FILTERS))
def test_the_network_from_the_database_is_the_network_of_the_same_facts(session, study, which):
    filters = FILTERS[which](study)
    codes, facts = facts_by_hand(session, study.project)
    facts = filtered(codes, facts, study, filters, session)
    assert facts, "the filter should leave some codings"
    names = {i: n for n, i in study.participants.items()}

    for window in ("segment", "overlap"):
        report = network_for(session, study.project.id, filters, window=window)

        expected = build_network(codes, facts, window=window)
        expected = replace(expected, nodes={
            key: replace(node, label=names[node.participant_id]) if node.kind == PARTICIPANT else node
            for key, node in expected.nodes.items()})
        assert report.network == expected
        assert report.beyond == {"overall": beyond_share(codes, facts),
                                 "by_phase": beyond_share(codes, facts, by="phase"),
                                 "by_persona": beyond_share(codes, facts, by="persona")}
        assert report.partners == candidate_partners(expected)
        assert report.channels == active_channels(expected)
        assert report.stuck == stuck_phases(codes, facts)
        assert report.evidence.codings == [replace(f, text="") for f in facts]  # the network reads no text


@pytest.mark.parametrize("which", list(FILTERS))
def test_the_journey_map_from_the_database_is_the_map_of_the_same_facts_quotes_included(session, study, which):
    filters = FILTERS[which](study)
    codes, facts = facts_by_hand(session, study.project)
    facts = filtered(codes, facts, study, filters, session)
    _, _, columns, phase_code_of, _ = load_codes(session, study.project)
    if filters.phase_id is not None:
        columns = [c for c in columns if c[0] == phase_code_of[filters.phase_id]]

    journey = journey_for(session, study.project.id, filters).journey

    expected = build_journey(codes, facts, columns)
    assert journey == expected
    quotes = [q for lane in journey.lanes for cell in lane.cells for q in cell.quotes]
    assert quotes and all(q.text for q in quotes)


def _statements(session: Session, call) -> list[str]:
    found: list[str] = []

    def listener(*args: object) -> None:
        found.append(str(args[2]))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return found


def test_the_network_never_reads_a_source_text_and_the_journey_only_its_quotes(session, study):
    network = _statements(session, lambda: network_for(session, study.project.id))
    assert not [s for s in network if "source.text" in s]
    journey = _statements(session, lambda: journey_for(session, study.project.id))
    reading_text = [s for s in journey if "source.text" in s]
    assert len(reading_text) == 1 and "substr" in reading_text[0].lower()  # the shown quotes, cut by the database


def test_the_services_leave_the_cycle_collector_as_they_found_it(session, study):
    assert gc.isenabled()
    network_for(session, study.project.id)
    journey_for(session, study.project.id)
    assert gc.isenabled()
    gc.disable()
    try:
        network_for(session, study.project.id)
        assert not gc.isenabled()
    finally:
        gc.enable()
