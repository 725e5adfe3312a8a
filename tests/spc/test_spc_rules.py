"""One test group per rule; expectations follow NHSRplotthedots' own rule tests
(tests/testthat/test-ptd_calculate_point_type.R) and the Making Data Count rule descriptions."""

from __future__ import annotations

import numpy as np

from rrp.spc import rules
from rrp.spc.types import Profile, SpecialCause


def col(*values: float) -> np.ndarray:
    return np.asarray(values, dtype=float)[:, None]


def flat(a: np.ndarray) -> list[int]:
    return a[:, 0].tolist()


def test_seven_point_shift_six_points_no_signal():
    assert flat(rules.seven_point_shift(col(*[1] * 6), 0.0)) == [0] * 6


def test_seven_point_shift_eight_above_then_below_marks_the_eight():
    # NHSRplotthedots: seven_point_one_side_mean(c(rep(1, 8), -1)) ends a run at points 7 and 8
    got = flat(rules.seven_point_shift(col(*([1] * 8), -1), 0.0))
    assert got == [1] * 8 + [0]


def test_seven_point_shift_below_is_negative():
    got = flat(rules.seven_point_shift(col(1, *([-1] * 8), 1), 0.0))
    assert got == [0] + [-1] * 8 + [0]


def test_seven_point_shift_point_on_centre_breaks_run():
    got = flat(rules.seven_point_shift(col(1, 1, 1, 0, 1, 1, 1, 1), 0.0))
    assert got == [0] * 8


def test_seven_point_trend_six_points_no_signal():
    assert flat(rules.seven_point_trend(col(1, 2, 3, 4, 5, 6))) == [0] * 6


def test_seven_point_trend_tie_breaks_trend():
    # NHSRplotthedots: ptd_seven_point_trend(c(1:3, 3:6)) is all zero
    assert flat(rules.seven_point_trend(col(1, 2, 3, 3, 4, 5, 6))) == [0] * 7


def test_seven_point_trend_increasing_inside_series():
    # NHSRplotthedots: ptd_seven_point_trend(c(2, 1:7, 3)) ends a trend at point 8
    got = flat(rules.seven_point_trend(col(2, 1, 2, 3, 4, 5, 6, 7, 3)))
    assert got == [0, 1, 1, 1, 1, 1, 1, 1, 0]


def test_seven_point_trend_decreasing_is_negative():
    got = flat(rules.seven_point_trend(col(2, 7, 6, 5, 4, 3, 2, 1, 3)))
    assert got == [0, -1, -1, -1, -1, -1, -1, -1, 0]


def test_trend_ignoring_ties_repeated_value_neither_adds_nor_breaks():
    # 1 2 3 3 4 5 6 has six different rising values: no MDC trend (a tie does not add) ...
    assert flat(rules.seven_point_trend_ignoring_ties(col(1, 2, 3, 3, 4, 5, 6))) == [0] * 7
    # ... but 1 2 3 3 4 5 6 7 has seven, and the tie does not break it
    assert flat(rules.seven_point_trend_ignoring_ties(col(1, 2, 3, 3, 4, 5, 6, 7))) == [1] * 8


def test_trend_ignoring_ties_leading_tie_not_part_of_trend():
    got = flat(rules.seven_point_trend_ignoring_ties(col(5, 5, 1, 2, 3, 4, 5, 6, 7)))
    assert got == [0, 0, 1, 1, 1, 1, 1, 1, 1]


def test_trend_ignoring_ties_falling_then_flat_end():
    got = flat(rules.seven_point_trend_ignoring_ties(col(9, 8, 7, 6, 5, 4, 3, 3)))
    assert got == [-1] * 7 + [0]


def _close(*flags: int) -> np.ndarray:
    """Values 2.5 (between 2 sigma and the limit, above) where flagged, else 0.5, for centre 0, sigma 1."""
    return col(*[2.5 if f else 0.5 for f in flags])


def test_two_of_three_close_to_limit_ptd_examples():
    # NHSRplotthedots ptd_part_of_two_in_three: (0,0,1,0,1,0,0) -> the two close points
    got = flat(rules.two_of_three_close_to_limit(_close(0, 0, 1, 0, 1, 0, 0), 0.0, -3.0, 3.0, -2.0, 2.0))
    assert got == [0, 0, 1, 0, 1, 0, 0]
    # (1,0,0,1) -> none; (1,0,0,1,1) -> the last two
    assert flat(rules.two_of_three_close_to_limit(_close(1, 0, 0, 1), 0.0, -3.0, 3.0, -2.0, 2.0)) == [0] * 4
    got = flat(rules.two_of_three_close_to_limit(_close(1, 0, 0, 1, 1), 0.0, -3.0, 3.0, -2.0, 2.0))
    assert got == [0, 0, 0, 1, 1]


def test_two_of_three_close_to_limit_ignores_points_outside_limits():
    got = flat(rules.two_of_three_close_to_limit(col(2.5, 3.5, 0.5), 0.0, -3.0, 3.0, -2.0, 2.0))
    assert got == [0, 0, 0]


def test_two_of_three_close_to_limit_needs_all_three_on_one_side():
    got = flat(rules.two_of_three_close_to_limit(col(2.5, -0.5, 2.5), 0.0, -3.0, 3.0, -2.0, 2.0))
    assert got == [0, 0, 0]


def test_two_of_three_beyond_two_sigma_counts_points_beyond_limits():
    got = flat(rules.two_of_three_beyond_two_sigma(col(2.5, 3.5, 0.5), -2.0, 2.0))
    assert got == [1, 1, 0]


def test_two_of_three_beyond_two_sigma_third_point_anywhere():
    got = flat(rules.two_of_three_beyond_two_sigma(col(-2.5, 1.0, -2.6), -2.0, 2.0))
    assert got == [-1, 0, -1]


def test_two_of_three_beyond_two_sigma_opposite_sides_no_signal():
    assert flat(rules.two_of_three_beyond_two_sigma(col(2.5, -2.5, 0.0), -2.0, 2.0)) == [0, 0, 0]


def test_outside_limits_strictly_beyond():
    assert flat(rules.outside_limits(col(3.0, 3.01, -3.01, 0), -3.0, 3.0)) == [0, 1, -1, 0]


def test_combine_rules_ptd_precedence_outside_over_trend():
    signals = {"outside": col(1), "trend": col(-1), "two_of_three": col(0), "shift": col(1)}
    got = rules.combine_rules(signals, Profile.NHSRPLOTTHEDOTS, 1)
    assert got[0, 0] == SpecialCause.ABOVE_UPPER_LIMIT


def test_combine_rules_ptd_trend_over_shift():
    signals = {"outside": col(0), "trend": col(-1), "two_of_three": col(0), "shift": col(1)}
    got = rules.combine_rules(signals, Profile.NHSRPLOTTHEDOTS, 1)
    assert got[0, 0] == SpecialCause.TREND_DECREASING


def test_combine_rules_mdc_improvement_wins_over_concern():
    # increase is better: the shift above is improvement, the decreasing trend concern
    signals = {"outside": col(0), "trend": col(-1), "two_of_three": col(0), "shift": col(1)}
    got = rules.combine_rules(signals, Profile.MDC, 1)
    assert got[0, 0] == SpecialCause.SHIFT_ABOVE
    assert rules.point_types(got, 1)[0, 0] == 1  # special_cause_improvement


def test_point_types_neutral_high_and_low():
    codes = np.array(
        [[SpecialCause.SHIFT_ABOVE, SpecialCause.BELOW_LOWER_LIMIT, SpecialCause.NONE]], dtype=np.int8
    )
    assert rules.point_types(codes, 0).tolist() == [[3, 4, 0]]
    assert rules.point_types(codes, -1).tolist() == [[2, 1, 0]]
