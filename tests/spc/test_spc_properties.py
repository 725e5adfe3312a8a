"""Hypothesis properties of the engine (the house style's list, plus "no input crashes")."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rrp.spc import analyse

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
maybe_missing = st.one_of(finite, st.just(float("nan")))
profiles = st.sampled_from(["mdc", "nhsrplotthedots", "qicharts2"])
directions = st.sampled_from(["increase", "decrease", "neutral"])


def weekly(n: int) -> np.ndarray:
    return np.datetime64("2022-01-03") + np.arange(n) * np.timedelta64(7, "D")


@SETTINGS
@given(arrays(float, st.integers(13, 60), elements=maybe_missing), profiles)
def test_xmr_limits_symmetric_about_centre(values, profile):
    r = analyse("xmr", dates=weekly(len(values)), values=values, profile=profile)
    ok = np.isfinite(r.upper_limit)
    np.testing.assert_allclose(
        (r.upper_limit - r.centre)[ok], (r.centre - r.lower_limit)[ok], rtol=1e-9, atol=1e-6
    )
    np.testing.assert_allclose(
        (r.upper_2sigma - r.centre)[ok], (r.centre - r.lower_2sigma)[ok], rtol=1e-9, atol=1e-6
    )


@SETTINGS
@given(
    arrays(float, st.integers(13, 50), elements=st.integers(-1000, 1000).map(float)),
    st.integers(-10_000, 10_000).map(float),
    profiles,
    directions,
)
def test_xmr_shifting_values_shifts_everything(values, shift, profile, direction):
    dates = weekly(len(values))
    a = analyse("xmr", dates=dates, values=values, profile=profile, improvement_direction=direction)
    b = analyse("xmr", dates=dates, values=values + shift, profile=profile, improvement_direction=direction)
    for name in ("centre", "lower_limit", "upper_limit", "lower_2sigma", "upper_2sigma"):
        np.testing.assert_allclose(getattr(b, name), getattr(a, name) + shift, atol=1e-6)
    assert b.special_cause.tolist() == a.special_cause.tolist()
    assert b.point_type.tolist() == a.point_type.tolist()


@SETTINGS
@given(
    arrays(float, st.integers(13, 50), elements=st.integers(0, 1000).map(float)),
    st.sampled_from([2.0, 10.0, 0.5, 1000.0]),
    profiles,
)
def test_xmr_scaling_values_scales_limits(values, scale, profile):
    dates = weekly(len(values))
    a = analyse("xmr", dates=dates, values=values, profile=profile)
    b = analyse("xmr", dates=dates, values=values * scale, profile=profile)
    np.testing.assert_allclose(b.upper_limit, a.upper_limit * scale, rtol=1e-9, atol=1e-9)
    assert b.special_cause.tolist() == a.special_cause.tolist()


@SETTINGS
@given(
    arrays(float, st.integers(20, 60), elements=maybe_missing),
    st.data(),
    st.sampled_from(["xmr", "run", "c", "g", "t"]),
    profiles,
)
def test_rebase_never_changes_points_before_it(values, data, chart, profile):
    if chart in ("c", "g"):
        values = np.abs(np.round(values))
    if chart == "t":
        values = np.abs(values) + 1
    n = len(values)
    cut = data.draw(st.integers(1, n - 1))
    dates = weekly(n)
    before = analyse(chart, dates=dates[:cut], values=values[:cut], profile=profile)
    full = analyse(chart, dates=dates, values=values, profile=profile, rebase_at=[dates[cut]])
    for name in ("centre", "lower_limit", "upper_limit"):
        # equal up to summation order (the padded layouts differ in length)
        np.testing.assert_allclose(getattr(full, name)[:cut], getattr(before, name), rtol=1e-12, atol=1e-9)
    for name in ("special_cause", "point_type"):
        np.testing.assert_array_equal(getattr(full, name)[:cut], getattr(before, name))
    assert full.summaries[0].runs == before.summaries[0].runs


@SETTINGS
@given(
    st.sampled_from(["run", "xmr", "p", "pprime", "u", "uprime", "c", "g", "t", "funnel"]),
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 40), maybe_missing, maybe_missing),
        max_size=80,
    ),
    profiles,
    directions,
    st.one_of(st.none(), finite),
    st.one_of(st.none(), st.integers(12, 30)),
)
def test_no_input_crashes_the_engine(chart, rows, profile, direction, target, baseline):
    seen = set()
    rows = [r for r in rows if not ((r[0], r[1]) in seen or seen.add((r[0], r[1])))]
    groups = [r[0] for r in rows]
    dates = np.datetime64("2022-01-03") + np.array([r[1] for r in rows], dtype=np.int64) * np.timedelta64(
        7, "D"
    )
    a = np.array([r[2] for r in rows], dtype=float)
    b = np.array([r[3] for r in rows], dtype=float)
    kwargs = (
        {"numerators": np.abs(a), "denominators": np.abs(a) + np.abs(b)}
        if chart in ("p", "pprime", "u", "uprime", "funnel")
        else {"values": a}
    )
    r = analyse(
        chart,
        dates=dates,
        groups=groups,
        profile=profile,
        improvement_direction=direction,
        target=target,
        baseline_points=baseline,
        **kwargs,
    )
    assert len(r) == len(rows)
    assert set(r.point_type_labels()) <= {
        "",
        "common_cause",
        "special_cause_improvement",
        "special_cause_concern",
        "special_cause_neutral_high",
        "special_cause_neutral_low",
    }
    missing = ~np.isfinite(r.value)
    assert (r.point_type_labels()[missing] == "").all()


@pytest.mark.parametrize(("value", "n", "cut"), [(-40057.62189252304, 39, 17), (34124.88293872608, 41, 26)])
@pytest.mark.parametrize("profile", ["mdc", "nhsrplotthedots", "qicharts2"])
def test_a_flat_series_is_on_its_centre_line_however_the_centre_was_summed(value, n, cut, profile):
    """Found by the rebase property: a rebased segment's centre can differ from the same points' centre
    alone in the last bits, which put every point of a flat series on one side of it (a shift).
    Points within ``rules.ON_CENTRE_RTOL`` of the centre are on it."""
    dates = weekly(n)
    values = np.full(n, value)
    alone = analyse("xmr", dates=dates[:cut], values=values[:cut], profile=profile)
    rebased = analyse("xmr", dates=dates, values=values, profile=profile, rebase_at=[dates[cut]])

    assert rebased.point_type[:cut].tolist() == alone.point_type.tolist()
    assert rebased.summaries[0].runs == alone.summaries[0].runs
    assert not rebased.special_cause.any()


@pytest.mark.parametrize("chart", ["p", "pprime", "u", "uprime"])
def test_a_subnormal_denominator_does_not_crash_the_engine(chart):
    """Found by CI's run of the property above (p chart): a denominator of about 1e-310 overflowed the
    sigma's division, and the engine raised instead of drawing no limit for that point."""
    dates = np.datetime64("2022-01-03") + np.arange(3) * np.timedelta64(7, "D")
    analyse(
        chart,
        dates=dates,
        groups=["a"] * 3,
        numerators=np.array([1e-310, 1.0, 2.0]),
        denominators=np.array([1e-310, 10.0, 10.0]),
    )
