"""A seeded, deterministic layout of the network, so the picture is the same on every
visit (the browser then keeps the positions a researcher drags nodes to)."""

from __future__ import annotations

import math

import networkx as nx

from coding.network import Network

LAYOUT_NODE_LIMIT = 1500  # above this the browser lays out by itself


def positions(network: Network, *, seed: int = 0, size: float | None = None) -> dict[str, tuple[float, float]]:
    """Force-directed positions (networkx's spring layout with a fixed seed), scaled to
    ``size`` pixels (by default growing with the square root of the node count)."""
    if not network.nodes or len(network.nodes) > LAYOUT_NODE_LIMIT:
        return {}
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(sorted(network.nodes))
    for edge in network.edges:
        graph.add_edge(edge.source, edge.target, weight=math.log1p(edge.segments))
    n = graph.number_of_nodes()
    iterations = 80 if n <= 400 else 30
    extent = size if size is not None else max(500.0, 110.0 * math.sqrt(n))
    placed = nx.spring_layout(graph, k=2.0 / math.sqrt(n), iterations=iterations, seed=seed, weight="weight",
                              scale=extent / 2)
    return {node: (round(float(x), 1), round(float(y), 1)) for node, (x, y) in placed.items()}
