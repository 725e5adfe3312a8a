"""Shared fixtures: a small synthetic organisation tree and one user per role.

Tests run with RRP_TESTING=1, set by pytest-env from pyproject.toml (relaxed security settings, no demo mode). The database is SQLite
unless DATABASE_URL points at PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import settings as hypothesis_settings

from tests import factories

# In CI, property tests explore the same examples every run, so a red build is reproducible.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


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
