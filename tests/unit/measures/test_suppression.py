"""NHS Digital's suppression: counts under 5 hidden, others to the nearest 5, rates hidden with their count."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rrp.measures.suppression import (
    count_is_suppressed,
    round_half_up,
    suppress_counts,
    suppress_rates,
    suppress_table,
)


def test_suppress_counts_edge_cases():
    counts = [0, 1, 4, 4.9, 5, 6, 7, 7.5, 8, 12, 12.5, 13, 1234]

    shown = suppress_counts(counts)

    expected = [np.nan] * 4 + [5, 5, 5, 10, 10, 10, 15, 15, 1235]
    np.testing.assert_array_equal(shown, expected)


def test_suppress_counts_halves_round_up_not_to_even():
    # Python's round(12.5 / 5) * 5 would give 10 (half to even); NHS Digital's Spark round gives 15.
    assert round(12.5 / 5) * 5 == 10
    np.testing.assert_array_equal(suppress_counts([7.5, 12.5, 17.5, 22.5]), [10, 15, 20, 25])


def test_suppress_counts_missing_is_missing_not_suppressed():
    counts = [np.nan, 3, 20]

    assert count_is_suppressed(counts).tolist() == [False, True, False]
    assert np.isnan(suppress_counts(counts)[:2]).all()


def test_suppress_counts_negative_rejected():
    with pytest.raises(ValueError, match="negative"):
        suppress_counts([5, -1])


def test_suppress_counts_empty():
    assert suppress_counts([]).size == 0


@given(st.lists(st.integers(min_value=0, max_value=10**6), max_size=50))
def test_suppress_counts_shown_are_multiples_of_5_within_2(counts):
    shown = suppress_counts(counts)
    exact = np.asarray(counts, dtype=float)
    visible = ~np.isnan(shown)

    assert (exact[~visible] < 5).all()
    assert (shown[visible] % 5 == 0).all()
    assert (np.abs(shown[visible] - exact[visible]) <= 2).all()


def test_suppress_rates_hidden_where_count_is():
    rates = [2.4, 7.439, 12.5, 0.5]
    counts = [4, 175, 30, np.nan]

    shown = suppress_rates(rates, counts=counts)

    np.testing.assert_array_equal(shown, [np.nan, 7, 13, np.nan])


def test_suppress_rates_keeps_decimals_when_asked():
    np.testing.assert_allclose(suppress_rates([7.4389], counts=[175], decimals=3), [7.439])
    np.testing.assert_allclose(suppress_rates([7.4389], counts=[175], decimals=None), [7.4389])


def test_suppress_rates_small_bed_day_denominator_hidden():
    shown = suppress_rates([50.0, 10.0], counts=[5, 5], denominators=[99, 500], smallest_denominator=100)

    assert np.isnan(shown[0]) and shown[1] == 10


def test_suppress_rates_length_mismatch_rejected():
    with pytest.raises(ValueError, match="differ in length"):
        suppress_rates([1.0, 2.0], counts=[5])


def test_round_half_up_negative_halves_away_from_zero():
    np.testing.assert_array_equal(round_half_up([2.5, -2.5, 0.49]), [3, -3, 0])


def test_suppress_table_marks_hidden_cells_and_leaves_labels():
    frame = pd.DataFrame(
        {"ward": ["A", "B", "C"], "people": [3, 12, np.nan], "rate_per_1000": [1.2, 4.46, np.nan]}
    )

    table = suppress_table(frame, counts=["people"], rates={"rate_per_1000": "people"})

    assert table.values["ward"].tolist() == ["A", "B", "C"]
    assert table.suppressed["people"].tolist() == [True, False, False]
    assert table.suppressed["rate_per_1000"].tolist() == [True, False, False]
    assert table.for_publication()["people"].tolist() == ["*", 10.0, ""]
    assert table.for_publication()["rate_per_1000"].tolist() == ["*", 4.0, ""]
    assert frame["people"].tolist()[:2] == [3, 12]


def test_suppress_table_unknown_column_named():
    with pytest.raises(KeyError, match="patients"):
        suppress_table(pd.DataFrame({"people": [1]}), counts=["patients"])
