"""Rate ratios with their 95% intervals, drawn as Vega-Lite (a forest plot, and ratios over time).

Django-free and computing nothing: the caller passes ratios already worked out (and already hidden
where suppression asks). A point without a finite ratio above 0 cannot go on a log scale, so it is left
off the picture and named in the text description instead; every chart has that description and an
HTML table of its numbers beside it.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

FONT = "Frutiger W01, Arial, sans-serif"
# NHS identity colours with enough contrast on white for marks (blue, orange, purple, green, red, grey, pink).
SERIES_COLOURS = ["#005EB8", "#ED8B00", "#330072", "#007F3B", "#DA291C", "#4C6272", "#AE2573"]
REFERENCE_COLOUR = "#231F20"


@dataclass(frozen=True)
class RatioPoint:
    """One group's rate ratio (and interval), in one period for charts over time."""

    group: str
    ratio: float | None
    low: float | None
    high: float | None
    period: str = ""
    note: str = ""

    @property
    def drawable(self) -> bool:
        values = (self.ratio, self.low, self.high)
        return all(v is not None and math.isfinite(v) and v > 0 for v in values)


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if value < 100 else f"{value:,.0f}"


def _records(points: Sequence[RatioPoint]) -> list[dict[str, object]]:
    return [
        {
            "group": p.group,
            "period": p.period,
            "ratio": p.ratio,
            "low": p.low,
            "high": p.high,
            "interval": f"{_fmt(p.low)} to {_fmt(p.high)}",
        }
        for p in points
        if p.drawable
    ]


def _domain(records: list[dict[str, object]]) -> list[float]:
    """A log-scale domain holding every interval and 1, a little wider than the data."""
    lows = [float(r["low"]) for r in records] + [1.0]  # type: ignore[arg-type]
    highs = [float(r["high"]) for r in records] + [1.0]  # type: ignore[arg-type]
    return [min(lows) / 1.25, max(highs) * 1.25]


def forest_plot_spec(
    points: Sequence[RatioPoint], *, title: str, reference: str, width: int = 560
) -> dict[str, object]:
    """Each group's rate ratio (dot) and 95% interval (line) against the reference, on a log scale with
    a dashed line at 1 (the reference group's rate)."""
    records = _records(points)
    order = [p.group for p in points]
    y = {"field": "group", "type": "nominal", "sort": order, "title": None}
    x_scale = {"type": "log", "domain": _domain(records)}
    x_title = f"Rate ratio against {reference} (log scale)"
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "anchor": "start", "fontSize": 15},
        "description": describe_forest_plot(points, reference=reference),
        "width": width,
        "height": max(60, 34 * len(order)),
        "data": {"values": records},
        "layer": [
            {
                "data": {"values": [{"one": 1}]},
                "mark": {"type": "rule", "color": REFERENCE_COLOUR, "strokeDash": [5, 4]},
                "encoding": {"x": {"field": "one", "type": "quantitative", "scale": x_scale}},
            },
            {
                "mark": {"type": "rule", "color": SERIES_COLOURS[0], "strokeWidth": 2},
                "encoding": {
                    "y": y,
                    "x": {"field": "low", "type": "quantitative", "scale": x_scale, "title": x_title},
                    "x2": {"field": "high"},
                },
            },
            {
                "mark": {
                    "type": "point",
                    "filled": True,
                    "size": 90,
                    "shape": "square",
                    "color": SERIES_COLOURS[0],
                },
                "encoding": {
                    "y": y,
                    "x": {"field": "ratio", "type": "quantitative", "scale": x_scale, "title": x_title},
                    "tooltip": [
                        {"field": "group", "title": "Group"},
                        {"field": "ratio", "title": "Rate ratio", "format": ".2f"},
                        {"field": "interval", "title": "95% CI"},
                    ],
                },
            },
        ],
        "config": {"font": FONT, "view": {"stroke": None}, "axis": {"grid": False}},
    }


def rate_ratio_over_time_spec(
    points: Sequence[RatioPoint], *, title: str, reference: str, periods: Sequence[str], width: int = 640
) -> dict[str, object]:
    """Each group's rate ratio by period (dots, side by side within a period) with 95% intervals, on a
    log scale with a dashed line at 1 (the reference group's rate in that period)."""
    records = _records(points)
    groups = list(dict.fromkeys(p.group for p in points))
    # Four blocks fit side by side on a tablet; eight (24 months) are slanted so they do not overlap.
    angle = 0 if len(periods) <= 4 else -35
    x = {
        "field": "period",
        "type": "nominal",
        "sort": list(periods),
        "title": None,
        "axis": {"labelAngle": angle, "labelLimit": 160},
    }
    y_scale = {"type": "log", "domain": _domain(records)}
    y_title = f"Rate ratio against {reference} (log scale)"
    colour = {
        "field": "group",
        "type": "nominal",
        "title": "Group",
        "scale": {"domain": groups, "range": SERIES_COLOURS[: max(1, len(groups))]},
        "legend": {"orient": "bottom", "columns": 2},
    }
    offset = {"field": "group", "type": "nominal", "sort": groups}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "anchor": "start", "fontSize": 15},
        "description": describe_over_time(points, reference=reference, periods=periods),
        "width": width,
        "height": 280,
        "data": {"values": records},
        "layer": [
            {
                "data": {"values": [{"one": 1}]},
                "mark": {"type": "rule", "color": REFERENCE_COLOUR, "strokeDash": [5, 4]},
                "encoding": {"y": {"field": "one", "type": "quantitative", "scale": y_scale}},
            },
            {
                "mark": {"type": "rule", "strokeWidth": 2},
                "encoding": {
                    "x": x,
                    "xOffset": offset,
                    "y": {"field": "low", "type": "quantitative", "scale": y_scale, "title": y_title},
                    "y2": {"field": "high"},
                    "color": colour,
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 70},
                "encoding": {
                    "x": x,
                    "xOffset": offset,
                    "y": {"field": "ratio", "type": "quantitative", "scale": y_scale, "title": y_title},
                    "color": colour,
                    "shape": {"field": "group", "type": "nominal", "legend": None},
                    "tooltip": [
                        {"field": "period", "title": "Months"},
                        {"field": "group", "title": "Group"},
                        {"field": "ratio", "title": "Rate ratio", "format": ".2f"},
                        {"field": "interval", "title": "95% CI"},
                    ],
                },
            },
        ],
        "config": {"font": FONT, "view": {"stroke": None}, "axis": {"grid": False}},
    }


def _left_off(points: Sequence[RatioPoint]) -> str:
    missing = [p for p in points if not p.drawable]
    if not missing:
        return ""
    names = "; ".join(
        f"{p.group}{f' ({p.period})' if p.period else ''}: {p.note or 'no ratio'}" for p in missing
    )
    return f" Not drawn (no ratio on a log scale): {names}."


def describe_forest_plot(points: Sequence[RatioPoint], *, reference: str) -> str:
    """A plain-English text alternative for the forest plot."""
    drawn = [p for p in points if p.drawable]
    if not drawn:
        return f"Rate ratios against {reference}: none can be drawn." + _left_off(points)
    parts = [
        f"{p.group} {p.ratio:.2f} (95% CI {p.low:.2f} to {p.high:.2f})"  # type: ignore[union-attr]
        for p in drawn
    ]
    above = [p.group for p in drawn if p.low is not None and p.low > 1]
    summary = (
        f" The whole interval is above 1 for: {', '.join(above)}."
        if above
        else " No group's interval lies wholly above 1."
    )
    return (
        f"Forest plot of rate ratios per occupied bed day against {reference} (1 means the same rate): "
        + "; ".join(parts)
        + "."
        + summary
        + _left_off(points)
    )


def describe_over_time(points: Sequence[RatioPoint], *, reference: str, periods: Sequence[str]) -> str:
    """A plain-English text alternative for the ratios over time."""
    drawn = [p for p in points if p.drawable]
    groups = list(dict.fromkeys(p.group for p in drawn))
    if not drawn:
        return f"Rate ratios against {reference} by three-month block: none can be drawn." + _left_off(points)
    lines = []
    for group in groups:
        mine = [p for p in drawn if p.group == group]
        above = sum(1 for p in mine if p.low is not None and p.low > 1)
        lines.append(
            f"{group}: from {mine[0].ratio:.2f} ({mine[0].period}) to {mine[-1].ratio:.2f} ({mine[-1].period}), "
            f"interval wholly above 1 in {above} of {len(mine)} blocks"
        )
    return (
        f"Rate ratios against {reference} in {len(periods)} three-month blocks from {periods[0]} to "
        f"{periods[-1]}. " + "; ".join(lines) + "." + _left_off(points)
    )


def ratio_table_html(points: Sequence[RatioPoint], *, caption: str, over_time: bool = False) -> str:
    """An HTML table of the plotted numbers (the chart's accessible companion)."""
    heads = (["Months"] if over_time else []) + [
        "Group",
        "Rate ratio",
        "95% CI lower",
        "95% CI upper",
        "Note",
    ]
    out = [f'<table class="nhsuk-table rrp-ratio-table"><caption>{html.escape(caption)}</caption><thead><tr>']
    out.extend(f'<th scope="col">{html.escape(h)}</th>' for h in heads)
    out.append("</tr></thead><tbody>")
    for p in points:
        cells = ([p.period] if over_time else []) + [
            p.group,
            _fmt(p.ratio),
            _fmt(p.low),
            _fmt(p.high),
            p.note,
        ]
        out.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)
