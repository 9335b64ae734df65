"""A seeded, deterministic layout of the network, so the picture is the same on every
visit (the browser then keeps the positions a researcher drags nodes to)."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import numpy.typing as npt
from scipy import sparse  # type: ignore[import-untyped]

from coding.network import Network

LAYOUT_NODE_LIMIT = 1500  # above this the browser lays out by itself
LARGE_LAYOUT = 500  # from here on networkx's spring layout takes seconds; see spread()
MIN_DISTANCE = 0.01  # as networkx: closer nodes push as if this far apart

FloatArray = npt.NDArray[np.float64]


def positions(network: Network, *, seed: int = 0, size: float | None = None) -> dict[str, tuple[float, float]]:
    """Force-directed positions (Fruchterman-Reingold with a fixed seed), scaled to
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
    k = 2.0 / math.sqrt(n)
    if n < LARGE_LAYOUT:
        placed = nx.spring_layout(graph, k=k, iterations=iterations, seed=seed, weight="weight", scale=extent / 2)
        return {node: (round(float(x), 1), round(float(y), 1)) for node, (x, y) in placed.items()}
    matrix = nx.to_scipy_sparse_array(graph, weight="weight", dtype=np.float64, format="coo")
    found = nx.rescale_layout(spread(matrix, k=k, iterations=iterations, seed=seed), scale=extent / 2)
    return {node: (round(float(x), 1), round(float(y), 1)) for node, (x, y) in zip(graph, found, strict=True)}


def spread(matrix: sparse.coo_array, *, k: float, iterations: int, seed: int, threshold: float = 1e-4) -> FloatArray:
    """Fruchterman-Reingold positions for the weighted adjacency ``matrix``: the same
    iteration, start (``RandomState(seed)``), cooling and stopping rule as networkx's
    force method, so small graphs land where ``nx.spring_layout(method="force")`` puts
    them. Networkx builds an n x n x 2 array of differences every step (or loops over
    the nodes in Python above 500 nodes); here the all-pairs repulsion is two matrix
    products and the attraction is summed over the edges only.
    """
    n = matrix.shape[0]
    pos: FloatArray = np.random.RandomState(seed).rand(n, 2)
    rows, cols, weights = matrix.row, matrix.col, matrix.data
    t = max(float(np.ptp(pos[:, 0])), float(np.ptp(pos[:, 1]))) * 0.1
    dt = t / (iterations + 1)
    for _ in range(iterations):
        # Repulsion k^2 * sum_j (x_i - x_j) / d_ij^2, with d_ij^2 = |x_i|^2 + |x_j|^2 - 2 x_i.x_j.
        squares = (pos * pos).sum(axis=1)
        inverse = squares[:, None] + squares[None, :] - 2.0 * (pos @ pos.T)
        np.maximum(inverse, MIN_DISTANCE**2, out=inverse)
        np.reciprocal(inverse, out=inverse)
        np.fill_diagonal(inverse, 0.0)
        displacement = k * k * (pos * inverse.sum(axis=1)[:, None] - inverse @ pos)
        # Attraction -A_ij * d_ij / k * (x_i - x_j) along the edges.
        delta = pos[rows] - pos[cols]
        distance = np.maximum(np.hypot(delta[:, 0], delta[:, 1]), MIN_DISTANCE)
        pull = (weights * distance / k)[:, None] * delta
        for axis in range(2):
            displacement[:, axis] -= np.bincount(rows, weights=pull[:, axis], minlength=n)
        length = np.maximum(np.hypot(displacement[:, 0], displacement[:, 1]), MIN_DISTANCE)
        step = displacement * (t / length)[:, None]
        pos += step
        t -= dt
        if np.linalg.norm(step) / n < threshold:
            break
    return pos
