"""Anhøj run rules (Anhøj & Olesen 2014, Table 1; qicharts2 runs.analysis)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from rrp.spc.runs import anhoej_runs, crossings_min, longest_run_max

# (useful observations, longest run allowed, fewest crossings allowed): Anhøj & Olesen 2014, Table 1
ANHOEJ_TABLE = [(10, 6, 2), (12, 7, 3), (15, 7, 4), (20, 7, 6), (24, 8, 8), (30, 8, 10)]


@pytest.mark.parametrize(("n", "longest", "crossings"), ANHOEJ_TABLE)
def test_limits_match_anhoej_table(n, longest, crossings):
    assert int(longest_run_max(n)) == longest
    assert int(crossings_min(n)) == crossings


def test_crossings_min_matches_binomial_quantile_oracle():
    n = np.arange(1, 400)
    expected = stats.binom.ppf(0.05, n - 1, 0.5).astype(int)
    assert crossings_min(n).tolist() == expected.tolist()


def test_anhoej_runs_counts_runs_and_skips_points_on_centre():
    y = np.array([1, 2, 0, 3, -1, -2, 5, 6, 7, 0, 8], dtype=float)[:, None]
    r = anhoej_runs(y, 0.0, np.ones_like(y, dtype=bool))
    assert int(r.n_useful[0]) == 9
    assert int(r.longest_run[0]) == 4  # 5 6 7 (0 skipped) 8
    assert int(r.crossings[0]) == 2


def test_anhoej_runs_long_run_signals():
    y = np.r_[np.ones(10), -np.ones(2)][:, None]
    r = anhoej_runs(y, 0.0, np.ones_like(y, dtype=bool))
    assert int(r.longest_run[0]) == 10
    assert int(r.longest_run_max[0]) == 7
    assert bool(r.signal[0])


def test_anhoej_runs_alternating_no_signal():
    y = np.tile([1.0, -1.0], 10)[:, None]
    r = anhoej_runs(y, 0.0, np.ones_like(y, dtype=bool))
    assert int(r.crossings[0]) == 19
    assert not bool(r.signal[0])


def test_anhoej_runs_excluded_and_missing_neither_extend_nor_break():
    y = np.array([1, 1, np.nan, -1, 1, 1], dtype=float)[:, None]
    include = np.array([1, 1, 1, 0, 1, 1], dtype=bool)[:, None]
    r = anhoej_runs(y, 0.0, include)
    assert int(r.n_useful[0]) == 4
    assert int(r.longest_run[0]) == 4
    assert int(r.crossings[0]) == 0


def test_anhoej_runs_empty_column_reports_no_signal():
    y = np.full((5, 1), np.nan)
    r = anhoej_runs(y, 0.0, np.ones_like(y, dtype=bool))
    rec = r.record(0)
    assert rec.n_useful == 0 and rec.longest_run is None and rec.signal is False
