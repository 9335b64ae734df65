"""Timing of the actor network and the journey map on a large synthetic project.

Targets (issue 6): network with metrics for 100k codings and ~2,000 actors <= 2 s, its
sampled betweenness <= 1 s, journey map <= 1 s. Run: ``python -m bench.bench_network``.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from itertools import accumulate
from typing import TypeVar

from sqlalchemy.orm import Session

from coding.facts import (
    ACTOR,
    CHANNEL,
    EMOTION,
    GOAL,
    NEED,
    PAIN_POINT,
    PHASE,
    SUB_GOAL,
    TOUCHPOINT,
    CodeFact,
    CodingFact,
)
from coding.graph_metrics import adjacency, betweenness
from coding.journey import build_journey
from coding.network import BETWEENNESS_SAMPLES, beyond_share, build_network

T = TypeVar("T")

CODINGS_PER_SEGMENT = 4  # one phase coding and three others
CODINGS_PER_SOURCE = 500
PERSONAS = ("first-time buyer", "family", "investor", "senior", "student")
OWNERSHIPS = ("partner", "third_party", "customer_sphere", None)


def synthetic_project(
    n_codings: int, n_actors: int, seed: int
) -> tuple[list[CodeFact], list[CodingFact], list[tuple[int, str]]]:
    """Codes of every kind, and codings laid out as segments of interview sources.

    Each segment holds one phase coding (phases advance through a source) and three
    other codings; actors are drawn with Zipf-like frequencies, as real projects have a
    few actors everyone meets and a long tail.
    """
    rng = random.Random(seed)
    codes: list[CodeFact] = []

    def add(kind: str, count: int, **fields: object) -> list[CodeFact]:
        made = [
            CodeFact(id=len(codes) + i + 1, name=f"{kind} {i}", kind=kind, **fields)  # type: ignore[arg-type]
            for i in range(count)
        ]
        codes.extend(made)
        return made

    phases = [CodeFact(id=i + 1, name=f"phase {i}", kind=PHASE, phase_position=i) for i in range(5)]
    codes.extend(phases)
    goals = add(GOAL, 50)
    sub_goals = [
        CodeFact(id=len(codes) + i + 1, name=f"sub-goal {i}", kind=SUB_GOAL, goal_id=rng.choice(goals).id)
        for i in range(150)
    ]
    codes.extend(sub_goals)
    actors = [
        CodeFact(
            id=len(codes) + i + 1,
            name=f"actor {i}",
            kind=ACTOR,
            ownership="company" if i % 10 == 0 else rng.choice(OWNERSHIPS),
        )
        for i in range(n_actors)
    ]
    codes.extend(actors)
    touchpoints = add(TOUCHPOINT, 100, touchpoint_type="owned") + add(CHANNEL, 20)
    pains = add(PAIN_POINT, 40)
    needs = add(NEED, 30)
    emotions = [
        CodeFact(id=len(codes) + i + 1, name=f"emotion {i}", kind=EMOTION, valence=i % 5 - 2) for i in range(10)
    ]
    codes.extend(emotions)

    actor_weights = list(accumulate(1.0 / (rank + 1) for rank in range(len(actors))))
    pools: list[tuple[list[CodeFact], float]] = [
        (actors, 0.40),
        (goals + sub_goals, 0.15),
        (touchpoints, 0.15),
        (pains, 0.10),
        (needs, 0.10),
        (emotions, 0.10),
    ]
    codings: list[CodingFact] = []
    n_segments = n_codings // CODINGS_PER_SEGMENT
    segments_per_source = CODINGS_PER_SOURCE // CODINGS_PER_SEGMENT
    for segment in range(n_segments):
        source = segment // segments_per_source
        position = segment % segments_per_source
        spans = [(phases[position * len(phases) // segments_per_source], 0, 200)]
        for _ in range(CODINGS_PER_SEGMENT - 1):
            pool = rng.choices(pools, weights=[w for _, w in pools])[0][0]
            if pool is actors:
                code = rng.choices(actors, cum_weights=actor_weights)[0]
            else:
                code = rng.choice(pool)
            start = rng.randrange(0, 180)
            spans.append((code, start, start + rng.randrange(5, 200 - start + 1)))
        base = position * 200
        codings.extend(
            CodingFact(
                id=len(codings) + i + 1,
                code_id=code.id,
                source_id=source,
                start=base + start,
                end=base + end,
                segment_id=segment,
                participant_id=source,
                persona=PERSONAS[source % len(PERSONAS)],
                coder_id=1,
                source_kind="interview",
                text="x" * (end - start),
            )
            for i, (code, start, end) in enumerate(spans)
        )
    return codes, codings, [(p.id, p.name) for p in phases]


def _timed(label: str, results: list[tuple[str, float]], call: Callable[[], T]) -> T:
    began = time.perf_counter()
    value = call()
    results.append((label, time.perf_counter() - began))
    return value


def run(n_codings: int = 100_000, n_actors: int = 2000, seed: int = 1) -> list[tuple[str, float]]:
    results: list[tuple[str, float]] = []
    codes, codings, phases = _timed("generate facts", results, lambda: synthetic_project(n_codings, n_actors, seed))
    network = _timed("build_network segment + metrics", results, lambda: build_network(codes, codings))
    index = {node_id: i for i, node_id in enumerate(network.nodes)}
    matrix = adjacency(len(index), [(index[e.source], index[e.target], 1.0) for e in network.edges])
    _timed(
        f"  of which betweenness ({BETWEENNESS_SAMPLES} sources)",
        results,
        lambda: betweenness(matrix, BETWEENNESS_SAMPLES, seed=0),
    )
    _timed(
        "build_network overlap + metrics",
        results,
        lambda: build_network(codes, codings, window="overlap"),
    )
    _timed("beyond_share by phase", results, lambda: beyond_share(codes, codings, by="phase"))
    _timed("build_journey", results, lambda: build_journey(codes, codings, phases))
    return results


def main() -> None:
    results = run()
    width = max(len(label) for label, _ in results)
    print(f"{'step':<{width}}  seconds")
    for label, seconds in results:
        print(f"{label:<{width}}  {seconds:7.3f}")


if __name__ == "__main__":
    main()


def run_database(session: Session, project_id: int) -> list[tuple[str, float]]:
    """The same services the pages call, reading a project from the database: the
    evidence load (queries and facts, without the quoted texts, as the network reads
    it), the network with its figures, the journey map, and all the network page
    computes (the network, its layout and its JSON)."""
    from coding.evidence import journey_for, load_evidence, network_for
    from coding.network_layout import positions
    from research.projects import Project

    results: list[tuple[str, float]] = []
    project = session.get(Project, project_id)
    assert project is not None
    evidence = _timed("database: load evidence", results, lambda: load_evidence(session, project, texts=False))
    _timed(f"database: network_for ({len(evidence.codings):,} codings)", results,
           lambda: network_for(session, project_id))
    _timed("database: journey_for", results, lambda: journey_for(session, project_id))

    def network_page() -> str:
        report = network_for(session, project_id)
        data = report.to_dict()
        data["positions"] = positions(report.network)
        return json.dumps(data)

    _timed("database: network page data (network, layout, JSON)", results, network_page)
    return results
