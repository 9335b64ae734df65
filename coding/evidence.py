"""Reading the evidence of a project into the plain facts the analysis works on.

The network and the journey map (``coding.network``, ``coding.journey``) never see a
session: this module loads a project's codes and codings in a fixed handful of queries
(codes, phases, codings with their sources, segments, persona values, source texts),
decides what the analysis needs to know about each (the company's own actors, the phase
order, the speaking participant and their persona) and applies the researcher's filters.

* **Company ownership**: a code is the company's when its ownership says so, or when its
  name or one of its aliases names the company (``Project.company_terms()``, matched as
  whole words, case-insensitively).
* **Phases**: phase codes take the position of the phase of the project's model they
  point to. Two phase codes of one model phase count as one (the first by id), so each
  phase of the model is one column and one node.
* **Participant**: the participant of the segment holding the coding's start (the
  speaker of that turn), else the source's participant; the persona is that
  participant's ``persona`` attribute.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coding.codebook import Code
from coding.codings import Coding
from coding.facts import ACTOR, CHANNEL, COMPANY, PHASE, TOUCHPOINT, CodeFact, CodingFact
from coding.journey import JourneyMap, build_journey
from coding.network import (
    NETWORK_KINDS,
    PARTICIPANT,
    Network,
    active_channels,
    beyond_share,
    build_network,
    candidate_partners,
    stuck_phases,
)
from coding.spans import phases_of
from research.accounts import User
from research.participants import AttributeDef, AttributeValue, Participant
from research.projects import Phase, Project
from research.sources import Segment, Source, SourceKind

PERSONA_ATTRIBUTE = "persona"
OWNED_KINDS = frozenset({ACTOR, TOUCHPOINT, CHANNEL})
LAYERS: tuple[tuple[str, str], ...] = (
    ("actor", "Actors"),
    ("goal", "Goals"),
    ("sub_goal", "Sub-goals"),
    ("touchpoint", "Touchpoints"),
    ("channel", "Channels"),
    ("phase", "Phases"),
    (PARTICIPANT, "Customers"),
)
Window = Literal["segment", "overlap"]


@dataclass(frozen=True, slots=True)
class EvidenceFilters:
    """Which codings count. ``phase_id`` is a phase of the project's model (``Phase.id``)."""

    phase_id: int | None = None
    persona: str | None = None
    participant_id: int | None = None
    source_kind: str | None = None
    coder_id: int | None = None

    def is_empty(self) -> bool:
        return all(value in (None, "") for value in (self.phase_id, self.persona, self.participant_id,
                                                      self.source_kind, self.coder_id))

    def as_dict(self) -> dict[str, Any]:
        return {"phase": self.phase_id, "persona": self.persona, "participant": self.participant_id,
                "source_kind": self.source_kind, "coder": self.coder_id}


@dataclass(frozen=True, slots=True)
class Evidence:
    """A project's facts after the filters, with the names the views need to show them."""

    codes: list[CodeFact]
    codings: list[CodingFact]
    columns: list[tuple[int, str]]  # (phase code id, or -Phase.id without a code; name), in model order
    phase_code_of: dict[int, int]  # Phase.id -> its phase code id
    source_names: dict[int, str]
    participant_names: dict[int, str]
    code_colours: dict[int, str]
    total_codings: int  # before the filters


def company_matcher(terms: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern finding any of the company's terms as a whole word (None without terms)."""
    words = sorted({t.strip().lower() for t in terms if t.strip()}, key=lambda t: (-len(t), t))
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)


def names_company(pattern: re.Pattern[str] | None, name: str, aliases: Sequence[str]) -> bool:
    return pattern is not None and any(pattern.search(text) for text in (name, *aliases))


def load_codes(session: Session, project: Project) -> tuple[list[CodeFact], dict[int, int], list[tuple[int, str]],
                                                            dict[int, int], dict[int, str]]:
    """Code facts of a project, the phase-code merge map, the journey columns, the phase
    code of each model phase and each code's colour."""
    phases = list(session.scalars(select(Phase).where(Phase.project_id == project.id).order_by(Phase.position)))
    position = {p.id: p.position for p in phases}
    rows = session.execute(
        select(Code.id, Code.name, Code.kind, Code.ownership, Code.goal_id, Code.phase_id, Code.valence,
               Code.touchpoint_type, Code.aliases, Code.colour, Code.is_folder)
        .where(Code.project_id == project.id).order_by(Code.id)
    ).all()
    pattern = company_matcher(project.company_terms())
    codes: list[CodeFact] = []
    merged: dict[int, int] = {}
    phase_code_of: dict[int, int] = {}
    colours: dict[int, str] = {}
    unlinked_phases: list[tuple[int, str]] = []
    for row in rows:
        kind = str(row.kind.value if hasattr(row.kind, "value") else row.kind)
        if row.is_folder:
            continue
        colours[row.id] = row.colour
        ownership = row.ownership
        if kind in OWNED_KINDS and names_company(pattern, row.name, row.aliases or []):
            ownership = COMPANY
        phase_position = None
        if kind == PHASE:
            if row.phase_id is not None and row.phase_id in position:
                if row.phase_id in phase_code_of:
                    merged[row.id] = phase_code_of[row.phase_id]
                    continue
                phase_code_of[row.phase_id] = row.id
                phase_position = position[row.phase_id]
            else:
                unlinked_phases.append((row.id, row.name))
        codes.append(CodeFact(
            id=row.id, name=row.name, kind=kind, ownership=ownership, goal_id=row.goal_id,
            phase_position=phase_position, valence=row.valence, touchpoint_type=row.touchpoint_type,
        ))
    columns = [(phase_code_of.get(p.id, -p.id), p.name) for p in phases]
    columns.extend(unlinked_phases)
    return codes, merged, columns, phase_code_of, colours


def load_evidence(session: Session, project: Project, filters: EvidenceFilters | None = None) -> Evidence:
    """All codes and the codings that pass ``filters``, in six queries whatever the size."""
    filters = filters or EvidenceFilters()
    codes, merged, columns, phase_code_of, colours = load_codes(session, project)
    known = {c.id for c in codes} | set(merged)

    stmt = (
        select(Coding.id, Coding.code_id, Coding.source_id, Coding.start, Coding.end, Coding.coder_id)
        .where(Coding.project_id == project.id)
        .order_by(Coding.id)
    )
    total = session.scalar(select(func.count(Coding.id)).where(Coding.project_id == project.id)) or 0
    if filters.source_kind:
        stmt = stmt.where(Coding.source_id.in_(select(Source.id).where(
            Source.project_id == project.id, Source.kind == SourceKind(filters.source_kind))))
    if filters.coder_id is not None:
        stmt = stmt.where(Coding.coder_id == filters.coder_id)
    rows = [tuple(r) for r in session.execute(stmt) if r[1] in known]

    segments = _segments_by_source(session, project.id)
    personas = personas_of(session, project.id)
    # Whole texts, sliced here: Python indexes code points in constant time, while SQL's
    # substr walks the UTF-8 text from its start for every coding.
    wanted = {r[2] for r in rows}
    sources: dict[int, tuple[str, int | None, str]] = {}
    source_names: dict[int, str] = {}
    for source_id, name, kind, owner, text in session.execute(
        select(Source.id, Source.name, Source.kind, Source.participant_id, Source.text)
        .where(Source.project_id == project.id)
    ):
        source_names[source_id] = name
        if source_id in wanted:
            sources[source_id] = (str(kind.value if hasattr(kind, "value") else kind), owner, text)

    codings: list[CodingFact] = []
    for coding_id, code_id, source_id, start, end, coder_id in rows:
        segment_id, speaker = _segment_at(segments.get(source_id), start)
        kind, owner, text = sources[source_id]
        participant_id = speaker if speaker is not None else owner
        codings.append(CodingFact(
            id=coding_id, code_id=merged.get(code_id, code_id), source_id=source_id, start=start, end=end,
            segment_id=segment_id, participant_id=participant_id,
            persona=personas.get(participant_id) if participant_id is not None else None,
            coder_id=coder_id or 0, source_kind=kind, text=text[start:end],
        ))
    if filters.persona:
        codings = [c for c in codings if c.persona == filters.persona]
    if filters.participant_id is not None:
        codings = [c for c in codings if c.participant_id == filters.participant_id]
    if filters.phase_id is not None:
        codings = in_phase(codes, codings, phase_code_of.get(filters.phase_id))
    participant_names = dict(session.execute(
        select(Participant.id, Participant.name).where(Participant.project_id == project.id)).all())
    return Evidence(codes=codes, codings=codings, columns=columns, phase_code_of=phase_code_of,
                    source_names=source_names, participant_names=participant_names, code_colours=colours,
                    total_codings=total)


def _quoted_text() -> Any:
    """The coded span as SQL computes it: substr counts characters (code points) on both
    SQLite and PostgreSQL, so no whole text leaves the database."""
    return func.substr(Source.text, Coding.start + 1, Coding.end - Coding.start)


def in_phase(codes: Sequence[CodeFact], codings: list[CodingFact], phase_code_id: int | None) -> list[CodingFact]:
    """The codings that fall in one phase (``coding.spans.phases_of``), the phase's own included."""
    if phase_code_id is None:
        return []
    phase_ids = {c.id for c in codes if c.kind == PHASE}
    found = phases_of(codings, (c for c in codings if c.code_id in phase_ids))
    return [c for c in codings if c.code_id == phase_code_id or phase_code_id in found.get(c.id, ())]


SegmentIndex = tuple[list[int], list[tuple[int, int, int | None]]]  # starts; (end, segment id, participant id)


def _segments_by_source(session: Session, project_id: int) -> dict[int, SegmentIndex]:
    rows = session.execute(
        select(Segment.source_id, Segment.start, Segment.end, Segment.id, Segment.participant_id)
        .join(Source, Source.id == Segment.source_id)
        .where(Source.project_id == project_id)
        .order_by(Segment.source_id, Segment.start)
    ).all()
    grouped: dict[int, SegmentIndex] = {}
    for r in rows:
        starts, rest = grouped.setdefault(r.source_id, ([], []))
        starts.append(r.start)
        rest.append((r.end, r.id, r.participant_id))
    return grouped


def _segment_at(found: SegmentIndex | None, offset: int) -> tuple[int | None, int | None]:
    """The segment holding ``offset`` and its participant, or (None, None)."""
    if found is None:
        return None, None
    starts, rest = found
    i = bisect_right(starts, offset) - 1
    if i < 0:
        return None, None
    end, segment_id, participant_id = rest[i]
    if offset >= end:
        return None, None
    return segment_id, participant_id


def personas_of(session: Session, project_id: int) -> dict[int, str]:
    """Each participant's persona attribute value."""
    rows = session.execute(
        select(AttributeValue.participant_id, AttributeValue.value)
        .join(AttributeDef, AttributeDef.id == AttributeValue.attribute_id)
        .where(AttributeDef.project_id == project_id, func.lower(AttributeDef.name) == PERSONA_ATTRIBUTE)
    ).all()
    return {participant_id: value for participant_id, value in rows}


# --- Filter choices -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FilterOptions:
    phases: list[tuple[int, str]]
    personas: list[str]
    participants: list[tuple[int, str]]
    source_kinds: list[tuple[str, str]]
    coders: list[tuple[int, str]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "phases": [{"id": i, "name": n} for i, n in self.phases],
            "personas": self.personas,
            "participants": [{"id": i, "name": n} for i, n in self.participants],
            "source_kinds": [{"id": k, "name": n} for k, n in self.source_kinds],
            "coders": [{"id": i, "name": n} for i, n in self.coders],
        }


def filter_options(session: Session, project_id: int) -> FilterOptions:
    phases = session.execute(
        select(Phase.id, Phase.name).where(Phase.project_id == project_id).order_by(Phase.position)).all()
    personas = sorted(set(personas_of(session, project_id).values()), key=str.lower)
    participants = session.execute(
        select(Participant.id, Participant.name).where(Participant.project_id == project_id)
        .order_by(Participant.name)).all()
    kinds = session.scalars(select(Source.kind).where(Source.project_id == project_id).distinct()).all()
    coders = session.execute(
        select(User.id, User.display_name, User.email).where(
            User.id.in_(select(Coding.coder_id).where(Coding.project_id == project_id).distinct()))
        .order_by(User.display_name, User.email)).all()
    return FilterOptions(
        phases=list(phases), personas=personas, participants=list(participants),
        source_kinds=sorted((SourceKind(k).value, SourceKind(k).label) for k in kinds),
        coders=[(c.id, c.display_name or c.email) for c in coders],
    )


def parse_filters(args: Any, options: FilterOptions | None = None) -> EvidenceFilters:
    """Filters from a mapping of strings (query parameters, CLI options); blank means all.
    Raises ValueError for a value that is not a number where one is needed."""

    def number(name: str) -> int | None:
        value = str(args.get(name) or "").strip()
        if not value:
            return None
        try:
            return int(value)
        except ValueError as exc:
            raise ValueError(f"'{name}' must be a number, not {value!r}.") from exc

    kind = str(args.get("source_kind") or "").strip() or None
    if kind is not None and kind not in {k.value for k in SourceKind}:
        raise ValueError(f"Unknown source kind {kind!r}; use one of {', '.join(k.value for k in SourceKind)}.")
    return EvidenceFilters(phase_id=number("phase"), persona=str(args.get("persona") or "").strip() or None,
                           participant_id=number("participant"), source_kind=kind, coder_id=number("coder"))


# --- The services the web layer and the CLI call --------------------------------------


@dataclass(frozen=True, slots=True)
class NetworkReport:
    network: Network
    evidence: Evidence
    beyond: dict[str, list[Any]] = field(default_factory=dict)
    partners: list[Any] = field(default_factory=list)
    channels: list[Any] = field(default_factory=list)
    stuck: list[Any] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = self.network.to_dict()
        data["beyond_share"] = {key: [_share_dict(s) for s in rows] for key, rows in self.beyond.items()}
        data["candidate_partners"] = [
            {"node_id": p.node_id, "label": p.label, "ownership": p.ownership, "goal_weight": p.goal_weight,
             "pagerank": p.pagerank, "score": p.score, "goals": list(p.goals), "evidence": list(p.evidence)}
            for p in self.partners]
        data["active_channels"] = [
            {"node_id": c.node_id, "label": c.label, "kind": c.kind, "ownership": c.ownership,
             "touchpoint_type": c.touchpoint_type, "participants": c.participants, "segments": c.segments,
             "evidence": list(c.evidence)}
            for c in self.channels]
        data["stuck_phases"] = [
            {"code_id": s.code_id, "node_id": f"c:{s.code_id}", "label": s.label, "position": s.position,
             "pain_points": s.pain_points, "participants": s.participants,
             "pain_codes": [{"code_id": c, "codings": n} for c, n in s.pain_codes], "evidence": list(s.evidence)}
            for s in self.stuck]
        data["codings"] = {"total": self.evidence.total_codings, "used": len(self.evidence.codings)}
        return data


def _share_dict(share: Any) -> dict[str, Any]:
    return {"group": share.group, "label": share.label, "mentions": share.mentions,
            "beyond_mentions": share.beyond_mentions, "mention_share": share.mention_share,
            "actors": share.actors, "beyond_actors": share.beyond_actors, "actor_share": share.actor_share,
            "evidence": list(share.evidence)}


def network_for(
    session: Session,
    project_id: int,
    filters: EvidenceFilters | None = None,
    layers: Iterable[str] | None = None,
    window: Window = "segment",
    min_weight: int = 1,
) -> NetworkReport:
    """The network of a project with its figures: beyond-share (overall, per phase, per
    persona), candidate partners, active channels and stuck phases. ``layers`` are node
    kinds (see LAYERS; ``participant`` adds the customers)."""
    project = session.get(Project, project_id)
    if project is None:
        raise ValueError(f"No project {project_id}.")
    chosen = set(layers) if layers is not None else {key for key, _ in LAYERS}
    unknown = chosen - {key for key, _ in LAYERS}
    if unknown:
        raise ValueError(f"Unknown layer(s) {', '.join(sorted(unknown))}; use {', '.join(k for k, _ in LAYERS)}.")
    if window not in ("segment", "overlap"):
        raise ValueError("window must be 'segment' or 'overlap'.")
    evidence = load_evidence(session, project, filters)
    network = build_network(
        evidence.codes, evidence.codings, window=window, layers=frozenset(chosen) & NETWORK_KINDS,
        include_participants=PARTICIPANT in chosen, min_weight=max(1, int(min_weight)),
    )
    network = _named_participants(network, evidence.participant_names)
    beyond = {
        "overall": beyond_share(evidence.codes, evidence.codings),
        "by_phase": beyond_share(evidence.codes, evidence.codings, by="phase"),
        "by_persona": beyond_share(evidence.codes, evidence.codings, by="persona"),
    }
    return NetworkReport(
        network=network, evidence=evidence, beyond=beyond, partners=candidate_partners(network),
        channels=active_channels(network), stuck=stuck_phases(evidence.codes, evidence.codings),
    )


def _named_participants(network: Network, names: dict[int, str]) -> Network:
    nodes = {
        node_id: replace(node, label=names.get(node.participant_id, node.label))
        if node.kind == PARTICIPANT and node.participant_id is not None else node
        for node_id, node in network.nodes.items()
    }
    return replace(network, nodes=nodes)


@dataclass(frozen=True, slots=True)
class JourneyReport:
    journey: JourneyMap
    evidence: Evidence

    def to_dict(self) -> dict[str, Any]:
        data = self.journey.to_dict()
        for lane in data["lanes"]:
            for cell in lane["cells"]:
                for quote in cell["quotes"]:
                    quote["source"] = self.evidence.source_names.get(quote["source_id"], "")
                    quote["participant"] = self.evidence.participant_names.get(quote["participant_id"])
        data["codings"] = {"total": self.evidence.total_codings, "used": len(self.evidence.codings)}
        return data

    def csv_rows(self) -> list[list[str]]:
        """One row per lane x phase x code: the flat form for spreadsheets."""
        rows = [["lane", "phase", "code", "kind", "codings", "participants", "strongest_quote"]]
        names = dict(self.journey.columns)
        for lane in self.journey.lanes:
            for cell in lane.cells:
                quote = cell.quotes[0].text if cell.quotes else ""
                for code in cell.codes:
                    rows.append([lane.label, names[cell.phase_id], code.name, code.kind, str(code.codings),
                                 str(code.participants), quote])
        for point in self.journey.emotion:
            rows.append(["Emotion (mean valence)", names[point.phase_id], "", "emotion", str(point.n), "",
                         "" if point.mean is None else f"{point.mean:.2f}"])
        return rows


def journey_for(session: Session, project_id: int, filters: EvidenceFilters | None = None) -> JourneyReport:
    project = session.get(Project, project_id)
    if project is None:
        raise ValueError(f"No project {project_id}.")
    evidence = load_evidence(session, project, filters)
    columns = evidence.columns
    if filters is not None and filters.phase_id is not None:
        keep = evidence.phase_code_of.get(filters.phase_id)
        columns = [c for c in columns if c[0] == keep]
    return JourneyReport(journey=build_journey(evidence.codes, evidence.codings, columns), evidence=evidence)


@dataclass(frozen=True, slots=True)
class QuoteRow:
    coding_id: int
    code_id: int
    code: str
    source_id: int
    source: str
    start: int
    end: int
    text: str
    participant_id: int | None
    participant: str | None


def quotes_for(session: Session, project_id: int, coding_ids: Iterable[int], limit: int = 200) -> list[QuoteRow]:
    """The quoted text of codings of one project (ids of other projects are ignored)."""
    wanted = sorted({int(i) for i in coding_ids})[:limit]
    if not wanted:
        return []
    rows = session.execute(
        select(Coding.id, Coding.code_id, Code.name, Coding.source_id, Source.name.label("source_name"),
               Coding.start, Coding.end, _quoted_text().label("text"), Source.participant_id)
        .join(Code, Code.id == Coding.code_id).join(Source, Source.id == Coding.source_id)
        .where(Coding.project_id == project_id, Coding.id.in_(wanted)).order_by(Coding.source_id, Coding.start)
    ).all()
    segments = _segments_by_source(session, project_id)
    names = dict(session.execute(
        select(Participant.id, Participant.name).where(Participant.project_id == project_id)).all())
    found = []
    for r in rows:
        _, speaker = _segment_at(segments.get(r.source_id), r.start)
        participant_id = speaker if speaker is not None else r.participant_id
        found.append(QuoteRow(
            coding_id=r.id, code_id=r.code_id, code=r.name, source_id=r.source_id, source=r.source_name,
            start=r.start, end=r.end, text=r.text or "", participant_id=participant_id,
            participant=names.get(participant_id) if participant_id is not None else None,
        ))
    return found
