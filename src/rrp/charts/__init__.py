"""Django-free drawing of SPC charts from :mod:`rrp.spc` results (Vega-Lite, SVG, PNG, HTML)."""

from rrp.charts.spc_chart import (
    COLOURS,
    Event,
    Icon,
    chart_to_html,
    chart_to_png,
    chart_to_svg,
    data_table_html,
    describe_chart,
    funnel_spec,
    mdc_icons,
    small_multiples_spec,
    spc_chart_spec,
)

__all__ = [
    "COLOURS",
    "Event",
    "Icon",
    "chart_to_html",
    "chart_to_png",
    "chart_to_svg",
    "data_table_html",
    "describe_chart",
    "funnel_spec",
    "mdc_icons",
    "small_multiples_spec",
    "spc_chart_spec",
]
