"""The seeded network layout: networkx's force-directed layout, computed without its
quadratic arrays for large networks."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from coding.network import CO_OCCURS, Edge, Network, Node
from coding.network_layout import LARGE_LAYOUT, positions, spread


def _weighted_graph() -> nx.Graph:
    found = nx.les_miserables_graph()
    graph: nx.Graph = nx.Graph()
    graph.add_nodes_from(sorted(found))
    graph.add_weighted_edges_from((a, b, math.log1p(d["weight"])) for a, b, d in found.edges(data=True))
    return graph


@pytest.mark.parametrize("iterations", [1, 5, 10])
def test_spreading_moves_the_nodes_as_networkx_force_layout_does(iterations):
    """Same start, forces, cooling and stopping rule; over many iterations the two drift
    apart only by rounding (the layout is chaotic), so a few steps are compared."""
    graph = _weighted_graph()
    k = 2.0 / math.sqrt(len(graph))
    expected = nx.spring_layout(graph, k=k, iterations=iterations, seed=3, weight="weight", method="force",
                                scale=None)
    matrix = nx.to_scipy_sparse_array(graph, weight="weight", dtype=np.float64, format="coo")
    found = spread(matrix, k=k, iterations=iterations, seed=3)
    assert np.abs(found - np.array([expected[v] for v in graph])).max() < 1e-9


def _large_network(size: int) -> Network:
    nodes = {f"c:{i}": Node(id=f"c:{i}", kind="actor", label=f"Actor {i}", segments=1, participants=1,
                            evidence=(i,), code_id=i) for i in range(size)}
    edges = tuple(Edge(source=f"c:{i}", target=f"c:{(i * 7 + 1) % size}", relation=CO_OCCURS, segments=1 + i % 4,
                       participants=1, evidence=(i,)) for i in range(size))
    return Network(nodes=nodes, edges=edges, window="segment", layers=frozenset({"actor"}), min_weight=1,
                   betweenness_sampled=True)


def test_a_large_network_gets_the_same_spread_out_positions_on_every_call():
    network = _large_network(LARGE_LAYOUT + 20)
    first = positions(network)
    assert first == positions(network)
    assert set(first) == set(network.nodes)
    extent = max(500.0, 110.0 * math.sqrt(len(network.nodes))) / 2
    xs, ys = [x for x, _ in first.values()], [y for _, y in first.values()]
    assert max(map(abs, xs + ys)) == pytest.approx(extent, abs=0.1)  # scaled to the drawing
    assert len(set(first.values())) == len(first)  # no two nodes on one spot
