"""Fixtures shared by the measures tests."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.integration.measures.series_data import at, bed_days, record


@pytest.fixture
def provider_a(world):
    """Wards a1 and a2 with bed days for Jan-Mar 2025 (a2 has none in March) and a few incidents."""
    a1, a2 = world.wards["a1"], world.wards["a2"]
    for month in (dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)):
        bed_days(a1, month, 500)
    for month in (dt.date(2025, 1, 1), dt.date(2025, 2, 1)):
        bed_days(a2, month, 250)
    jan, feb = dt.date(2025, 1, 15), dt.date(2025, 2, 3)
    record(world, "a1", ("01", at(jan), 12), ("14", at(jan, 10, 5), 1))
    record(world, "a1", ("07", at(jan, 16), 3))
    record(world, "a1", ("05", at(feb), 120))
    record(world, "a2", ("01", at(feb), 4))
    return world
