"""Rates, rate ratios and their 95% intervals for the equity view, against examples worked by hand."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from rrp.reports.equity.compute import (
    CHARACTERISTICS,
    Characteristic,
    RateRatio,
    default_reference,
    equity_window,
    group_columns,
    rate_per_1000,
    rate_ratio,
)
from rrp.reports.equity.presenters import finding_words


def test_rate_ratio_log_interval_matches_hand_worked_example():
    # 30 interventions in 2,000 bed days (15 per 1,000) against 60 in 12,000 (5 per 1,000): RR = 3.
    # SE(log RR) = sqrt(1/30 + 1/60) = sqrt(0.05) = 0.223607; 1.96 x 0.223607 = 0.438269;
    # exp(0.438269) = 1.549993, so the interval is 3 / 1.549993 = 1.935 to 3 x 1.549993 = 4.650.
    result = rate_ratio(30, 2000, 60, 12000)

    assert result.method == "log"
    assert result.ratio == pytest.approx(3.0)
    assert result.low == pytest.approx(1.9355, abs=1e-4)
    assert result.high == pytest.approx(4.6500, abs=1e-4)


def test_rate_ratio_is_symmetric_on_the_log_scale():
    forward = rate_ratio(12, 800, 40, 5000)
    backward = rate_ratio(40, 5000, 12, 800)

    assert forward.ratio * backward.ratio == pytest.approx(1.0)
    assert forward.low * backward.high == pytest.approx(1.0)
    assert math.log(forward.high) - math.log(forward.ratio) == pytest.approx(
        math.log(forward.ratio) - math.log(forward.low)
    )


def test_rate_ratio_zero_count_gives_zero_and_exact_upper_limit():
    # No interventions in 1,000 bed days against 20 in 10,000. With n = 20 events in all, the
    # Clopper-Pearson upper limit for p is 1 - 0.025^(1/20) = 0.168437; RR_upper = p/(1-p) x 10 = 2.0255.
    result = rate_ratio(0, 1000, 20, 10000)

    assert result.method == "exact"
    assert result.ratio == 0 and result.low == 0
    assert result.high == pytest.approx(2.0255, abs=1e-3)


def test_rate_ratio_undefined_without_reference_interventions_or_bed_days():
    assert rate_ratio(5, 1000, 0, 10000) == RateRatio(None, None, None, "undefined")
    assert not rate_ratio(5, 0, 3, 10000).defined
    assert not rate_ratio(5, 100, 3, 0).defined


def test_rate_per_1000_and_no_bed_days():
    assert rate_per_1000(3, 500) == pytest.approx(6.0)
    assert rate_per_1000(3, 0) is None


def test_finding_words_flag_disproportion_only_when_lower_limit_above_one():
    info = CHARACTERISTICS[Characteristic.ETHNICITY]

    # 40 in 2,000 against 60 in 12,000: RR 4, SE sqrt(1/40 + 1/60) = 0.204124, interval 2.681 to 5.968.
    high = finding_words(info, "Black or Black British", "White", rate_ratio(40, 2000, 60, 12000))
    unclear = finding_words(info, "Mixed", "White", rate_ratio(3, 500, 60, 12000))
    low = finding_words(info, "Asian or Asian British", "White", rate_ratio(10, 10000, 60, 12000))

    assert high == (
        "Black or Black British patients had restrictive interventions 4.0 times as often per occupied bed "
        "day as White patients (95% CI 2.7 to 6.0)."
    )
    assert unclear is None
    assert low is not None and "less often" in low and "White patients" in low


def test_finding_words_name_groups_in_lower_case_mid_sentence():
    info = CHARACTERISTICS[Characteristic.AGE]

    words = finding_words(info, "18 to 25", "46 to 64", rate_ratio(30, 2000, 60, 12000))

    assert words is not None and words.startswith("Patients aged 18 to 25 had")
    assert "as patients aged 46 to 64 (95% CI" in words


def test_group_columns_broad_ethnic_groups_age_bands_and_unknowns():
    frame = group_columns(
        ethnic=pd.Series(["A", "M", "N", "H", "D", "S", "Z", "99", None]),
        sex=pd.Series(["1", "2", "9", "X", None, "1", "1", "1", "1"]),
        age=pd.Series([17, 18, 25, 26, 45, 46, 64, 65, None]),
        learning_disability=pd.Series(["Y", "N", "U", None, "Y", "N", "N", "N", "N"]),
        autism=pd.Series(["N", "Y", "U", "Y", None, "N", "N", "N", "N"]),
    )

    assert frame[Characteristic.ETHNICITY].tolist() == [
        "White",
        "Black or Black British",
        "Black or Black British",
        "Asian or Asian British",
        "Mixed",
        "Other ethnic group",
        "Not stated or not known",
        "Not stated or not known",
        "Not stated or not known",
    ]
    assert frame[Characteristic.AGE].tolist() == [
        "Under 18",
        "18 to 25",
        "18 to 25",
        "26 to 35",
        "36 to 45",
        "46 to 64",
        "46 to 64",
        "65 and over",
        "Not known",
    ]
    assert frame[Characteristic.SEX].tolist()[:5] == [
        "Male",
        "Female",
        "Indeterminate",
        "Not known",
        "Not known",
    ]
    assert frame[Characteristic.LEARNING_DISABILITY].tolist()[:4] == ["Yes", "No", "Not known", "Not known"]


def test_default_reference_is_largest_known_group_by_bed_days():
    info = CHARACTERISTICS[Characteristic.ETHNICITY]

    assert (
        default_reference({"White": 900, "Black or Black British": 300, info.unknown: 5000}, info) == "White"
    )
    assert default_reference({info.unknown: 50}, info) == info.unknown
    assert default_reference({"White": 0}, info) is None


def test_equity_window_last_whole_months_in_three_month_blocks():
    window = equity_window("12", today=dt.date(2026, 12, 2))

    assert (window.since, window.until) == (dt.date(2025, 12, 1), dt.date(2026, 11, 30))
    assert [q.start for q in window.quarters] == [
        dt.date(2025, 12, 1),
        dt.date(2026, 3, 1),
        dt.date(2026, 6, 1),
        dt.date(2026, 9, 1),
    ]
    assert window.quarters[-1].end == dt.date(2026, 11, 30)
    assert window.quarters[0].label == "Dec 2025 to Feb 2026"
    assert len(equity_window("24", today=dt.date(2026, 12, 2)).quarters) == 8


def test_forest_plot_draws_only_finite_ratios_and_names_the_rest():
    from rrp.charts.rate_ratio import RatioPoint, forest_plot_spec

    points = [
        RatioPoint("Black or Black British", 3.0, 1.9355, 4.65),
        RatioPoint("Mixed", 0.0, 0.0, 2.03, note="no interventions"),
        RatioPoint("Other ethnic group", None, None, None, note="suppressed"),
    ]

    spec = forest_plot_spec(points, title="Rate ratios", reference="White")

    assert [r["group"] for r in spec["data"]["values"]] == ["Black or Black British"]
    assert spec["layer"][1]["encoding"]["x"]["scale"]["type"] == "log"
    low, high = spec["layer"][1]["encoding"]["x"]["scale"]["domain"]
    assert low < 1 < 4.65 < high
    assert "Black or Black British 3.00 (95% CI 1.94 to 4.65)" in spec["description"]
    assert "Mixed: no interventions" in spec["description"]
    assert "Other ethnic group: suppressed" in spec["description"]
    assert "The whole interval is above 1 for: Black or Black British." in spec["description"]
