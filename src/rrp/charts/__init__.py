"""Django-free drawing of SPC charts from :mod:`rrp.spc` results (Vega-Lite, SVG, PNG, HTML)."""

from rrp.charts.spc_chart import (
    COLOURS,
    Event,
    Icon,
    chart_sentence,
    chart_to_html,
    chart_to_png,
    chart_to_svg,
    data_table_html,
    default_floor,
    describe_chart,
    floor_limits,
    funnel_spec,
    mdc_icons,
    small_multiples_spec,
    spc_chart_spec,
)

__all__ = [
    "COLOURS",
    "Event",
    "Icon",
    "chart_sentence",
    "chart_to_html",
    "chart_to_png",
    "chart_to_svg",
    "data_table_html",
    "default_floor",
    "describe_chart",
    "floor_limits",
    "funnel_spec",
    "mdc_icons",
    "small_multiples_spec",
    "spc_chart_spec",
]
