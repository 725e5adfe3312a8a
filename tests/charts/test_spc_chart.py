"""Drawing: the Vega-Lite spec, its renderings and the accessible text (no Django)."""

from __future__ import annotations

import altair as alt
import numpy as np

from rrp import charts
from rrp.charts import spc_chart
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


def test_spec_numbers_rebases_and_events_with_a_key():
    dates = weekly(20)
    y = np.arange(20, dtype=float) % 5
    r = analyse("xmr", dates=dates, values=y, rebase_at=[dates[10]])
    spec = charts.spc_chart_spec(
        r, events=[charts.Event("2024-02-05", "New incident system"), ("2024-03-04", "QI start")]
    )
    assert spec["title"]["subtitle"] == [
        "1. New incident system (Feb 2024)",
        "2. QI start (Mar 2024)",
        "3. Limits recalculated (rebase) (Mar 2024)",
    ]
    numbers = {
        row["number"]
        for lay in spec["layer"]
        if "data" in lay
        for row in lay["data"]["values"]
        if "number" in row
    }
    assert numbers == {"1", "2", "3"}


def test_event_numbers_close_together_go_on_different_rows():
    """Issue 13: event labels overlapped. Markers closer than MARKER_GAP of the axis are staggered."""
    found = spc_chart.markers(
        [],
        [("2024-01-08", "a"), ("2024-01-11", "b"), ("2024-01-14", "c"), ("2024-04-01", "d")],
        first="2024-01-01",
        last="2024-05-13",
    )
    assert [m.row for m in found] == [0, 1, 2, 0]
    for one in found:
        for other in found:
            if one is not other and one.row == other.row:
                gap = abs(np.datetime64(one.date) - np.datetime64(other.date)) / np.timedelta64(133, "D")
                assert gap >= spc_chart.MARKER_GAP


def test_time_axis_shows_years():
    """Issue 13: month names without years. The axis writes every tick as "Jan 2024"."""
    spec = charts.spc_chart_spec(result())
    axis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert axis["format"] == "%b %Y" and axis["labelOverlap"] == "greedy"
    svg = charts.chart_to_svg(spec)
    assert "Jan 2024" in svg or "Feb 2024" in svg


def monthly_counts():
    dates = np.array([np.datetime64(f"{2024 + i // 12}-{i % 12 + 1:02d}-01") for i in range(24)])
    y = np.array([3, 2, 2, 2, 5, 3, 4, 2, 2, 4, 5, 4, 3, 3, 3, 5, 6, 1, 1, 1, 0, 1, 0, 0], dtype=float)
    return analyse("xmr", dates=dates, values=y, improvement_direction="decrease")


def test_lower_limit_floored_at_zero_for_a_measure_that_cannot_be_negative():
    """Issue 13: negative lower limits were drawn for rates and counts (axis down to -20)."""
    r = monthly_counts()
    assert np.nanmin(r.lower_limit) < 0  # the XmR arithmetic goes below 0
    spec = charts.spc_chart_spec(r, floor=0)
    lows = [row["lower_limit"] for row in spec["data"]["values"] if row["lower_limit"] is not None]
    assert min(lows) == 0
    assert "process limits 0 to" in spec["description"]
    floored = charts.floor_limits(r, 0)
    assert floored.summaries[-1].lower_limit == 0
    assert (floored.point_type == r.point_type).all()  # no signal moves: nothing lies below 0
    # an XmR chart of a measure that could go negative keeps its limits; count charts floor by type
    assert min(row["lower_limit"] for row in charts.spc_chart_spec(r)["data"]["values"]) < 0
    assert charts.default_floor(analyse("c", dates=r.date, values=r.value).chart) == 0


def test_icons_are_the_mdc_design_as_images():
    spec = charts.spc_chart_spec(result())
    icons = [lay for lay in spec["layer"] if lay.get("name", "").startswith("rrp-icon")]
    assert [lay["mark"]["type"] for lay in icons] == ["image", "image"]
    assert icons[0]["data"]["values"][0]["url"].startswith("data:image/svg+xml;base64,")
    # the last point is a high concern (decrease is better): the orange H; target 9 below the limits
    variation, assurance = charts.mdc_icons(result().summaries[-1], result().improvement_direction)
    assert (variation.code, variation.letter) == ("special_cause_concern", "H")
    assert "#FF6600" in variation.svg and ">H</text>" in variation.svg
    assert assurance.kind == "assurance" and "stroke-dasharray" in assurance.svg


def test_one_sentence_agrees_with_the_icon():
    """Issue 13: "special cause ... (improvement)" beside "no signal". The chart's sentence is written from
    the summary that sets the icon, and the description carries no second verdict."""
    r = monthly_counts()
    variation = charts.mdc_icons(r.summaries[-1], r.improvement_direction)[0]
    sentence = charts.chart_sentence(r)
    assert variation.code == "special_cause_improvement"
    assert sentence == "The latest point shows special cause variation, improvement (low)."
    assert variation.words == "Variation: special cause variation, improvement (low)"
    text = charts.describe_chart(r)
    assert sentence in text and "no signal" not in text and "Runs analysis" not in text
    few = analyse("xmr", dates=r.date[:8], values=r.value[:8])
    assert charts.chart_sentence(few).startswith("Too few points for process limits")
    assert "common cause" not in charts.describe_chart(few)


def test_describe_chart_plain_english():
    text = charts.describe_chart(result())
    assert text.startswith("XmR chart, 19 points from Jan 2024 to May 2024.")
    assert "1 concern" in text
    assert "The latest point shows special cause variation, concern (high)." in text


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
