"""The ward huddle: what a ward team looks at together each week, on one page.

For one ward: SPC charts of its key measures (monthly or weekly, with the ward's recorded events as
markers and the Making Data Count icons); days since the last restraint and the last seclusion; the
work waiting (incidents to review, staff statements, patient debriefs); seclusion and segregation
reviews overdue now; and the ward's reporting health (``reports.reporting_health``), because charts of
a ward that has stopped recording would mislead the huddle.

Counts only: the page names no patient, so it links to the incident list and the seclusion and
segregation pages (which check and audit access) for the detail. ``compute`` reads and counts,
``presenters`` gives the words, panels and links; the functions below are what the views call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rrp.accounts.models import User
from rrp.measures.series import Period
from rrp.organisations.models import Ward
from rrp.reports.huddle.compute import (
    HUDDLE_MEASURES,
    INDEX_HEALTH_LIMIT,
    huddle_figures,
    huddle_ward_for,
    huddle_wards_for,
    index_figures,
)
from rrp.reports.huddle.presenters import WardHuddle, present_huddle
from rrp.reports.reporting_health.presenters import WardReportingHealth, in_words


@dataclass(frozen=True)
class HuddleIndexRow:
    ward: Ward
    health: WardReportingHealth | None


def huddle_index(user: User, *, today: dt.date) -> list[HuddleIndexRow]:
    """The user's wards for the huddle index, each with its reporting health when few (see
    ``INDEX_HEALTH_LIMIT``)."""
    return [
        HuddleIndexRow(ward=ward, health=None if health is None else in_words(health))
        for ward, health in index_figures(user, today=today)
    ]


def ward_huddle(ward: Ward, *, user: User, today: dt.date, period: Period | str = Period.MONTH) -> WardHuddle:
    """The huddle of one ward as ``user`` sees it (the caller got ``ward`` from ``huddle_ward_for``)."""
    return present_huddle(huddle_figures(ward, today=today, period=period), user=user)


__all__ = [
    "HUDDLE_MEASURES",
    "INDEX_HEALTH_LIMIT",
    "HuddleIndexRow",
    "WardHuddle",
    "huddle_index",
    "huddle_ward_for",
    "huddle_wards_for",
    "ward_huddle",
]
