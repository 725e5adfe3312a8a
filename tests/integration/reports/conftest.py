"""Fixtures shared by the reports tests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.integration.measures.conftest import provider_a  # noqa: F401 - the measures' fixture, shared here
from tests.integration.reports.board_data import build_board_data


@pytest.fixture
def today() -> dt.date:
    # The views use today's date, so the data is built relative to it too.
    return timezone.localdate()


@pytest.fixture
def board_world(world, today):
    """Provider A's two years of restraint with its 25% reduction aim (``board_data``)."""
    build_board_data(world, today)
    return world
