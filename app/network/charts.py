"""Geometry of the server-drawn charts (the emotion curve), so templates only place
numbers that were computed here."""

from __future__ import annotations

from dataclasses import dataclass

from coding.journey import JourneyMap

VALENCE_MIN, VALENCE_MAX = -2.0, 2.0


@dataclass(frozen=True)
class CurvePoint:
    phase_id: int
    name: str
    x: float
    y: float | None  # None: no emotion coded in this phase
    y_low: float | None
    y_high: float | None
    mean: float | None
    sd: float | None
    n: int
    evidence: tuple[int, ...]


@dataclass(frozen=True)
class EmotionCurve:
    width: float
    height: float
    top: float
    bottom: float
    left: float
    points: list[CurvePoint]
    path: str  # polyline through the phases that have a mean
    ticks: list[tuple[float, str]]  # (y, label) for -2..2

    def y_of(self, valence: float) -> float:
        return _scale(valence, self.top, self.bottom)


def _scale(valence: float, top: float, bottom: float) -> float:
    clamped = max(VALENCE_MIN, min(VALENCE_MAX, valence))
    return round(bottom - (clamped - VALENCE_MIN) / (VALENCE_MAX - VALENCE_MIN) * (bottom - top), 1)


def emotion_curve(journey: JourneyMap, *, column_width: float = 180.0, left: float = 56.0,
                  height: float = 200.0) -> EmotionCurve:
    """Mean valence per phase with a bar of ± one standard deviation, on a -2..+2 axis."""
    top, bottom = 16.0, height - 36.0
    names = dict(journey.columns)
    points = []
    for i, point in enumerate(journey.emotion):
        x = round(left + column_width * (i + 0.5), 1)
        y = low = high = None
        if point.mean is not None:
            y = _scale(point.mean, top, bottom)
            spread = point.sd or 0.0
            low, high = _scale(point.mean - spread, top, bottom), _scale(point.mean + spread, top, bottom)
        points.append(CurvePoint(point.phase_id, names.get(point.phase_id, ""), x, y, low, high, point.mean,
                                 point.sd, point.n, point.evidence))
    drawn = [p for p in points if p.y is not None]
    path = " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(drawn))
    ticks = [(_scale(v, top, bottom), f"{v:+d}" if v else "0") for v in (-2, -1, 0, 1, 2)]
    width = left + column_width * max(1, len(points)) + 8
    return EmotionCurve(width=width, height=height, top=top, bottom=bottom, left=left, points=points, path=path,
                        ticks=ticks)
