"""The evidence-linked actor network, and the figures read from it.

Nodes are codes of the network kinds (actors, goals, sub-goals, touchpoints, channels,
phases; each layer can be switched off) plus the participants who mention actors. Edges
come only from codings:

* ``co_occurs``: two codes of different kinds coded in the same window. Window
  ``"segment"``: the same segment (a coding without a segment is its own window, keyed by
  source and offsets); window ``"overlap"``: spans sharing a code point in one source,
  the window being the shared segment or else the overlapping stretch of text. A sub-goal
  and its own goal get no co-occurrence edge: their ``part_of`` edge stands for it.
* ``part_of``: a sub-goal to its goal, weighted by the sub-goal's codings.
* ``mentions``: a participant to an actor they mention.

Weights: ``segments`` is the number of distinct windows (segments, or spans without a
segment) the evidence sits in, ``participants`` the distinct participants, and
``evidence`` the sorted coding ids. Metrics treat the network as undirected with the
edge weight ``segments``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Any, Literal

import networkx as nx
import numpy as np

from coding import graph_metrics
from coding.facts import (
    ACTOR,
    CHANNEL,
    GOAL,
    PAIN_POINT,
    PHASE,
    SUB_GOAL,
    TOUCHPOINT,
    CodeFact,
    CodingFact,
    actor_ownership,
    is_company,
)
from coding.spans import (
    UnitKey,
    by_source,
    distinct_participants,
    distinct_units,
    overlapping_pairs,
    phases_of,
    unit_key,
)

PARTICIPANT = "participant"
CO_OCCURS = "co_occurs"
PART_OF = "part_of"
MENTIONS = "mentions"

NETWORK_KINDS: frozenset[str] = frozenset({ACTOR, GOAL, SUB_GOAL, TOUCHPOINT, CHANNEL, PHASE})
# Edge direction: the node of the earlier kind is the source.
_KIND_RANK = {PARTICIPANT: 0, ACTOR: 1, GOAL: 2, SUB_GOAL: 3, TOUCHPOINT: 4, CHANNEL: 5, PHASE: 6}

EXACT_BETWEENNESS_LIMIT = 500
BETWEENNESS_SAMPLES = 256

Window = Literal["segment", "overlap"]


@dataclass(frozen=True, slots=True)
class NodeMetrics:
    degree: int = 0
    weighted_degree: int = 0
    betweenness: float = 0.0
    pagerank: float = 0.0
    community: int = 0


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    kind: str
    label: str
    segments: int
    participants: int
    evidence: tuple[int, ...]
    code_id: int | None = None
    participant_id: int | None = None
    ownership: str | None = None
    is_company: bool = False
    persona: str | None = None
    touchpoint_type: str | None = None
    phase_position: int | None = None
    goal_id: int | None = None
    metrics: NodeMetrics = field(default_factory=NodeMetrics)


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    relation: str
    segments: int
    participants: int
    evidence: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Network:
    nodes: dict[str, Node]
    edges: tuple[Edge, ...]
    window: str
    layers: frozenset[str]
    min_weight: int
    betweenness_sampled: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "window": self.window,
            "layers": sorted(self.layers),
            "min_weight": self.min_weight,
            "betweenness_sampled": self.betweenness_sampled,
            "nodes": [_node_dict(node) for node in self.nodes.values()],
            "edges": [
                {
                    "id": f"{e.source}|{e.target}|{e.relation}",
                    "source": e.source,
                    "target": e.target,
                    "relation": e.relation,
                    "segments": e.segments,
                    "participants": e.participants,
                    "evidence": list(e.evidence),
                }
                for e in self.edges
            ],
        }


def code_node_id(code_id: int) -> str:
    return f"c:{code_id}"


def participant_node_id(participant_id: int) -> str:
    return f"p:{participant_id}"


def build_network(
    codes: Iterable[CodeFact],
    codings: Iterable[CodingFact],
    *,
    window: Window = "segment",
    layers: frozenset[str] = NETWORK_KINDS,
    include_participants: bool = True,
    min_weight: int = 1,
    seed: int = 0,
) -> Network:
    """Build the network from the codings (already filtered by the caller) with metrics.

    ``min_weight`` drops edges and code nodes supported by fewer segments; a goal stays
    while one of its sub-goals does, and a participant while one of its edges does.
    Betweenness is exact up to ``EXACT_BETWEENNESS_LIMIT`` nodes and estimated from
    ``BETWEENNESS_SAMPLES`` sources drawn with ``seed`` above that.
    """
    code_map = {code.id: code for code in codes}
    kinds = layers & NETWORK_KINDS
    relevant = [c for c in codings if c.code_id in code_map and code_map[c.code_id].kind in kinds]

    by_code: dict[int, list[CodingFact]] = defaultdict(list)
    for coding in relevant:
        by_code[coding.code_id].append(coding)
    kept_codes = {code_id for code_id, found in by_code.items() if distinct_units(found) >= min_weight}
    if GOAL in kinds and SUB_GOAL in kinds:
        kept_codes |= {
            goal_id
            for code_id in kept_codes
            if (goal_id := code_map[code_id].goal_id) is not None
            and goal_id in code_map
            and code_map[goal_id].kind == GOAL
        }

    edges = _co_occurrence_edges(relevant, code_map, window)
    edges.extend(_part_of_edges(kept_codes, code_map, by_code))
    participants: dict[int, list[CodingFact]] = {}
    if include_participants and ACTOR in kinds:
        participants = _participant_codings(relevant, code_map)
        edges.extend(_mention_edges(participants, code_map))
    edges = [
        e for e in edges if e.segments >= min_weight and all(_is_kept(end, kept_codes) for end in (e.source, e.target))
    ]
    edges.sort(key=lambda e: (e.source, e.target, e.relation))

    linked = {end for e in edges for end in (e.source, e.target)}
    nodes = [_code_node(code_map[code_id], by_code.get(code_id, [])) for code_id in kept_codes]
    nodes.extend(
        _participant_node(participant_id, found)
        for participant_id, found in participants.items()
        if participant_node_id(participant_id) in linked
    )
    nodes.sort(key=lambda n: (_KIND_RANK[n.kind], n.id))
    metrics, sampled = _metrics(nodes, edges, seed)
    return Network(
        nodes={n.id: replace(n, metrics=metrics.get(n.id, NodeMetrics())) for n in nodes},
        edges=tuple(edges),
        window=window,
        layers=frozenset(kinds),
        min_weight=min_weight,
        betweenness_sampled=sampled,
    )


def _is_kept(node_id: str, kept_codes: set[int]) -> bool:
    return not node_id.startswith("c:") or int(node_id[2:]) in kept_codes


class _EdgeEvidence:
    __slots__ = ("windows", "participants", "evidence")

    def __init__(self) -> None:
        self.windows: set[UnitKey] = set()
        self.participants: set[int] = set()
        self.evidence: set[int] = set()

    def add(self, window_key: UnitKey, codings: Iterable[CodingFact]) -> None:
        self.windows.add(window_key)
        for coding in codings:
            self.evidence.add(coding.id)
            if coding.participant_id is not None:
                self.participants.add(coding.participant_id)


def _pairable(a: CodeFact, b: CodeFact) -> bool:
    if a.kind == b.kind:
        return False
    return not ((a.kind == SUB_GOAL and a.goal_id == b.id) or (b.kind == SUB_GOAL and b.goal_id == a.id))


def _oriented(a: CodeFact, b: CodeFact) -> tuple[int, int]:
    if (_KIND_RANK[a.kind], a.id) <= (_KIND_RANK[b.kind], b.id):
        return a.id, b.id
    return b.id, a.id


def _co_occurrence_edges(codings: list[CodingFact], code_map: Mapping[int, CodeFact], window: Window) -> list[Edge]:
    found: dict[tuple[int, int], _EdgeEvidence] = defaultdict(_EdgeEvidence)
    if window == "segment":
        _segment_windows(codings, code_map, found)
    elif window == "overlap":
        _overlap_windows(codings, code_map, found)
    else:
        raise ValueError(f"Unknown window {window!r}: use 'segment' or 'overlap'.")
    return [
        Edge(
            source=code_node_id(a),
            target=code_node_id(b),
            relation=CO_OCCURS,
            segments=len(ev.windows),
            participants=len(ev.participants),
            evidence=tuple(sorted(ev.evidence)),
        )
        for (a, b), ev in found.items()
    ]


def _segment_windows(
    codings: list[CodingFact],
    code_map: Mapping[int, CodeFact],
    found: dict[tuple[int, int], _EdgeEvidence],
) -> None:
    by_window: dict[UnitKey, dict[int, list[CodingFact]]] = defaultdict(lambda: defaultdict(list))
    for coding in codings:
        by_window[unit_key(coding)][coding.code_id].append(coding)
    for window_key, in_window in by_window.items():
        if len(in_window) < 2:
            continue
        for code_a, code_b in combinations(in_window, 2):
            a, b = code_map[code_a], code_map[code_b]
            if _pairable(a, b):
                found[_oriented(a, b)].add(window_key, in_window[code_a] + in_window[code_b])


def _overlap_windows(
    codings: list[CodingFact],
    code_map: Mapping[int, CodeFact],
    found: dict[tuple[int, int], _EdgeEvidence],
) -> None:
    """The window of two overlapping codings is their shared segment, else the overlap."""
    for source_id, source_codings in by_source(codings).items():
        for x, y in overlapping_pairs(source_codings):
            a, b = code_map[x.code_id], code_map[y.code_id]
            if not _pairable(a, b):
                continue
            window_key: UnitKey
            if x.segment_id is not None and x.segment_id == y.segment_id:
                window_key = x.segment_id
            else:
                window_key = (source_id, max(x.start, y.start), min(x.end, y.end))
            found[_oriented(a, b)].add(window_key, (x, y))


def _part_of_edges(
    kept_codes: set[int], code_map: Mapping[int, CodeFact], by_code: Mapping[int, list[CodingFact]]
) -> list[Edge]:
    edges = []
    for code_id in kept_codes:
        code = code_map[code_id]
        if code.kind != SUB_GOAL or code.goal_id not in kept_codes:
            continue
        found = by_code.get(code_id, [])
        edges.append(
            Edge(
                source=code_node_id(code_id),
                target=code_node_id(code.goal_id),
                relation=PART_OF,
                segments=distinct_units(found),
                participants=distinct_participants(found),
                evidence=tuple(sorted(c.id for c in found)),
            )
        )
    return edges


def _participant_codings(codings: list[CodingFact], code_map: Mapping[int, CodeFact]) -> dict[int, list[CodingFact]]:
    """Each participant who mentions an actor, with all their codings in the network."""
    mentioning = {
        c.participant_id for c in codings if c.participant_id is not None and code_map[c.code_id].kind == ACTOR
    }
    found: dict[int, list[CodingFact]] = defaultdict(list)
    for coding in codings:
        if coding.participant_id in mentioning:
            found[coding.participant_id].append(coding)
    return found


def _mention_edges(participants: Mapping[int, list[CodingFact]], code_map: Mapping[int, CodeFact]) -> list[Edge]:
    edges = []
    for participant_id, found in participants.items():
        per_actor: dict[int, list[CodingFact]] = defaultdict(list)
        for coding in found:
            if code_map[coding.code_id].kind == ACTOR:
                per_actor[coding.code_id].append(coding)
        for actor_id, mentions in per_actor.items():
            edges.append(
                Edge(
                    source=participant_node_id(participant_id),
                    target=code_node_id(actor_id),
                    relation=MENTIONS,
                    segments=distinct_units(mentions),
                    participants=1,
                    evidence=tuple(sorted(c.id for c in mentions)),
                )
            )
    return edges


def _code_node(code: CodeFact, found: list[CodingFact]) -> Node:
    return Node(
        id=code_node_id(code.id),
        kind=code.kind,
        label=code.name,
        segments=distinct_units(found),
        participants=distinct_participants(found),
        evidence=tuple(sorted(c.id for c in found)),
        code_id=code.id,
        ownership=actor_ownership(code),
        is_company=is_company(code),
        touchpoint_type=code.touchpoint_type,
        phase_position=code.phase_position,
        goal_id=code.goal_id,
    )


def _participant_node(participant_id: int, found: list[CodingFact]) -> Node:
    personas = Counter(c.persona for c in found if c.persona is not None)
    persona = min(personas, key=lambda p: (-personas[p], p)) if personas else None
    return Node(
        id=participant_node_id(participant_id),
        kind=PARTICIPANT,
        label=f"Participant {participant_id}",
        segments=distinct_units(found),
        participants=1,
        evidence=tuple(sorted(c.id for c in found)),
        participant_id=participant_id,
        persona=persona,
    )


def _metrics(nodes: list[Node], edges: list[Edge], seed: int) -> tuple[dict[str, NodeMetrics], bool]:
    """Degree, weighted degree, betweenness, PageRank and Louvain community per node id.

    Betweenness counts shortest paths by hops (a heavy edge is a strong tie, not a long
    road) and is normalised as networkx does; communities are numbered from the largest,
    ties by the smallest node id, so the numbers are stable for the same input.
    """
    if not nodes:
        return {}, False
    ids = [n.id for n in nodes]
    index = {node_id: i for i, node_id in enumerate(ids)}
    weighted_edges = [(index[e.source], index[e.target], float(e.segments)) for e in edges]
    matrix = graph_metrics.adjacency(len(ids), weighted_edges)
    sampled = len(ids) > EXACT_BETWEENNESS_LIMIT
    betweenness = graph_metrics.betweenness(matrix, BETWEENNESS_SAMPLES if sampled else None, seed)
    pagerank = graph_metrics.pagerank(matrix)
    degree = np.diff(matrix.indptr)
    weighted = np.asarray(matrix.sum(axis=1)).ravel()

    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(ids)
    graph.add_weighted_edges_from((e.source, e.target, e.segments) for e in edges)
    communities = sorted(
        nx.community.louvain_communities(graph, weight="weight", seed=seed),
        key=lambda members: (-len(members), min(members)),
    )
    community_of = {node: number for number, members in enumerate(communities) for node in members}
    return (
        {
            node_id: NodeMetrics(
                degree=int(degree[i]),
                weighted_degree=int(weighted[i]),
                betweenness=float(betweenness[i]),
                pagerank=float(pagerank[i]),
                community=community_of[node_id],
            )
            for i, node_id in enumerate(ids)
        },
        sampled,
    )


def _node_dict(node: Node) -> dict[str, Any]:
    m = node.metrics
    return {
        "id": node.id,
        "kind": node.kind,
        "label": node.label,
        "code_id": node.code_id,
        "participant_id": node.participant_id,
        "ownership": node.ownership,
        "is_company": node.is_company,
        "persona": node.persona,
        "touchpoint_type": node.touchpoint_type,
        "phase_position": node.phase_position,
        "goal_id": node.goal_id,
        "segments": node.segments,
        "participants": node.participants,
        "evidence": list(node.evidence),
        "metrics": {
            "degree": m.degree,
            "weighted_degree": m.weighted_degree,
            "betweenness": m.betweenness,
            "pagerank": m.pagerank,
            "community": m.community,
        },
    }


# --- Figures read from the codings and the network -----------------------------------

MENTION_KINDS = frozenset({ACTOR, TOUCHPOINT})


@dataclass(frozen=True, slots=True)
class BeyondShare:
    """How much of the customer path lies beyond the company, for one group.

    ``group`` is the phase code id (by phase), the persona (by persona), or None for the
    overall figure and for mentions with no phase or no persona.
    """

    group: int | str | None
    label: str
    mentions: int
    beyond_mentions: int
    mention_share: float | None
    actors: int
    beyond_actors: int
    actor_share: float | None
    evidence: tuple[int, ...]  # the mentions beyond the company


def beyond_share(
    codes: Iterable[CodeFact],
    codings: Iterable[CodingFact],
    *,
    by: Literal["phase", "persona"] | None = None,
) -> list[BeyondShare]:
    """Share of actor/touchpoint mentions (codings) and of distinct actors not the company's.

    By phase, a mention counts in every phase it falls in (see ``coding.spans.phases_of``)
    and every phase of the codebook gets a row, in phase order; by persona, personas come
    in alphabetical order. Mentions without a phase or persona come last, group None.
    """
    code_map = {code.id: code for code in codes}
    all_codings = [c for c in codings if c.code_id in code_map]
    mentions = [c for c in all_codings if code_map[c.code_id].kind in MENTION_KINDS]
    if by is None:
        return [_share(None, "(all)", mentions, code_map)]
    groups: dict[int | str | None, list[CodingFact]] = defaultdict(list)
    labels: dict[int | str | None, str] = {}
    if by == "phase":
        phase_codes = sorted(
            (c for c in code_map.values() if c.kind == PHASE),
            key=lambda c: (c.phase_position is None, c.phase_position or 0, c.id),
        )
        for phase in phase_codes:
            groups[phase.id] = []
            labels[phase.id] = phase.name
        found = phases_of(mentions, (c for c in all_codings if code_map[c.code_id].kind == PHASE))
        for mention in mentions:
            for phase_id in found.get(mention.id, (None,)):
                groups[phase_id].append(mention)
        labels[None] = "(no phase)"
    elif by == "persona":
        for mention in mentions:
            groups[mention.persona].append(mention)
        labels.update({persona: str(persona) for persona in groups if persona is not None})
        labels[None] = "(no persona)"
        groups = {key: groups[key] for key in sorted(groups, key=lambda p: (p is None, str(p)))}
    else:
        raise ValueError(f"Unknown grouping {by!r}: use None, 'phase' or 'persona'.")
    return [_share(key, labels[key], found_mentions, code_map) for key, found_mentions in groups.items()]


def _share(
    group: int | str | None, label: str, mentions: list[CodingFact], code_map: Mapping[int, CodeFact]
) -> BeyondShare:
    beyond = [c for c in mentions if not is_company(code_map[c.code_id])]
    actors = {c.code_id for c in mentions if code_map[c.code_id].kind == ACTOR}
    beyond_actors = {a for a in actors if not is_company(code_map[a])}
    return BeyondShare(
        group=group,
        label=label,
        mentions=len(mentions),
        beyond_mentions=len(beyond),
        mention_share=len(beyond) / len(mentions) if mentions else None,
        actors=len(actors),
        beyond_actors=len(beyond_actors),
        actor_share=len(beyond_actors) / len(actors) if actors else None,
        evidence=tuple(sorted(c.id for c in beyond)),
    )


@dataclass(frozen=True, slots=True)
class CandidatePartner:
    node_id: str
    label: str
    ownership: str | None
    goal_weight: int
    pagerank: float
    score: float
    goals: tuple[str, ...]
    evidence: tuple[int, ...]


def candidate_partners(network: Network, top: int = 10) -> list[CandidatePartner]:
    """Actors not owned by the company that sit closest to the customers' goals.

    score = goal_weight x PageRank, where goal_weight is the summed weight (segments) of
    the actor's edges to goal and sub-goal nodes: an actor must both appear with the
    customers' goals and be central in the network as a whole. Actors with no edge to a
    goal are left out. Evidence is the codings of those goal edges.
    """
    goal_edges: dict[str, list[Edge]] = defaultdict(list)
    for edge in network.edges:
        ends = (network.nodes[edge.source], network.nodes[edge.target])
        for actor, other in (ends, ends[::-1]):
            if actor.kind == ACTOR and not actor.is_company and other.kind in (GOAL, SUB_GOAL):
                goal_edges[actor.id].append(edge)
    partners = []
    for node_id, edges in goal_edges.items():
        node = network.nodes[node_id]
        weight = sum(e.segments for e in edges)
        partners.append(
            CandidatePartner(
                node_id=node_id,
                label=node.label,
                ownership=node.ownership,
                goal_weight=weight,
                pagerank=node.metrics.pagerank,
                score=weight * node.metrics.pagerank,
                goals=tuple(sorted(e.target if e.source == node_id else e.source for e in edges)),
                evidence=tuple(sorted({i for e in edges for i in e.evidence})),
            )
        )
    partners.sort(key=lambda p: (-p.score, -p.goal_weight, p.label, p.node_id))
    return partners[:top]


@dataclass(frozen=True, slots=True)
class ActiveChannel:
    node_id: str
    label: str
    kind: str
    ownership: str | None
    touchpoint_type: str | None
    participants: int
    segments: int
    evidence: tuple[int, ...]


def active_channels(network: Network, top: int = 10) -> list[ActiveChannel]:
    """Channels and touchpoints where customers are active: most participants first,
    then most segments."""
    found = [
        ActiveChannel(
            node_id=n.id,
            label=n.label,
            kind=n.kind,
            ownership=n.ownership,
            touchpoint_type=n.touchpoint_type,
            participants=n.participants,
            segments=n.segments,
            evidence=n.evidence,
        )
        for n in network.nodes.values()
        if n.kind in (CHANNEL, TOUCHPOINT) and n.segments > 0
    ]
    found.sort(key=lambda c: (-c.participants, -c.segments, c.label, c.node_id))
    return found[:top]


@dataclass(frozen=True, slots=True)
class StuckPhase:
    code_id: int
    label: str
    position: int | None
    pain_points: int  # pain-point codings in the phase
    participants: int
    pain_codes: tuple[tuple[int, int], ...]  # (pain-point code id, codings), most first
    evidence: tuple[int, ...]


def stuck_phases(codes: Iterable[CodeFact], codings: Iterable[CodingFact], top: int | None = None) -> list[StuckPhase]:
    """Phases ranked by the pain-point codings that fall in them (where customers get
    stuck); phases without pain points are left out."""
    code_map = {code.id: code for code in codes}
    known = [c for c in codings if c.code_id in code_map]
    pains = [c for c in known if code_map[c.code_id].kind == PAIN_POINT]
    found = phases_of(pains, (c for c in known if code_map[c.code_id].kind == PHASE))
    per_phase: dict[int, list[CodingFact]] = defaultdict(list)
    for pain in pains:
        for phase_id in found.get(pain.id, ()):
            per_phase[phase_id].append(pain)
    phases = []
    for phase_id, in_phase in per_phase.items():
        phase = code_map[phase_id]
        counts = Counter(c.code_id for c in in_phase)
        phases.append(
            StuckPhase(
                code_id=phase_id,
                label=phase.name,
                position=phase.phase_position,
                pain_points=len(in_phase),
                participants=distinct_participants(in_phase),
                pain_codes=tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0]))),
                evidence=tuple(sorted(c.id for c in in_phase)),
            )
        )
    phases.sort(key=lambda p: (-p.pain_points, -p.participants, p.position or 0, p.code_id))
    return phases if top is None else phases[:top]
