"""Loading the evidence of a project from the database (both backends): the facts the
network and journey map are built from, ownership by company alias, persona, filters."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from coding.codebook import Code, create_code
from coding.codings import add_coding
from coding.evidence import (
    EvidenceFilters,
    company_matcher,
    filter_options,
    journey_for,
    load_evidence,
    network_for,
    parse_filters,
    quotes_for,
)
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


def _span(speaker: str, content: str) -> Span:
    start = TEXT.index(content)
    return Span("turn", start, start + len(content), speaker)


@dataclass
class Study:
    project: Project
    source: Source
    survey: Source
    codes: dict[str, Code]
    anna: int
    bo: int
    owner_id: int
    coder_id: int
    phases: list[int]


@pytest.fixture
def study(session: Session) -> Study:
    owner = make_user(session)
    project = make_project(session, owner)  # company Fjällbanken, alias "FB"
    coder = make_member(session, project, "coder@example.org", Role.CODER)
    turns = [
        _span("Anna", "Vi ville köpa en bostad, så mäklaren visade oss en tvåa."),
        _span("Bo", "Jag ringde FB och banken gav oss ett lånelöfte till slut."),
        _span("Anna", "Mamma hjälpte till med kontantinsatsen."),
    ]
    with transaction(session):
        anna = create_participant(session, project_id=project.id, name="Anna")
        bo = create_participant(session, project_id=project.id, name="Bo")
        persona = define_attribute(session, project_id=project.id, name="persona", type="choice")
        set_attribute(session, anna, persona, "Förstagångsköpare")
        set_attribute(session, bo, persona, "Familj")
        source = add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name="Intervju Anna och Bo",
                            text=TEXT, spans=turns, original=TEXT.encode(), participant_id=anna.id)
        for segment in source.segments:
            segment.participant_id = bo.id if TEXT[segment.start:segment.end].startswith("Jag ringde") else anna.id
        survey_text = "Banken svarade snabbt."
        survey = add_source(session, project_id=project.id, kind=SourceKind.SURVEY, name="Enkät",
                            text=survey_text, spans=[Span("paragraph", 0, len(survey_text))],
                            original=survey_text.encode(), participant_id=bo.id)
        phases = [p.id for p in project.phases]
        codes = {
            "goal": create_code(session, project_id=project.id, name="Köpa en bostad", kind=CodeKind.GOAL),
            "agent": create_code(session, project_id=project.id, name="Mäklare", kind=CodeKind.ACTOR,
                                 ownership="third_party"),
            "bank": create_code(session, project_id=project.id, name="Banken", kind=CodeKind.ACTOR,
                                aliases=["FB", "bankens rådgivare"]),
            "family": create_code(session, project_id=project.id, name="Familj", kind=CodeKind.ACTOR,
                                  ownership="customer_sphere"),
            "advisor": create_code(session, project_id=project.id, name="Rådgivare", kind=CodeKind.ACTOR,
                                   ownership="company"),
            "fbapp": create_code(session, project_id=project.id, name="Fjällbanken-appen", kind=CodeKind.TOUCHPOINT),
            "fbb": create_code(session, project_id=project.id, name="FBB Försäkring", kind=CodeKind.ACTOR),
            "search": create_code(session, project_id=project.id, name="Söker", kind=CodeKind.PHASE,
                                  phase_id=phases[2]),
            "search2": create_code(session, project_id=project.id, name="Letar", kind=CodeKind.PHASE,
                                   phase_id=phases[2]),
            "buy": create_code(session, project_id=project.id, name="Köper", kind=CodeKind.PHASE, phase_id=phases[3]),
            "happy": create_code(session, project_id=project.id, name="Glad", kind=CodeKind.EMOTION, valence=2),
        }
        codes["sub"] = create_code(session, project_id=project.id, name="Få lånelöfte", kind=CodeKind.SUB_GOAL,
                                   goal_id=codes["goal"].id)
    study = Study(project, source, survey, codes, anna.id, bo.id, owner.id, coder.id, phases)

    def code(name: str, quote: str, user: int | None = None, source: Source | None = None) -> None:
        target = source or study.source
        start = target.text.index(quote)
        add_coding(session, project_id=project.id, source_id=target.id, code_id=codes[name].id, start=start,
                   end=start + len(quote), user_id=user or owner.id)

    with transaction(session):
        code("goal", "köpa en bostad")
        code("agent", "mäklaren")
        code("search", "Vi ville köpa en bostad, så mäklaren visade oss en tvåa.")
        code("bank", "FB och banken")
        code("sub", "gav oss ett lånelöfte")
        code("buy", "Jag ringde FB och banken gav oss ett lånelöfte till slut.")
        code("happy", "till slut", user=coder.id)
        code("family", "Mamma", user=coder.id)
        code("search2", "Mamma hjälpte till med kontantinsatsen.", user=coder.id)
        code("bank", "Banken", source=survey)
    return study


def test_facts_carry_segment_participant_persona_source_kind_coder_and_the_quoted_text(session, study):
    evidence = load_evidence(session, study.project)
    by_code = {(c.code_id, c.source_id): c for c in evidence.codings}
    agent = by_code[(study.codes["agent"].id, study.source.id)]
    assert agent.text == "mäklaren"
    assert agent.participant_id == study.anna and agent.persona == "Förstagångsköpare"
    assert agent.source_kind == "interview" and agent.coder_id == study.owner_id
    assert agent.segment_id == study.source.segments[0].id
    bank = by_code[(study.codes["bank"].id, study.source.id)]
    assert bank.participant_id == study.bo and bank.persona == "Familj"  # the speaker, not the source's participant
    survey_bank = by_code[(study.codes["bank"].id, study.survey.id)]
    assert survey_bank.source_kind == "survey" and survey_bank.participant_id == study.bo
    assert evidence.total_codings == len(evidence.codings) == 10


def test_the_company_is_known_by_ownership_or_by_a_company_name_or_alias_as_a_whole_word(session, study):
    evidence = load_evidence(session, study.project)
    ownership = {c.name: c.ownership for c in evidence.codes}
    assert ownership["Banken"] == "company"  # alias "FB"
    assert ownership["Rådgivare"] == "company"  # set by the researcher
    assert ownership["Fjällbanken-appen"] == "company"  # the company name inside the code's name
    assert ownership["FBB Försäkring"] is None  # "FB" is not a word of "FBB"
    assert ownership["Mäklare"] == "third_party" and ownership["Familj"] == "customer_sphere"
    pattern = company_matcher(["Fjällbanken", "FB"])
    assert pattern is not None and pattern.search("fjällbanken kundtjänst") and not pattern.search("fjällbankens")


def test_phase_codes_take_the_position_of_their_phase_and_two_codes_of_one_phase_count_as_one(session, study):
    evidence = load_evidence(session, study.project)
    phases = {c.name: c.phase_position for c in evidence.codes if c.kind == "phase"}
    assert phases == {"Söker": 2, "Köper": 3}  # "Letar" is merged into "Söker"
    search2 = [c for c in evidence.codings if c.text.startswith("Mamma hjälpte")]
    assert [c.code_id for c in search2] == [study.codes["search"].id]
    names = [name for _, name in evidence.columns]
    assert names == [p.name for p in study.project.phases]
    assert evidence.columns[2][0] == study.codes["search"].id and evidence.columns[0][0] < 0


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (EvidenceFilters(persona="Familj"), {"bank", "sub", "buy", "happy", "bank@survey"}),
        (EvidenceFilters(source_kind="survey"), {"bank@survey"}),
        (EvidenceFilters(coder_id=-1), set()),
    ],
)
def test_filters_keep_only_the_matching_codings(session, study, filters, expected):
    names = {c.id: n for n, c in study.codes.items()}
    found = set()
    for coding in load_evidence(session, study.project, filters).codings:
        found.add(names[coding.code_id] + ("@survey" if coding.source_id == study.survey.id else ""))
    assert found == expected


def test_filter_by_participant_and_by_coder(session, study):
    anna = load_evidence(session, study.project, EvidenceFilters(participant_id=study.anna)).codings
    assert {c.text for c in anna} >= {"mäklaren", "Mamma"} and all(c.participant_id == study.anna for c in anna)
    coded = load_evidence(session, study.project, EvidenceFilters(coder_id=study.coder_id)).codings
    assert sorted(c.text for c in coded) == ["Mamma", "Mamma hjälpte till med kontantinsatsen.", "till slut"]


def test_the_phase_filter_keeps_what_falls_in_the_phase_with_the_phase_itself(session, study):
    codings = load_evidence(session, study.project, EvidenceFilters(phase_id=study.phases[3])).codings
    assert {c.text for c in codings} == {"Jag ringde FB och banken gav oss ett lånelöfte till slut.",
                                         "FB och banken", "gav oss ett lånelöfte", "till slut"}


def _queries(session: Session, project: Project) -> int:
    statements: list[str] = []
    engine = session.get_bind()

    def listener(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        session.rollback()
        project = session.get(Project, project.id)
        load_evidence(session, project)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len([s for s in statements if s.startswith("SELECT")])


def test_loading_takes_the_same_few_queries_whatever_the_number_of_codings(session, study):
    before = _queries(session, study.project)
    with transaction(session):
        for word in ("Vi", "ville", "visade", "oss", "tvåa"):
            start = TEXT.index(word)
            add_coding(session, project_id=study.project.id, source_id=study.source.id,
                       code_id=study.codes["family"].id, start=start, end=start + len(word), user_id=study.owner_id)
    assert _queries(session, study.project) == before <= 9


def test_the_network_service_marks_the_company_and_reports_the_beyond_share(session, study):
    report = network_for(session, study.project.id)
    nodes = {n.label: n for n in report.network.nodes.values()}
    assert nodes["Banken"].is_company and not nodes["Mäklare"].is_company
    assert nodes["Anna"].kind == "participant"  # participants carry their names
    overall = report.beyond["overall"][0]
    # actor/touchpoint mentions: mäklaren, FB och banken, Mamma, Banken (survey): 2 of 4 beyond
    assert (overall.mentions, overall.beyond_mentions, overall.actors, overall.beyond_actors) == (4, 2, 3, 2)
    personas = {s.label: (s.beyond_mentions, s.mentions) for s in report.beyond["by_persona"]}
    assert personas == {"Familj": (0, 2), "Förstagångsköpare": (2, 2)}
    ends = {nodes["Mäklare"].id, nodes["Köpa en bostad"].id}
    edge = next(e for e in report.network.edges if {e.source, e.target} == ends)
    assert edge.segments == 1 and len(edge.evidence) == 2
    data = report.to_dict()
    assert data["beyond_share"]["overall"][0]["mention_share"] == 0.5
    assert {p["label"] for p in data["candidate_partners"]} == {"Mäklare"}


def test_the_network_service_honours_layers_and_minimum_weight(session, study):
    report = network_for(session, study.project.id, layers=["actor", "goal"], min_weight=1)
    assert {n.kind for n in report.network.nodes.values()} == {"actor", "goal"}
    heavy = network_for(session, study.project.id, min_weight=2)
    # Banken: two segments; Söker: its own and the merged "Letar" segment; Bo mentions Banken twice
    assert {n.label for n in heavy.network.nodes.values()} == {"Banken", "Söker", "Bo"}
    assert [(e.relation, e.segments) for e in heavy.network.edges] == [("mentions", 2)]
    with pytest.raises(ValueError, match="Unknown layer"):
        network_for(session, study.project.id, layers=["planet"])


def test_the_journey_service_puts_codings_in_the_columns_of_the_phase_model(session, study):
    report = journey_for(session, study.project.id)
    journey = report.journey
    buy = study.codes["buy"].id
    assert journey.cell("company_actors", buy).codings == 1
    assert journey.cell("goals", buy).codes[0].name == "Få lånelöfte"
    point = next(p for p in journey.emotion if p.phase_id == buy)
    assert (point.mean, point.n) == (2.0, 1)
    data = report.to_dict()
    quotes = [q for lane in data["lanes"] for cell in lane["cells"] for q in cell["quotes"]]
    assert all(q["source"] for q in quotes)
    assert report.csv_rows()[0][0] == "lane"


def test_quotes_come_with_source_and_participant_and_never_from_another_project(session, study):
    other_owner = make_user(session, email="other@example.org")
    other = make_project(session, other_owner, name="Other")
    ids = [c.id for c in load_evidence(session, study.project).codings]
    quotes = quotes_for(session, study.project.id, ids)
    assert len(quotes) == len(ids)
    agent = next(q for q in quotes if q.text == "mäklaren")
    assert agent.source == "Intervju Anna och Bo" and agent.participant == "Anna"
    assert quotes_for(session, other.id, ids) == []


def test_filter_choices_and_parsing(session, study):
    options = filter_options(session, study.project.id)
    assert options.personas == ["Familj", "Förstagångsköpare"]
    assert [n for _, n in options.participants] == ["Anna", "Bo"]
    assert {k for k, _ in options.source_kinds} == {"interview", "survey"}
    assert len(options.coders) == 2
    assert parse_filters({"phase": "3", "persona": " Familj "}) == EvidenceFilters(phase_id=3, persona="Familj")
    with pytest.raises(ValueError):
        parse_filters({"participant": "Anna"})
    with pytest.raises(ValueError):
        parse_filters({"source_kind": "podcast"})
