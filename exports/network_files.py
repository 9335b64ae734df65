"""The actor network in outside formats: GraphML and GEXF (Gephi, yEd, Cytoscape
desktop) and Kumu's JSON and CSV lists.

Plain functions writing to a file-like object, as every exporter here. Node ids are the
network's own (``c:12`` for a code, ``p:3`` for a participant), so the same project
exports the same ids every time; each node carries its kind, ownership, weights and
metrics, each edge its relation, weights and the ids of the codings behind it.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import IO, Any

from coding.network import Edge, Network, Node

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GEXF_NS = "http://gexf.net/1.3"
GEXF_VIZ_NS = "http://gexf.net/1.3/viz"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# (key, GraphML type, value of a node)
_NODE_ATTRIBUTES: tuple[tuple[str, str, Callable[[Node], Any]], ...] = (
    ("label", "string", lambda n: n.label),
    ("kind", "string", lambda n: n.kind),
    ("ownership", "string", lambda n: n.ownership or ""),
    ("is_company", "boolean", lambda n: n.is_company),
    ("persona", "string", lambda n: n.persona or ""),
    ("touchpoint_type", "string", lambda n: n.touchpoint_type or ""),
    ("phase_position", "int", lambda n: -1 if n.phase_position is None else n.phase_position),
    ("segments", "int", lambda n: n.segments),
    ("participants", "int", lambda n: n.participants),
    ("degree", "int", lambda n: n.metrics.degree),
    ("weighted_degree", "int", lambda n: n.metrics.weighted_degree),
    ("betweenness", "double", lambda n: n.metrics.betweenness),
    ("pagerank", "double", lambda n: n.metrics.pagerank),
    ("community", "int", lambda n: n.metrics.community),
    ("evidence", "string", lambda n: " ".join(str(i) for i in n.evidence)),
)
_EDGE_ATTRIBUTES: tuple[tuple[str, str, Callable[[Edge], Any]], ...] = (
    ("relation", "string", lambda e: e.relation),
    ("weight", "double", lambda e: float(e.segments)),
    ("segments", "int", lambda e: e.segments),
    ("participants", "int", lambda e: e.participants),
    ("evidence", "string", lambda e: " ".join(str(i) for i in e.evidence)),
)
_GEXF_TYPES = {"string": "string", "boolean": "boolean", "int": "integer", "double": "double"}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _edge_id(edge: Edge) -> str:
    return f"{edge.source}|{edge.target}|{edge.relation}"


def write_graphml(network: Network, out: IO[bytes]) -> None:
    """GraphML 1.0 with typed keys; the edge key ``weight`` is the number of segments."""
    ET.register_namespace("", GRAPHML_NS)
    root = ET.Element(f"{{{GRAPHML_NS}}}graphml")
    for key, kind, _ in _NODE_ATTRIBUTES:
        ET.SubElement(root, f"{{{GRAPHML_NS}}}key", {"id": f"n_{key}", "for": "node", "attr.name": key,
                                                    "attr.type": kind})
    for key, kind, _ in _EDGE_ATTRIBUTES:
        ET.SubElement(root, f"{{{GRAPHML_NS}}}key", {"id": f"e_{key}", "for": "edge", "attr.name": key,
                                                    "attr.type": kind})
    graph = ET.SubElement(root, f"{{{GRAPHML_NS}}}graph", {"id": "network", "edgedefault": "undirected"})
    for node in network.nodes.values():
        element = ET.SubElement(graph, f"{{{GRAPHML_NS}}}node", {"id": node.id})
        for key, _, value in _NODE_ATTRIBUTES:
            ET.SubElement(element, f"{{{GRAPHML_NS}}}data", {"key": f"n_{key}"}).text = _text(value(node))
    for edge in network.edges:
        element = ET.SubElement(graph, f"{{{GRAPHML_NS}}}edge",
                                {"id": _edge_id(edge), "source": edge.source, "target": edge.target})
        for key, _, value in _EDGE_ATTRIBUTES:
            ET.SubElement(element, f"{{{GRAPHML_NS}}}data", {"key": f"e_{key}"}).text = _text(value(edge))
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)


def write_gexf(network: Network, out: IO[bytes], *, description: str = "Kundstig actor network") -> None:
    """GEXF 1.3 (Gephi): static undirected graph, node and edge attributes, edge weights,
    and node sizes (viz:size) from the number of segments."""
    ET.register_namespace("", GEXF_NS)
    ET.register_namespace("viz", GEXF_VIZ_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(f"{{{GEXF_NS}}}gexf", {
        "version": "1.3",
        f"{{{XSI_NS}}}schemaLocation": "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd",
    })
    meta = ET.SubElement(root, f"{{{GEXF_NS}}}meta")
    ET.SubElement(meta, f"{{{GEXF_NS}}}creator").text = "Kundstig"
    ET.SubElement(meta, f"{{{GEXF_NS}}}description").text = description
    graph = ET.SubElement(root, f"{{{GEXF_NS}}}graph", {"mode": "static", "defaultedgetype": "undirected"})
    node_attrs = [a for a in _NODE_ATTRIBUTES if a[0] != "label"]
    edge_attrs = [a for a in _EDGE_ATTRIBUTES if a[0] != "weight"]
    for cls, attributes in (("node", node_attrs), ("edge", edge_attrs)):
        element = ET.SubElement(graph, f"{{{GEXF_NS}}}attributes", {"class": cls, "mode": "static"})
        for key, kind, _ in attributes:
            ET.SubElement(element, f"{{{GEXF_NS}}}attribute", {"id": key, "title": key, "type": _GEXF_TYPES[kind]})
    nodes = ET.SubElement(graph, f"{{{GEXF_NS}}}nodes")
    for node in network.nodes.values():
        element = ET.SubElement(nodes, f"{{{GEXF_NS}}}node", {"id": node.id, "label": node.label})
        values = ET.SubElement(element, f"{{{GEXF_NS}}}attvalues")
        for key, _, value in node_attrs:
            ET.SubElement(values, f"{{{GEXF_NS}}}attvalue", {"for": key, "value": _text(value(node))})
        ET.SubElement(element, f"{{{GEXF_VIZ_NS}}}size", {"value": _text(float(4 + 2 * node.segments))})
    edges = ET.SubElement(graph, f"{{{GEXF_NS}}}edges")
    for edge in network.edges:
        element = ET.SubElement(edges, f"{{{GEXF_NS}}}edge", {
            "id": _edge_id(edge), "source": edge.source, "target": edge.target,
            "weight": _text(float(edge.segments)), "label": edge.relation,
        })
        values = ET.SubElement(element, f"{{{GEXF_NS}}}attvalues")
        for key, _, value in edge_attrs:
            ET.SubElement(values, f"{{{GEXF_NS}}}attvalue", {"for": key, "value": _text(value(edge))})
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)


# --- Kumu ---------------------------------------------------------------------------

_KUMU_TYPES = {"actor": "Actor", "goal": "Goal", "sub_goal": "Sub-goal", "touchpoint": "Touchpoint",
               "channel": "Channel", "phase": "Phase", "participant": "Customer"}


def _kumu_element(node: Node) -> dict[str, Any]:
    tags = [node.kind] + (["company"] if node.is_company else []) + ([node.ownership] if node.ownership else [])
    return {
        "label": node.label, "type": _KUMU_TYPES.get(node.kind, node.kind), "id": node.id,
        "tags": sorted(set(tags)), "ownership": node.ownership or "", "company": node.is_company,
        "persona": node.persona or "", "segments": node.segments, "participants": node.participants,
        "degree": node.metrics.degree, "weighted degree": node.metrics.weighted_degree,
        "betweenness": node.metrics.betweenness, "pagerank": node.metrics.pagerank,
        "community": node.metrics.community,
    }


def _kumu_connection(network: Network, edge: Edge) -> dict[str, Any]:
    return {
        "from": network.nodes[edge.source].label, "to": network.nodes[edge.target].label,
        "from id": edge.source, "to id": edge.target, "type": edge.relation, "direction": "undirected",
        "strength": edge.segments, "segments": edge.segments, "participants": edge.participants,
        "evidence": " ".join(str(i) for i in edge.evidence),
    }


def kumu_json(network: Network) -> dict[str, Any]:
    """Kumu's import JSON: ``elements`` and ``connections`` (connections name their ends
    by label, as Kumu matches them; labels of one map must therefore be unique, and the
    ids ride along as fields)."""
    return {
        "elements": [_kumu_element(n) for n in network.nodes.values()],
        "connections": [_kumu_connection(network, e) for e in network.edges],
    }


def write_kumu_json(network: Network, out: IO[str]) -> None:
    json.dump(kumu_json(network), out, ensure_ascii=False, indent=2)


def _safe_cell(value: Any) -> str:
    """Spreadsheet-safe text: a leading = + - @ is escaped so no formula runs."""
    text = _text(value) if not isinstance(value, list) else "|".join(value)
    if text and text[0] in "=+-@\t\r" and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_kumu_elements_csv(network: Network, out: IO[str]) -> None:
    rows = [_kumu_element(n) for n in network.nodes.values()]
    _write_csv(out, ["Label", "Type", "Tags", "id", "ownership", "company", "persona", "segments", "participants",
                     "degree", "weighted degree", "betweenness", "pagerank", "community"],
               [[r["label"], r["type"], r["tags"], r["id"], r["ownership"], r["company"], r["persona"],
                 r["segments"], r["participants"], r["degree"], r["weighted degree"], r["betweenness"],
                 r["pagerank"], r["community"]] for r in rows])


def write_kumu_connections_csv(network: Network, out: IO[str]) -> None:
    rows = [_kumu_connection(network, e) for e in network.edges]
    _write_csv(out, ["From", "To", "Type", "Direction", "Strength", "from id", "to id", "participants", "evidence"],
               [[r["from"], r["to"], r["type"], r["direction"], r["strength"], r["from id"], r["to id"],
                 r["participants"], r["evidence"]] for r in rows])


def _write_csv(out: IO[str], header: list[str], rows: list[list[Any]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row])


FORMATS: dict[str, tuple[str, str]] = {
    # format -> (media type, file extension)
    "graphml": ("application/graphml+xml", "graphml"),
    "gexf": ("application/gexf+xml", "gexf"),
    "kumu": ("application/json", "kumu.json"),
    "kumu-elements": ("text/csv", "elements.csv"),
    "kumu-connections": ("text/csv", "connections.csv"),
}


def export_network(network: Network, fmt: str) -> bytes:
    """The network in one of FORMATS as bytes (UTF-8)."""
    if fmt == "graphml":
        buffer = io.BytesIO()
        write_graphml(network, buffer)
        return buffer.getvalue()
    if fmt == "gexf":
        buffer = io.BytesIO()
        write_gexf(network, buffer)
        return buffer.getvalue()
    text = io.StringIO()
    if fmt == "kumu":
        write_kumu_json(network, text)
    elif fmt == "kumu-elements":
        write_kumu_elements_csv(network, text)
    elif fmt == "kumu-connections":
        write_kumu_connections_csv(network, text)
    else:
        raise ValueError(f"Unknown network format {fmt!r}; use json, {', '.join(FORMATS)}.")
    return text.getvalue().encode("utf-8")
