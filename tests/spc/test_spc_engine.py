"""Engine behaviour: profiles, options, missing values, many groups at once."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rrp.spc import SpcInputError, analyse, assurance, spc_matrix
from rrp.spc.types import Assurance


def weekly(n: int, start: str = "2023-01-02") -> np.ndarray:
    return np.datetime64(start) + np.arange(n) * np.timedelta64(7, "D")


def _xmr(values, **kw):
    values = np.asarray(values, dtype=float)
    return analyse("xmr", dates=weekly(len(values)), values=values, **kw)


STABLE = [10, 12, 11, 13, 9, 10, 12, 11, 10, 12, 11, 13, 10, 11, 12, 10, 11, 12, 10, 11]


def test_xmr_mdc_limits_are_mean_plus_minus_266_unscreened_mr():
    y = np.array([*STABLE[:19], 40.0])
    r = _xmr(y, profile="mdc")
    mr = np.abs(np.diff(y)).mean()
    assert r.upper_limit[0] == pytest.approx(y.mean() + 2.66 * mr)


def test_xmr_nhsrplotthedots_screens_large_moving_ranges_once():
    y = np.array([*STABLE[:19], 40.0])
    r = _xmr(y, profile="nhsrplotthedots")
    mr = np.abs(np.diff(y))
    kept = mr[mr < 3.267 * mr.mean()]
    assert len(kept) == len(mr) - 1
    assert r.upper_limit[0] == pytest.approx(y.mean() + 2.66 * kept.mean())


def test_xmr_qicharts2_uses_three_sigma_over_1128():
    y = np.array(STABLE, dtype=float)
    r = _xmr(y, profile="qicharts2")
    assert r.upper_limit[0] == pytest.approx(y.mean() + 3 * np.abs(np.diff(y)).mean() / 1.128)


def test_xmr_qicharts2_signals_only_beyond_limits():
    y = np.array([10, 11, 12, 13, 14, 15, 16, 17, 12, 11, 10, 11, 12, 11, 10, 12, 11, 10], dtype=float)
    r = _xmr(y, profile="qicharts2")
    assert set(r.special_cause_labels()) <= {"", "above_upper_limit", "below_lower_limit"}
    r2 = _xmr(y, profile="nhsrplotthedots")
    assert "trend_increasing" in set(r2.special_cause_labels())


def test_xmr_mdc_hides_limits_under_13_points():
    r = _xmr(STABLE[:12], profile="mdc", improvement_direction="increase", target=5)
    assert np.isnan(r.upper_limit).all() and np.isfinite(r.centre).all()
    s = r.summaries[0]
    assert s.variation is None and s.assurance is None and s.upper_limit is None
    r13 = _xmr(STABLE[:13], profile="mdc", improvement_direction="increase", target=5)
    assert np.isfinite(r13.upper_limit).all() and r13.summaries[0].variation == "common_cause"


def test_xmr_ptd_warns_under_13_points_but_shows_limits():
    r = _xmr(STABLE[:10], profile="nhsrplotthedots")
    assert np.isfinite(r.upper_limit).all()
    assert any("10 points" in w for w in r.warnings)


def test_trend_with_tie_differs_between_mdc_and_ptd():
    y = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 9, 10, 11, 11, 12, 13, 14, 15]
    # rising 9 10 11 11 12 13 14 15: seven different rising values with one repeat
    mdc = _xmr(y, profile="mdc").special_cause_labels()
    ptd = _xmr(y, profile="nhsrplotthedots").special_cause_labels()
    assert "trend_increasing" in set(mdc[13:])
    assert "trend_increasing" not in set(ptd[13:])


def test_missing_value_never_bridges_a_moving_range():
    y = np.array([10, 20, np.nan, 10, 20, 10, 20, 10, 20, 10, 20, 10, 20, 10], dtype=float)
    r = _xmr(y, profile="mdc")
    mrs = np.abs(np.diff(y))
    amr = np.nanmean(mrs)  # the NaN step and the step after it are both missing
    assert r.upper_limit[0] == pytest.approx(np.nanmean(y) + 2.66 * amr)
    assert r.point_type_labels()[2] == "" and math.isnan(r.value[2])


def test_missing_value_neither_extends_nor_breaks_a_shift():
    y = np.array([6, 7, 6, np.nan, 7, 6, 7, 6, 2, 8, 2, 8, 2, 8, 2, 8, 2, 8], dtype=float)
    r = _xmr(y, profile="nhsrplotthedots")
    labels = r.special_cause_labels()
    assert (labels[[0, 1, 2, 4, 5, 6, 7]] == "shift_above").all()
    assert labels[3] == ""


def test_all_missing_series_does_not_crash():
    r = _xmr([np.nan] * 15, improvement_direction="increase", target=3)
    assert np.isnan(r.centre).all()
    assert r.summaries[0].n == 0 and r.summaries[0].variation is None


def test_rebase_gives_each_period_its_own_limits_and_runs():
    y = np.r_[np.full(15, 10.0) + np.tile([0, 1, 2], 5), np.full(15, 30.0) + np.tile([0, 2, 4], 5)]
    dates = weekly(30)
    r = analyse("xmr", dates=dates, values=y, rebase_at=[dates[15]])
    assert r.period.tolist() == [0] * 15 + [1] * 15
    assert r.centre[0] == pytest.approx(11) and r.centre[20] == pytest.approx(32)
    assert [s.period for s in r.summaries] == [0, 1]
    assert r.summaries[1].runs.n_useful == 10  # the five points on the centre line are not useful


def test_baseline_freezes_limits_after_n_points():
    y = np.r_[np.array(STABLE, dtype=float), np.full(10, 50.0)]
    r = analyse("xmr", dates=weekly(30), values=y, baseline_points=20)
    assert r.centre[25] == pytest.approx(np.mean(STABLE))
    assert (r.special_cause_labels()[20:] == "above_upper_limit").all()


def test_baseline_below_12_for_xmr_is_rejected():
    with pytest.raises(SpcInputError):
        analyse("xmr", dates=weekly(20), values=np.ones(20), baseline_points=11)


def test_excluded_points_do_not_move_the_centre():
    y = np.array([*STABLE, 100.0])
    excl = np.zeros(21, dtype=bool)
    excl[-1] = True
    r = _xmr(y, excluded=excl)
    assert r.centre[0] == pytest.approx(np.mean(STABLE))
    assert r.special_cause_labels()[-1] == "above_upper_limit"


def test_excluded_by_date():
    y = np.array([*STABLE, 100.0])
    dates = weekly(21)
    r = analyse("xmr", dates=dates, values=y, excluded=[dates[-1]])
    assert r.centre[0] == pytest.approx(np.mean(STABLE))


def test_duplicate_date_in_a_group_is_rejected_with_rows():
    with pytest.raises(SpcInputError) as err:
        analyse("xmr", dates=["2024-01-01", "2024-01-08", "2024-01-01"], values=[1, 2, 3])
    assert err.value.rows == (0, 2)


def test_same_date_in_two_groups_is_fine():
    r = analyse("xmr", dates=["2024-01-01", "2024-01-01"], values=[1, 2], groups=["a", "b"])
    assert r.groups() == ["a", "b"]


def test_many_groups_equal_one_at_a_time_and_keep_input_order():
    rng = np.random.default_rng(7)
    n_groups, n = 6, 40
    values = rng.normal(20, 3, size=(n_groups, n))
    values[2, 5] = np.nan
    groups = np.repeat([f"w{i}" for i in range(n_groups)], n)
    dates = np.tile(weekly(n), n_groups)
    perm = rng.permutation(n_groups * n)
    together = analyse(
        "xmr",
        dates=dates[perm],
        values=values.ravel()[perm],
        groups=groups[perm],
        improvement_direction="decrease",
    )
    for i in range(n_groups):
        alone = analyse("xmr", dates=weekly(n), values=values[i], improvement_direction="decrease")
        rows = np.flatnonzero(groups[perm] == f"w{i}")
        order = np.argsort(dates[perm][rows])
        np.testing.assert_allclose(together.upper_limit[rows][order], alone.upper_limit)
        assert together.special_cause[rows][order].tolist() == alone.special_cause.tolist()
    assert together.group.tolist() == groups[perm].tolist()


def test_spc_matrix_columns_are_independent():
    rng = np.random.default_rng(3)
    y = rng.normal(0, 1, size=(50, 4))
    full = spc_matrix("xmr", y)
    single = spc_matrix("xmr", y[:, 2])
    np.testing.assert_allclose(full.upper_limit[:, 2], single.upper_limit[:, 0])


def test_multiplier_scales_rates():
    num = np.array([3, 5, 4, 6, 2, 5, 4, 3, 5, 4, 6, 5, 4], dtype=float)
    den = np.array([700, 710, 690, 720, 705, 698, 702, 710, 700, 690, 705, 700, 700], dtype=float)
    r1 = analyse("u", dates=weekly(13), numerators=num, denominators=den)
    r1000 = analyse("u", dates=weekly(13), numerators=num, denominators=den, multiplier=1000)
    np.testing.assert_allclose(r1000.value, r1.value * 1000)
    np.testing.assert_allclose(r1000.upper_limit, r1.upper_limit * 1000)
    assert r1000.centre[0] == pytest.approx(num.sum() / den.sum() * 1000)


def test_xmr_of_a_ratio_plots_numerator_over_denominator():
    num = np.arange(1, 16, dtype=float)
    den = np.full(15, 200.0)
    r = analyse("xmr", dates=weekly(15), numerators=num, denominators=den, multiplier=1000)
    np.testing.assert_allclose(r.value, num / den * 1000)


def test_laney_pprime_matches_hand_calculation():
    rng = np.random.default_rng(11)
    den = rng.integers(800, 1200, 24).astype(float)
    num = rng.binomial(den.astype(int), rng.uniform(0.08, 0.12, 24)).astype(float)
    r = analyse("pprime", dates=weekly(24), numerators=num, denominators=den, profile="mdc")
    p = num / den
    pbar = num.sum() / den.sum()
    sd = np.sqrt(pbar * (1 - pbar) / den)
    z = (p - pbar) / sd
    sigma_z = np.abs(np.diff(z)).mean() / 1.128
    np.testing.assert_allclose(r.upper_limit, np.minimum(pbar + 3 * sd * sigma_z, 1))
    np.testing.assert_allclose(r.lower_2sigma, np.maximum(pbar - 2 * sd * sigma_z, 0))


def test_uprime_with_no_overdispersion_is_close_to_u():
    rng = np.random.default_rng(5)
    den = rng.uniform(900, 1100, 200)
    num = rng.poisson(0.05 * den).astype(float)
    u = analyse("u", dates=weekly(200), numerators=num, denominators=den, profile="qicharts2")
    up = analyse("uprime", dates=weekly(200), numerators=num, denominators=den, profile="qicharts2")
    assert np.nanmean(up.upper_limit / u.upper_limit) == pytest.approx(1, abs=0.15)


def test_g_chart_centre_is_median_limits_from_mean():
    y = np.array([3, 10, 5, 40, 8, 12, 1, 20, 7, 15, 9, 30, 2], dtype=float)
    r = analyse("g", dates=weekly(13), values=y, profile="qicharts2")
    m = y.mean()
    assert r.centre[0] == pytest.approx(np.median(y))
    assert r.upper_limit[0] == pytest.approx(m + 3 * math.sqrt(m * (m + 1)))
    assert r.lower_limit[0] == 0


def test_t_chart_transforms_by_power_36():
    y = np.array([12, 30, 8, 55, 20, 17, 40, 9, 25, 33, 14, 60, 22], dtype=float)
    r = analyse("t", dates=weekly(13), values=y, profile="qicharts2")
    x = y ** (1 / 3.6)
    mr = np.abs(np.diff(x))
    mr = mr[mr < 3.267 * mr.mean()]
    assert r.centre[0] == pytest.approx(x.mean() ** 3.6)
    assert r.upper_limit[0] == pytest.approx((x.mean() + 3 * mr.mean() / 1.128) ** 3.6)


def test_run_chart_centre_is_median_and_has_no_limits():
    y = np.array([1, 2, 3, 4, 100, 5, 6], dtype=float)
    r = analyse("run", dates=weekly(7), values=y)
    assert r.centre[0] == 4
    assert np.isnan(r.upper_limit).all()
    assert r.summaries[0].runs.n_useful == 6


def test_assurance_rules():
    assert assurance(20, 5, 15, "increase") is Assurance.CONSISTENT_FAIL
    assert assurance(20, 5, 15, "decrease") is Assurance.CONSISTENT_PASS
    assert assurance(2, 5, 15, "increase") is Assurance.CONSISTENT_PASS
    assert assurance(2, 5, 15, "decrease") is Assurance.CONSISTENT_FAIL
    assert assurance(10, 5, 15, "increase") is Assurance.INCONSISTENT
    assert assurance(10, 5, 15, "neutral") is None
    assert assurance(float("nan"), 5, 15, "increase") is None


def test_target_per_group_mapping():
    y = np.tile(np.array(STABLE, dtype=float), 2)
    r = analyse(
        "xmr",
        dates=np.tile(weekly(20), 2),
        values=y,
        groups=["a"] * 20 + ["b"] * 20,
        improvement_direction="increase",
        target={"a": 1.0, "b": 100.0},
    )
    assert [s.assurance for s in r.summaries] == ["consistent_pass", "consistent_fail"]


def test_variation_is_last_point_type():
    y = np.array([*STABLE, 40.0])
    r = _xmr(y, improvement_direction="decrease")
    assert r.summaries[0].variation == "special_cause_concern"
    assert r.point_type_labels()[-1] == "special_cause_concern"


def test_funnel_pooled_rate_and_limits():
    num = np.array([10, 50, 200, 30, 5], dtype=float)
    den = np.array([1000, 5000, 20000, 1500, 2000], dtype=float)
    r = analyse("funnel", dates=None, numerators=num, denominators=den, groups=list("abcde"))
    theta = num.sum() / den.sum()
    assert r.centre[0] == pytest.approx(theta)
    assert r.upper_limit[0] == pytest.approx(
        (math.sqrt(theta) + 3.090232306167813 / (2 * math.sqrt(1000))) ** 2
    )
    assert r.special_cause_labels()[3] == "above_upper_limit"  # 30 / 1500 = 0.02 vs 0.0095
    assert r.upper_2sigma[0] < r.upper_limit[0]


def test_funnel_unit_with_a_vanishing_denominator_has_unbounded_limits_without_a_warning():
    """Found by the property test: 1 / (4 x 2.2e-311) overflows; warnings are errors in the suite."""
    r = analyse("funnel", dates=None, numerators=[0.0], denominators=[2.225073858507e-311], groups=["a"])
    assert math.isinf(r.upper_limit[0])


def test_funnel_overdispersion_widens_limits():
    rng = np.random.default_rng(2)
    den = rng.uniform(1000, 20000, 60)
    num = rng.poisson(den * rng.gamma(20, 0.01 / 20, 60)).astype(float)
    plain = analyse(
        "funnel", dates=None, numerators=num, denominators=den, groups=[str(i) for i in range(60)]
    )
    wide = analyse(
        "funnel",
        dates=None,
        numerators=num,
        denominators=den,
        groups=[str(i) for i in range(60)],
        overdispersion=True,
    )
    assert (wide.upper_limit >= plain.upper_limit).all()
    assert (wide.special_cause != 0).sum() <= (plain.special_cause != 0).sum()


def test_result_arrays_are_read_only():
    r = _xmr(STABLE)
    with pytest.raises(ValueError):
        r.value[0] = 1


def test_by_group_gives_each_group_what_for_group_does():
    rng = np.random.default_rng(3)
    dates = np.tile(np.arange("2024-01", "2025-07", dtype="datetime64[M]").astype("datetime64[D]"), 3)
    groups = np.repeat(np.array(["b", "a", "c"], dtype=object), 18)
    order = rng.permutation(len(dates))  # rows of the groups interleaved
    values = rng.poisson(10, size=len(dates)).astype(float)
    values[order[5]] = np.nan
    result = analyse(
        "xmr",
        dates=dates[order],
        values=values[order],
        groups=groups[order],
        rebase_at=[np.datetime64("2024-09-01")],
    )

    split = result.by_group()

    assert list(split) == result.groups()
    for group in result.groups():
        alone = result.for_group(group)
        together = split[group]
        assert together.summaries == alone.summaries and len(together.summaries) == 2
        for name in ("date", "value", "centre", "upper_limit", "point_type", "special_cause", "group"):
            assert np.array_equal(
                getattr(together, name), getattr(alone, name), equal_nan=name != "group" and name != "date"
            )
