"""Occupied bed days from ward stays: patients on the ward at each midnight."""

from __future__ import annotations

import datetime as dt

import numpy as np

from rrp.people.services import daily_census


def days(*values: str | None) -> np.ndarray:
    return np.array(values, dtype="datetime64[D]")


def test_census_counts_nights_not_days():
    # Admitted 1 March, left 3 March: in a bed on the nights of 1 and 2 March.
    census = daily_census(
        days("2025-03-01"), days("2025-03-03"), first_day=dt.date(2025, 3, 1), last_day=dt.date(2025, 3, 4)
    )
    assert census.tolist() == [1, 1, 0, 0]


def test_census_same_day_stay_counts_none():
    census = daily_census(
        days("2025-03-02"), days("2025-03-02"), first_day=dt.date(2025, 3, 1), last_day=dt.date(2025, 3, 3)
    )
    assert census.tolist() == [0, 0, 0]


def test_census_open_stay_counts_to_the_end():
    census = daily_census(
        days("2025-03-02"), days(None), first_day=dt.date(2025, 3, 1), last_day=dt.date(2025, 3, 4)
    )
    assert census.tolist() == [0, 1, 1, 1]


def test_census_clips_stays_outside_the_window_and_adds_overlaps():
    starts = days("2025-02-20", "2025-03-02", "2025-03-10")
    ends = days("2025-03-03", None, "2025-03-12")
    census = daily_census(starts, ends, first_day=dt.date(2025, 3, 1), last_day=dt.date(2025, 3, 4))
    assert census.tolist() == [1, 2, 1, 1]
    assert census.sum() == 5
