"""The geometry of the report's weekly trend chart, drawn as inline SVG by the
template (no JavaScript, no style attributes: the page's CSP allows neither)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 32, 16, 40
MOST_X_LABELS = 8


@dataclass
class Series:
    key: str
    label: str
    segments: list[str]  # "x,y x,y ..." runs of points, broken where a value is hidden
    points: list[tuple[float, float]]


@dataclass
class Chart:
    width: int
    height: int
    series: list[Series]
    y_ticks: list[tuple[float, str]]  # (y, label)
    x_ticks: list[tuple[float, str]]  # (x, label)
    left: int
    right: int
    bottom: int


def _series(key, label, values, xs, y_of) -> Series:
    segments, current, points = [], [], []
    for x, value in zip(xs, values, strict=True):
        if isinstance(value, Decimal):
            point = (x, y_of(value))
            points.append(point)
            current.append(f"{point[0]:.1f},{point[1]:.1f}")
        elif current:
            segments.append(" ".join(current))
            current = []
    if current:
        segments.append(" ".join(current))
    return Series(key=key, label=label, segments=segments, points=points)


def weekly_trend_chart(weeks) -> Chart:
    """Active % of PP and not-PP families per week, 0 to 100 on the y axis."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    step = plot_width / max(len(weeks) - 1, 1)
    xs = [LEFT + index * step for index in range(len(weeks))]

    def y_of(percent) -> float:
        return TOP + plot_height * (1 - float(percent) / 100)

    every = max(1, -(-len(weeks) // MOST_X_LABELS))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        series=[
            _series("pp", "Pupil Premium", [w.pp_active_pct for w in weeks], xs, y_of),
            _series("not-pp", "Not Pupil Premium", [w.not_pp_active_pct for w in weeks], xs, y_of),
        ],
        y_ticks=[(y_of(percent), f"{percent}%") for percent in (0, 25, 50, 75, 100)],
        x_ticks=[
            (xs[index], f"{weeks[index].start:%-d %b}") for index in range(0, len(weeks), every)
        ],
        left=LEFT,
        right=WIDTH - RIGHT,
        bottom=HEIGHT - BOTTOM,
    )
