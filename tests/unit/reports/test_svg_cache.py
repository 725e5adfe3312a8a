"""Drawn charts are kept under a digest of their spec (reports.chart_cache.cached_svg): the board pack
draws a chart once while its figures are unchanged, and a chart whose figures change is drawn again."""

from __future__ import annotations

import copy

from rrp.charts import chart_to_svg
from rrp.reports import chart_cache
from rrp.reports.chart_cache import cached_svg, svg_key

SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
    "data": {"values": [{"month": "2026-01-01", "value": 3.5}, {"month": "2026-02-01", "value": 4}]},
    "mark": "line",
    "encoding": {
        "x": {"field": "month", "type": "temporal"},
        "y": {"field": "value", "type": "quantitative"},
    },
}


def test_a_chart_is_drawn_once_and_a_changed_chart_again(monkeypatch):
    drawn: list[dict] = []

    def draw(spec: dict) -> str:
        drawn.append(spec)
        return f"<svg>{len(drawn)}</svg>"

    monkeypatch.setattr(chart_cache, "chart_to_svg", draw)
    first = cached_svg(SPEC)
    again = cached_svg(copy.deepcopy(SPEC))  # an equal spec built afresh, as the next download builds it
    changed_spec = copy.deepcopy(SPEC)
    changed_spec["data"]["values"][1]["value"] = 5  # one month's figure changed
    changed = cached_svg(changed_spec)

    assert (first, again, changed) == ("<svg>1</svg>", "<svg>1</svg>", "<svg>2</svg>")
    assert len(drawn) == 2
    assert svg_key(SPEC) != svg_key(changed_spec)


def test_the_kept_drawing_is_vl_converts_own():
    assert cached_svg(SPEC) == chart_to_svg(SPEC) == cached_svg(SPEC)
