"""Reading wards and their occupied bed days."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, DateField, F, Func, Q, QuerySet, Sum
from django.db.models.expressions import Expression

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


class PeriodOf(Func):
    """The start of the period holding a date or timestamp column: a balanced CASE over the periods'
    boundaries, written as SQL directly (Django's ``Case``/``When`` objects for 26 periods cost 20 ms
    to build and compile per query, more than the query itself on one ward)."""

    output_field = DateField()

    def __init__(self, expression: object, starts: Sequence[dt.date], boundaries: Sequence[object]) -> None:
        super().__init__(expression, output_field=DateField())
        self.starts = list(starts)
        self.boundaries = list(boundaries)

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        column, column_params = compiler.compile(self.source_expressions[0])
        source = self.source_expressions[0].output_field
        bounds = [source.get_db_prep_value(b, connection) for b in self.boundaries]
        starts = [DateField().get_db_prep_value(d, connection) for d in self.starts]
        sql: list[str] = []
        params: list[object] = []

        def node(lo: int, hi: int) -> None:
            if hi - lo == 1:
                sql.append("%s")
                params.append(starts[lo])
                return
            mid = (lo + hi) // 2
            sql.append(f"CASE WHEN {column} < %s THEN ")
            params.extend([*column_params, bounds[mid]])
            node(lo, mid)
            sql.append(" ELSE ")
            node(mid, hi)
            sql.append(" END")

        node(0, len(self.starts))
        text = "".join(sql)
        if connection.vendor == "postgresql":
            text = f"({text})::date"
        return text, params


def period_of(
    field: str, starts: Sequence[dt.date], *, boundaries: Sequence[object] | None = None
) -> Expression:
    """The start of the period holding each row's ``field``, from ``starts`` (ascending), as an expression
    the database computes itself: a balanced CASE over the periods' boundaries (about five comparisons a
    row for 24 months or 26 weeks).

    Why not ``TruncMonth``/``TruncWeek``: on SQLite Django runs them as Python functions called once per
    row (a few microseconds each), which is seconds for a collaborative's half a million daily bed-day
    rows; comparisons run in the database's own code on SQLite and PostgreSQL alike. ``boundaries[i]`` is
    where period i starts in the field's own terms: the date itself for a date field (the default), the
    local midnight for a timestamp, so a timestamp falls in the period of its local (UK) date. Rows before
    the first boundary get the first period: callers filter rows to the window first.
    """
    starts = list(starts)
    bounds = list(boundaries) if boundaries is not None else starts
    if not starts or len(bounds) != len(starts):
        raise ValueError("period_of needs one boundary per period start, and at least one period")
    return PeriodOf(F(field), starts, bounds)


def bed_days_by_month(
    ward_ids: list[int], *, since: dt.date, until: dt.date
) -> dict[int, dict[dt.date, tuple[int, str]]]:
    """Occupied bed days per ward per month as {ward_id: {month: (bed_days, source)}}.

    Months with daily figures (from ward stays) use them; other months fall back to the monthly figure
    a ward manager entered or a file imported. Two grouped queries in all, whatever the number of wards.
    """
    result: dict[int, dict[dt.date, tuple[int, str]]] = defaultdict(dict)
    months = months_between(since, until)
    if not months:
        return result
    daily = (
        OccupiedBedDays.objects.filter(ward_id__in=ward_ids, date__gte=since, date__lte=until)
        .annotate(month=period_of("date", months))
        .values("ward_id", "month")
        .annotate(total=Sum("bed_days"), days=Count("id"))
        .order_by()
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
