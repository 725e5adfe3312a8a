"""One chart on a page: the Vega-Lite spec, its text alternative, its data table and its downloads.

Every view that shows a chart builds a :class:`ChartPanel` here and renders it with the
``chart_panel`` macro (core/jinja2/macros/charts.jinja), so that no chart is ever shown without its
description and data (WCAG 2.2: 1.1.1 non-text content).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from markupsafe import Markup

from rrp.charts import Event, Icon, data_table_html, describe_chart, mdc_icons, spc_chart_spec
from rrp.measures.catalogue import MeasureDefinition
from rrp.spc import SpcResult


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


def measure_y_title(definition: MeasureDefinition) -> str:
    """The value axis title in the definition's own unit, e.g. "per 1,000 occupied bed days"."""
    return definition.unit or definition.name


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
) -> ChartPanel:
    """A panel of one group's SPC result (use ``SpcResult.for_group`` first for many groups)."""
    spec = spc_chart_spec(
        result, title=title, events=list(events), width=width, height=height, y_title=y_title
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
    )
