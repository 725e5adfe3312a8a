"""Golden tests against Montgomery, Introduction to Statistical Quality Control, 6th ed. (see data/README.md).

Montgomery uses 3-sigma limits (and sigma = MR-bar / 1.128 for individuals), which is the qicharts2
profile; the p, u and c formulas are the same in every profile.
"""

from __future__ import annotations

import numpy as np
import pytest

from rrp.spc import analyse


def test_individuals_example_6_5_limits(montgomery):
    d = montgomery("montgomery_ex6_5_loan_cost_i.csv")
    r = analyse("xmr", dates=d.date.to_numpy(), values=d.value.to_numpy(), profile="qicharts2")
    assert r.centre[0] == pytest.approx(300.5)
    assert r.upper_limit[0] == pytest.approx(321.22, abs=0.01)
    assert r.lower_limit[0] == pytest.approx(279.78, abs=0.01)
    assert (r.special_cause_labels() == "").all()  # Montgomery: the process is in control


def test_individuals_example_6_5_mdc_uses_rounded_266(montgomery):
    d = montgomery("montgomery_ex6_5_loan_cost_i.csv")
    r = analyse("xmr", dates=d.date.to_numpy(), values=d.value.to_numpy(), profile="mdc")
    mr_bar = np.mean(np.abs(np.diff(d.value.to_numpy())))
    assert mr_bar == pytest.approx(7.79, abs=0.005)
    assert r.upper_limit[0] == pytest.approx(300.5 + 2.66 * mr_bar)
    assert r.upper_2sigma[0] == pytest.approx(300.5 + 2 / 3 * 2.66 * mr_bar)


def test_p_chart_example_7_1_limits_and_signals(montgomery):
    d = montgomery("montgomery_ex7_1_orange_juice_p.csv")
    r = analyse(
        "p",
        dates=d.date.to_numpy(),
        numerators=d.numerator.to_numpy(),
        denominators=d.denominator.to_numpy(),
        profile="qicharts2",
    )
    assert r.centre[0] == pytest.approx(0.2313, abs=1e-4)
    assert r.upper_limit[0] == pytest.approx(0.4102, abs=1e-4)
    assert r.lower_limit[0] == pytest.approx(0.0524, abs=1e-4)
    above = np.flatnonzero(r.special_cause_labels() == "above_upper_limit") + 1
    assert above.tolist() == [15, 23]  # Montgomery: samples 15 and 23 are out of control


def test_p_chart_example_7_1_revised_after_excluding_samples_15_and_23(montgomery):
    # Montgomery's revised limits after removing samples 15 and 23: p-bar 0.2150, UCL 0.3893, LCL 0.0407
    d = montgomery("montgomery_ex7_1_orange_juice_p.csv")
    excluded = np.isin(np.arange(len(d)) + 1, [15, 23])
    r = analyse(
        "p",
        dates=d.date.to_numpy(),
        numerators=d.numerator.to_numpy(),
        denominators=d.denominator.to_numpy(),
        profile="qicharts2",
        excluded=excluded,
    )
    assert r.centre[0] == pytest.approx(0.2150, abs=1e-4)
    assert r.upper_limit[0] == pytest.approx(0.3893, abs=1e-4)
    assert r.lower_limit[0] == pytest.approx(0.0407, abs=1e-4)


def test_c_chart_example_7_3_limits_and_signals(montgomery):
    d = montgomery("montgomery_ex7_3_circuit_boards_c.csv")
    r = analyse("c", dates=d.date.to_numpy(), values=d.value.to_numpy(), profile="qicharts2")
    assert r.centre[0] == pytest.approx(19.85, abs=0.005)
    assert r.upper_limit[0] == pytest.approx(33.22, abs=0.01)  # Montgomery rounds c-bar to 19.85 first
    assert r.lower_limit[0] == pytest.approx(6.48, abs=0.005)
    labels = r.special_cause_labels()
    assert labels[5] == "below_lower_limit" and labels[19] == "above_upper_limit"
    assert (np.delete(labels, [5, 19]) == "").all()


def test_u_chart_example_7_4_limits(montgomery):
    d = montgomery("montgomery_ex7_4_computers_u.csv")
    r = analyse(
        "u",
        dates=d.date.to_numpy(),
        numerators=d.numerator.to_numpy(),
        denominators=d.denominator.to_numpy(),
        profile="qicharts2",
    )
    assert r.centre[0] == pytest.approx(1.93)
    assert r.upper_limit[0] == pytest.approx(3.79, abs=0.005)
    assert r.lower_limit[0] == pytest.approx(0.07, abs=0.005)
