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

import gc
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from operator import itemgetter
from typing import Any, Literal

import numpy as np
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
# The tables themselves: selecting their columns (not the mapped attributes) keeps the
# large reads on SQLAlchemy Core, tuples without the ORM's per-row work.
_CODING, _SOURCE, _SEGMENT = Coding.__table__, Source.__table__, Segment.__table__
_PARTICIPANT, _ATTRIBUTE_DEF, _ATTRIBUTE_VALUE = Participant.__table__, AttributeDef.__table__, AttributeValue.__table__


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


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a large project's facts are built.

    Reading 100k codings makes hundreds of thousands of small objects that all stay
    alive; each time they pile up the collector walks every live object, which took
    half the time of a load. Nothing made here forms reference cycles, so nothing is
    lost by waiting. The collector is switched back on only if it was on: a thread that
    finds it paused by another leaves it to that one (reference counting still frees
    everything meanwhile).
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def load_evidence(session: Session, project: Project, filters: EvidenceFilters | None = None, *,
                  texts: bool = True) -> Evidence:
    """All codes and the codings that pass ``filters``, in a fixed handful of queries
    whatever the size. The queries are plain Core selects of the columns needed, returning
    tuples. With ``texts=False`` the codings carry no quoted text (``CodingFact.text`` is
    empty) and no source text is read: the network needs none, and the journey map fetches
    the text of the few quotes it shows (``quote_texts``)."""
    with _cycle_collection_paused():
        return _load_evidence(session, project, filters or EvidenceFilters(), texts)


def _load_evidence(session: Session, project: Project, filters: EvidenceFilters, texts: bool) -> Evidence:
    codes, merged, columns, phase_code_of, colours = load_codes(session, project)
    known = {c.id for c in codes} | set(merged)

    c = _CODING.c
    stmt = select(c.id, c.code_id, c.source_id, c.start, c.end, c.coder_id).where(c.project_id == project.id)
    narrowed = False
    if filters.source_kind:
        s = _SOURCE.c
        stmt = stmt.where(c.source_id.in_(select(s.id).where(
            s.project_id == project.id, s.kind == SourceKind(filters.source_kind))))
        narrowed = True
    if filters.coder_id is not None:
        stmt = stmt.where(c.coder_id == filters.coder_id)
        narrowed = True
    # Sorted here, not by the database: PostgreSQL would sort 100k rows on disk first.
    found = sorted(session.execute(stmt).all(), key=itemgetter(0))
    total = len(found)
    if narrowed:
        total = session.scalar(select(func.count(c.id)).where(c.project_id == project.id)) or 0
    ids, code_ids, source_ids, starts, ends, coders = _columns([r for r in found if r[1] in known], 6)

    sources, source_names = _source_facts(session, project.id)
    slices = _source_texts(session, project.id, set(source_ids)) if texts else {}
    segment_ids, speakers = _segments_at(session, project.id, source_ids, starts)
    personas = personas_of(session, project.id)

    codings: list[CodingFact] = []
    for coding_id, code_id, source_id, start, end, coder_id, segment_id, speaker in zip(
            ids, code_ids, source_ids, starts, ends, coders, segment_ids, speakers, strict=True):
        kind, owner = sources[source_id]
        participant_id = speaker if speaker is not None else owner
        codings.append(CodingFact(
            coding_id, merged.get(code_id, code_id), source_id, start, end, segment_id, participant_id,
            personas.get(participant_id) if participant_id is not None else None, coder_id or 0, kind,
            slices[source_id][start:end] if texts else "",
        ))
    if filters.persona:
        codings = [c for c in codings if c.persona == filters.persona]
    if filters.participant_id is not None:
        codings = [c for c in codings if c.participant_id == filters.participant_id]
    if filters.phase_id is not None:
        codings = in_phase(codes, codings, phase_code_of.get(filters.phase_id))
    p = _PARTICIPANT.c
    participant_names = {i: n for i, n in session.execute(select(p.id, p.name).where(p.project_id == project.id))}
    return Evidence(codes=codes, codings=codings, columns=columns, phase_code_of=phase_code_of,
                    source_names=source_names, participant_names=participant_names, code_colours=colours,
                    total_codings=total)


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[Sequence[Any]]:
    """Rows turned into ``width`` columns."""
    return list(zip(*rows, strict=True)) if rows else [()] * width


def _source_facts(session: Session, project_id: int) -> tuple[dict[int, tuple[str, int | None]], dict[int, str]]:
    """Each source's kind and participant, and its name (no text)."""
    s = _SOURCE.c
    facts: dict[int, tuple[str, int | None]] = {}
    names: dict[int, str] = {}
    for source_id, name, kind, owner in session.execute(
            select(s.id, s.name, s.kind, s.participant_id).where(s.project_id == project_id)):
        names[source_id] = name
        facts[source_id] = (str(kind.value if hasattr(kind, "value") else kind), owner)
    return facts, names


def _source_texts(session: Session, project_id: int, wanted: set[int]) -> dict[int, str]:
    """Whole texts, to be sliced in Python: it indexes code points in constant time,
    while SQL's substr walks the UTF-8 text from its start for every coding."""
    s = _SOURCE.c
    rows = session.execute(select(s.id, s.text).where(s.project_id == project_id))
    return {source_id: text for source_id, text in rows if source_id in wanted}


def quote_texts(session: Session, project_id: int, coding_ids: Iterable[int]) -> dict[int, str]:
    """The quoted text of some codings of one project, by coding id, cut by the database:
    for the few quotes a page shows, without reading whole source texts."""
    wanted = sorted(set(coding_ids))
    if not wanted:
        return {}
    c = _CODING.c
    rows = session.execute(
        select(c.id, _quoted_text()).join(_SOURCE, _SOURCE.c.id == c.source_id)
        .where(c.project_id == project_id, c.id.in_(wanted)))
    return {coding_id: text or "" for coding_id, text in rows}


def _quoted_text() -> Any:
    """The coded span as SQL computes it: substr counts characters (code points) on both
    SQLite and PostgreSQL, so no whole text leaves the database."""
    c = _CODING.c
    return func.substr(_SOURCE.c.text, c.start + 1, c.end - c.start)


def in_phase(codes: Sequence[CodeFact], codings: list[CodingFact], phase_code_id: int | None) -> list[CodingFact]:
    """The codings that fall in one phase (``coding.spans.phases_of``), the phase's own included."""
    if phase_code_id is None:
        return []
    phase_ids = {c.id for c in codes if c.kind == PHASE}
    found = phases_of(codings, (c for c in codings if c.code_id in phase_ids))
    return [c for c in codings if c.code_id == phase_code_id or phase_code_id in found.get(c.id, ())]


_OFFSET_BITS = 32  # a segment's (source, start) as one sortable integer: source << 32 | start


def _segments_at(session: Session, project_id: int, source_ids: Sequence[int], offsets: Sequence[int], *,
                 sources: Collection[int] | None = None) -> tuple[list[int | None], list[int | None]]:
    """For each (source id, offset) pair: the segment holding the offset and its
    participant (None, None where no segment does). One query for the segments of the
    project (or of ``sources`` of it), then one vectorised binary search: the last segment
    of the source starting at or before the offset, if the offset lies before its end."""
    if not source_ids:
        return [], []
    g, s = _SEGMENT.c, _SOURCE.c
    of_project = select(s.id).where(s.project_id == project_id)
    if sources is not None:
        of_project = of_project.where(s.id.in_(sorted(sources)))
    found = session.execute(
        select(g.source_id, g.start, g.end, g.id, func.coalesce(g.participant_id, 0))
        .where(g.source_id.in_(of_project))).all()
    if not found:
        return [None] * len(source_ids), [None] * len(source_ids)
    table = np.array(_columns(found, 5), dtype=np.int64)
    seg_source, seg_start, seg_end, seg_id, seg_person = table[:, np.lexsort((table[3], table[1], table[0]))]
    source, offset = np.array(source_ids, dtype=np.int64), np.array(offsets, dtype=np.int64)
    at = np.searchsorted((seg_source << _OFFSET_BITS) | seg_start, (source << _OFFSET_BITS) | offset,
                         side="right") - 1
    inside = at >= 0
    at = np.where(inside, at, 0)
    inside &= (seg_source[at] == source) & (offset < seg_end[at])
    # Ids start at 1, so 0 stands for "none" until the lists are made.
    segment_ids = np.where(inside, seg_id[at], 0).tolist()
    people = np.where(inside, seg_person[at], 0).tolist()
    return [i or None for i in segment_ids], [p or None for p in people]


def personas_of(session: Session, project_id: int) -> dict[int, str]:
    """Each participant's persona attribute value."""
    d, v = _ATTRIBUTE_DEF.c, _ATTRIBUTE_VALUE.c
    rows = session.execute(
        select(v.participant_id, v.value).join(_ATTRIBUTE_DEF, d.id == v.attribute_id)
        .where(d.project_id == project_id, func.lower(d.name) == PERSONA_ATTRIBUTE))
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
    *,
    texts: bool = False,
) -> NetworkReport:
    """The network of a project with its figures: beyond-share (overall, per phase, per
    persona), candidate partners, active channels and stuck phases. ``layers`` are node
    kinds (see LAYERS; ``participant`` adds the customers). The network shows evidence as
    coding ids, so the codings carry no text unless ``texts`` asks for it (the report
    quotes from them)."""
    project = session.get(Project, project_id)
    if project is None:
        raise ValueError(f"No project {project_id}.")
    chosen = set(layers) if layers is not None else {key for key, _ in LAYERS}
    unknown = chosen - {key for key, _ in LAYERS}
    if unknown:
        raise ValueError(f"Unknown layer(s) {', '.join(sorted(unknown))}; use {', '.join(k for k, _ in LAYERS)}.")
    if window not in ("segment", "overlap"):
        raise ValueError("window must be 'segment' or 'overlap'.")
    with _cycle_collection_paused():
        evidence = load_evidence(session, project, filters, texts=texts)
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
    """The journey map of a project. The codings are read without their text; only the
    strongest quotes the map shows get theirs, in one query."""
    project = session.get(Project, project_id)
    if project is None:
        raise ValueError(f"No project {project_id}.")
    with _cycle_collection_paused():
        evidence = load_evidence(session, project, filters, texts=False)
        columns = evidence.columns
        if filters is not None and filters.phase_id is not None:
            keep = evidence.phase_code_of.get(filters.phase_id)
            columns = [c for c in columns if c[0] == keep]
        journey = build_journey(evidence.codes, evidence.codings, columns)
    journey = journey.with_quote_texts(quote_texts(session, project_id, journey.quote_ids()))
    return JourneyReport(journey=journey, evidence=evidence)


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
    _, speakers = _segments_at(session, project_id, [r.source_id for r in rows], [r.start for r in rows],
                               sources={r.source_id for r in rows})
    names = dict(session.execute(
        select(Participant.id, Participant.name).where(Participant.project_id == project_id)).all())
    found = []
    for r, speaker in zip(rows, speakers, strict=True):
        participant_id = speaker if speaker is not None else r.participant_id
        found.append(QuoteRow(
            coding_id=r.id, code_id=r.code_id, code=r.name, source_id=r.source_id, source=r.source_name,
            start=r.start, end=r.end, text=r.text or "", participant_id=participant_id,
            participant=names.get(participant_id) if participant_id is not None else None,
        ))
    return found
