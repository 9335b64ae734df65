"""The project report: summary, method, codebook, key quotes per phase and per goal, the
actor network, the journey map and the stuck points, of a whole project or a filtered view.

``build_report`` reads the project once (``coding.evidence``: the same codings, filters
and figures as the network and journey pages) and returns a plain ``Report``;
``write_docx``, ``write_html`` and ``write_markdown`` (``exports.report_writers``) write it
to a file-like object. No Flask here: the web page, the job, the API and the CLI call
these functions.

Key quotes are retrieval passages (``coding.retrieval.passages_any``: one quote per
distinct coded span, listing every code and coder on it), strongest first: the passage
the most other codings overlap (the most co-coded), then the longest, then the earliest.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coding.agreement_study import agreement_for, coders_of, shared_sources
from coding.codebook import Code, codes_of
from coding.evidence import (
    Evidence,
    EvidenceFilters,
    NetworkReport,
    load_evidence,
    network_for,
    personas_of,
)
from coding.facts import CodingFact
from coding.journey import JourneyMap, build_journey
from coding.kinds import OWNERSHIPS, CodeKind
from coding.network import beyond_share, stuck_phases
from coding.retrieval import Passage, passages_any
from coding.spans import overlap_counts
from exports.report_document import (
    Block,
    Bullets,
    Facts,
    Figure,
    Paragraph,
    Quote,
    Report,
    Section,
    Subheading,
    Table,
)
from exports.report_pictures import emotion_picture, network_picture
from exports.report_writers import write_docx, write_html, write_markdown
from research.db import utcnow
from research.errors import InvalidInput, NotFound
from research.participants import Participant
from research.projects import Phase, Project
from research.sources import Source, SourceKind

SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("method", "Method"),
    ("codebook", "Codebook"),
    ("phases", "Key quotes per phase"),
    ("goals", "Key quotes per goal"),
    ("network", "Actor network"),
    ("journey", "Journey map"),
    ("stuck", "Where customers get stuck"),
)
SECTION_KEYS = tuple(key for key, _ in SECTIONS)
FORMATS: dict[str, tuple[str, str]] = {  # format -> (file extension, media type)
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "html": ("html", "text/html; charset=utf-8"),
    "md": ("md", "text/markdown; charset=utf-8"),
}
WRITERS: dict[str, Callable[[Report, IO[bytes]], None]] = {
    "docx": write_docx, "html": write_html, "md": write_markdown,
}
QUOTES_PER_GROUP = 5
STUCK_PHASES = 5
STUCK_QUOTES = 3
KIND_PLURALS = {CodeKind.GOAL: "Goals", CodeKind.SUB_GOAL: "Sub-goals", CodeKind.ACTOR: "Actors",
                CodeKind.PHASE: "Phases", CodeKind.TOUCHPOINT: "Touchpoints", CodeKind.CHANNEL: "Channels",
                CodeKind.PAIN_POINT: "Pain points", CodeKind.NEED: "Needs", CodeKind.EMOTION: "Emotions",
                CodeKind.THEME: "Themes"}
Progress = Callable[[int, int, str], None]

__all__ = ["FORMATS", "SECTIONS", "SECTION_KEYS", "Report", "ReportRequest", "build_report", "parse_request",
           "write_docx", "write_html", "write_markdown", "write_report"]


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """What a researcher asked for: sections (in report order), filters and a format."""

    sections: tuple[str, ...]
    filters: EvidenceFilters
    format: str


def parse_sections(values: Iterable[str] | None) -> tuple[str, ...]:
    """The chosen sections in report order; None or empty means all. Raises InvalidInput."""
    chosen = [str(v).strip() for v in (values or ()) if str(v).strip()]
    unknown = sorted(set(chosen) - set(SECTION_KEYS))
    if unknown:
        raise InvalidInput(f"Unknown section(s) {', '.join(unknown)}; use {', '.join(SECTION_KEYS)}.")
    return tuple(key for key in SECTION_KEYS if key in chosen) if chosen else SECTION_KEYS


def parse_request(sections: Iterable[str] | None, filters: dict[str, Any] | None, fmt: str | None) -> ReportRequest:
    """A report request from plain values (a form, a JSON body, CLI options)."""
    from coding.evidence import parse_filters

    fmt = (fmt or "docx").strip().lower()
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown report format {fmt!r}; use {', '.join(FORMATS)}.")
    if filters is not None and not isinstance(filters, dict):
        raise InvalidInput("filters must be an object of phase, persona, participant, source_kind, coder.")
    unknown = sorted(set(filters or {}) - {"phase", "persona", "participant", "source_kind", "coder"})
    if unknown:
        raise InvalidInput(f"Unknown filter(s) {', '.join(unknown)}; use phase, persona, participant, "
                           "source_kind, coder.")
    try:
        parsed = parse_filters({k: "" if v is None else str(v) for k, v in (filters or {}).items()})
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    return ReportRequest(parse_sections(sections), parsed, fmt)


def write_report(report: Report, fmt: str, out: IO[bytes]) -> None:
    if fmt not in WRITERS:
        raise InvalidInput(f"Unknown report format {fmt!r}; use {', '.join(FORMATS)}.")
    WRITERS[fmt](report, out)


# --- reading the project ---------------------------------------------------------------


@dataclass
class _Context:
    session: Session
    project: Project
    filters: EvidenceFilters
    codes: list[Code]
    evidence: Evidence
    network: NetworkReport | None
    journey: JourneyMap
    density: dict[int, int]
    by_id: dict[int, CodingFact]
    code_names: dict[int, str]
    quotes_per_group: int


def build_report(session: Session, project_id: int, *, sections: Sequence[str] | None = None,
                 filters: EvidenceFilters | None = None, progress: Progress | None = None,
                 quotes_per_group: int = QUOTES_PER_GROUP) -> Report:
    """The report of ``project_id`` with ``sections`` (keys of SECTIONS; default all), its
    evidence filtered by ``filters``. ``progress(done, total, message)`` is called before
    each section."""
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"There is no project {project_id}.")
    chosen = parse_sections(sections)
    filters = filters or EvidenceFilters()
    total = len(chosen) + 1
    if progress is not None:
        progress(0, total, "Reading the codings")
    network = network_for(session, project_id, filters, texts=True) if "network" in chosen else None
    evidence = network.evidence if network is not None else load_evidence(session, project, filters)
    columns = evidence.columns
    if filters.phase_id is not None:
        columns = [c for c in columns if c[0] == evidence.phase_code_of.get(filters.phase_id)]
    codes = codes_of(session, project_id)
    context = _Context(
        session=session, project=project, filters=filters, codes=codes, evidence=evidence, network=network,
        journey=build_journey(evidence.codes, evidence.codings, columns), density=overlap_counts(evidence.codings),
        by_id={c.id: c for c in evidence.codings}, code_names={c.id: c.name for c in codes},
        quotes_per_group=max(1, quotes_per_group),
    )
    report = Report(title=f"{project.name}: customer journey report", project_id=project_id,
                    generated_at=utcnow(), filters=_filter_labels(session, project, filters))
    builders = {"summary": _summary, "method": _method, "codebook": _codebook, "phases": _phases, "goals": _goals,
                "network": _network, "journey": _journey, "stuck": _stuck}
    titles = dict(SECTIONS)
    for done, key in enumerate(chosen, start=1):
        if progress is not None:
            progress(done, total, f"Section: {titles[key]}")
        section = Section(key, titles[key])
        section.blocks.extend(builders[key](context))
        section.landscape = key == "journey"
        report.sections.append(section)
    return report


def _filter_labels(session: Session, project: Project, filters: EvidenceFilters) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    if filters.phase_id is not None:
        phase = session.get(Phase, filters.phase_id)
        found.append(("Phase", phase.name if phase is not None and phase.project_id == project.id
                      else f"#{filters.phase_id}"))
    if filters.persona:
        found.append(("Persona", filters.persona))
    if filters.participant_id is not None:
        person = session.get(Participant, filters.participant_id)
        found.append(("Participant", person.name if person is not None and person.project_id == project.id
                      else f"#{filters.participant_id}"))
    if filters.source_kind:
        found.append(("Source kind", SourceKind(filters.source_kind).label))
    if filters.coder_id is not None:
        coder = next((c.name for c in coders_of(session, project.id) if c.id == filters.coder_id), None)
        found.append(("Coder", coder or f"#{filters.coder_id}"))
    return tuple(found)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def _number(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


# --- quotes -----------------------------------------------------------------------------


def strongest_passages(context: _Context, codings: Iterable[CodingFact], limit: int) -> list[Passage]:
    """Retrieval passages of ``codings``, strongest first (see the module docstring)."""
    passages = passages_any((c.id, c.code_id, c.source_id, c.start, c.end, c.coder_id) for c in codings)
    passages.sort(key=lambda p: (-max(context.density.get(i, 0) for i in p.coding_ids), -(p.end - p.start),
                                 p.source_id, p.start))
    return passages[:limit]


def _quote(context: _Context, passage: Passage) -> Quote:
    first = context.by_id[passage.coding_ids[0]]
    evidence = context.evidence
    who = evidence.participant_names.get(first.participant_id) if first.participant_id is not None else None
    where = evidence.source_names.get(passage.source_id, "")
    codes = ", ".join(dict.fromkeys(context.code_names.get(c, "?") for c in passage.code_ids))
    attribution = " · ".join(part for part in (who, where, codes) if part)
    return Quote(text=first.text.strip(), attribution=attribution)


def _quotes(context: _Context, codings: Iterable[CodingFact], limit: int | None = None) -> list[Block]:
    passages = strongest_passages(context, codings, limit or context.quotes_per_group)
    return [_quote(context, p) for p in passages]


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


# --- the sections ------------------------------------------------------------------------


def _summary(context: _Context) -> list[Block]:
    project, evidence = context.project, context.evidence
    session = context.session
    sources = session.scalar(select(func.count(Source.id)).where(Source.project_id == project.id)) or 0
    participants = session.scalar(select(func.count(Participant.id)).where(Participant.project_id == project.id)) or 0
    blocks: list[Block] = []
    if project.description:
        blocks.append(Paragraph(project.description))
    blocks.append(Facts((
        ("Studied company", project.company_name or "–"),
        ("Sources", str(sources)),
        ("Participants", str(participants)),
        ("Codes", str(sum(1 for c in context.codes if not c.is_folder))),
        ("Codings in this report", f"{len(evidence.codings)} of {evidence.total_codings}"),
        ("Filters", "; ".join(f"{n}: {v}" for n, v in _filter_labels(session, project, context.filters)) or
         "none (the whole project)"),
    )))
    findings: list[str] = []
    overall = beyond_share(evidence.codes, evidence.codings)[0]
    if overall.mentions:
        findings.append(f"{_percent(overall.mention_share)} of the {overall.mentions} mentions of actors and "
                        f"touchpoints lie beyond the company ({overall.beyond_actors} of {overall.actors} actors "
                        f"are not the company's own).")
    stuck = stuck_phases(evidence.codes, evidence.codings, top=1)
    if stuck:
        findings.append(f"Customers get stuck most in the phase “{stuck[0].label}”: "
                        f"{_plural(stuck[0].pain_points, 'pain point')} from "
                        f"{_plural(stuck[0].participants, 'participant')}.")
    names = dict(context.journey.columns)
    felt = [p for p in context.journey.emotion if p.mean is not None]
    if felt:
        low = min(felt, key=lambda p: (p.mean or 0.0, p.phase_id))
        high = max(felt, key=lambda p: (p.mean or 0.0, -p.phase_id))
        findings.append(f"The emotion curve is lowest in “{names.get(low.phase_id, '')}” ({low.mean:+.1f}) and "
                        f"highest in “{names.get(high.phase_id, '')}” ({high.mean:+.1f}), on a scale from −2 to +2.")
    if context.network is not None and context.network.partners:
        top = context.network.partners[0]
        findings.append(f"The strongest candidate partner is “{top.label}”, linked to "
                        f"{_plural(len(top.goals), 'goal')} of the customers.")
    if findings:
        blocks.append(Subheading("Key findings"))
        blocks.append(Bullets(tuple(findings)))
    else:
        blocks.append(Paragraph("No codings match this report's filters yet.", note=True))
    return blocks


def _method(context: _Context) -> list[Block]:
    session, project = context.session, context.project
    blocks: list[Block] = []
    kinds = session.execute(
        select(Source.kind, func.count(Source.id), func.count(func.distinct(Source.participant_id)))
        .where(Source.project_id == project.id).group_by(Source.kind)).all()
    used = Counter(c.source_kind for c in context.evidence.codings)
    rows = [(SourceKind(k).label, str(n), str(p), str(used.get(SourceKind(k).value, 0)))
            for k, n, p in sorted(kinds, key=lambda r: SourceKind(r[0]).label)]
    blocks.append(Paragraph(f"The material is {_plural(sum(int(r[1]) for r in rows), 'source')} of "
                            f"{_plural(len(rows), 'kind')}; the report uses {len(context.evidence.codings)} codings "
                            f"of {context.evidence.total_codings}."))
    if rows:
        blocks.append(Table("Sources by kind", ("Kind", "Sources", "Participants", "Codings used"), tuple(rows),
                            numeric=frozenset({1, 2, 3})))
    personas = personas_of(session, project.id)
    total = session.scalar(select(func.count(Participant.id)).where(Participant.project_id == project.id)) or 0
    counts = Counter(personas.values())
    persona_rows = [(name, str(n)) for name, n in sorted(counts.items(), key=lambda item: item[0].lower())]
    if total - sum(counts.values()):
        persona_rows.append(("(no persona)", str(total - sum(counts.values()))))
    blocks.append(Subheading("Participants"))
    blocks.append(Paragraph(f"{_plural(total, 'participant')}" + (", by persona:" if persona_rows else ".")))
    if persona_rows:
        blocks.append(Table("Participants by persona", ("Persona", "Participants"), tuple(persona_rows),
                            numeric=frozenset({1})))
    coders = coders_of(session, project.id)
    blocks.append(Subheading("Coders and agreement"))
    if coders:
        blocks.append(Table("Coders", ("Coder", "Codings", "Sources coded"),
                            tuple((c.name, str(c.codings), str(c.sources)) for c in coders),
                            numeric=frozenset({1, 2})))
    else:
        blocks.append(Paragraph("Nothing has been coded yet."))
    if len(coders) >= 2:
        a, b = sorted(coders, key=lambda c: (-c.codings, c.name))[:2]
        shared = shared_sources(session, project.id, a.id, b.id)
        if shared:
            overall = agreement_for(session, project_id=project.id, coder_a=a.id, coder_b=b.id,
                                    source_ids=shared).overall
            blocks.append(Facts((
                ("Coders compared", f"{a.name} and {b.name}"),
                ("Sources both coded", str(len(shared))),
                ("Percentage agreement", _percent(overall.percentage)),
                ("Cohen's kappa", _number(overall.kappa)),
                ("Krippendorff's alpha (unitised)", _number(overall.alpha_u)),
            )))
            blocks.append(Paragraph("Agreement is measured character by character over the sources both coders "
                                    "coded, code by code, and pooled over the codes.", note=True))
        else:
            blocks.append(Paragraph(f"{a.name} and {b.name} have not coded a source in common, so their "
                                    "agreement cannot be measured.", note=True))
    return blocks


def _codebook(context: _Context) -> list[Block]:
    used = Counter(c.code_id for c in context.evidence.codings)
    by_kind: dict[CodeKind, list[Code]] = defaultdict(list)
    for code in context.codes:
        if not code.is_folder:
            by_kind[CodeKind(code.kind)].append(code)
    blocks: list[Block] = [Paragraph(f"{_plural(sum(len(v) for v in by_kind.values()), 'code')} in "
                                     f"{_plural(len(by_kind), 'kind')}. Codings: in this report's view.", note=True)]
    for kind in CodeKind:
        codes = by_kind.get(kind)
        if not codes:
            continue
        rows = []
        for code in codes:
            name = code.name
            if code.ownership:
                name += f" ({OWNERSHIPS.get(code.ownership, code.ownership).lower()})"
            if code.valence is not None:
                name += f" ({code.valence:+d})"
            definition = code.description.strip()
            if code.examples.strip():
                definition += ("\n" if definition else "") + "Examples: " + code.examples.strip()
            rows.append((name, definition or "–", code.when_to_use.strip() or "–", code.when_not.strip() or "–",
                         str(used.get(code.id, 0))))
        blocks.append(Subheading(KIND_PLURALS[kind]))
        blocks.append(Table(f"Codebook: {KIND_PLURALS[kind].lower()}",
                            ("Code", "Definition", "When to use", "When not to use", "Codings"), tuple(rows),
                            numeric=frozenset({4}), compact=True))
    return blocks


def _phases(context: _Context) -> list[Block]:
    by_code: dict[int, list[CodingFact]] = defaultdict(list)
    for coding in context.evidence.codings:
        by_code[coding.code_id].append(coding)
    descriptions = {c.id: c.description for c in context.codes}
    blocks: list[Block] = []
    for code_id, name in context.journey.columns:
        found = by_code.get(code_id, [])
        blocks.append(Subheading(name))
        if descriptions.get(code_id):
            blocks.append(Paragraph(descriptions[code_id], note=True))
        if not found:
            blocks.append(Paragraph("No passages are coded with this phase in this view.", note=True))
            continue
        people = len({c.participant_id for c in found if c.participant_id is not None})
        blocks.append(Paragraph(f"{_plural(len(found), 'passage')} from {_plural(people, 'participant')}; "
                                f"the strongest:"))
        blocks.extend(_quotes(context, found))
    if not blocks:
        blocks.append(Paragraph("The project has no phases.", note=True))
    return blocks


def _goals(context: _Context) -> list[Block]:
    by_code: dict[int, list[CodingFact]] = defaultdict(list)
    for coding in context.evidence.codings:
        by_code[coding.code_id].append(coding)
    goals = [c for c in context.codes if c.kind == CodeKind.GOAL and not c.is_folder]
    subs: dict[int, list[Code]] = defaultdict(list)
    for code in context.codes:
        if code.kind == CodeKind.SUB_GOAL and code.goal_id is not None and not code.is_folder:
            subs[code.goal_id].append(code)
    blocks: list[Block] = []
    for goal in goals:
        found = list(by_code.get(goal.id, []))
        for sub in subs.get(goal.id, []):
            found.extend(by_code.get(sub.id, []))
        blocks.append(Subheading(goal.name))
        if goal.description:
            blocks.append(Paragraph(goal.description, note=True))
        if subs.get(goal.id):
            blocks.append(Facts((("Sub-goals", "; ".join(f"{s.name} ({len(by_code.get(s.id, []))})"
                                                          for s in subs[goal.id])),)))
        if not found:
            blocks.append(Paragraph("No passages are coded with this goal or its sub-goals in this view.", note=True))
            continue
        blocks.extend(_quotes(context, found))
    loose = [c for c in context.codes if c.kind == CodeKind.SUB_GOAL and not c.is_folder
             and (c.goal_id is None or c.goal_id not in {g.id for g in goals})]
    found = [c for s in loose for c in by_code.get(s.id, [])]
    if found:
        blocks.append(Subheading("Sub-goals without a goal"))
        blocks.extend(_quotes(context, found))
    if not blocks:
        blocks.append(Paragraph("The codebook has no goals.", note=True))
    return blocks


def _share_rows(shares: Sequence[Any]) -> tuple[tuple[str, ...], ...]:
    return tuple((s.label, str(s.mentions), str(s.beyond_mentions), _percent(s.mention_share), str(s.actors),
                  str(s.beyond_actors), _percent(s.actor_share)) for s in shares)


SHARE_HEADER = ("Group", "Mentions", "Beyond the company", "Share", "Actors", "Not the company's", "Share")


def _network(context: _Context) -> list[Block]:
    report = context.network
    assert report is not None
    network = report.network
    codes = sum(1 for n in network.nodes.values() if n.kind != "participant")
    blocks: list[Block] = [
        Figure(network_picture(network), "The actor network: codes of the network kinds linked by co-coding in "
                                         "the same segment. Larger nodes have more segments; the company's own "
                                         "actors and touchpoints are ringed."),
        Paragraph(f"{_plural(codes, 'code')}, {_plural(len(network.nodes) - codes, 'customer')} and "
                  f"{_plural(len(network.edges), 'link')}, all from the codings."),
        Subheading("Beyond the company"),
        Paragraph("How much of the customers' path lies beyond the company: the share of the mentions of actors "
                  "and touchpoints that are not the company's own, and the share of the distinct actors.",
                  note=True),
        Table("Beyond-share, overall", SHARE_HEADER, _share_rows(report.beyond.get("overall", [])),
              numeric=frozenset({1, 2, 3, 4, 5, 6}), compact=True),
        Table("Beyond-share by phase", SHARE_HEADER, _share_rows(report.beyond.get("by_phase", [])),
              numeric=frozenset({1, 2, 3, 4, 5, 6}), compact=True),
        Table("Beyond-share by persona", SHARE_HEADER, _share_rows(report.beyond.get("by_persona", [])),
              numeric=frozenset({1, 2, 3, 4, 5, 6}), compact=True),
        Subheading("Candidate partners"),
        Paragraph("Actors that are not the company's and sit closest to the customers' goals: the weight of their "
                  "links to goals times their PageRank in the whole network.", note=True),
    ]
    labels = {n.id: n.label for n in network.nodes.values()}
    if report.partners:
        blocks.append(Table("Candidate partners", ("Actor", "Ownership", "Goal links", "PageRank", "Score", "Goals"),
                            tuple((p.label, OWNERSHIPS.get(p.ownership or "", p.ownership or "–"),
                                   str(p.goal_weight), f"{p.pagerank:.3f}", f"{p.score:.3f}",
                                   "; ".join(labels.get(g, g) for g in p.goals)) for p in report.partners),
                            numeric=frozenset({2, 3, 4}), compact=True))
    else:
        blocks.append(Paragraph("No actor outside the company is coded together with a goal.", note=True))
    if report.channels:
        blocks.append(Subheading("Where customers are active"))
        blocks.append(Table("Active channels and touchpoints", ("Channel or touchpoint", "Kind", "Participants",
                                                                "Segments"),
                            tuple((c.label, c.kind.replace("_", "-").capitalize(), str(c.participants),
                                   str(c.segments)) for c in report.channels),
                            numeric=frozenset({2, 3}), compact=True))
    return blocks


def _journey(context: _Context) -> list[Block]:
    journey = context.journey
    if not journey.columns:
        return [Paragraph("The project has no phases, so there is no journey map.", note=True)]
    names = dict(journey.columns)
    rows = []
    for lane in journey.lanes:
        cells = []
        for cell in lane.cells:
            if not cell.codings:
                cells.append("–")
                continue
            shown = "\n".join(f"{c.name} ({c.codings})" for c in cell.codes[:4])
            more = f"\n+{len(cell.codes) - 4} more" if len(cell.codes) > 4 else ""
            cells.append(shown + more)
        rows.append((lane.label, *cells))
    blocks: list[Block] = [
        Paragraph("Phases as columns; in each cell the codes coded in that phase, most codings first (codings in "
                  "brackets)." + (f" {journey.unassigned} lane codings fall in no phase and are left out."
                                  if journey.unassigned else ""), note=True),
        Table("Journey map", ("Lane", *names.values()), tuple(rows), compact=True),
        Figure(emotion_picture(journey), "Emotion curve: mean valence of the emotion codings per phase (−2 very "
                                         "negative … +2 very positive); the bar spans one standard deviation."),
        Table("Emotion per phase", ("Phase", "Mean valence", "Codings", "SD"),
              tuple((names.get(p.phase_id, ""), "–" if p.mean is None else f"{p.mean:+.2f}", str(p.n),
                     _number(p.sd)) for p in journey.emotion), numeric=frozenset({1, 2, 3})),
    ]
    return blocks


def _stuck(context: _Context) -> list[Block]:
    evidence = context.evidence
    stuck = stuck_phases(evidence.codes, evidence.codings, top=STUCK_PHASES)
    if not stuck:
        return [Paragraph("No pain points fall in a phase in this view.", note=True)]
    blocks: list[Block] = [
        Paragraph("The phases with the most pain-point codings (a pain point falls in a phase when a coding of "
                  "the phase sits in the same segment or overlaps it).", note=True),
        Table("Pain points per phase", ("Phase", "Pain points", "Participants"),
              tuple((s.label, str(s.pain_points), str(s.participants)) for s in stuck), numeric=frozenset({1, 2})),
    ]
    for phase in stuck:
        blocks.append(Subheading(f"{phase.label}: {_plural(phase.pain_points, 'pain point')}"))
        blocks.append(Bullets(tuple(f"{context.code_names.get(code_id, '?')}: {_plural(n, 'coding')}"
                                    for code_id, n in phase.pain_codes)))
        found = [context.by_id[i] for i in phase.evidence if i in context.by_id]
        blocks.extend(_quotes(context, found, min(STUCK_QUOTES, context.quotes_per_group)))
    return blocks
