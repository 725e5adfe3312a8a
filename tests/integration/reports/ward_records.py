"""Quick synthetic records for the reports' tests: incidents written straight to the tables (insert only,
as the append-only models allow), so a test can lay down months of history in a few hundred inserts."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from rrp.core.times import local_month
from rrp.figures.store import mark_changed
from rrp.force.models import Incident, IncidentStatusChange, IncidentVersion, InterventionRecord
from rrp.organisations.models import BedDaysSource, MonthlyBedDays


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def quick_incident(
    ward,
    patient,
    by,
    started_at: dt.datetime,
    *types: str,
    minutes: int = 5,
    statuses: tuple[tuple[str, dt.datetime], ...] = (),
) -> Incident:
    """An incident with one version, an intervention of each type (default 07 standing restraint) and the
    given status changes ((status, at), in order) after the first (draft) one."""
    incident = Incident.objects.create(
        provider=ward.provider, ward=ward, patient=patient, created_at=started_at, created_by=by
    )
    version = IncidentVersion.objects.create(
        incident=incident,
        patient=patient,
        number=1,
        recorded_at=started_at,
        recorded_by=by,
        occurred_at=started_at,
    )
    for code in types or ("07",):
        InterventionRecord.objects.create(
            version=version,
            type_code=code,
            started_at=started_at,
            ended_at=started_at + dt.timedelta(minutes=minutes),
        )
    previous = ""
    for status, when in (("draft", started_at), *statuses):
        IncidentStatusChange.objects.create(
            incident=incident, at=when, by=by, from_status=previous, to_status=status
        )
        previous = status
    # As the services do when they write an incident: its month's stored figures are now stale.
    mark_changed([(ward.pk, local_month(started_at))])
    return incident


def monthly_bed_days(ward, months, value: int = 600) -> None:
    for month in months:
        MonthlyBedDays.objects.create(
            ward=ward, month=month, bed_days=value, source=BedDaysSource.MANUAL, recorded_at=timezone.now()
        )
    mark_changed((ward.pk, month) for month in months)


def months_back(today: dt.date, n: int) -> list[dt.date]:
    """The first days of the ``n`` complete months before ``today``'s month, oldest first."""
    first = today.replace(day=1)
    out = []
    for _ in range(n):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        out.append(first)
    return out[::-1]


def measure_values(ward, months, *, seed: int = 0) -> None:
    """A value of every entered or imported measure (issue 20) for each month, as a ward would enter
    them: counts that vary from month to month, denominators where the measure carries its own."""
    from decimal import Decimal

    from rrp.measures.models import MeasureValue, ValueRoute
    from rrp.measures.values import has_own_denominator, value_measures

    now = timezone.now()
    rows = []
    for index, definition in enumerate(value_measures().values()):
        for number, month in enumerate(months):
            count = (number * 7 + index * 3 + seed) % 9
            rows.append(
                MeasureValue(
                    ward=ward,
                    measure_slug=definition.slug,
                    definition_version=definition.version,
                    period_start=month,
                    numerator=Decimal(count),
                    denominator=Decimal(30) if has_own_denominator(definition) else None,
                    version=1,
                    route=ValueRoute.ENTERED,
                    recorded_at=now,
                )
            )
    MeasureValue.objects.bulk_create(rows)
