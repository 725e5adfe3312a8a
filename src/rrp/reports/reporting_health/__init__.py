"""Reporting health: is a ward still recording what happens on it? Flags in plain words, for many wards.

``compute`` reads the records and works out each ward's figures and the flags they raise (see its
docstring for the rules); ``presenters`` puts each flag in words. ``reporting_health()`` is what the
huddle, the board and the collaborative view call: the two together, in a fixed number of grouped
queries whatever the number of wards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from rrp.measures.series import Period
from rrp.reports.reporting_health.compute import (
    RECENT_DAYS,
    VOLUME_MEASURE,
    FlagCode,
    Severity,
    health_figures,
    silence_threshold_days,
)
from rrp.reports.reporting_health.presenters import HealthFlag, WardReportingHealth, in_words


def reporting_health(
    ward_ids: Sequence[int],
    *,
    today: dt.date,
    period: Period | str = Period.MONTH,
    volume_series: pd.DataFrame | None = None,
) -> dict[int, WardReportingHealth]:
    """Every ward's reporting health on ``today``, flags in words (a ward with nothing to flag has none).

    ``period`` chooses the volume chart (month: the last 24 complete months; week: the last 26 complete
    weeks). A caller that has already read the "incidents" measure's series for these wards over that
    window may pass it as ``volume_series`` to save reading it again (``compute.health_figures``).
    """
    figures = health_figures(ward_ids, today=today, period=period, volume_series=volume_series)
    return {ward_id: in_words(health) for ward_id, health in figures.items()}


__all__ = [
    "RECENT_DAYS",
    "VOLUME_MEASURE",
    "FlagCode",
    "HealthFlag",
    "Severity",
    "WardReportingHealth",
    "reporting_health",
    "silence_threshold_days",
]
