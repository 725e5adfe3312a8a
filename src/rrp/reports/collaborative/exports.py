"""The collaborative's member table as CSV: one row per ward, as the viewer may see it on the page."""

from __future__ import annotations

import datetime as dt

from rrp.accounts.models import User
from rrp.core.formatting import csv_figure, iso_date, iso_month
from rrp.organisations.models import Collaborative
from rrp.reports.collaborative.compute import csv_funnel
from rrp.reports.collaborative.presenters import ward_funnel

CSV_COLUMNS = (
    "ward",
    "region",
    "joined_on",
    "left_on",
    "first_month",
    "last_month",
    "restrictive_interventions",
    "occupied_bed_days",
    "rate_per_1000_occupied_bed_days",
    "funnel_position",
)


def collaborative_csv_rows(
    collaborative: Collaborative, *, user: User, today: dt.date
) -> list[dict[str, str]]:
    """The member table as the viewer may see it, one row per ward: restrictive interventions, occupied
    bed days and their rate over the last 12 whole months, and the ward's place in the funnel.

    Pseudonyms and suppression as on the page, with the same mark, ``*`` (NHS Digital's convention), for
    a suppressed cell; numbers carry no thousands separators.
    """
    figures, members, (since, until) = csv_funnel(collaborative, user=user, today=today)
    by_ward = {row.member.ward_id: row for row in ward_funnel(figures).rows}

    rows = []
    for m in members:
        row = by_ward.get(m.ward_id)
        rows.append(
            {
                "ward": m.label,
                "region": m.region,
                "joined_on": iso_date(m.joined_on),
                "left_on": iso_date(m.left_on),
                "first_month": iso_month(since),
                "last_month": iso_month(until),
                "restrictive_interventions": csv_figure(row.count) if row else "",
                "occupied_bed_days": csv_figure(row.bed_days) if row else "",
                "rate_per_1000_occupied_bed_days": csv_figure(row.rate) if row else "",
                "funnel_position": row.position if row else "no bed days",
            }
        )
    return rows
