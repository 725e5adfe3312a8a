"""Drawing: the Vega-Lite spec, its renderings and the accessible text (no Django)."""

from __future__ import annotations

import altair as alt
import numpy as np

from rrp import charts
from rrp.spc import analyse


def weekly(n: int) -> np.ndarray:
    return np.datetime64("2024-01-01") + np.arange(n) * np.timedelta64(7, "D")


def result(**kw):
    y = np.array([10, 12, 11, 13, 9, 10, 12, 11, 10, 12, 11, 13, 10, 11, 12, 10, 11, 12, 10, 30], dtype=float)
    y[4] = np.nan
    defaults = {"improvement_direction": "decrease", "target": 9.0}
    defaults.update(kw)
    return analyse("xmr", dates=weekly(20), values=y, **defaults)


def test_spec_is_valid_vega_lite_with_mdc_colours():
    spec = charts.spc_chart_spec(result(), title="Restraints")
    alt.LayerChart.from_dict(spec)  # raises if the spec does not validate
    text = str(spec)
    for colour in ("#ED8B00", "#A6A6A6", "#41B6E6", "#330072"):
        assert colour in text
    assert spec["title"]["text"] == "Restraints"


def test_spec_points_carry_point_types_and_missing_value_is_null():
    spec = charts.spc_chart_spec(result())
    values = spec["data"]["values"]
    assert values[4]["value"] is None and values[4]["point_type"] == "missing"
    assert values[-1]["point_type"] == "special_cause_concern"


def test_spec_has_dashed_limits_and_target_line():
    layers = charts.spc_chart_spec(result())["layer"]
    fields = {
        (lay["encoding"].get("y") or {}).get("field"): lay["mark"] for lay in layers if "encoding" in lay
    }
    assert fields["upper_limit"]["strokeDash"] and fields["lower_limit"]["strokeDash"]
    assert "target" in fields


def test_spec_marks_rebases_and_events_with_labels():
    dates = weekly(20)
    y = np.arange(20, dtype=float) % 5
    r = analyse("xmr", dates=dates, values=y, rebase_at=[dates[10]])
    spec = charts.spc_chart_spec(
        r, events=[charts.Event("2024-02-05", "New incident system"), ("2024-03-04", "QI start")]
    )
    labels = [
        row["label"]
        for lay in spec["layer"]
        if "data" in lay
        for row in lay["data"]["values"]
        if "label" in row
    ]
    assert "Rebase 2024-03-11" in labels and "New incident system" in labels and "QI start" in labels


def test_icons_drawn_for_variation_and_assurance():
    spec = charts.spc_chart_spec(result())
    letters = [
        lay["encoding"]["text"]["value"]
        for lay in spec["layer"]
        if lay["mark"]["type"] == "text" and "value" in lay["encoding"].get("text", {})
    ]
    # last point is a high concern (decrease is better): "H"; target 9 below the limits -> "?" or "P"
    assert letters[0] == "H"
    assert len(letters) == 2


def test_describe_chart_plain_english():
    text = charts.describe_chart(result())
    assert text.startswith("XmR chart of 19 points from 2024-01-01 to 2024-05-13.")
    assert "1 point (concern)" in text
    assert "Runs analysis" in text


def test_data_table_html_escapes_and_lists_every_row():
    r = analyse("xmr", dates=weekly(13), values=np.arange(13.0), groups=["<ward>"] * 13)
    table = charts.data_table_html(r, caption="Rate & count")
    assert table.count("<tr>") == 14
    assert "Rate &amp; count" in table and "<ward>" not in table


def test_svg_png_and_html_render():
    spec = charts.spc_chart_spec(result())
    svg = charts.chart_to_svg(spec)
    assert svg.startswith("<svg") and "</svg>" in svg
    png = charts.chart_to_png(spec, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    page = charts.chart_to_html(spec, table_html=charts.data_table_html(result()))
    assert "<html" in page.lower() and "rrp-spc-description" in page and "<table" in page


def test_small_multiples_one_panel_per_group():
    y = np.tile(np.arange(15.0), 3)
    r = analyse("xmr", dates=np.tile(weekly(15), 3), values=y, groups=np.repeat(["a", "b", "c"], 15))
    spec = charts.small_multiples_spec(r, max_groups=2)
    assert len(spec["vconcat"]) == 2
    assert "first 2 of 3 groups" in spec["title"]["text"]
    alt.VConcatChart.from_dict(spec)


def test_funnel_spec_plots_rate_against_denominator():
    r = analyse(
        "funnel", dates=None, numerators=[10, 50, 200], denominators=[1000, 5000, 20000], groups=list("abc")
    )
    spec = charts.spc_chart_spec(r)
    assert spec["layer"][-1]["encoding"]["x"]["field"] == "denominator"
    alt.LayerChart.from_dict(spec)
