"""Span sweeps and the sparse graph metrics, checked against brute force and networkx."""

import random
from itertools import combinations, permutations

import networkx as nx
import pytest

from coding.facts import CodingFact
from coding.graph_metrics import adjacency, betweenness, pagerank
from coding.spans import overlap_counts, overlapping_pairs, phases_of


def span(coding_id: int, start: int, end: int, segment: int | None = None, code: int = 1) -> CodingFact:
    return CodingFact(coding_id, code, 1, start, end, segment, None, None, 1, "interview")


def random_spans(seed: int, count: int = 40) -> list[CodingFact]:
    rng = random.Random(seed)
    spans = []
    for i in range(count):
        start = rng.randrange(0, 100)
        spans.append(span(i, start, start + rng.randrange(0, 15)))
    return spans


def brute_overlaps(spans: list[CodingFact]) -> set[frozenset[int]]:
    return {
        frozenset((a.id, b.id))
        for a, b in combinations(spans, 2)
        if a.start < b.end and b.start < a.end and a.end > a.start and b.end > b.start
    }


@pytest.mark.parametrize("seed", range(5))
def test_the_overlap_sweep_finds_exactly_the_overlapping_pairs(seed: int) -> None:
    spans = random_spans(seed)
    found = {frozenset((a.id, b.id)) for a, b in overlapping_pairs(spans)}
    assert found == brute_overlaps(spans)


def test_the_overlap_sweep_does_not_depend_on_input_order() -> None:
    spans = [span(1, 0, 5), span(2, 5, 9), span(3, 4, 6), span(4, 4, 4)]
    expected = {frozenset((1, 3)), frozenset((2, 3))}
    for order in permutations(spans):
        assert {frozenset((a.id, b.id)) for a, b in overlapping_pairs(list(order))} == expected


@pytest.mark.parametrize("seed", range(5))
def test_overlap_counts_agree_with_brute_force(seed: int) -> None:
    spans = random_spans(seed)
    pairs = brute_overlaps(spans)
    expected = {s.id: sum(1 for p in pairs if s.id in p) for s in spans}
    assert overlap_counts(spans) == expected


def test_a_coding_takes_the_phases_of_its_segment_and_of_overlapping_phase_codings() -> None:
    phases = [span(10, 0, 5, segment=1, code=100), span(11, 20, 30, segment=None, code=200)]
    codings = [span(1, 8, 9, segment=1), span(2, 25, 40), span(3, 50, 60, segment=1), span(4, 70, 80)]
    assert phases_of(codings, phases) == {
        1: frozenset({100}),
        2: frozenset({200}),
        3: frozenset({100}),
    }


@pytest.mark.parametrize("seed", range(3))
def test_sparse_betweenness_and_pagerank_equal_networkx_on_random_weighted_graphs(seed: int) -> None:
    graph = nx.gnm_random_graph(40, 90, seed=seed)
    graph.add_node(40)  # an isolated node
    weights = [(u, v, float(1 + (u + v) % 3)) for u, v in graph.edges]
    nx.set_edge_attributes(graph, {(u, v): w for u, v, w in weights}, "weight")
    matrix = adjacency(41, weights)
    expected_b = nx.betweenness_centrality(graph)
    expected_p = nx.pagerank(graph, weight="weight")
    assert list(betweenness(matrix, None, 0)) == pytest.approx([expected_b[i] for i in range(41)])
    assert list(pagerank(matrix)) == pytest.approx([expected_p[i] for i in range(41)], abs=1e-6)


def test_sampled_betweenness_is_repeatable_and_scaled_to_the_whole_graph() -> None:
    graph = nx.path_graph(30)
    matrix = adjacency(30, [(u, v, 1.0) for u, v in graph.edges])
    first = betweenness(matrix, 10, seed=3)
    assert list(first) == list(betweenness(matrix, 10, seed=3))
    exact = betweenness(matrix, None, 0)
    assert first.sum() == pytest.approx(exact.sum(), rel=0.5)
