"""One chart on a page: the Vega-Lite spec, its text alternative, its data table and its downloads.

Every view that shows a chart builds a :class:`ChartPanel` here and renders it with the
``chart_panel`` macro (core/jinja2/macros/charts.jinja), so that no chart is ever shown without its
description and data (WCAG 2.2: 1.1.1 non-text content).
"""

from __future__ import annotations

import copy
import dataclasses
import html
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from markupsafe import Markup

from rrp.charts import (
    Event,
    Icon,
    data_table_html,
    default_floor,
    describe_chart,
    floor_limits,
    funnel_spec,
    mdc_icons,
    spc_chart_spec,
)
from rrp.charts.spc_chart import POINT_TYPE_WORDS, Marker, marker_key
from rrp.measures.catalogue import MeasureDefinition
from rrp.spc import SpcResult

NHS_BLUE_RING = "#005EB8"


@dataclass(frozen=True)
class ChartPanel:
    """Everything the page needs to show one chart accessibly."""

    chart_id: str
    title: str
    spec: dict[str, object]
    description: str
    table_html: Markup
    icons: list[Icon] = field(default_factory=list)
    downloads: list[tuple[str, str]] = field(default_factory=list)  # (link text, url)
    key: list[str] = field(default_factory=list)  # what each numbered marker on the chart is


def measure_y_title(definition: MeasureDefinition) -> str:
    """The value axis title in the definition's own unit, e.g. "per 1,000 occupied bed days"."""
    return definition.unit or definition.name


def relabel(result: SpcResult, label: str) -> SpcResult:
    """The same single-group result with its group called ``label`` (for descriptions and tables)."""
    return dataclasses.replace(
        result,
        group=np.full(len(result), label, dtype=object),
        summaries=tuple(dataclasses.replace(s, group=label) for s in result.summaries),
    )


def chart_panel(
    result: SpcResult,
    *,
    chart_id: str,
    title: str,
    y_title: str,
    events: Iterable[Event] = (),
    downloads: Iterable[tuple[str, str]] = (),
    width: int = 640,
    height: int = 260,
    subject: str = "",
    floor: float | None = None,
) -> ChartPanel:
    """A panel of one group's SPC result (use ``SpcResult.for_group`` first for many groups).

    ``subject`` names what the chart is of in its text alternative (e.g. the ward's name); the engine's
    group labels (ward ids) are internal and never shown. ``floor`` is the lowest value the measure can
    take (``MeasureDefinition.lowest_value``): the chart, its words and its table show lower limits
    floored there, as Making Data Count draws them.
    """
    result = floor_limits(relabel(result, subject), default_floor(result.chart) if floor is None else floor)
    spec = spc_chart_spec(
        result, title=title, events=list(events), width=width, height=height, y_title=y_title, floor=floor
    )
    latest = result.summaries[-1] if result.summaries else None
    return ChartPanel(
        chart_id=chart_id,
        title=title,
        spec=spec,
        description=describe_chart(result),
        table_html=Markup(
            data_table_html(result, caption=f"Data behind the chart: {title}", value_label=y_title)
        ),
        icons=mdc_icons(latest, result.improvement_direction),
        downloads=list(downloads),
        key=marker_key([Marker(**m) for m in spec["usermeta"]["markers"]]),  # type: ignore[index]
    )


def _funnel_table_html(
    result: SpcResult, *, caption: str, unit_label: str, x_title: str, count_label: str, y_title: str
) -> str:
    """The funnel's numbers: one row per unit with its count, denominator, rate and limits."""

    def cell(value: float, places: int) -> str:
        return "missing" if not np.isfinite(value) else f"{value:,.{places}f}"

    head = [unit_label, count_label, x_title, y_title, "95% limits", "99.8% limits", "Position"]
    out = [f'<table class="nhsuk-table rrp-spc-table"><caption>{html.escape(caption)}</caption><thead><tr>']
    out.extend(f'<th scope="col">{html.escape(h)}</th>' for h in head)
    out.append("</tr></thead><tbody>")
    types = result.point_type_labels()
    for i in np.argsort(result.denominator, kind="stable"):
        cells = [
            str(result.group[i]),
            cell(result.numerator[i], 0),
            cell(result.denominator[i], 0),
            cell(result.value[i], 1),
            f"{cell(result.lower_2sigma[i], 1)} to {cell(result.upper_2sigma[i], 1)}",
            f"{cell(result.lower_limit[i], 1)} to {cell(result.upper_limit[i], 1)}",
            POINT_TYPE_WORDS.get(str(types[i]), str(types[i])),
        ]
        out.append(
            f'<tr><th scope="row">{html.escape(cells[0])}</th>'
            + "".join(f"<td>{html.escape(c)}</td>" for c in cells[1:])
            + "</tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def funnel_panel(
    result: SpcResult,
    *,
    chart_id: str,
    title: str,
    y_title: str,
    x_title: str,
    count_label: str,
    unit_label: str = "Unit",
    highlight: str | None = None,
    description_extra: str = "",
    width: int = 640,
    height: int = 340,
) -> ChartPanel:
    """A panel of a funnel plot (``rrp.spc.analyse("funnel", ...)``): each unit's rate against its
    denominator, with the 95% and 99.8% limits around the pooled rate.

    ``result.group`` holds the labels shown (pseudonyms where the viewer may not see names) and
    ``result.numerator`` the counts as they may be shown; ``highlight`` names one unit to ring and label
    (a provider finding itself among all providers).
    """
    spec = copy.deepcopy(funnel_spec(result, title=title, width=width, height=height, y_title=y_title))
    for layer in spec["layer"]:  # type: ignore[union-attr]
        layer["encoding"]["x"] = {**layer["encoding"]["x"], "title": x_title}
    if highlight is not None and highlight in set(result.group.tolist()):
        chosen = {"filter": {"field": "group", "equal": highlight}}
        x = {"field": "denominator", "type": "quantitative"}
        y = {"field": "value", "type": "quantitative"}
        # Label to the left of a unit in the right half of the plot, so a long name stays inside it.
        at = float(np.nanmax(result.denominator[result.group == highlight]))
        right_half = at > float(np.nanmax(result.denominator)) / 2
        label = {"type": "text", "fontWeight": "bold", "dy": -14}
        label |= {"align": "right", "dx": -12} if right_half else {"align": "left", "dx": 12}
        spec["layer"] += [  # type: ignore[operator]
            {
                "transform": [chosen],
                "mark": {"type": "point", "size": 260, "strokeWidth": 3, "color": NHS_BLUE_RING},
                "encoding": {"x": x, "y": y},
            },
            {"transform": [chosen], "mark": label, "encoding": {"x": x, "y": y, "text": {"field": "group"}}},
        ]
    description = describe_chart(result) + (f" {description_extra}" if description_extra else "")
    spec["description"] = description
    return ChartPanel(
        chart_id=chart_id,
        title=title,
        spec=spec,
        description=description,
        table_html=Markup(
            _funnel_table_html(
                result,
                caption=f"Data behind the chart: {title}",
                unit_label=unit_label,
                x_title=x_title,
                count_label=count_label,
                y_title=y_title,
            )
        ),
        icons=[],
    )
