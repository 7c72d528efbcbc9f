"""Bar charts drawn as inline SVG by the template ``charts/bars.html``: the geometry is worked
out here, so templates only place rectangles. One series or several stacked (one per key)."""

from dataclasses import dataclass, field

WIDTH = 640
HEIGHT = 200
PLOT_TOP = 10
PLOT_BOTTOM = 170  # below: the day labels
PLOT_LEFT = 44  # left of it: the scale
PLOT_RIGHT = 630
MAX_LABELS = 8
COLOURS = 6  # .series-0 … .series-5 in the stylesheet; further series take them again


@dataclass(frozen=True)
class Segment:
    series: int  # its colour: CSS class "series-<n>", 0 to COLOURS - 1
    name: str
    value: int
    y: float
    height: float


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    x: float
    width: float
    label_x: float
    show_label: bool
    segments: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    series: list[tuple[str, int]]  # (name, colour) for the legend
    grid: list[tuple[int, float]]  # (value, y) of each scale line
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = PLOT_LEFT
    plot_right: int = PLOT_RIGHT
    plot_bottom: int = PLOT_BOTTOM


def _scale(peak: int) -> tuple[int, int]:
    """The scale's top and step: about four steps of 1, 2 or 5 times a power of ten (whole
    units, so every label is a whole number), the top at or above the peak."""
    step, factors = 1, (1, 2, 5)
    while step * 4 < peak:
        for factor in factors:
            if factor * step * 4 >= peak:
                return -(-peak // (factor * step)) * factor * step, factor * step
        step *= 10
    return max(step, -(-peak // step) * step), step


def bars(labels: list[str], series: list[tuple[str, list[int]]]) -> Chart:
    """A bar per label; each series adds a segment to every bar (values below 0 count as 0)."""
    totals = [sum(max(0, values[i]) for _, values in series) for i in range(len(labels))]
    top, step = _scale(max(totals, default=0) or 1)
    plot_height = PLOT_BOTTOM - PLOT_TOP
    slot = (PLOT_RIGHT - PLOT_LEFT) / max(1, len(labels))
    every = max(1, -(-len(labels) // MAX_LABELS))
    chart_bars = []
    for i, label in enumerate(labels):
        segments, base = [], PLOT_BOTTOM
        for index, (name, values) in enumerate(series):
            value = max(0, values[i])
            height = value / top * plot_height
            base -= height
            segments.append(Segment(index % COLOURS, name, value, round(base, 2), round(height, 2)))
        x = PLOT_LEFT + i * slot + slot * 0.15
        chart_bars.append(
            Bar(
                label=label,
                total=totals[i],
                x=round(x, 2),
                width=round(slot * 0.7, 2),
                label_x=round(PLOT_LEFT + (i + 0.5) * slot, 2),
                show_label=(len(labels) - 1 - i) % every == 0,
                segments=segments,
            )
        )
    grid = [
        (value, round(PLOT_BOTTOM - plot_height * value / top, 2))
        for value in range(0, top + 1, step)
    ]
    legend = [(name, index % COLOURS) for index, (name, _) in enumerate(series)]
    return Chart(bars=chart_bars, series=legend, grid=grid)
