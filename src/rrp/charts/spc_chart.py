"""Making Data Count style SPC charts drawn from :class:`rrp.spc.SpcResult` (Vega-Lite).

Drawing is separate from computing (as NHSRplotthedots separates ``ptd_spc`` from
``ptd_create_ggplot``): nothing here changes a number, it only shows the engine's output.

- points: grey common cause, orange concern, blue improvement, purple neutral;
- solid centre line, dashed process limits, dotted two-sigma lines are left out (MDC shows none);
- a dash-dot target line;
- the variation and assurance icons, drawn as our own circles and letters (no image files);
- vertical labelled markers for rebases and for events passed in (a QI change, a new system);
- an accessible plain-English description (:func:`describe_chart`) and a data table
  (:func:`data_table_html`) to go with every picture.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from rrp.spc import Chart, ImprovementDirection, SpcResult
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


def mdc_icons(summary: PeriodSummary | None, direction: ImprovementDirection) -> list[Icon]:
    """The variation and assurance icons of a period's latest point, as charts and tables draw them."""
    if summary is None:
        return []
    icons = []
    if summary.variation:
        letter = {
            "common_cause": "~",
            "special_cause_neutral_high": "H",
            "special_cause_neutral_low": "L",
        }.get(summary.variation)
        if letter is None:
            improving = summary.variation == "special_cause_improvement"
            letter = "H" if (direction.sign > 0) == improving else "L"
        icons.append(
            Icon(
                "variation",
                summary.variation,
                COLOURS[summary.variation],
                letter,
                f"Variation: {POINT_TYPE_WORDS[summary.variation]}"
                + ("" if letter == "~" else f" ({'high' if letter == 'H' else 'low'})"),
            )
        )
    if summary.assurance:
        colour, letter, words = {
            "consistent_pass": (
                COLOURS["special_cause_improvement"],
                "P",
                "the target will be met consistently",
            ),
            "consistent_fail": (
                COLOURS["special_cause_concern"],
                "F",
                "the target will not be met without change",
            ),
            "inconsistent": (COLOURS["common_cause"], "?", "the target will be met only some of the time"),
        }[summary.assurance]
        icons.append(Icon("assurance", summary.assurance, colour, letter, f"Assurance: {words}"))
    return icons


def _icon_layers(result: SpcResult) -> list[dict[str, object]]:
    """The MDC variation and assurance icons for the latest period, as circles with letters."""
    icons = mdc_icons(result.summaries[-1] if result.summaries else None, result.improvement_direction)
    layers: list[dict[str, object]] = []
    for k, icon in enumerate(icons):
        # From the chart's right edge as drawn, not the width it was built with: pages draw it at their
        # container's width, and an icon left at a fixed x would squeeze a narrower chart's plot.
        x = {"expr": f"width - {18 + 40 * (len(icons) - 1 - k)}"}
        base = {"data": {"values": [{"tip": icon.words}]}}
        layers.append(
            base
            | {
                "mark": {
                    "type": "circle",
                    "size": 700,
                    "fill": "white",
                    "stroke": icon.colour,
                    "strokeWidth": 3,
                },
                "encoding": {"x": {"value": x}, "y": {"value": 16}, "tooltip": {"field": "tip"}},
            }
        )
        layers.append(
            base
            | {
                "mark": {"type": "text", "fontSize": 15, "fontWeight": "bold", "color": icon.colour},
                "encoding": {"x": {"value": x}, "y": {"value": 17}, "text": {"value": icon.letter}},
            }
        )
    return layers


def _rule_layer(
    rows: list[dict[str, object]], colour: str, dash: list[int], label_y: int = 2
) -> list[dict[str, object]]:
    if not rows:
        return []
    return [
        {
            "data": {"values": rows},
            "mark": {"type": "rule", "color": colour, "strokeDash": dash, "strokeWidth": 1.5},
            "encoding": {"x": {"field": "date", "type": "temporal"}},
        },
        {
            "data": {"values": rows},
            "mark": {
                "type": "text",
                "align": "left",
                "baseline": "top",
                "dx": 3,
                "dy": 2,
                "color": colour,
                "fontSize": 10,
                "angle": 0,
            },
            "encoding": {
                "x": {"field": "date", "type": "temporal"},
                "y": {"value": label_y},
                "text": {"field": "label"},
            },
        },
    ]


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
) -> dict[str, object]:
    """A Vega-Lite spec (a plain dict) of one group's chart in the Making Data Count style.

    ``result`` should hold one group (use :meth:`SpcResult.for_group`); with several groups the
    first is drawn. ``events`` are ``Event(date, label)`` or ``(date, label)`` pairs.
    """
    groups = result.groups()
    if len(groups) > 1:
        result = result.for_group(groups[0])
    if result.chart is Chart.FUNNEL:
        return funnel_spec(result, title=title, width=width, height=height, y_title=y_title)
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
    layers: list[dict[str, object]] = [
        {
            "mark": {"type": "line", "color": LINE_GREY, "strokeWidth": 1.5},
            "encoding": {
                "x": {"field": "date", "type": "temporal", "title": None},
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
    rebases = [{"date": _iso(d), "label": f"Rebase {_iso(d)}"} for d in result.rebase_dates]
    first, last = _date_span(result)
    rebases = [r for r in rebases if r["date"] and first and last and first <= r["date"] <= last]
    layers.extend(_rule_layer(rebases, LIMIT_COLOUR, [2, 2]))
    event_rows = []
    for ev in events:
        d, label = (ev.date, ev.label) if isinstance(ev, Event) else ev
        event_rows.append({"date": _iso(d), "label": str(label)})
    layers.extend(_rule_layer(event_rows, EVENT_COLOUR, [4, 2], label_y=16))
    if show_icons:
        layers.extend(_icon_layers(result))
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": heading, "anchor": "start", "fontSize": 15},
        "description": describe_chart(result),
        "width": width,
        "height": height,
        "data": {"values": records},
        "layer": layers,
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
    parts = [f"{name}{who} of {n} points" + (f" from {first} to {last}." if first else ".")]
    counts = {k: int((types == k).sum()) for k in POINT_TYPE_WORDS if k}
    special = {k: v for k, v in counts.items() if k != "common_cause" and v}
    if special:
        parts.append(
            "Special cause variation at "
            + ", ".join(
                f"{v} point{'s' if v != 1 else ''} ({POINT_TYPE_WORDS[k].split(': ')[1]})"
                for k, v in special.items()
            )
            + "."
        )
    else:
        parts.append("All points show common cause variation.")
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
        text += "."
        if s.variation:
            text += f" Latest point: {POINT_TYPE_WORDS[s.variation]}."
        if s.assurance:
            text += {
                "consistent_pass": f" The target {_fmt(s.target)} will be met consistently.",
                "consistent_fail": f" The target {_fmt(s.target)} will not be met without change.",
                "inconsistent": f" The target {_fmt(s.target)} lies within the limits: met only some of the time.",
            }[s.assurance]
        if s.runs is not None and s.runs.n_useful:
            text += (
                f" Runs analysis: longest run {s.runs.longest_run} (signal above {s.runs.longest_run_max}), "
                f"{s.runs.crossings} crossings (signal below {s.runs.crossings_min}): "
                + ("non-random variation." if s.runs.signal else "no signal.")
            )
        parts.append(text)
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
