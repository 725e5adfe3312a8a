"""Two years of synthetic restraint on provider A's wards for the board report tests (browser tests too).

Ward a1 runs steady at 2-4 restrictive interventions a month on 1,000 occupied bed days, then jumps to 12
in the last month (special cause concern above the upper limit); ward a2 has 0-2 a month. Provider A's aim:
25% fewer restrictive interventions per 1,000 occupied bed days than its first 6 months.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from rrp.force.services import InterventionInput, incident_record
from rrp.improvement.services import improvement_aim_record
from rrp.measures.series import Period, period_starts
from rrp.organisations.models import BedDaysSource, MonthlyBedDays
from rrp.reports.measure_charts import reporting_window

A1_PATTERN = (2, 3, 4, 3, 2, 3, 4, 3, 2, 3, 4, 3, 2, 3, 4, 3, 2, 3, 4, 3, 2, 3, 4, 12)
A2_PATTERN = (1, 2, 1, 0, 1, 2) * 4
BED_DAYS = 1000
REDUCTION = 25


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def months(today: dt.date) -> list[dt.date]:
    since, until = reporting_window(Period.MONTH, today=today)
    return period_starts(since=since, until=until, period=Period.MONTH)


def restraints(world, ward_key: str, month: dt.date, count: int) -> None:
    """One incident on the 10th (none for 0) of the month with ``count`` standing restraints (MHSDS 07) a minute apart."""
    if not count:
        return
    incident_record(
        ward=world.wards[ward_key],
        patient=world.patients[ward_key],
        by=world.users["provider_governance"],
        interventions=[
            InterventionInput(
                type_code="07",
                started_at=at(month.replace(day=10), 10, k),
                ended_at=at(month.replace(day=10), 10, k) + dt.timedelta(seconds=50),
            )
            for k in range(count)
        ],
    )


def build_board_data(world, today: dt.date, *, aim: bool = True) -> list[dt.date]:
    """Bed days and restraints for wards a1 and a2 over the board's 24 months; the aim if asked."""
    shown = months(today)
    MonthlyBedDays.objects.bulk_create(
        MonthlyBedDays(
            ward=world.wards[key],
            month=m,
            bed_days=BED_DAYS,
            source=BedDaysSource.MANUAL,
            recorded_at=timezone.now(),
        )
        for key in ("a1", "a2")
        for m in shown
    )
    for month, count in zip(shown, A1_PATTERN, strict=True):
        restraints(world, "a1", month, count)
        restraints(world, "a2", month, A2_PATTERN[shown.index(month)])
    if aim:
        improvement_aim_record(
            provider=world.providers[0],
            measure_slug="restrictive-interventions-per-1000-obd",
            statement="25% fewer restrictive interventions than in our first six months",
            baseline_start=shown[0],
            baseline_end=shown[6] - dt.timedelta(days=1),
            reduction_percent=REDUCTION,
            aim_date=shown[-1] + dt.timedelta(days=365),
            by=world.users["provider_governance"],
        )
    return shown
