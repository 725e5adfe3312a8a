"""Synthetic ward data for the SPC benchmark (no real patients: Poisson counts with bed days).

1,500 wards x 260 weeks = 390,000 rows; about 1% of values missing and a shift in some wards so
that every rule has something to find.
"""

from __future__ import annotations

import numpy as np

N_WARDS = 1500
N_WEEKS = 260


def ward_matrices(n_wards: int = N_WARDS, n_weeks: int = N_WEEKS, seed: int = 20240101):
    """(weeks x wards) counts of restrictive interventions and occupied bed days."""
    rng = np.random.default_rng(seed)
    beds = rng.integers(12, 30, n_wards)
    bed_days = rng.binomial(7 * beds[None, :], 0.9, size=(n_weeks, n_wards)).astype(float)
    rate = rng.gamma(4.0, 0.25 / 4.0, n_wards)[None, :] * np.ones((n_weeks, 1))
    shifted = rng.random(n_wards) < 0.2
    rate[n_weeks // 2 :, shifted] *= 0.6
    counts = rng.poisson(rate * bed_days / 7).astype(float)
    missing = rng.random(counts.shape) < 0.01
    counts[missing] = np.nan
    return counts, bed_days


def write_csv(path: str, n_wards: int = N_WARDS, n_weeks: int = N_WEEKS) -> None:
    """Long-format CSV: ward,date,value,numerator,denominator (value = count)."""
    counts, bed_days = ward_matrices(n_wards, n_weeks)
    dates = (np.datetime64("2020-01-06") + np.arange(n_weeks) * np.timedelta64(7, "D")).astype(str)
    wards = np.array([f"W{i:04d}" for i in range(n_wards)])
    ward_col = np.repeat(wards, n_weeks)
    date_col = np.tile(dates, n_wards)
    c = counts.T.ravel()
    num_text = np.where(np.isnan(c), "", np.nan_to_num(c).astype(np.int64).astype(str))
    den_text = bed_days.T.ravel().astype(np.int64).astype(str)
    with open(path, "w") as fh:
        fh.write("ward,date,value,numerator,denominator\n")
        fh.write(
            "\n".join(
                f"{w},{d},{v},{v},{n}"
                for w, d, v, n in zip(ward_col, date_col, num_text, den_text, strict=True)
            )
        )
        fh.write("\n")
