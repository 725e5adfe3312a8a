"""Shared fixtures: a small synthetic organisation tree and one user per role.

Tests run with RRP_TESTING=1, set by pytest-env from pyproject.toml (relaxed security settings, no demo mode). The database is SQLite
unless DATABASE_URL points at PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests import factories

# Property tests check what is true, not how fast: on a shared 2-core machine Hypothesis's timing checks
# (a 200 ms deadline per example, "input generation is slow") fail tests that are right, so both are off;
# speed is the benchmarks' to prove (docs/performance.md).
_UNTIMED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
hypothesis_settings.register_profile("untimed", **_UNTIMED)
# In CI, property tests explore the same examples every run, so a red build is reproducible.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True, **_UNTIMED)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "untimed")


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: rolled-back rows leave their ids free on SQLite, so the next
    test's records could otherwise match a cache key written by the last (reports.chart_cache)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests check roles and scope, not hashing cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    """Two regions, two ICBs, three providers with wards, patients on each ward, and a collaborative."""
    return factories.build_world()


@pytest.fixture
def today() -> dt.date:
    return dt.date.today()
