"""Reading wards and their occupied bed days."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from rrp.accounts.models import User
from rrp.accounts.scope import providers_for, wards_for
from rrp.organisations.models import MonthlyBedDays, OccupiedBedDays, Provider, Ward


def providers_with_ward_counts(user: User) -> QuerySet[Provider]:
    """Providers in the user's view, each with how many of its wards (and open wards) the user can see."""
    visible = wards_for(user).values("pk")
    return (
        providers_for(user)
        .filter(wards__in=visible)
        .select_related("region")
        .annotate(
            ward_count=Count("wards", filter=Q(wards__in=visible), distinct=True),
            open_ward_count=Count(
                "wards", filter=Q(wards__in=visible, wards__closed_on__isnull=True), distinct=True
            ),
            bed_count=Sum("wards__beds", filter=Q(wards__in=visible, wards__closed_on__isnull=True)),
        )
        .order_by("name")
    )


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def bed_days_by_month(
    ward_ids: list[int], *, since: dt.date, until: dt.date
) -> dict[int, dict[dt.date, tuple[int, str]]]:
    """Occupied bed days per ward per month as {ward_id: {month: (bed_days, source)}}.

    Months with daily figures (from ward stays) use them; other months fall back to the monthly figure
    a ward manager entered or a file imported. Two grouped queries in all, whatever the number of wards.
    """
    result: dict[int, dict[dt.date, tuple[int, str]]] = defaultdict(dict)
    daily = (
        OccupiedBedDays.objects.filter(ward_id__in=ward_ids, date__gte=since, date__lte=until)
        .annotate(month=TruncMonth("date"))
        .values("ward_id", "month")
        .annotate(total=Sum("bed_days"), days=Count("id"))
    )
    for row in daily:
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        result[row["ward_id"]][month] = (row["total"], "ward_stays")
    monthly = MonthlyBedDays.objects.filter(
        ward_id__in=ward_ids, month__gte=month_start(since), month__lte=until
    ).values_list("ward_id", "month", "bed_days", "source")
    for ward_id, month, bed_days, source in monthly:
        result[ward_id].setdefault(month, (bed_days, source))
    return result


def months_between(since: dt.date, until: dt.date) -> list[dt.date]:
    """First days of each month from since's month to until's month, inclusive."""
    months = []
    current = month_start(since)
    while current <= until:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def ward_occupancy_summary(
    ward: Ward, *, months: int = 12, today: dt.date | None = None
) -> list[dict[str, object]]:
    """The last `months` months of a ward: bed days, where they came from, and occupancy."""
    today = today or dt.date.today()
    until = today
    since = month_start(today - dt.timedelta(days=31 * (months - 1)))
    figures = bed_days_by_month([ward.pk], since=since, until=until).get(ward.pk, {})
    rows = []
    for month in months_between(since, until):
        next_month = (month + dt.timedelta(days=32)).replace(day=1)
        days_in_period = ((min(next_month, today + dt.timedelta(days=1))) - month).days
        bed_days, source = figures.get(month, (None, ""))
        occupancy = (
            (bed_days / (ward.beds * days_in_period)) if bed_days is not None and days_in_period else None
        )
        rows.append({"month": month, "bed_days": bed_days, "source": source, "occupancy": occupancy})
    return rows
