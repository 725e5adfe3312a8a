"""Making Data Count style SPC charts drawn from :class:`rrp.spc.SpcResult` (Vega-Lite).

Drawing is separate from computing (as NHSRplotthedots separates ``ptd_spc`` from
``ptd_create_ggplot``): nothing here changes a number, it only shows the engine's output.

- points: grey common cause, orange concern, blue improvement, purple neutral;
- solid centre line, dashed process limits, dotted two-sigma lines are left out (MDC shows none);
- a dash-dot target line;
- the variation and assurance icons of NHS England's Making Data Count (:mod:`rrp.charts.icons`);
- lower limits floored where the measure cannot go below a value (rates, counts and proportions: 0);
- months with their years on the time axis ("Jan 2025");
- numbered vertical markers for rebases and for events passed in (a QI change, a new system), staggered
  so that no two numbers overlap, with a key that names each;
- an accessible plain-English description (:func:`describe_chart`) and a data table
  (:func:`data_table_html`) to go with every picture.
"""

from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from rrp.charts.icons import ICON_COLOURS, icon_data_uri, icon_svg
from rrp.spc import Chart, ImprovementDirection, SpcResult
from rrp.spc.engine import MDC_MIN_POINTS_FOR_LIMITS
from rrp.spc.types import PeriodSummary

COLOURS = {
    "common_cause": "#A6A6A6",
    "special_cause_concern": "#ED8B00",
    "special_cause_improvement": "#41B6E6",
    "special_cause_neutral_high": "#330072",
    "special_cause_neutral_low": "#330072",
}
NHS_BLUE = "#005EB8"
LINE_GREY = "#768692"
LIMIT_COLOUR = "#425563"
TARGET_COLOUR = "#DA291C"
EVENT_COLOUR = "#330072"
#: Frutiger is the NHS typeface; Arial is its web fallback; the rest are for headless rendering.
FONT = "Arial, Liberation Sans, DejaVu Sans, sans-serif"

POINT_TYPE_WORDS = {
    "common_cause": "common cause variation",
    "special_cause_improvement": "special cause variation: improvement",
    "special_cause_concern": "special cause variation: concern",
    "special_cause_neutral_high": "special cause variation: unusually high",
    "special_cause_neutral_low": "special cause variation: unusually low",
    "": "missing",
}
SPECIAL_CAUSE_WORDS = {
    "": "",
    "above_upper_limit": "above the upper process limit",
    "below_lower_limit": "below the lower process limit",
    "trend_increasing": "part of a run of 7 increasing points",
    "trend_decreasing": "part of a run of 7 decreasing points",
    "two_of_three_above": "2 of 3 points close to the upper limit",
    "two_of_three_below": "2 of 3 points close to the lower limit",
    "shift_above": "part of 7 points above the centre line",
    "shift_below": "part of 7 points below the centre line",
}
CHART_NAMES = {
    Chart.RUN: "Run chart",
    Chart.XMR: "XmR chart",
    Chart.P: "p chart",
    Chart.PPRIME: "Laney p′ chart",
    Chart.U: "u chart",
    Chart.UPRIME: "Laney u′ chart",
    Chart.C: "c chart",
    Chart.G: "g chart",
    Chart.T: "t chart",
    Chart.FUNNEL: "Funnel plot",
}


@dataclass(frozen=True)
class Event:
    """A dated, labelled vertical marker, e.g. a QI change or a new incident system."""

    date: date | datetime | str | np.datetime64
    label: str


def _iso(d: object) -> str | None:
    if d is None:
        return None
    x = np.datetime64(d, "s") if not isinstance(d, np.datetime64) else d.astype("datetime64[s]")
    if np.isnat(x):
        return None
    text = str(x)
    return text[:10] if text.endswith("T00:00:00") else text


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


def _fmt(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "none"
    if abs(x) >= 100 or x == int(x):
        return f"{x:,.1f}".rstrip("0").rstrip(".")
    return f"{x:.3g}"


def _records(result: SpcResult) -> list[dict[str, object]]:
    types = result.point_type_labels().tolist()
    causes = result.special_cause_labels().tolist()
    out = []
    for i in range(len(result)):
        out.append(
            {
                "group": str(result.group[i]),
                "date": _iso(result.date[i]) if result.chart is not Chart.FUNNEL else None,
                "value": _num(result.value[i]),
                "denominator": _num(result.denominator[i]),
                "centre": _num(result.centre[i]),
                "lower_limit": _num(result.lower_limit[i]),
                "upper_limit": _num(result.upper_limit[i]),
                "lower_2sigma": _num(result.lower_2sigma[i]),
                "upper_2sigma": _num(result.upper_2sigma[i]),
                "target": _num(result.target[i]),
                "period": int(result.period[i]),
                "point_type": types[i] or "missing",
                "special_cause": SPECIAL_CAUSE_WORDS[causes[i]],
            }
        )
    return out


@dataclass(frozen=True)
class Icon:
    """One Making Data Count icon: its colour, the letter drawn in it and what it means in words."""

    kind: str  # "variation" or "assurance"
    code: str  # the point type or assurance code
    colour: str
    letter: str
    words: str

    @property
    def svg(self) -> str:
        """The icon as NHS England's published design draws it (an ``<svg>``, hidden from screen readers:
        ``words`` go beside it)."""
        return icon_svg(self.kind, self.code, self.letter)


#: What each assurance code says, as a clause after "the target".
ASSURANCE_WORDS = {
    "consistent_pass": "will be met consistently",
    "consistent_fail": "will not be met without change",
    "inconsistent": "will be met only some of the time",
}


def _variation_letter(variation: str, direction: ImprovementDirection) -> str:
    letter = {
        "common_cause": "~",
        "special_cause_neutral_high": "H",
        "special_cause_neutral_low": "L",
    }.get(variation)
    if letter is None:
        improving = variation == "special_cause_improvement"
        letter = "H" if (direction.sign > 0) == improving else "L"
    return letter


def _variation_words(variation: str, letter: str) -> str:
    if variation == "common_cause":
        return "common cause variation, no sign of change"
    kind = POINT_TYPE_WORDS[variation].split(": ", 1)[1]
    if variation.startswith("special_cause_neutral"):
        return f"special cause variation, {kind}"
    return f"special cause variation, {kind} ({'high' if letter == 'H' else 'low'})"


def mdc_icons(summary: PeriodSummary | None, direction: ImprovementDirection) -> list[Icon]:
    """The variation and assurance icons of a period's latest point, as charts and tables draw them."""
    if summary is None:
        return []
    icons = []
    if summary.variation:
        letter = _variation_letter(summary.variation, direction)
        icons.append(
            Icon(
                "variation",
                summary.variation,
                ICON_COLOURS[summary.variation],
                letter,
                f"Variation: {_variation_words(summary.variation, letter)}",
            )
        )
    if summary.assurance:
        letter = {"consistent_pass": "P", "consistent_fail": "F", "inconsistent": "?"}[summary.assurance]
        icons.append(
            Icon(
                "assurance",
                summary.assurance,
                ICON_COLOURS[summary.assurance],
                letter,
                f"Assurance: the target {ASSURANCE_WORDS[summary.assurance]}",
            )
        )
    return icons


def chart_sentence(result: SpcResult) -> str:
    """The one sentence that says what the chart shows, written from the summary that sets its icons
    (:func:`mdc_icons`), so the words and the icons can never disagree.

    With limits: the latest point's variation and, with a target, the assurance. A run chart: what the
    runs analysis (Anhøj rules) found. Too few points: that there are no limits or icons yet.
    """
    summary = result.summaries[-1] if result.summaries else None
    if summary is None or summary.n == 0:
        return "No points to show."
    if summary.variation:
        letter = _variation_letter(summary.variation, result.improvement_direction)
        text = f"The latest point shows {_variation_words(summary.variation, letter)}."
        if summary.assurance:
            text += f" The target of {_fmt(summary.target)} {ASSURANCE_WORDS[summary.assurance]}."
        return text
    if result.chart is Chart.RUN and summary.runs is not None and summary.runs.n_useful:
        return (
            "The runs analysis shows non-random variation: a shift or too few crossings of the median."
            if summary.runs.signal
            else "The runs analysis shows random variation only: no sign of change."
        )
    return (
        f"Too few points for process limits: Making Data Count shows limits and icons from "
        f"{MDC_MIN_POINTS_FOR_LIMITS} points."
    )


def _icon_layers(result: SpcResult) -> list[dict[str, object]]:
    """The MDC variation and assurance icons for the latest period, in the top right corner.

    Each layer is named ``rrp-icon`` so that a page which shows the icons beside the chart's heading can
    leave them out of the drawing (rrp-charts.js); pictures and the board pack keep them.
    """
    icons = mdc_icons(result.summaries[-1] if result.summaries else None, result.improvement_direction)
    layers: list[dict[str, object]] = []
    for k, icon in enumerate(icons):
        # From the chart's right edge as drawn, not the width it was built with: pages draw it at their
        # container's width.
        x = {"expr": f"width - {16 + 36 * (len(icons) - 1 - k)}"}
        layers.append(
            {
                "name": f"rrp-icon-{k}",
                "data": {
                    "values": [{"tip": icon.words, "url": icon_data_uri(icon.kind, icon.code, icon.letter)}]
                },
                "mark": {"type": "image", "width": 32, "height": 32},
                "encoding": {
                    "x": {"value": x},
                    "y": {"value": 16},
                    "url": {"field": "url", "type": "nominal"},
                    "tooltip": {"field": "tip"},
                },
            }
        )
    return layers


@dataclass(frozen=True)
class Marker:
    """A numbered vertical marker on the time axis: an event or a rebase."""

    number: int
    date: str
    label: str
    row: int


#: Markers closer than this share of the time axis go on different rows, so their numbers never touch
#: (a two-digit number is about 14 px; at 390 px wide the plot is about 300 px).
MARKER_GAP = 0.07
MARKER_ROW_HEIGHT = 13


def markers(
    rebase_dates: Iterable[str], events: Iterable[tuple[str, str]], *, first: str | None, last: str | None
) -> list[Marker]:
    """Events and rebases within the chart's span, numbered in date order, each on the first row where
    it keeps ``MARKER_GAP`` of the axis from the marker before it on that row."""
    if not first or not last:
        return []
    items = sorted(
        [(d, "Limits recalculated (rebase)") for d in rebase_dates if first <= d <= last]
        + [(d, label) for d, label in events if d and first[:10] <= d[:10] <= last[:10]]
    )
    start, end = np.datetime64(first[:10]), np.datetime64(last[:10])
    span = max(float((end - start) / np.timedelta64(1, "D")), 1.0)
    rows: list[float] = []  # the position of the last marker on each row
    out = []
    for number, (d, label) in enumerate(items, start=1):
        at = float((np.datetime64(d[:10]) - start) / np.timedelta64(1, "D")) / span
        row = next((r for r, prev in enumerate(rows) if at - prev >= MARKER_GAP), len(rows))
        if row == len(rows):
            rows.append(at)
        rows[row] = at
        out.append(Marker(number, d, label, row))
    return out


def marker_key(found: Sequence[Marker]) -> list[str]:
    """One line per marker for the chart's key: "1. Safewards launched (Mar 2025)"."""
    return [f"{m.number}. {m.label} ({_month(m.date)})" for m in found]


def _month(iso: str) -> str:
    return datetime.fromisoformat(iso[:10]).strftime("%b %Y")


def _marker_layers(found: Sequence[Marker]) -> list[dict[str, object]]:
    if not found:
        return []
    rows = [
        {
            "date": m.date,
            "number": str(m.number),
            "y": 4 + MARKER_ROW_HEIGHT * m.row,
            "rebase": m.label.startswith("Limits recalculated"),
            "tip": f"{m.number}: {m.label} ({_month(m.date)})",
        }
        for m in found
    ]
    colour = {"condition": {"test": "datum.rebase", "value": LIMIT_COLOUR}, "value": EVENT_COLOUR}
    return [
        {
            "data": {"values": rows},
            "mark": {"type": "rule", "strokeDash": [4, 2], "strokeWidth": 1.5},
            "encoding": {"x": {"field": "date", "type": "temporal"}, "color": colour},
        },
        {
            "data": {"values": rows},
            "mark": {
                "type": "text",
                "align": "left",
                "baseline": "top",
                "dx": 3,
                "fontSize": 11,
                "fontWeight": "bold",
            },
            "encoding": {
                "x": {"field": "date", "type": "temporal"},
                "y": {"field": "y", "type": "quantitative", "scale": None},
                "text": {"field": "number"},
                "color": colour,
                "tooltip": {"field": "tip"},
            },
        },
    ]


def floor_limits(result: SpcResult, floor: float | None) -> SpcResult:
    """The result with its lower limits (and two-sigma lines) raised to ``floor`` where they fall below
    it: a rate, count or proportion cannot go below 0, so Making Data Count draws its lower limit at 0.

    Only the drawing changes: no value can lie below the floor, so no point's signal moves. ``None``
    leaves the result as it is (a measure that can go negative).
    """
    if floor is None:
        return result
    lower = np.fmax(result.lower_limit, floor)
    lower_2sigma = np.fmax(result.lower_2sigma, floor)
    summaries = tuple(
        s
        if s.lower_limit is None or s.lower_limit >= floor
        else dataclasses.replace(s, lower_limit=float(floor))
        for s in result.summaries
    )
    return dataclasses.replace(result, lower_limit=lower, lower_2sigma=lower_2sigma, summaries=summaries)


#: Charts whose values cannot be negative whatever the measure: proportions, rates, counts and gaps.
NON_NEGATIVE_CHARTS = frozenset(
    {Chart.P, Chart.PPRIME, Chart.U, Chart.UPRIME, Chart.C, Chart.G, Chart.T, Chart.FUNNEL}
)


def default_floor(chart: Chart) -> float | None:
    """0 for the charts of proportions, rates, counts and gaps; None (no floor) for XmR and run charts,
    whose measure decides (a measure says so with ``floor=0``)."""
    return 0.0 if chart in NON_NEGATIVE_CHARTS else None


def _time_axis(first: str | None, last: str | None) -> dict[str, object]:
    """Months with their years ("Jan 2025"), every month to every sixth by the span, never overlapping."""
    axis: dict[str, object] = {
        "format": "%b %Y",
        "labelOverlap": "greedy",
        "labelSeparation": 8,
        "labelAngle": 0,
        "labelFlush": True,
    }
    if first and last:
        months = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7])
        step = 1 if months <= 8 else 3 if months <= 30 else 6 if months <= 60 else 12
        axis["tickCount"] = {"interval": "month", "step": step}
    return axis


def _line(field: str, colour: str, dash: list[int] | None = None, width: float = 1.5) -> dict[str, object]:
    mark: dict[str, object] = {"type": "line", "color": colour, "strokeWidth": width}
    if dash:
        mark["strokeDash"] = dash
    return {
        "mark": mark,
        "encoding": {
            "x": {"field": "date", "type": "temporal"},
            "y": {"field": field, "type": "quantitative"},
            "detail": {"field": "period", "type": "nominal"},
        },
    }


def spc_chart_spec(
    result: SpcResult,
    *,
    title: str | None = None,
    events: Iterable[Event | tuple[object, str]] = (),
    width: int = 640,
    height: int = 300,
    y_title: str | None = None,
    show_icons: bool = True,
    floor: float | None = None,
) -> dict[str, object]:
    """A Vega-Lite spec (a plain dict) of one group's chart in the Making Data Count style.

    ``result`` should hold one group (use :meth:`SpcResult.for_group`); with several groups the
    first is drawn. ``events`` are ``Event(date, label)`` or ``(date, label)`` pairs, drawn as numbered
    markers with their key under the title. ``floor`` is the lowest value the measure can take (0 for a
    rate, count or proportion): lower limits below it are drawn at it (:func:`floor_limits`); None
    leaves it to the chart type (:func:`default_floor`).
    """
    groups = result.groups()
    if len(groups) > 1:
        result = result.for_group(groups[0])
    if result.chart is Chart.FUNNEL:
        return funnel_spec(result, title=title, width=width, height=height, y_title=y_title)
    result = floor_limits(result, default_floor(result.chart) if floor is None else floor)
    records = _records(result)
    name = CHART_NAMES[result.chart]
    heading = title or (f"{name}: {groups[0]}" if groups and groups[0] else name)
    y_label = y_title or "Value"
    tooltip = [
        {"field": "date", "type": "temporal", "title": "Date"},
        {"field": "value", "type": "quantitative", "title": y_label, "format": ",.4~g"},
        {"field": "centre", "type": "quantitative", "title": "Centre", "format": ",.4~g"},
        {"field": "point_type", "type": "nominal", "title": "Point"},
        {"field": "special_cause", "type": "nominal", "title": "Rule"},
    ]
    domain = list(COLOURS)
    first, last = _date_span(result)
    layers: list[dict[str, object]] = [
        {
            "mark": {"type": "line", "color": LINE_GREY, "strokeWidth": 1.5},
            "encoding": {
                "x": {"field": "date", "type": "temporal", "title": None, "axis": _time_axis(first, last)},
                "y": {"field": "value", "type": "quantitative", "title": y_label, "scale": {"zero": False}},
            },
        },
        _line("centre", "#231F20", None, 1.5),
        _line("lower_limit", LIMIT_COLOUR, [6, 4]),
        _line("upper_limit", LIMIT_COLOUR, [6, 4]),
    ]
    if any(r["target"] is not None for r in records):
        layers.append(_line("target", TARGET_COLOUR, [8, 3, 2, 3], 1.5))
    layers.append(
        {
            "mark": {"type": "point", "filled": True, "size": 45, "opacity": 1},
            "encoding": {
                "x": {"field": "date", "type": "temporal"},
                "y": {"field": "value", "type": "quantitative"},
                "color": {
                    "field": "point_type",
                    "type": "nominal",
                    "scale": {"domain": domain, "range": [COLOURS[k] for k in domain]},
                    "legend": None,
                },
                "tooltip": tooltip,
            },
        }
    )
    pairs = []
    for ev in events:
        d, label = (ev.date, ev.label) if isinstance(ev, Event) else ev
        pairs.append((_iso(d) or "", str(label)))
    found = markers([d for d in map(_iso, result.rebase_dates) if d], pairs, first=first, last=last)
    layers.extend(_marker_layers(found))
    if show_icons:
        layers.extend(_icon_layers(result))
    heading_spec: dict[str, object] = {"text": heading, "anchor": "start", "fontSize": 15}
    if found:
        heading_spec |= {"subtitle": marker_key(found), "subtitleFontSize": 11, "subtitleColor": "#212B32"}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": heading_spec,
        "description": describe_chart(result),
        "width": width,
        "height": height,
        "data": {"values": records},
        "layer": layers,
        "usermeta": {"markers": [dataclasses.asdict(m) for m in found]},
        "config": {"font": FONT, "view": {"stroke": None}, "axis": {"grid": False}},
    }


def _date_span(result: SpcResult) -> tuple[str | None, str | None]:
    dates = result.date[~np.isnat(result.date)] if result.date.dtype.kind == "M" else np.array([])
    if dates.size == 0:
        return None, None
    return _iso(dates.min()), _iso(dates.max())


def small_multiples_spec(
    result: SpcResult, *, title: str | None = None, max_groups: int = 12, width: int = 560, height: int = 160
) -> dict[str, object]:
    """Several groups stacked one above another (at most ``max_groups``, in order of appearance)."""
    groups = result.groups()
    shown = groups[:max_groups]
    if result.chart is Chart.FUNNEL:
        return funnel_spec(result, title=title, width=width, height=height * 2)
    charts = []
    for g in shown:
        spec = spc_chart_spec(result.for_group(g), title=g or "(no group)", width=width, height=height)
        spec.pop("$schema")
        spec.pop("config")
        spec.pop("usermeta")
        charts.append(spec)
    heading = title or "SPC charts"
    if len(groups) > len(shown):
        heading += f" (first {len(shown)} of {len(groups)} groups)"
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": heading, "anchor": "start", "fontSize": 16},
        "description": f"{heading}. " + " ".join(describe_chart(result.for_group(g)) for g in shown),
        "vconcat": charts,
        "config": {"font": FONT, "view": {"stroke": None}, "axis": {"grid": False}},
    }


def funnel_spec(
    result: SpcResult,
    *,
    title: str | None = None,
    width: int = 640,
    height: int = 360,
    y_title: str | None = None,
) -> dict[str, object]:
    """A funnel plot: each unit's rate against its denominator, with 95% and 99.8% limits."""
    records = [r for r in _records(result) if r["denominator"] is not None]
    records.sort(key=lambda r: r["denominator"])  # type: ignore[arg-type, return-value]
    domain = list(COLOURS)
    x = {"field": "denominator", "type": "quantitative", "title": "Denominator"}
    layers: list[dict[str, object]] = [
        {
            "mark": {"type": "line", "color": "#231F20"},
            "encoding": {"x": x, "y": {"field": "centre", "type": "quantitative"}},
        },
    ]
    for field, dash in (
        ("lower_2sigma", [3, 3]),
        ("upper_2sigma", [3, 3]),
        ("lower_limit", [6, 4]),
        ("upper_limit", [6, 4]),
    ):
        layers.append(
            {
                "mark": {"type": "line", "color": LIMIT_COLOUR, "strokeDash": dash},
                "encoding": {"x": x, "y": {"field": field, "type": "quantitative"}},
            }
        )
    layers.append(
        {
            "mark": {"type": "point", "filled": True, "size": 40},
            "encoding": {
                "x": x,
                "y": {"field": "value", "type": "quantitative", "title": y_title or "Rate"},
                "color": {
                    "field": "point_type",
                    "type": "nominal",
                    "legend": None,
                    "scale": {"domain": domain, "range": [COLOURS[k] for k in domain]},
                },
                "tooltip": [
                    {"field": "group", "title": "Unit"},
                    {"field": "value", "format": ",.4~g", "title": "Rate"},
                    {"field": "denominator", "format": ",.0f"},
                    {"field": "point_type", "title": "Point"},
                ],
            },
        }
    )
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title or "Funnel plot", "anchor": "start", "fontSize": 15},
        "description": describe_chart(result),
        "width": width,
        "height": height,
        "data": {"values": records},
        "layer": layers,
        "config": {"font": FONT, "view": {"stroke": None}, "axis": {"grid": False}},
    }


def describe_chart(result: SpcResult) -> str:
    """A plain-English text alternative for the chart (for screen readers and reports)."""
    name = CHART_NAMES[result.chart]
    types = result.point_type_labels()
    present = types != ""
    n = int(present.sum())
    groups = result.groups()
    who = (
        f" for {groups[0]}"
        if len(groups) == 1 and groups[0]
        else (f" for {len(groups)} groups" if len(groups) > 1 else "")
    )
    if result.chart is Chart.FUNNEL:
        high = int(
            np.isin(
                types,
                [
                    "special_cause_concern",
                    "special_cause_improvement",
                    "special_cause_neutral_high",
                    "special_cause_neutral_low",
                ],
            ).sum()
        )
        return (
            f"{name}{who}: {n} units compared with the pooled rate {_fmt(_num(np.nanmax(result.centre)) if np.isfinite(result.centre).any() else None)}. "
            f"{high} lie outside the 99.8% limits."
        )
    first, last = _date_span(result)
    span = f" from {_month(first)} to {_month(last)}" if first and last else ""
    parts = [f"{name}{who}, {n} point{'s' if n != 1 else ''}{span}.", chart_sentence(result)]
    counts = {k: int((types == k).sum()) for k in POINT_TYPE_WORDS if k}
    special = {k: v for k, v in counts.items() if k != "common_cause" and v}
    if special:
        parts.append(
            "Points showing special cause variation: "
            + ", ".join(f"{v} {POINT_TYPE_WORDS[k].split(': ')[1]}" for k, v in special.items())
            + "."
        )
    for s in result.summaries:
        centre_word = "median" if result.chart in (Chart.RUN, Chart.G) else "mean"
        prefix = (
            f"{s.group + ', ' if len(groups) > 1 else ''}Period {s.period}:"
            if len(result.summaries) > 1
            else "The"
        )
        text = f"{prefix} {centre_word} is {_fmt(s.centre)}"
        if s.lower_limit is not None or s.upper_limit is not None:
            text += f", with process limits {_fmt(s.lower_limit)} to {_fmt(s.upper_limit)}"
        parts.append(text + ".")
    return " ".join(parts)


def data_table_html(result: SpcResult, *, caption: str | None = None, value_label: str = "Value") -> str:
    """An HTML table of the charted numbers, the accessible companion of every chart."""
    records = _records(result)
    multi = len(result.groups()) > 1
    heads = (["Group"] if multi else []) + [
        "Date" if result.chart is not Chart.FUNNEL else "Unit",
        value_label,
        "Centre",
        "Lower limit",
        "Upper limit",
        "Point",
        "Rule",
    ]
    cap = caption or CHART_NAMES[result.chart]
    out = [f'<table class="nhsuk-table rrp-spc-table"><caption>{html.escape(cap)}</caption><thead><tr>']
    out.extend(f'<th scope="col">{html.escape(h)}</th>' for h in heads)
    out.append("</tr></thead><tbody>")
    for r in records:
        cells = ([r["group"]] if multi else []) + [
            r["date"] if result.chart is not Chart.FUNNEL else r["group"],
            _fmt(r["value"]) if r["value"] is not None else "missing",  # type: ignore[arg-type]
            _fmt(r["centre"]),  # type: ignore[arg-type]
            _fmt(r["lower_limit"]),  # type: ignore[arg-type]
            _fmt(r["upper_limit"]),  # type: ignore[arg-type]
            POINT_TYPE_WORDS.get(str(r["point_type"]), str(r["point_type"])),
            r["special_cause"],
        ]
        out.append("<tr>" + "".join(f"<td>{html.escape(str(c or ''))}</td>" for c in cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def chart_to_svg(spec: dict[str, object]) -> str:
    """Render a Vega-Lite spec to SVG text (vl-convert, no browser needed)."""
    import vl_convert

    return vl_convert.vegalite_to_svg(spec)


def chart_to_png(spec: dict[str, object], *, scale: float = 2.0) -> bytes:
    """Render a Vega-Lite spec to PNG bytes."""
    import vl_convert

    return vl_convert.vegalite_to_png(spec, scale=scale)


def chart_to_html(
    spec: dict[str, object], *, description: str | None = None, table_html: str | None = None
) -> str:
    """A self-contained interactive HTML page (scripts bundled, works offline).

    The description and the data table follow the chart so that the page works without JavaScript.
    """
    import vl_convert

    page = vl_convert.vegalite_to_html(spec, bundle=True)
    extra = ""
    text = description if description is not None else str(spec.get("description", ""))
    if text:
        extra += f'<p class="rrp-spc-description">{html.escape(text)}</p>'
    if table_html:
        extra += table_html
    return page.replace("</body>", extra + "</body>", 1) if extra else page


def events_from_pairs(pairs: Sequence[tuple[object, str]]) -> tuple[Event, ...]:
    return tuple(Event(d, label) for d, label in pairs)  # type: ignore[arg-type]
