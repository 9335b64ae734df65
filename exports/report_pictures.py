"""The report's pictures, drawn on the server: the actor network and the emotion curve.

A picture is a short list of shapes (lines, circles, text) in pixel coordinates. The
same list becomes SVG (inline in the HTML report) and PNG (embedded in the DOCX, drawn
with Pillow), so both reports show the same picture. Every piece of user text is
escaped when it goes into the SVG.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from html import escape
from typing import Any

from coding.journey import JourneyMap
from coding.network import PARTICIPANT, Network
from coding.network_layout import positions

KIND_COLOURS = {"actor": "#7a4ea3", "goal": "#1f6f78", "sub_goal": "#4c9aa2", "touchpoint": "#2e6b34",
                "channel": "#5a7f2b", "phase": "#b07a00", "participant": "#8a857a"}
KIND_NAMES = {"actor": "Actor", "goal": "Goal", "sub_goal": "Sub-goal", "touchpoint": "Touchpoint",
              "channel": "Channel", "phase": "Phase"}
COMPANY_COLOUR = "#c2410c"
TEXT_COLOUR = "#1d2327"
MUTED_COLOUR = "#4a555c"
CURVE_COLOUR = "#b0467a"
MAX_LABELS = 30  # the network names its most connected nodes only, so labels stay readable
FONT_FILES = {False: ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf"),
              True: ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf")}


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str
    width: float = 1.0
    dashed: bool = False


@dataclass(frozen=True, slots=True)
class Circle:
    x: float
    y: float
    r: float
    fill: str | None
    stroke: str | None = None
    stroke_width: float = 1.0


@dataclass(frozen=True, slots=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    colour: str
    width: float = 1.0


@dataclass(frozen=True, slots=True)
class Label:
    x: float
    y: float  # the baseline
    text: str
    size: float = 12.0
    colour: str = TEXT_COLOUR
    anchor: str = "start"  # start | middle | end
    bold: bool = False
    halo: bool = False  # a white outline, for text over lines


Shape = Line | Circle | Polyline | Label


@dataclass
class Picture:
    """A drawing with a title (for the caption) and a description (for screen readers)."""

    title: str
    description: str
    width: float
    height: float
    shapes: list[Shape] = field(default_factory=list)

    def svg(self, element_id: str = "") -> str:
        """The picture as a standalone ``<svg>`` element; every text escaped."""
        w, h = _n(self.width), _n(self.height)
        ident = f' id="{escape(element_id)}"' if element_id else ""
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg"{ident} width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
                 f'role="img" font-family="DejaVu Sans, Arial, sans-serif">',
                 f"<title>{escape(self.title)}</title><desc>{escape(self.description)}</desc>",
                 f'<rect width="{w}" height="{h}" fill="#ffffff"/>']
        parts.extend(_svg_shape(shape) for shape in self.shapes)
        parts.append("</svg>")
        return "".join(parts)

    def png(self, scale: float = 2.0) -> bytes:
        """The picture as PNG at ``scale`` pixels per unit (2: sharp on paper at page width)."""
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (max(1, round(self.width * scale)), max(1, round(self.height * scale))), "#ffffff")
        draw = ImageDraw.Draw(image)
        for shape in self.shapes:
            _draw_shape(draw, shape, scale)
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False)
        return out.getvalue()


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg_shape(shape: Shape) -> str:
    if isinstance(shape, Line):
        dash = ' stroke-dasharray="4 3"' if shape.dashed else ""
        return (f'<line x1="{_n(shape.x1)}" y1="{_n(shape.y1)}" x2="{_n(shape.x2)}" y2="{_n(shape.y2)}" '
                f'stroke="{shape.colour}" stroke-width="{_n(shape.width)}"{dash}/>')
    if isinstance(shape, Circle):
        stroke = (f' stroke="{shape.stroke}" stroke-width="{_n(shape.stroke_width)}"'
                  if shape.stroke else "")
        return (f'<circle cx="{_n(shape.x)}" cy="{_n(shape.y)}" r="{_n(shape.r)}" '
                f'fill="{shape.fill or "none"}"{stroke}/>')
    if isinstance(shape, Polyline):
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in shape.points)
        return (f'<polyline points="{points}" fill="none" stroke="{shape.colour}" '
                f'stroke-width="{_n(shape.width)}" stroke-linejoin="round"/>')
    weight = ' font-weight="bold"' if shape.bold else ""
    halo = ' stroke="#ffffff" stroke-width="3" paint-order="stroke"' if shape.halo else ""
    return (f'<text x="{_n(shape.x)}" y="{_n(shape.y)}" font-size="{_n(shape.size)}" fill="{shape.colour}" '
            f'text-anchor="{shape.anchor}"{weight}{halo}>{escape(shape.text)}</text>')


@lru_cache(maxsize=32)
def _font(size: int, bold: bool) -> Any:
    from PIL import ImageFont

    for name in FONT_FILES[bold]:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _draw_shape(draw: Any, shape: Shape, s: float) -> None:
    if isinstance(shape, Line):
        width = max(1, round(shape.width * s))
        if shape.dashed:
            _dashed(draw, shape, s, width)
        else:
            draw.line([(shape.x1 * s, shape.y1 * s), (shape.x2 * s, shape.y2 * s)], fill=shape.colour, width=width)
    elif isinstance(shape, Circle):
        box = [(shape.x - shape.r) * s, (shape.y - shape.r) * s, (shape.x + shape.r) * s, (shape.y + shape.r) * s]
        draw.ellipse(box, fill=shape.fill, outline=shape.stroke,
                     width=max(1, round(shape.stroke_width * s)) if shape.stroke else 0)
    elif isinstance(shape, Polyline):
        if len(shape.points) >= 2:
            draw.line([(x * s, y * s) for x, y in shape.points], fill=shape.colour,
                      width=max(1, round(shape.width * s)), joint="curve")
    else:
        anchor = {"start": "ls", "middle": "ms", "end": "rs"}[shape.anchor]
        draw.text((shape.x * s, shape.y * s), shape.text, fill=shape.colour, font=_font(round(shape.size * s),
                  shape.bold), anchor=anchor, stroke_width=round(1.5 * s) if shape.halo else 0,
                  stroke_fill="#ffffff")


def _dashed(draw: Any, line: Line, s: float, width: int) -> None:
    length = math.hypot(line.x2 - line.x1, line.y2 - line.y1)
    if length == 0:
        return
    dx, dy = (line.x2 - line.x1) / length, (line.y2 - line.y1) / length
    at = 0.0
    while at < length:
        end = min(at + 4, length)
        draw.line([((line.x1 + dx * at) * s, (line.y1 + dy * at) * s),
                   ((line.x1 + dx * end) * s, (line.y1 + dy * end) * s)], fill=line.colour, width=width)
        at += 7


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- the actor network -------------------------------------------------------------------


def network_picture(network: Network, *, width: float = 900.0, height: float = 620.0) -> Picture:
    """The codes of the network (customers left out: they would crowd the picture) at
    their seeded layout positions; node size grows with the segments, the company's own
    actors and touchpoints are ringed, the most connected nodes are named."""
    kept = {node_id: node for node_id, node in network.nodes.items() if node.kind != PARTICIPANT}
    edges = tuple(e for e in network.edges if e.source in kept and e.target in kept)
    picture = Picture(title="Actor network",
                      description=f"The actor network: {len(kept)} codes and {len(edges)} links between them.",
                      width=width, height=height)
    legend_height = 34.0
    if not kept:
        picture.shapes.append(Label(width / 2, height / 2, "Nothing to draw: no codings of the network kinds.",
                                    14, MUTED_COLOUR, "middle"))
        return picture
    main, rest = _components(kept, edges)
    band = 70.0 if rest else 0.0
    margin = 40.0
    area = (margin, margin, width - 2 * margin, height - legend_height - band - 2 * margin)
    where = _fit(_layout(network, main, edges), area)
    where.update(_strip(rest, (margin, height - legend_height - band - 6, width - 2 * margin, band)))
    if rest:
        picture.shapes.append(Line(16, height - legend_height - band - 6, width - 16, height - legend_height - band
                                   - 6, "#e6e1d6", 1))
        picture.shapes.append(Label(16, height - legend_height - band + 8, "Not linked to the main network:", 10,
                                    MUTED_COLOUR))

    def at(node_id: str) -> tuple[float, float]:
        return where[node_id]

    for edge in sorted(edges, key=lambda e: e.segments):
        x1, y1 = at(edge.source)
        x2, y2 = at(edge.target)
        part_of = edge.relation == "part_of"
        picture.shapes.append(Line(x1, y1, x2, y2, "#8fc3c8" if part_of else _grey(edge.segments),
                                   0.6 + 0.7 * math.log1p(edge.segments), dashed=part_of))
    named = sorted(kept.values(), key=lambda n: (-n.metrics.weighted_degree, -n.segments, n.id))[:MAX_LABELS]
    for node in sorted(kept.values(), key=lambda n: n.segments):
        x, y = at(node.id)
        r = min(16.0, 3.5 + 2.2 * math.sqrt(node.segments))
        colour = COMPANY_COLOUR if node.is_company else KIND_COLOURS.get(node.kind, "#8a857a")
        picture.shapes.append(Circle(x, y, r, colour, "#5a2300" if node.is_company else "#ffffff",
                                     2.5 if node.is_company else 1.0))
    taken: list[tuple[float, float, float, float]] = []
    shown = 0
    for node in named:
        x, y = at(node.id)
        r = min(16.0, 3.5 + 2.2 * math.sqrt(node.segments))
        text = shorten(node.label, 26)
        half = 3.3 * len(text) + 2
        box = (x - half, y - r - 16, x + half, y - r - 2)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken):
            continue
        taken.append(box)
        shown += 1
        picture.shapes.append(Label(x, y - r - 4, text, 11, "#7c2d12" if node.is_company else TEXT_COLOUR,
                                    "middle", bold=node.is_company, halo=True))
    unnamed = len(kept) - shown
    _legend(picture, height - 14, unnamed)
    return picture



def _components(nodes: dict[str, Any], edges: tuple[Any, ...]) -> tuple[list[str], list[list[str]]]:
    """The largest connected group of nodes, and the other groups (largest first)."""
    import networkx as nx

    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(sorted(nodes))
    graph.add_edges_from((e.source, e.target) for e in edges)
    groups = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    return groups[0], groups[1:]


def _layout(network: Network, ids: list[str], edges: tuple[Any, ...]) -> dict[str, tuple[float, float]]:
    chosen = set(ids)
    sub = replace(network, nodes={i: network.nodes[i] for i in ids},
                  edges=tuple(e for e in edges if e.source in chosen and e.target in chosen))
    placed = positions(sub, seed=0)
    if not placed:  # too large for a server-side layout: a circle keeps it deterministic
        placed = {node_id: (math.cos(2 * math.pi * i / len(ids)), math.sin(2 * math.pi * i / len(ids)))
                  for i, node_id in enumerate(ids)}
    return placed


def _fit(placed: dict[str, tuple[float, float]], area: tuple[float, float, float, float]
         ) -> dict[str, tuple[float, float]]:
    """Positions scaled into ``area`` (x, y, width, height), keeping the aspect ratio."""
    left, top, w, h = area
    xs = [x for x, _ in placed.values()]
    ys = [y for _, y in placed.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    fx, fy = w / span_x, h / span_y  # stretched to the area, but never more than 1.6 times in one direction
    fx, fy = min(fx, 1.6 * fy), min(fy, 1.6 * fx)
    off_x = left + (w - span_x * fx) / 2
    off_y = top + (h - span_y * fy) / 2
    return {n: (off_x + (x - min(xs)) * fx, off_y + (y - min(ys)) * fy) for n, (x, y) in placed.items()}


def _strip(groups: list[list[str]], area: tuple[float, float, float, float]) -> dict[str, tuple[float, float]]:
    """Small groups not linked to the main network, side by side in a band below it."""
    left, top, w, h = area
    count = sum(len(g) for g in groups)
    if not count:
        return {}
    step = min(56.0, w / max(1, count))
    found: dict[str, tuple[float, float]] = {}
    x = left + step / 2
    for group in groups:
        for i, node_id in enumerate(group):
            found[node_id] = (x, top + h * (0.55 if i % 2 == 0 else 0.8))
            x += step
    return found


def _grey(segments: int) -> str:
    level = max(150, 200 - 8 * segments)
    return f"#{level:02x}{level - 4:02x}{level - 12:02x}"


def _legend(picture: Picture, y: float, unnamed: int) -> None:
    x = 16.0
    for kind, name in KIND_NAMES.items():
        picture.shapes.append(Circle(x + 5, y - 4, 5, KIND_COLOURS[kind], "#ffffff"))
        picture.shapes.append(Label(x + 14, y, name, 11, MUTED_COLOUR))
        x += 24 + 7.0 * len(name)
    picture.shapes.append(Circle(x + 5, y - 4, 5, COMPANY_COLOUR, "#5a2300", 2))
    picture.shapes.append(Label(x + 14, y, "The company's own", 11, MUTED_COLOUR))
    if unnamed > 0:
        picture.shapes.append(Label(picture.width - 16, y, f"{unnamed} smaller nodes unnamed", 11, MUTED_COLOUR,
                                    "end"))


# --- the emotion curve --------------------------------------------------------------------


def emotion_picture(journey: JourneyMap, *, column_width: float = 140.0, height: float = 220.0) -> Picture:
    """Mean valence per phase on a −2..+2 axis, a bar of ± one standard deviation, n under
    each phase (the journey page's curve, drawn the same way)."""
    left, top, bottom = 44.0, 18.0, height - 40.0
    columns = list(journey.columns)
    width = left + column_width * max(1, len(columns)) + 12

    def y_of(valence: float) -> float:
        clamped = max(-2.0, min(2.0, valence))
        return bottom - (clamped + 2.0) / 4.0 * (bottom - top)

    names = dict(columns)
    described = "; ".join(
        f"{names.get(p.phase_id, '')}: " + ("no emotion coded" if p.mean is None else f"{p.mean:+.1f} (n={p.n})")
        for p in journey.emotion)
    picture = Picture(title="Emotion curve", description=f"Mean valence per phase, from −2 to +2. {described}",
                      width=width, height=height)
    for value in (-2, -1, 0, 1, 2):
        y = y_of(value)
        picture.shapes.append(Line(left - 6, y, width - 8, y, "#8a857a" if value == 0 else "#dcd6ca",
                                   1.2 if value == 0 else 0.8))
        picture.shapes.append(Label(left - 10, y + 4, f"{value:+d}" if value else "0", 11, MUTED_COLOUR, "end"))
    drawn: list[tuple[float, float]] = []
    for i, point in enumerate(journey.emotion):
        x = left + column_width * (i + 0.5)
        name = shorten(names.get(point.phase_id, ""), int(column_width / 7.5))
        picture.shapes.append(Label(x, height - 22, name, 12, TEXT_COLOUR, "middle", bold=True))
        sd = f" · SD {point.sd:.1f}" if point.sd is not None else ""
        picture.shapes.append(Label(x, height - 7, f"n={point.n}{sd}", 11, MUTED_COLOUR, "middle"))
        if point.mean is None:
            picture.shapes.append(Circle(x, y_of(0), 5, None, "#b7b1a5", 1.2))
            continue
        y = y_of(point.mean)
        drawn.append((x, y))
        if point.sd:
            picture.shapes.append(Line(x, y_of(point.mean - point.sd), x, y_of(point.mean + point.sd), "#dfb5ca", 6))
    if len(drawn) >= 2:
        picture.shapes.append(Polyline(tuple(drawn), CURVE_COLOUR, 2.5))
    for (x, y), point in zip(drawn, [p for p in journey.emotion if p.mean is not None], strict=True):
        assert point.mean is not None
        picture.shapes.append(Circle(x, y, 6, CURVE_COLOUR, "#ffffff", 2))
        picture.shapes.append(Label(x + 10, y - 8, f"{point.mean:+.1f}", 12, "#7a2a52", bold=True, halo=True))
    return picture
