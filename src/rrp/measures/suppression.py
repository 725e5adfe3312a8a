"""NHS Digital's disclosure control for figures that leave a provider (as in its MHSDS monthly statistics).

The rules, as NHS Digital applies them to its restrictive-intervention statistics:

- a count (people, interventions, incidents) under 5 is hidden;
- any other count is rounded to the nearest 5, ``round(x / 5) * 5``;
- a rate or percentage is hidden wherever its count is hidden (and, in one of NHS Digital's rules, where
  its bed-day denominator is under 100), and otherwise rounded to whole numbers.

Rates are computed from the exact figures first and then hidden or rounded; never from rounded counts.

Halves round away from zero (half up for counts, which are never negative): 7.5 → 10 and 12.5 → 15.
That is what Spark SQL's ``round`` does in NHS Digital's Databricks pipelines and what a reader expects
from "nearest 5"; Python's and NumPy's own ``round`` round halves to even (12.5 → 10). For whole-number
counts the choice never matters, because x / 5 is never exactly a half when x is a whole number.

Pure functions over NumPy arrays and pandas frames: hidden cells come back as NaN, with a separate mask
saying which were hidden, so "suppressed" is never confused with zero. Secondary suppression (stopping a
hidden cell being worked out from a total) is not part of NHS Digital's rule set and is not done here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SMALLEST_SHOWN_COUNT = 5
ROUND_TO = 5
SMALLEST_SHOWN_BED_DAYS = 100
SUPPRESSED_MARK = "*"

ArrayLike = Sequence[float] | np.ndarray | pd.Series


def round_half_up(values: ArrayLike, *, decimals: int = 0) -> np.ndarray:
    """Round to ``decimals`` places with halves away from zero (2.5 → 3, −2.5 → −3); NaN stays NaN."""
    array = np.asarray(values, dtype=float)
    scale = 10.0**decimals
    return np.sign(array) * np.floor(np.abs(array) * scale + 0.5) / scale


def _as_counts(counts: ArrayLike) -> np.ndarray:
    array = np.asarray(counts, dtype=float)
    if np.any(array < 0):
        raise ValueError("counts must not be negative")
    return array


def count_is_suppressed(counts: ArrayLike) -> np.ndarray:
    """True where a count must be hidden (under 5). A missing count (NaN) is missing, not suppressed."""
    array = _as_counts(counts)
    return ~np.isnan(array) & (array < SMALLEST_SHOWN_COUNT)


def suppress_counts(counts: ArrayLike) -> np.ndarray:
    """Counts as they may be published: NaN where under 5, others rounded to the nearest 5."""
    array = _as_counts(counts)
    rounded = round_half_up(array / ROUND_TO) * ROUND_TO
    return np.where(count_is_suppressed(array), np.nan, rounded)


def rate_is_suppressed(
    *, counts: ArrayLike, denominators: ArrayLike | None = None, smallest_denominator: float | None = None
) -> np.ndarray:
    """True where a rate must be hidden: its count is hidden or missing, or its denominator is too small."""
    array = _as_counts(counts)
    hidden = np.isnan(array) | (array < SMALLEST_SHOWN_COUNT)
    if smallest_denominator is not None:
        if denominators is None:
            raise ValueError("smallest_denominator needs denominators")
        below = np.asarray(denominators, dtype=float)
        hidden = hidden | np.isnan(below) | (below < smallest_denominator)
    return hidden


def suppress_rates(
    rates: ArrayLike,
    *,
    counts: ArrayLike,
    denominators: ArrayLike | None = None,
    smallest_denominator: float | None = None,
    decimals: int | None = 0,
) -> np.ndarray:
    """Rates as they may be published: NaN wherever their count is hidden, others rounded to ``decimals``.

    ``counts`` are the exact numerators the rates were computed from. Pass ``smallest_denominator=100``
    with ``denominators`` to apply NHS Digital's bed-day rule as well; ``decimals=None`` leaves the
    shown rates unrounded (for internal views that still hide small numbers).
    """
    values = np.asarray(rates, dtype=float)
    hidden = rate_is_suppressed(
        counts=counts, denominators=denominators, smallest_denominator=smallest_denominator
    )
    if values.shape != hidden.shape:
        raise ValueError(f"rates ({values.shape}) and counts ({hidden.shape}) differ in length")
    shown = values if decimals is None else round_half_up(values, decimals=decimals)
    return np.where(hidden, np.nan, shown)


@dataclass(frozen=True)
class SuppressedTable:
    """A table ready to leave the provider, and which of its cells were hidden."""

    values: pd.DataFrame
    suppressed: pd.DataFrame

    def for_publication(self) -> pd.DataFrame:
        """The values as text, with ``*`` in every hidden cell (NHS Digital's dashboard convention)."""
        text = self.values.astype(object).where(self.values.notna(), "")
        return text.mask(self.suppressed, SUPPRESSED_MARK)


def suppress_table(
    frame: pd.DataFrame,
    *,
    counts: Sequence[str],
    rates: Mapping[str, str] | None = None,
    rate_decimals: int | None = 0,
) -> SuppressedTable:
    """Apply the rules to named columns of a frame; other columns (labels, months) pass through.

    ``rates`` maps each rate column to the count column it was computed from, e.g.
    ``{"rate_per_1000": "people"}``. The frame is not changed.
    """
    rates = dict(rates or {})
    missing = [c for c in [*counts, *rates, *rates.values()] if c not in frame.columns]
    if missing:
        raise KeyError(f"no column(s) named {', '.join(missing)}")
    values = frame.copy()
    suppressed = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for rate_column, count_column in rates.items():
        exact_counts = frame[count_column].to_numpy(dtype=float)
        values[rate_column] = suppress_rates(
            frame[rate_column].to_numpy(dtype=float), counts=exact_counts, decimals=rate_decimals
        )
        suppressed[rate_column] = rate_is_suppressed(counts=exact_counts) & ~np.isnan(exact_counts)
    for column in counts:
        exact = frame[column].to_numpy(dtype=float)
        values[column] = suppress_counts(exact)
        suppressed[column] = count_is_suppressed(exact)
    return SuppressedTable(values=values, suppressed=suppressed)
