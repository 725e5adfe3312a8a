"""A measure's series per ward, computed in the database in bulk, then charted by the SPC engine.

One grouped query counts the numerator for every ward and period at once (never a query per ward), and
one or two grouped queries read the bed days (``organisations.selectors.bed_days_by_month`` for months;
daily figures grouped by week for weeks). The result is a long frame, one row per ward and period with
every period present (a ward with no interventions in a month has 0, not a gap), ready for
``rrp.spc.analyse`` with the ward as the group.

Counting rules (docs/measures.md):
- only the latest version of each incident counts (amendments replace, never add);
- drafts count: an incident that happened is an incident, and leaving drafts out would make the most
  recent weeks look better than they were;
- an intervention belongs to the period in which it started, on the ward where the incident happened,
  in local (UK) time.

Every shipped measure is computed: counts of interventions, incidents or people (with the
definition's intervention types and minimum duration) and incidents with an injury or a debrief, in
one grouped query with their denominators; the share of interventions on people restrained repeatedly
(grouped by person); incidents with every statutory item complete (latest versions, the flag each
version stores when written, from ``force.completeness``); hours (each intervention's time clipped to
the period); and days between events for g charts (one row per event, not per period). A definition
this code cannot compute (for example one over admissions) raises :class:`UnsupportedMeasure` naming
what is missing.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
from collections.abc import Sequence
from enum import StrEnum
from types import SimpleNamespace

import numpy as np
import pandas as pd
from django.db.models import Count, Exists, F, Func, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.db.models.lookups import IsNull
from django.utils import timezone

from rrp.core.times import local_midnight
from rrp.figures import store
from rrp.force.codes import DebriefKind
from rrp.force.debriefs import DEBRIEF_WINDOW, patient_debrief_times
from rrp.force.models import Debrief, InterventionRecord
from rrp.force.selectors import recorded_types
from rrp.force.services import LATER_RESTRAINTS_WITHIN
from rrp.measures.catalogue import Combine, Counts, Denominator, MeasureDefinition, all_measures
from rrp.measures.models import MeasureValue, ValuePeriod
from rrp.measures.values import current_figures_many, current_values
from rrp.organisations.models import OccupiedBedDays
from rrp.organisations.selectors import bed_days_by_month, period_of
from rrp.people.selectors import admissions_rights_recorded, plan_versions_written, voice_answers
from rrp.people.services import PLAN_REVIEW_WITHIN
from rrp.segregation.codes import MHSDS_INTERVENTION_TYPE
from rrp.segregation.selectors import ended_reviews_on_time, intervention_spans
from rrp.spc import SpcResult, analyse

SERIES_COLUMNS = ["ward_id", "period", "numerator", "denominator", "value"]


def _patient_debrief_held() -> Q:
    """On intervention rows: their incident's patient debrief was held, as ``force.debrief_answers`` reads
    it (decision 0061). The current patient debrief record (its latest row) answers where there is one,
    however many times it was recorded; the incident version's own yes/no answer only where there is
    none. Counted per incident (``distinct``), so a debrief recorded again is still one debrief."""
    records = Debrief.objects.filter(incident_id=OuterRef("version__incident_id"), kind=DebriefKind.PATIENT)
    held = IsNull(Subquery(records.order_by("-id").values("held_at")[:1]), False)
    return Q(held) | (~Exists(records) & Q(version__debrief_patient_held=True))


# Measures whose numerator (and any count denominator) come from one grouped query of interventions.
GROUPED_NUMERATORS = {
    Counts.INTERVENTIONS: Count("id"),
    Counts.INCIDENTS: Count("version__incident_id", distinct=True),
    Counts.PEOPLE: Count("version__patient_id", distinct=True),
    Counts.INCIDENTS_WITH_PATIENT_INJURY: Count(
        "version__incident_id", distinct=True, filter=Q(version__injury_patient=True)
    ),
    Counts.INCIDENTS_WITH_STAFF_INJURY: Count(
        "version__incident_id", distinct=True, filter=Q(version__injury_staff=True)
    ),
    Counts.INCIDENTS_WITH_PATIENT_DEBRIEF: Count(
        "version__incident_id", distinct=True, filter=_patient_debrief_held()
    ),
}
COUNT_DENOMINATORS = {
    Denominator.INTERVENTIONS: Count("id"),
    Denominator.INCIDENTS: Count("version__incident_id", distinct=True),
    Denominator.PEOPLE: Count("version__patient_id", distinct=True),
}
SUPPORTED_DENOMINATORS = {
    Denominator.OCCUPIED_BED_DAYS,
    Denominator.NONE,
    Denominator.EPISODES_ENDED,
    *COUNT_DENOMINATORS,
}
SECONDS_PER_HOUR = 3600

Cells = dict[tuple[int, dt.date], float]


class Period(StrEnum):
    """The length of one point on the chart. Weeks start on Monday (ISO 8601)."""

    MONTH = "month"
    WEEK = "week"


class UnsupportedMeasure(NotImplementedError):
    """The series code cannot compute this measure; the message names the measure and the part."""


def period_starts(*, since: dt.date, until: dt.date, period: Period) -> list[dt.date]:
    """Every period start from the one holding ``since`` to the one holding ``until``, inclusive."""
    if period is Period.MONTH:
        first = since.replace(day=1)
        months = []
        while first <= until:
            months.append(first)
            first = (first + dt.timedelta(days=32)).replace(day=1)
        return months
    first = since - dt.timedelta(days=since.weekday())
    return [first + dt.timedelta(weeks=i) for i in range((until - first).days // 7 + 1)]


def _next_period(start: dt.date, period: Period) -> dt.date:
    if period is Period.MONTH:
        return (start + dt.timedelta(days=32)).replace(day=1)
    return start + dt.timedelta(weeks=1)


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


# Up to this many wards, the interventions are found from the wards' incidents (see ``latest_interventions``).
WARD_FIRST_LIMIT = 200


class _NotIndexed(Func):
    """The column unchanged; on SQLite written ``+column``, which tells its planner not to use an index
    on that column (the unary plus is a no-op on any value)."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


def latest_interventions(
    definition: MeasureDefinition,
    *,
    ward_ids: Sequence[int],
    since: dt.date,
    until: dt.date,
    overlapping: bool = False,
) -> QuerySet[InterventionRecord]:
    """Interventions of the latest version of each incident on these wards, of the definition's types
    and minimum duration, that started from ``since`` to ``until`` (or, with ``overlapping``, that were
    under way at any time in those days).

    For a few wards (up to ``WARD_FIRST_LIMIT``: a ward's huddle, a provider's board) SQLite is kept off
    the interventions' (type, start) index, so that it starts from the wards' incidents. Without
    statistics it otherwise walks every ward's interventions of the window and drops all but these
    wards' at the end: 1.5 s for one ward on national data instead of a few milliseconds. PostgreSQL
    plans this from its statistics either way, and the SQL is unchanged there.
    """
    numerator = definition.numerator
    start, end = local_midnight(since), local_midnight(until + dt.timedelta(days=1))
    wards = list(ward_ids)
    # Voided incidents and duplicates are kept but never counted (force.models.IncidentVoid).
    rows = InterventionRecord.objects.filter(version__incident__ward_id__in=wards).current().not_voided()
    started, type_code = "started_at", "type_code"
    if len(wards) <= WARD_FIRST_LIMIT:
        rows = rows.alias(
            started_unindexed=_NotIndexed(F("started_at")), type_unindexed=_NotIndexed(F("type_code"))
        )
        started, type_code = "started_unindexed", "type_unindexed"
    if overlapping:
        rows = rows.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start), **{f"{started}__lt": end})
    else:
        rows = rows.filter(**{f"{started}__gte": start, f"{started}__lt": end})
    if numerator.intervention_types:
        rows = rows.filter(**{f"{type_code}__in": numerator.intervention_types})
    if numerator.minimum_minutes is not None:
        rows = rows.filter(ended_at__gt=F("started_at") + dt.timedelta(minutes=numerator.minimum_minutes))
    return rows


def _by_ward_and_period(
    rows: QuerySet[InterventionRecord], period: Period, periods: Sequence[dt.date] | None = None
) -> QuerySet:
    """Annotate each intervention with its incident's ward and the start of its (local) period.

    With ``periods`` (the window's period starts, as ``period_starts`` gives them) the period is a CASE
    over their local midnights, computed by the database itself; without, ``TruncMonth``/``TruncWeek``,
    which SQLite runs as a Python function per row (several times slower on a provider's or a
    collaborative's rows; see ``organisations.selectors.period_of``).
    """
    if periods:
        bucket = period_of("started_at", periods, boundaries=[local_midnight(p) for p in periods])
    else:
        bucket = (TruncMonth if period is Period.MONTH else TruncWeek)("started_at")
    return rows.annotate(ward_id=F("version__incident__ward_id"), period=bucket).order_by()


def _grouped_counts(
    definition: MeasureDefinition,
    rows: QuerySet[InterventionRecord],
    period: Period,
    periods: Sequence[dt.date] | None = None,
) -> tuple[Cells, Cells]:
    aggregates = {"n": GROUPED_NUMERATORS[definition.numerator.counts]}
    if definition.denominator in COUNT_DENOMINATORS:
        aggregates["d"] = COUNT_DENOMINATORS[definition.denominator]
    grouped = _by_ward_and_period(rows, period, periods).values("ward_id", "period").annotate(**aggregates)
    numerators: Cells = {}
    denominators: Cells = {}
    for row in grouped:
        key = (row["ward_id"], _as_date(row["period"]))
        numerators[key] = row["n"]
        if "d" in row:
            denominators[key] = row["d"]
    return numerators, denominators


def _repeat_counts(
    definition: MeasureDefinition,
    rows: QuerySet[InterventionRecord],
    period: Period,
    periods: Sequence[dt.date] | None = None,
) -> tuple[Cells, Cells]:
    """Interventions on people with at least the threshold in the period, and all interventions."""
    per_person = (
        _by_ward_and_period(rows, period, periods)
        .values("ward_id", "period", "version__patient_id")
        .annotate(n=Count("id"))
    )
    threshold = definition.numerator.repeat_threshold or 1
    numerators: Cells = {}
    denominators: Cells = {}
    for row in per_person:
        key = (row["ward_id"], _as_date(row["period"]))
        denominators[key] = denominators.get(key, 0) + row["n"]
        numerators[key] = numerators.get(key, 0) + (row["n"] if row["n"] >= threshold else 0)
    return numerators, denominators


def _complete_counts(
    rows: QuerySet[InterventionRecord], period: Period, periods: Sequence[dt.date] | None = None
) -> tuple[Cells, Cells]:
    """Incidents whose latest version has every s6(5) item, and all incidents, per ward and period: one
    grouped query.

    Each version stores whether it records every item not on the patient's record
    (``IncidentVersion.statutory_items_complete``, set by ``force.completeness.version_items_complete``
    when it is written); items (e) and (g), the patient's name and NHS number, are read from the patient
    as they are now, since filling them in there completes the record without a new version.
    """
    complete = Q(version__statutory_items_complete=True) & ~Q(
        Q(version__patient__nhs_number="")
        | Q(version__patient__given_name="")
        | Q(version__patient__family_name="")
    )
    grouped = (
        _by_ward_and_period(rows, period, periods)
        .values("ward_id", "period")
        .annotate(
            n=Count("version_id", distinct=True, filter=complete),
            d=Count("version_id", distinct=True),
        )
    )
    numerators: Cells = {}
    denominators: Cells = {}
    for row in grouped:
        key = (row["ward_id"], _as_date(row["period"]))
        numerators[key] = row["n"]
        denominators[key] = row["d"]
    return numerators, denominators


def _span_hours(
    spans: list[tuple[int, dt.datetime, dt.datetime | None]],
    periods: list[dt.date],
    period: Period,
    *,
    since: dt.date,
    until: dt.date,
) -> Cells:
    """Hours under way within each period: each (ward, start, end) span clipped to the period and to
    the days asked for (a week may start before ``since``); one still open counts to now at the latest."""
    if not spans:
        return {}
    now = timezone.now()
    wards = np.array([w for w, _, _ in spans])
    starts = np.array([s.timestamp() for _, s, _ in spans])
    ends = np.array([(e or now).timestamp() for _, _, e in spans])
    hours: Cells = {}
    for start in periods:
        lower = max(local_midnight(start), local_midnight(since)).timestamp()
        upper = min(
            local_midnight(_next_period(start, period)), local_midnight(until + dt.timedelta(days=1)), now
        )
        upper = upper.timestamp()
        seconds = np.clip(np.minimum(ends, upper) - np.maximum(starts, lower), 0, None)
        if not seconds.any():
            continue
        totals = pd.Series(seconds).groupby(wards).sum()
        for ward_id, total in totals.items():
            hours[(int(ward_id), start)] = float(total) / SECONDS_PER_HOUR
    return hours


def days_between_events(rows: QuerySet[InterventionRecord]) -> pd.DataFrame:
    """For g charts: one row per day with an event after a ward's first in the range, with the whole
    days since the ward's previous event day. Two events on one day are one event day."""
    events = pd.DataFrame(
        [
            (w, timezone.localtime(s).date())
            for w, s in rows.values_list("version__incident__ward_id", "started_at")
        ],
        columns=["ward_id", "period"],
    ).drop_duplicates()
    days = pd.to_datetime(events["period"])
    events = events.assign(day=days).sort_values(["ward_id", "day"])
    events["numerator"] = events.groupby("ward_id")["day"].diff().dt.days.astype(float)
    events = events.dropna(subset=["numerator"])
    events["denominator"] = np.nan
    events["value"] = events["numerator"]
    return events[SERIES_COLUMNS].reset_index(drop=True)


def bed_days_by_period(
    *, ward_ids: Sequence[int], since: dt.date, until: dt.date, period: Period
) -> dict[tuple[int, dt.date], int]:
    """Occupied bed days per ward and period. Months: ``bed_days_by_month`` (daily figures, else the
    monthly figure entered or imported). Weeks: daily figures only, grouped in one query; a week with
    no daily figures has no bed days (monthly figures cannot be split into weeks honestly)."""
    if period is Period.MONTH:
        by_ward = bed_days_by_month(list(ward_ids), since=since.replace(day=1), until=until)
        return {
            (ward_id, month): bed_days
            for ward_id, months in by_ward.items()
            for month, (bed_days, _) in months.items()
        }
    weeks = period_starts(since=since, until=until, period=period)
    if not weeks:
        return {}
    grouped = (
        OccupiedBedDays.objects.filter(ward_id__in=list(ward_ids), date__gte=weeks[0], date__lte=until)
        .annotate(week=period_of("date", weeks))
        .values("ward_id", "week")
        .annotate(total=Sum("bed_days"))
        .order_by()
    )
    return {(row["ward_id"], _as_date(row["week"])): row["total"] for row in grouped}


# Seclusion and long-term segregation episodes are MHSDS restrictive interventions 05 and 06.
EPISODE_TYPES = frozenset({"05", "06"})
EPISODE_COUNTS = frozenset({Counts.INTERVENTIONS, Counts.HOURS})


def episode_spans(
    definition: MeasureDefinition,
    *,
    ward_ids: Sequence[int],
    since: dt.date,
    until: dt.date,
    overlapping: bool = False,
) -> list[tuple[int, dt.date | dt.datetime, dt.datetime | None]]:
    """Seclusion and segregation episodes (types 05 and 06) that this measure counts, as (ward, start,
    end), beside the incidents' intervention records.

    An episode whose linked incident already records the same type is left out, so one seclusion is
    never counted twice. Only measures that count interventions or hours take episodes in.
    """
    return [
        (ward_id, started_at, ended_at)
        for ward_id, started_at, ended_at, _ in _episode_spans(
            definition, ward_ids=ward_ids, since=since, until=until, overlapping=overlapping
        )
    ]


def _episode_spans(
    definition: MeasureDefinition,
    *,
    ward_ids: Sequence[int],
    since: dt.date,
    until: dt.date,
    overlapping: bool = False,
) -> list[tuple[int, dt.datetime, dt.datetime | None, str]]:
    """``episode_spans`` with each episode's type (05 or 06) as a fourth item."""

    numerator = definition.numerator
    wanted = (
        EPISODE_TYPES & set(numerator.intervention_types) if numerator.intervention_types else EPISODE_TYPES
    )
    if not wanted or numerator.counts not in EPISODE_COUNTS:
        return []
    start, end = local_midnight(since), local_midnight(until + dt.timedelta(days=1))
    spans = [
        span
        for span in intervention_spans(ward_ids=ward_ids, since=start, until=end)
        if span.type_code in wanted and (overlapping or start <= span.started_at < end)
    ]
    if numerator.minimum_minutes is not None:
        shortest = dt.timedelta(minutes=numerator.minimum_minutes)
        spans = [s for s in spans if s.ended_at is not None and s.ended_at - s.started_at > shortest]
    recorded = recorded_types({s.incident_id for s in spans if s.incident_id is not None})
    return [
        (s.ward_id, s.started_at, s.ended_at, s.type_code)
        for s in spans
        if (s.incident_id, s.type_code) not in recorded
    ]


def _period_start(moment: dt.datetime, period: Period) -> dt.date:
    day = timezone.localtime(moment).date()
    return day.replace(day=1) if period is Period.MONTH else day - dt.timedelta(days=day.weekday())


def _check_denominator(definition: MeasureDefinition) -> None:
    """UnsupportedMeasure, naming the measure, for a denominator the series code does not compute."""
    if (
        definition.denominator not in SUPPORTED_DENOMINATORS
        and OWN_DENOMINATORS.get(definition.numerator.counts) is not definition.denominator
    ):
        raise UnsupportedMeasure(
            f"{definition.slug}: denominator {definition.denominator} is not computed yet"
        )


def measure_series(
    definition: MeasureDefinition,
    *,
    ward_ids: Sequence[int],
    since: dt.date,
    until: dt.date,
    period: Period | str = Period.MONTH,
    stored: bool = True,
) -> pd.DataFrame:
    """The measure for every ward and period: columns ward_id, period, numerator, denominator, value.

    ``value`` is numerator / denominator × the definition's multiplier (NaN where the denominator is
    missing or zero), or the count itself for a measure with no denominator. For a g chart
    (days between) there is one row per event day instead, dated on it. The caller chooses the wards
    (from ``accounts.scope``); this function does not check who may see them. Whole months of a
    measure counted from intervention rows come from the stored monthly figures, as in
    ``measure_series_many`` (``stored=False`` computes them from the records).
    """
    period = Period(period)
    if (
        stored
        and _stored_kind(definition)
        and _storable([definition], since=since, until=until, period=period)
    ):
        return measure_series_many([definition], ward_ids=ward_ids, since=since, until=until, period=period)[
            definition.slug
        ]
    counts = definition.numerator.counts
    if counts is Counts.WARD_VALUES:
        return ward_values_series(
            definition, ward_ids=sorted(set(ward_ids)), since=since, until=until, period=period
        )
    _check_denominator(definition)
    wards = sorted(set(ward_ids))
    window = {"ward_ids": wards, "since": since, "until": until}
    if counts is Counts.DAYS_BETWEEN:
        return days_between_events(latest_interventions(definition, **window))
    periods = period_starts(since=since, until=until, period=period)
    counted: Cells = {}
    if counts in GROUPED_NUMERATORS:
        numerator_cells, counted = _grouped_counts(
            definition, latest_interventions(definition, **window), period, periods
        )
        if counts is Counts.INTERVENTIONS:
            for ward_id, started_at, _ in episode_spans(definition, **window):
                key = (ward_id, _period_start(started_at, period))
                numerator_cells[key] = numerator_cells.get(key, 0) + 1
    elif counts is Counts.REPEAT_INTERVENTIONS:
        numerator_cells, counted = _repeat_counts(
            definition, latest_interventions(definition, **window), period, periods
        )
    elif counts in INCIDENT_COUNTERS:
        numerator_cells, counted = INCIDENT_COUNTERS[counts](
            latest_interventions(definition, **window), period, periods
        )
    elif counts in WINDOW_COUNTERS:
        numerator_cells, counted = WINDOW_COUNTERS[counts](definition, **window, period=period)
    elif counts is Counts.HOURS:
        spans = list(
            latest_interventions(definition, **window, overlapping=True).values_list(
                "version__incident__ward_id", "started_at", "ended_at"
            )
        )
        spans += episode_spans(definition, **window, overlapping=True)
        numerator_cells = _span_hours(spans, periods, period, since=since, until=until)
    else:  # pragma: no cover - every Counts member is handled above
        raise UnsupportedMeasure(f"{definition.slug}: numerator.counts {counts} is not computed yet")
    if definition.denominator is Denominator.OCCUPIED_BED_DAYS:
        counted = bed_days_by_period(ward_ids=wards, since=since, until=until, period=period)
    return _series_frame(definition, wards, periods, numerator_cells, counted)


def month_of_week(monday: dt.date) -> dt.date:
    """The month an ISO week is rolled up into: the month of its Thursday, which holds at least four of
    its seven days (ISO 8601 gives a week to a year the same way)."""
    return (monday + dt.timedelta(days=3)).replace(day=1)


def weeks_of_month(month: dt.date) -> list[dt.date]:
    """The Mondays of the weeks rolled up into ``month`` (four or five)."""
    thursday = month + dt.timedelta(days=(3 - month.weekday()) % 7)
    out = []
    while thursday.month == month.month:
        out.append(thursday - dt.timedelta(days=3))
        thursday += dt.timedelta(weeks=1)
    return out


ValueCells = dict[tuple[int, dt.date], tuple[float, float | None]]


def roll_up_weeks(definition: MeasureDefinition, weekly: ValueCells) -> ValueCells:
    """A weekly measure's values as months (decision 0079), each week in the month of its Thursday:

    - a rate over the value's own denominator (huddles held of those planned) sums both, over the weeks
      given;
    - a level (``combine: mean``: Safewards interventions in use) is the mean of the weeks given;
    - a count is the sum of the weeks, only where every week of the month has a value: a missing week
      would read as fewer events, an improvement no one made."""
    grouped: dict[tuple[int, dt.date], list[tuple[float, float | None]]] = {}
    for (ward_id, monday), cell in weekly.items():
        grouped.setdefault((ward_id, month_of_week(monday)), []).append(cell)
    out: ValueCells = {}
    for (ward_id, month), cells in grouped.items():
        numerators = [n for n, _ in cells]
        if definition.denominator is Denominator.ENTERED:
            out[(ward_id, month)] = (sum(numerators), sum(d or 0.0 for _, d in cells))
        elif definition.combine is Combine.MEAN:
            out[(ward_id, month)] = (sum(numerators) / len(numerators), None)
        elif len(cells) == len(weeks_of_month(month)):
            out[(ward_id, month)] = (sum(numerators), None)
    return out


def _held_cells(
    definition: MeasureDefinition,
    *,
    ward_ids: Sequence[int],
    periods: list[dt.date],
    period: Period,
) -> ValueCells:
    """Each ward's current values as (numerator, denominator) per period of the chart: one query, two
    for a weekly measure shown by month (its weekly values rolled up, and any monthly ones it had)."""

    def cells(held: dict[tuple[int, dt.date], MeasureValue]) -> ValueCells:
        return {
            key: (float(v.numerator), None if v.denominator is None else float(v.denominator))
            for key, v in held.items()
        }

    if not definition.weekly:
        return cells(
            current_values(definition.slug, ward_ids=ward_ids, first_month=periods[0], last_month=periods[-1])
        )
    if period is Period.WEEK:
        return cells(
            current_values(
                definition.slug,
                ward_ids=ward_ids,
                first_month=periods[0],
                last_month=periods[-1],
                period=ValuePeriod.WEEK,
            )
        )
    weekly = current_values(
        definition.slug,
        ward_ids=ward_ids,
        first_month=periods[0] - dt.timedelta(days=3),
        last_month=_next_period(periods[-1], Period.MONTH) - dt.timedelta(days=4),
        period=ValuePeriod.WEEK,
    )
    # A month given as a whole (before the measure was weekly) stands as it was given.
    monthly = cells(
        current_values(definition.slug, ward_ids=ward_ids, first_month=periods[0], last_month=periods[-1])
    )
    return {**roll_up_weeks(definition, cells(weekly)), **monthly}


def ward_values_series(
    definition: MeasureDefinition, *, ward_ids: Sequence[int], since: dt.date, until: dt.date, period: Period
) -> pd.DataFrame:
    """An entered or imported measure (decisions 0043 and 0079): each ward's current value per period,
    over the value's own denominator or the ward's occupied bed days, or as a count.

    Only wards with at least one value in the window are in the frame (a ward that does not collect the
    measure has no chart, not a flat line of zeros); a period with no value is a gap (NaN), never 0. A
    monthly measure has no weekly series (a month cannot be split into weeks honestly); a weekly one is
    charted by week, and by month rolled up (``roll_up_weeks``). ``ward_values_series_many`` of one
    measure: its values in one query (two for a weekly measure by month), and the bed days."""
    return ward_values_series_many([definition], ward_ids=ward_ids, since=since, until=until, period=period)[
        definition.slug
    ]


def ward_values_series_many(
    definitions: Sequence[MeasureDefinition],
    *,
    ward_ids: Sequence[int],
    since: dt.date,
    until: dt.date,
    period: Period,
    bed_days: Cells | None = None,
) -> dict[str, pd.DataFrame]:
    """Several entered or imported measures, each exactly as ``ward_values_series`` gives it (by slug):
    every monthly measure's values in ONE query whatever their number (a weekly measure's are read as
    ``_held_cells`` reads them), and the bed days once for the wards holding a value of a measure over
    occupied bed days (a ward's bed days do not depend on which other wards are read with it). A board's
    value measures read one at a time cost 0.31 s of a 50-ward board (docs/performance.md).

    ``bed_days``: the occupied bed days of every ward and period asked for, already read by the caller
    (``measure_series_many`` has them from the stored monthly figures), so they are not read again."""
    empty = pd.DataFrame({c: pd.Series(dtype=float) for c in SERIES_COLUMNS})
    out: dict[str, pd.DataFrame] = {d.slug: empty.copy() for d in definitions}
    shown = [d for d in definitions if period is Period.MONTH or d.weekly]
    if not ward_ids or not shown:
        return out
    wards_read = sorted(set(ward_ids))
    periods = period_starts(since=since, until=until, period=period)
    monthly = [d for d in shown if not d.weekly]
    held_by_slug: dict[str, ValueCells] = {
        slug: {
            key: (float(f.numerator), None if f.denominator is None else float(f.denominator))
            for key, f in figures.items()
        }
        for slug, figures in current_figures_many(
            [d.slug for d in monthly], ward_ids=wards_read, first_month=periods[0], last_month=periods[-1]
        ).items()
    }
    for definition in shown:
        if definition.weekly:
            held_by_slug[definition.slug] = _held_cells(
                definition, ward_ids=wards_read, periods=periods, period=period
            )
    over_bed_days = {
        ward_id
        for d in shown
        if d.denominator is Denominator.OCCUPIED_BED_DAYS
        for ward_id, _ in held_by_slug[d.slug]
    }
    if over_bed_days and bed_days is None:
        bed_days = bed_days_by_period(ward_ids=sorted(over_bed_days), since=since, until=until, period=period)
    for definition in shown:
        held = held_by_slug[definition.slug]
        wards = sorted({ward_id for ward_id, _ in held})
        if wards:
            out[definition.slug] = _values_frame(definition, held, wards, periods, bed_days or {})
    return out


def _values_frame(
    definition: MeasureDefinition,
    held: ValueCells,
    wards: Sequence[int],
    periods: Sequence[dt.date],
    bed_days: Cells,
) -> pd.DataFrame:
    """One value measure's long frame for the wards holding a value: NaN where a period has none."""
    keys = list(itertools.product(wards, periods))
    numerators = np.array([held[k][0] if k in held else np.nan for k in keys], dtype=float)
    if definition.denominator is Denominator.OCCUPIED_BED_DAYS:
        denominators = np.array([bed_days.get(k, np.nan) for k in keys], dtype=float)
    elif definition.denominator is Denominator.NONE:
        denominators = np.full(len(keys), np.nan)
    else:
        denominators = np.array(
            [d if k in held and (d := held[k][1]) is not None else np.nan for k in keys], dtype=float
        )
    frame = pd.MultiIndex.from_product([wards, periods], names=["ward_id", "period"]).to_frame(index=False)
    frame["numerator"] = numerators
    frame["denominator"] = denominators
    with np.errstate(divide="ignore", invalid="ignore"):
        if definition.denominator is Denominator.NONE:
            frame["value"] = numerators * definition.multiplier
        else:
            frame["value"] = np.where(
                denominators > 0, numerators / denominators * definition.multiplier, np.nan
            )
    return frame[SERIES_COLUMNS]


def _reviews_on_time_counts(
    definition: MeasureDefinition, *, ward_ids: Sequence[int], since: dt.date, until: dt.date, period: Period
) -> tuple[Cells, Cells]:
    """Episodes of the definition's types (05 seclusion, 06 long-term segregation) that ended in each
    period with every review done by its Code of Practice due time, and all that ended, per ward: the
    "reviews on time" process measure (``segregation.schedules.check_record``). An episode belongs to
    the period in which it ended, when its reviews are all known."""
    codes = set(definition.numerator.intervention_types) or EPISODE_TYPES
    kinds = [kind for kind, code in MHSDS_INTERVENTION_TYPE.items() if code in codes]
    numerators: Cells = {}
    denominators: Cells = {}
    for ward_id, ended_at, on_time in ended_reviews_on_time(
        ward_ids=ward_ids,
        kinds=kinds,
        since=local_midnight(since),
        until=local_midnight(until + dt.timedelta(days=1)),
    ):
        key = (ward_id, _period_start(ended_at, period))
        denominators[key] = denominators.get(key, 0) + 1
        numerators[key] = numerators.get(key, 0) + int(on_time)
    return numerators, denominators


def _debrief_cells(
    rows: QuerySet[InterventionRecord], period: Period, periods: Sequence[dt.date] | None = None
) -> tuple[Cells, Cells, Cells]:
    """Incidents whose patient debrief was offered, and those whose was held, within 72 hours of the start
    of their first type of force, and all incidents, per ward and the period of that start (issue 15).

    The debrief times are the incident's current debrief record with the patient
    (``force.debriefs.patient_debrief_times``); an incident with none recorded counts in the denominator
    only, so the latest few days read low until debriefs are recorded, as they do on the ward."""
    firsts = list(
        rows.values("version__incident_id")
        .annotate(ward_id=F("version__incident__ward_id"), start=Min("started_at"))
        .values_list("version__incident_id", "ward_id", "start")
        .order_by()
    )
    # The incidents as a subquery: one query for the times however many incidents (none included).
    times = patient_debrief_times(rows.values("version__incident_id"))
    offered: Cells = {}
    held: Cells = {}
    denominators: Cells = {}
    for incident_id, ward_id, start in firsts:
        key = (ward_id, _period_start(start, period))
        denominators[key] = denominators.get(key, 0) + 1
        offered_at, held_at = times.get(incident_id, (None, None))
        offered[key] = offered.get(key, 0) + int(
            offered_at is not None and offered_at - start <= DEBRIEF_WINDOW
        )
        held[key] = held.get(key, 0) + int(held_at is not None and held_at - start <= DEBRIEF_WINDOW)
    return offered, held, denominators


def _debrief_counts(
    rows: QuerySet[InterventionRecord],
    period: Period,
    periods: Sequence[dt.date] | None = None,
    *,
    held: bool,
) -> tuple[Cells, Cells]:
    """``_debrief_cells`` for one of the two measures: offered, or (with ``held``) held within 72 hours."""
    offered_cells, held_cells, denominators = _debrief_cells(rows, period, periods)
    return (held_cells if held else offered_cells), denominators


# The debrief measures, each with whether it counts debriefs held (else offered) within 72 hours.
DEBRIEF_COUNTS = {
    Counts.INCIDENTS_PATIENT_DEBRIEF_OFFERED_72H: False,
    Counts.INCIDENTS_PATIENT_DEBRIEF_HELD_72H: True,
}

# Measures of incidents counted from their rows with a rule of their own: the numerator and denominator.
INCIDENT_COUNTERS = {
    Counts.INCIDENTS_COMPLETE: _complete_counts,
    Counts.INCIDENTS_PATIENT_DEBRIEF_OFFERED_72H: functools.partial(_debrief_counts, held=False),
    Counts.INCIDENTS_PATIENT_DEBRIEF_HELD_72H: functools.partial(_debrief_counts, held=True),
}


def _window_periods(
    *, since: dt.date, until: dt.date, period: Period
) -> tuple[list[dt.date], list[dt.datetime], dt.datetime]:
    """The window's period starts, their local midnights (the first clipped to ``since``, as a week may
    start before it) and the end: for readers that group by period in the database."""
    starts = period_starts(since=since, until=until, period=period)
    boundaries = [local_midnight(max(start, since)) for start in starts]
    return starts, boundaries, local_midnight(until + dt.timedelta(days=1))


def _rights_counts(
    definition: MeasureDefinition, *, ward_ids: Sequence[int], since: dt.date, until: dt.date, period: Period
) -> tuple[Cells, Cells]:
    """Admissions with information about the use of force recorded for the patient within 7 days (given,
    or refused or not possible with the reason: Use of Force Act s4), and all admissions, per ward and the
    period of admission (``people.selectors.admissions_rights_recorded``, grouped in the database)."""
    starts, boundaries, end = _window_periods(since=since, until=until, period=period)
    numerators: Cells = {}
    denominators: Cells = {}
    for ward_id, start, recorded, admissions in admissions_rights_recorded(
        ward_ids=ward_ids, starts=starts, boundaries=boundaries, end=end
    ):
        numerators[(ward_id, _as_date(start))] = recorded
        denominators[(ward_id, _as_date(start))] = admissions
    return numerators, denominators


def _voice_rows(
    *, ward_ids: Sequence[int], since: dt.date, until: dt.date, period: Period
) -> list[tuple[int, dt.date, int, int, int]]:
    """The weekly check answers per ward and period (``people.selectors.voice_answers``, grouped in the
    database): one query that both voice measures read."""
    starts, boundaries, end = _window_periods(since=since, until=until, period=period)
    return voice_answers(ward_ids=ward_ids, starts=starts, boundaries=boundaries, end=end)


def _voice_cells(
    definition: MeasureDefinition, rows: Sequence[tuple[int, dt.date, int, int, int]]
) -> tuple[Cells, Cells]:
    """Of ``_voice_rows``: the answers of "Yes, always" to the measure's question, and all answers."""
    column = 2 if definition.numerator.counts is Counts.VOICE_FELT_SAFE else 3
    numerators: Cells = {}
    denominators: Cells = {}
    for row in rows:
        numerators[(row[0], _as_date(row[1]))] = row[column]
        denominators[(row[0], _as_date(row[1]))] = row[4]
    return numerators, denominators


def _voice_counts(
    definition: MeasureDefinition, *, ward_ids: Sequence[int], since: dt.date, until: dt.date, period: Period
) -> tuple[Cells, Cells]:
    """Weekly check answers of "Yes, always" to the measure's question (felt safe, or treated with respect
    and dignity), and all answers, per ward and period: the patients' own view as a balancing and
    outcome measure (issue 15 item 3)."""
    return _voice_cells(definition, _voice_rows(ward_ids=ward_ids, since=since, until=until, period=period))


#: The measures of the weekly check, which ``_own_cells`` reads in one query for both.
VOICE_COUNTS = frozenset({Counts.VOICE_FELT_SAFE, Counts.VOICE_RESPECTED})


#: Restraints counted together: a person restrained this many times (the definition's ``repeat_threshold``)
#: within this many days is "restrained repeatedly" (issue 15 item 1). Force's own name for it, since
#: writing an incident marks stale the stored months of the same person's restraints this long after.
REPEAT_RESTRAINT_DAYS = LATER_RESTRAINTS_WITHIN
# A support plan version written within PLAN_REVIEW_WITHIN (7 days) after the restraint that made it
# repeated counts as a plan reviewed since (a draft for the measures working group, like the 72 hours of
# the debriefs): people.services' constant, since writing a plan marks stale the stored months of the
# restraints that long before it.


def _restrained_on(
    definition: MeasureDefinition, *, ward_ids: Sequence[int], since: dt.date, until: dt.date
) -> QuerySet:
    """The patients restrained on these wards from ``since`` to ``until``, as a subquery (read from the
    wards' incidents first: ``latest_interventions``)."""
    return (
        latest_interventions(definition, ward_ids=ward_ids, since=since, until=until)
        .filter(version__patient__isnull=False)
        .values("version__patient_id")
    )


def repeat_restraint_triggers(
    definition: MeasureDefinition, *, ward_ids: Sequence[int], since: dt.date, until: dt.date
) -> list[tuple[int, int, dt.datetime]]:
    """Each time a person was restrained for the ``repeat_threshold``-th time (or more) within 28 days by
    an incident on these wards that started from ``since`` to ``until``, as (ward, patient, when): the
    incident's first type of force of the definition's types.

    A restraint is an incident (the latest version, not voided) with at least one type of force of the
    definition's types, timed by the first of them; the earlier ones may be on any ward and before
    ``since``, so a person moved between wards is counted as the ward sees them. One query, which finds
    the people from the wards' incidents and then their restraints from the people (SQLite is kept off
    the interventions' start index, which would walk every ward's restraints of the window)."""
    threshold = definition.numerator.repeat_threshold or 1
    start, end = local_midnight(since), local_midnight(until + dt.timedelta(days=1))
    rows = (
        InterventionRecord.objects.current()
        .not_voided()
        .alias(started=_NotIndexed(F("started_at")), type_unindexed=_NotIndexed(F("type_code")))
        .filter(
            version__patient_id__in=_restrained_on(definition, ward_ids=ward_ids, since=since, until=until),
            started__gt=start - REPEAT_RESTRAINT_DAYS,
            started__lt=end,
        )
    )
    if definition.numerator.intervention_types:
        rows = rows.filter(type_unindexed__in=definition.numerator.intervention_types)
    rows = (
        rows.values("version__incident_id")
        .annotate(
            patient_id=F("version__patient_id"),
            ward_id=F("version__incident__ward_id"),
            first=Min("started_at"),
        )
        .values_list("patient_id", "ward_id", "first")
        .order_by()
    )
    by_patient: dict[int, list[tuple[dt.datetime, int]]] = {}
    for patient_id, ward_id, first in rows:
        by_patient.setdefault(patient_id, []).append((first, ward_id))
    wards = set(ward_ids)
    triggers = []
    for patient_id, restraints_of in by_patient.items():
        times = sorted(restraints_of)
        for i, (moment, ward_id) in enumerate(times):
            if ward_id not in wards or not start <= moment < end:
                continue
            within = sum(1 for earlier, _ in times[: i + 1] if earlier > moment - REPEAT_RESTRAINT_DAYS)
            if within >= threshold:
                triggers.append((ward_id, patient_id, moment))
    return triggers


def _plan_after_repeat_counts(
    definition: MeasureDefinition, *, ward_ids: Sequence[int], since: dt.date, until: dt.date, period: Period
) -> tuple[Cells, Cells]:
    """People restrained repeatedly (``repeat_restraint_triggers``) in each period on each ward, counted
    once at the first such restraint there in the period, and those of them whose support plan has a
    version written from that restraint to 7 days after it: the plan was reviewed since (issue 15 item 1).
    The latest week reads low until the reviews are written, as the debrief measures do."""
    window = {"ward_ids": ward_ids, "since": since, "until": until}
    triggers = repeat_restraint_triggers(definition, **window)
    firsts: dict[tuple[int, dt.date, int], dt.datetime] = {}
    for ward_id, patient_id, moment in sorted(triggers, key=lambda t: t[2]):
        firsts.setdefault((ward_id, _period_start(moment, period), patient_id), moment)
    # One query for the plans however many people there are: with none, an id no patient has, so the
    # huddle's query count does not depend on its history (an empty list would skip the query).
    written = plan_versions_written(
        sorted({patient_id for _, _, patient_id in firsts}) or [0],
        start=local_midnight(since),
        end=local_midnight(until + dt.timedelta(days=1)) + PLAN_REVIEW_WITHIN,
    )
    numerators: Cells = {}
    denominators: Cells = {}
    for (ward_id, period_start, patient_id), moment in firsts.items():
        key = (ward_id, period_start)
        reviewed = any(moment <= at <= moment + PLAN_REVIEW_WITHIN for at in written.get(patient_id, ()))
        denominators[key] = denominators.get(key, 0) + 1
        numerators[key] = numerators.get(key, 0) + int(reviewed)
    return numerators, denominators


# Measures counted over the window with a reader of their own (not from intervention rows), and the
# denominators only such a reader counts.
OWN_DENOMINATORS = {
    Counts.PEOPLE_RESTRAINED_REPEATEDLY_PLAN_REVIEWED: Denominator.PEOPLE_RESTRAINED_REPEATEDLY,
    Counts.ADMISSIONS_RIGHTS_INFORMATION: Denominator.ADMISSIONS,
    Counts.VOICE_FELT_SAFE: Denominator.RESPONSES,
    Counts.VOICE_RESPECTED: Denominator.RESPONSES,
}
WINDOW_COUNTERS = {
    Counts.PEOPLE_RESTRAINED_REPEATEDLY_PLAN_REVIEWED: _plan_after_repeat_counts,
    Counts.EPISODES_REVIEWED_ON_TIME: _reviews_on_time_counts,
    Counts.ADMISSIONS_RIGHTS_INFORMATION: _rights_counts,
    Counts.VOICE_FELT_SAFE: _voice_counts,
    Counts.VOICE_RESPECTED: _voice_counts,
}


def _series_frame(
    definition: MeasureDefinition,
    wards: Sequence[int],
    periods: Sequence[dt.date],
    numerator_cells: Cells,
    denominator_cells: Cells,
) -> pd.DataFrame:
    """The long frame for every ward and period: missing numerators are 0, missing denominators NaN."""
    grid = pd.MultiIndex.from_product([wards, periods], names=["ward_id", "period"])
    # Keys from itertools, not from iterating the MultiIndex (several times slower for 45,000 cells).
    keys = list(itertools.product(wards, periods))
    numerators = np.array([numerator_cells.get(key, 0) for key in keys], dtype=float)
    if definition.denominator is Denominator.NONE:
        denominators = np.full(len(grid), np.nan)
        values = numerators * definition.multiplier
    else:
        denominators = np.array([denominator_cells.get(key, np.nan) for key in keys], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(denominators > 0, numerators / denominators * definition.multiplier, np.nan)
    frame = grid.to_frame(index=False)
    frame["numerator"] = numerators
    frame["denominator"] = denominators
    frame["value"] = values
    return frame[SERIES_COLUMNS]


def _selection(definition: MeasureDefinition) -> Q:
    """The definition's intervention types and minimum duration as a filter on intervention rows."""
    numerator = definition.numerator
    selected = Q()
    if numerator.intervention_types:
        selected &= Q(type_code__in=numerator.intervention_types)
    if numerator.minimum_minutes is not None:
        selected &= Q(ended_at__gt=F("started_at") + dt.timedelta(minutes=numerator.minimum_minutes))
    return selected


def _filtered(aggregate: Count, selected: Q) -> Count:
    """The same count over only the selected rows (and the aggregate's own filter, if any)."""
    field = aggregate.get_source_expressions()[0]
    own = getattr(aggregate.filter, "condition", aggregate.filter)  # Django wraps it in AggregateFilter
    condition = selected & own if own is not None else selected
    return Count(field, distinct=aggregate.distinct, filter=condition if condition else None)


# Stands for a definition that selects every intervention (any type, any duration).
_EVERY_INTERVENTION = SimpleNamespace(
    numerator=SimpleNamespace(intervention_types=(), minimum_minutes=None, counts=Counts.INTERVENTIONS)
)


def _episode_rows(
    *, ward_ids: Sequence[int], since: dt.date, until: dt.date
) -> list[tuple[int, dt.datetime, dt.datetime | None, str]]:
    """Every seclusion and segregation episode that started in the window, as (ward, start, end, type),
    without those whose incident already records the same type: ``episode_spans`` for all types at once."""
    return _episode_spans(_EVERY_INTERVENTION, ward_ids=ward_ids, since=since, until=until)  # type: ignore[arg-type]


def counted_episodes(
    *, ward_ids: Sequence[int], since: dt.date, until: dt.date
) -> list[tuple[int, dt.datetime, dt.datetime | None, str]]:
    """The seclusion and segregation episodes that started from ``since`` to ``until`` on these wards and
    that every intervention-counting measure adds (none whose incident records the same type), as
    (ward, start, end, type): for statistics that must reconcile with the measures (the annual
    statistics)."""
    return _episode_rows(ward_ids=ward_ids, since=since, until=until)


def _add_episodes(
    definitions: Sequence[MeasureDefinition],
    numerators: list[Cells],
    episodes: list[tuple[int, dt.datetime, dt.datetime | None, str]],
    period: Period,
) -> None:
    """Add each episode to the numerator of every intervention-counting definition that selects its
    type and duration, in its ward's (local) period. Periods are worked out once for all episodes, in
    pandas: a collaborative's five years hold some 40,000 episodes."""
    if not episodes:
        return
    wards = [e[0] for e in episodes]
    starts = pd.DatetimeIndex(pd.to_datetime([e[1] for e in episodes], utc=True))
    local = starts.tz_convert(timezone.get_current_timezone_name()).tz_localize(None).normalize()
    if period is Period.MONTH:
        firsts = local.to_period("M").to_timestamp()
    else:
        firsts = local - pd.to_timedelta(local.day_of_week, unit="D")
    keys = list(zip(wards, (d.date() for d in firsts), strict=True))
    types = np.array([e[3] for e in episodes], dtype=object)
    ends = pd.to_datetime([e[2] for e in episodes], utc=True)
    minutes = np.asarray((ends - starts).total_seconds(), dtype=float) / 60  # NaN while under way
    for i, definition in enumerate(definitions):
        if definition.numerator.counts is not Counts.INTERVENTIONS:
            continue
        wanted = np.isin(types, sorted(set(definition.numerator.intervention_types) or EPISODE_TYPES))
        if definition.numerator.minimum_minutes is not None:
            with np.errstate(invalid="ignore"):
                wanted &= minutes > definition.numerator.minimum_minutes
        for index in np.flatnonzero(wanted).tolist():
            key = keys[index]
            numerators[i][key] = numerators[i].get(key, 0) + 1


def _groupable(definition: MeasureDefinition) -> bool:
    return (
        definition.numerator.counts in GROUPED_NUMERATORS and definition.denominator in SUPPORTED_DENOMINATORS
    )


def _count_cells(
    definitions: Sequence[MeasureDefinition],
    *,
    ward_ids: Sequence[int],
    since: dt.date,
    until: dt.date,
    period: Period,
    periods: Sequence[dt.date],
) -> tuple[list[Cells], list[Cells]]:
    """Numerators and count denominators of these (groupable) measures per ward and period: ONE grouped
    query of intervention rows, each measure's types and minimum duration a filter on its own aggregate,
    plus the seclusion and segregation episodes read once."""
    window = {"ward_ids": ward_ids, "since": since, "until": until}
    rows = latest_interventions(_EVERY_INTERVENTION, **window)  # type: ignore[arg-type]
    aggregates: dict[str, Count] = {}
    for i, definition in enumerate(definitions):
        selected = _selection(definition)
        aggregates[f"n{i}"] = _filtered(GROUPED_NUMERATORS[definition.numerator.counts], selected)
        if definition.denominator in COUNT_DENOMINATORS:
            aggregates[f"d{i}"] = _filtered(COUNT_DENOMINATORS[definition.denominator], selected)
    numerators: list[Cells] = [{} for _ in definitions]
    denominators: list[Cells] = [{} for _ in definitions]
    grouped = _by_ward_and_period(rows, period, periods).values("ward_id", "period").annotate(**aggregates)
    for row in grouped:
        key = (row["ward_id"], _as_date(row["period"]))
        for i in range(len(definitions)):
            numerators[i][key] = row[f"n{i}"]
            if row.get(f"d{i}"):  # no selected rows: no denominator, as measure_series has it
                denominators[i][key] = row[f"d{i}"]
    if any(d.numerator.counts is Counts.INTERVENTIONS for d in definitions):
        _add_episodes(definitions, numerators, _episode_rows(**window), period)
    return numerators, denominators


# Stored monthly figures (figures.store): every catalogue measure counted from intervention
# rows, the people-centred measures counted by readers of their own (issue 15), and the bed days. Bump
# the format when what is stored, or how it is computed, changes.
STORED_FIGURES_FORMAT = 6
BED_DAYS_FIGURE = "bed_days"
#: The people-centred measures (issue 15) kept in the stored figures although they are not counted from
#: intervention rows alone: each of their write paths (debriefs, support plan versions, information
#: about rights, the weekly check, and incidents for the restraints they count) marks the months it can
#: change stale (docs/people.md), so the board reads them as it reads the others.
STORED_OWN_COUNTS = frozenset(
    {
        Counts.INCIDENTS_PATIENT_DEBRIEF_OFFERED_72H,
        Counts.INCIDENTS_PATIENT_DEBRIEF_HELD_72H,
        Counts.PEOPLE_RESTRAINED_REPEATEDLY_PLAN_REVIEWED,
        Counts.ADMISSIONS_RIGHTS_INFORMATION,
        Counts.VOICE_FELT_SAFE,
        Counts.VOICE_RESPECTED,
    }
)
#: "Reviews on time" is stored for seclusion (05) only (issue 13 item 4): a seclusion's reviews on time
#: change only through segregation's own writes (its versions, its reviews, the patient's other
#: seclusions within the 48 hours the independent review counts, the provider's review rules), each of
#: which marks the months of the episodes' ends stale. Long-term segregation's also depend on whether the
#: patient has a learning disability or autism (the ICETR), written by people's pages and imports, which
#: do not mark them, so a definition counting 06 is computed from the records each time.
STORED_REVIEWS_ON_TIME_TYPES = ("05",)


def _stored_kind(definition: MeasureDefinition) -> bool:
    numerator = definition.numerator
    if numerator.counts is Counts.EPISODES_REVIEWED_ON_TIME:
        return tuple(numerator.intervention_types) == STORED_REVIEWS_ON_TIME_TYPES
    return _groupable(definition) or (
        numerator.counts in STORED_OWN_COUNTS
        and definition.denominator is OWN_DENOMINATORS.get(numerator.counts, Denominator.INCIDENTS)
    )


def stored_definitions() -> dict[str, MeasureDefinition]:
    """The catalogue's measures whose monthly figures are stored: those counted from intervention rows,
    the people-centred ones of ``STORED_OWN_COUNTS`` and seclusion reviews on time."""
    return {slug: d for slug, d in all_measures().items() if _stored_kind(d)}


def stored_figures_key() -> str:
    """Names the stored definitions exactly (every field of each), so editing one recomputes the store."""
    text = repr((STORED_FIGURES_FORMAT, sorted(stored_definitions().items())))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _denominator_figure(slug: str) -> str:
    return f"{slug}:denominator"


def compute_monthly_figures(
    ward_ids: list[int], first_month: dt.date, last_month: dt.date
) -> dict[tuple[int, dt.date], dict[str, float | int | None]]:
    """What ``figures.store`` stores, computed from the records per ward and month: every stored
    measure's numerator (by its slug) and count denominator (``slug:denominator``, left out where it
    has none), and the occupied bed days (``bed_days``, left out where there are none)."""
    everything = list(stored_definitions().values())
    definitions = [d for d in everything if _groupable(d)]
    own = [d for d in everything if not _groupable(d)]
    until = _next_period(last_month, Period.MONTH) - dt.timedelta(days=1)
    periods = period_starts(since=first_month, until=until, period=Period.MONTH)
    numerators, denominators = _count_cells(
        definitions, ward_ids=ward_ids, since=first_month, until=until, period=Period.MONTH, periods=periods
    )
    own_numerators, own_denominators = _own_cells(
        own, ward_ids=ward_ids, since=first_month, until=until, period=Period.MONTH, periods=periods
    )
    definitions += own
    numerators += own_numerators
    denominators += own_denominators
    bed_days = bed_days_by_period(ward_ids=ward_ids, since=first_month, until=until, period=Period.MONTH)
    out: dict[tuple[int, dt.date], dict[str, float | int | None]] = {}
    for ward_id in ward_ids:
        for month in periods:
            key = (ward_id, month)
            cell: dict[str, float | int | None] = {BED_DAYS_FIGURE: bed_days.get(key)}
            for i, definition in enumerate(definitions):
                cell[definition.slug] = numerators[i].get(key, 0)
                cell[_denominator_figure(definition.slug)] = denominators[i].get(key)
            # Absent, not null: SQLite reads a JSON null out as the text 'null' (0 once a number).
            out[key] = {name: value for name, value in cell.items() if value is not None}
    return out


def _own_cells(
    definitions: Sequence[MeasureDefinition],
    *,
    ward_ids: Sequence[int],
    since: dt.date,
    until: dt.date,
    period: Period,
    periods: Sequence[dt.date],
) -> tuple[list[Cells], list[Cells]]:
    """Numerators and denominators of measures counted by readers of their own (not groupable), in the
    order given: the debrief measures of one selection, and the two of the weekly check, read once for
    all of them."""
    window = {"ward_ids": ward_ids, "since": since, "until": until}
    numerators: list[Cells] = []
    denominators: list[Cells] = []
    debriefs: dict[tuple, tuple[Cells, Cells, Cells]] = {}
    voice: list[tuple[int, dt.date, int, int, int]] | None = None
    for definition in definitions:
        counts = definition.numerator.counts
        if counts in DEBRIEF_COUNTS:
            selection = (definition.numerator.intervention_types, definition.numerator.minimum_minutes)
            if selection not in debriefs:
                debriefs[selection] = _debrief_cells(
                    latest_interventions(definition, **window), period, periods
                )
            offered, held, counted = debriefs[selection]
            numerators.append(held if DEBRIEF_COUNTS[counts] else offered)
            denominators.append(counted)
        elif counts in INCIDENT_COUNTERS:
            cells, counted = INCIDENT_COUNTERS[counts](
                latest_interventions(definition, **window), period, periods
            )
            numerators.append(cells)
            denominators.append(counted)
        elif counts in VOICE_COUNTS:
            if voice is None:
                voice = _voice_rows(**window, period=period)
            cells, counted = _voice_cells(definition, voice)
            numerators.append(cells)
            denominators.append(counted)
        else:
            cells, counted = WINDOW_COUNTERS[counts](definition, **window, period=period)
            numerators.append(cells)
            denominators.append(counted)
    return numerators, denominators


def _storable(
    definitions: Sequence[MeasureDefinition], *, since: dt.date, until: dt.date, period: Period
) -> bool:
    """Whether these series can come from the stored figures: whole months of catalogue measures."""
    if period is not Period.MONTH or since.day != 1 or (until + dt.timedelta(days=1)).day != 1:
        return False
    stored = stored_definitions()
    return all(stored.get(d.slug) == d for d in definitions)


def _stored_cells(
    definitions: Sequence[MeasureDefinition], *, ward_ids: Sequence[int], periods: Sequence[dt.date]
) -> tuple[list[Cells], list[Cells], Cells]:
    names = [BED_DAYS_FIGURE]
    for definition in definitions:
        names += [definition.slug, _denominator_figure(definition.slug)]
    cells = store.figures(
        ward_ids=ward_ids,
        months=periods,
        key=stored_figures_key(),
        names=names,
        compute=compute_monthly_figures,
    )
    numerators: list[Cells] = [{} for _ in definitions]
    denominators: list[Cells] = [{} for _ in definitions]
    bed_days: Cells = {}
    for key, figures in cells.items():
        for i, definition in enumerate(definitions):
            numerators[i][key] = figures[definition.slug] or 0
            denominator = figures[_denominator_figure(definition.slug)]
            if denominator:
                denominators[i][key] = denominator
        if figures[BED_DAYS_FIGURE] is not None:
            bed_days[key] = figures[BED_DAYS_FIGURE]
    return numerators, denominators, bed_days


def measure_series_many(
    definitions: Sequence[MeasureDefinition],
    *,
    ward_ids: Sequence[int],
    since: dt.date,
    until: dt.date,
    period: Period | str = Period.MONTH,
    stored: bool = True,
) -> dict[str, pd.DataFrame]:
    """Several measures over the same wards and window, each exactly as ``measure_series`` gives it
    (keyed by slug), with the shared work done once.

    Every measure counted from intervention rows (interventions, incidents, people, injuries, debriefs:
    the charts of a huddle, a board or a collaborative) comes from ONE grouped query, each measure's
    types and minimum duration a filter on its own aggregate; seclusion and segregation episodes are
    read once and the bed days once. On national data a huddle's or a board's six measures cost about
    as much as one. Entered and imported measures (decision 0043) are read together too
    (``ward_values_series_many``): one query of all their monthly values, over the bed days the store
    gave (else read once). Any other measure is computed by ``measure_series``.

    Whole months of the catalogue's stored measures (``stored_definitions``: those counted from
    interventions and the people-centred ones) are read from the stored monthly figures
    (``figures.store``), computing only the cells that are missing or stale: a 668-ward
    collaborative's five years are then some 40,000 small rows instead of a million interventions.
    ``stored=False`` computes everything from the records (the tests compare the two).
    """
    period = Period(period)
    wards = sorted(set(ward_ids))
    window = {"ward_ids": wards, "since": since, "until": until}
    out: dict[str, pd.DataFrame] = {}
    periods = period_starts(since=since, until=until, period=period)
    held = stored_definitions()
    from_store = [d for d in definitions if held.get(d.slug) == d]
    stored_bed_days: Cells | None = None  # every ward's and month's, when the store was read
    if stored and from_store and _storable(from_store, since=since, until=until, period=period):
        numerators, denominators, bed_days = _stored_cells(from_store, ward_ids=wards, periods=periods)
        stored_bed_days = bed_days
        for i, definition in enumerate(from_store):
            counted = bed_days if definition.denominator is Denominator.OCCUPIED_BED_DAYS else denominators[i]
            out[definition.slug] = _series_frame(definition, wards, periods, numerators[i], counted or {})
    together = [d for d in definitions if _groupable(d) and d.slug not in out]
    if together:
        numerators, denominators = _count_cells(together, **window, period=period, periods=periods)
        bed_days = None
        if any(d.denominator is Denominator.OCCUPIED_BED_DAYS for d in together):
            bed_days = bed_days_by_period(ward_ids=wards, since=since, until=until, period=period)
        for i, definition in enumerate(together):
            counted = bed_days if definition.denominator is Denominator.OCCUPIED_BED_DAYS else denominators[i]
            out[definition.slug] = _series_frame(definition, wards, periods, numerators[i], counted or {})
    debriefs = [d for d in definitions if d.numerator.counts in DEBRIEF_COUNTS and d.slug not in out]
    selections = {(d.numerator.intervention_types, d.numerator.minimum_minutes) for d in debriefs}
    if len(debriefs) > 1 and len(selections) == 1:  # the same incidents and debriefs: read once for both
        periods = period_starts(since=since, until=until, period=period)
        rows = latest_interventions(debriefs[0], **window)
        offered, held, counted = _debrief_cells(rows, period, periods)
        for definition in debriefs:
            cells = held if DEBRIEF_COUNTS[definition.numerator.counts] else offered
            out[definition.slug] = _series_frame(definition, wards, periods, cells, counted)
    values = [d for d in definitions if d.numerator.counts is Counts.WARD_VALUES and d.slug not in out]
    if values:  # entered and imported measures: one read of their values, whatever their number
        out.update(ward_values_series_many(values, **window, period=period, bed_days=stored_bed_days))
    for definition in definitions:
        if definition.slug not in out:
            out[definition.slug] = measure_series(definition, **window, period=period, stored=stored)
    return {definition.slug: out[definition.slug] for definition in definitions}


def analyse_series(definition: MeasureDefinition, series: pd.DataFrame) -> SpcResult:
    """Chart every ward's series in one call of the SPC engine, with the definition's chart and direction.

    Rates go in as numerators and denominators (the engine charts their ratio × the multiplier), so a
    u chart and an XmR of the rate both work; a plain count goes in as values. Periods without bed days
    are missing points, not zeros.
    """
    dates = pd.to_datetime(series["period"]).to_numpy(dtype="datetime64[D]")
    common = {
        "dates": dates,
        "groups": series["ward_id"].to_numpy(),
        "improvement_direction": definition.improvement_direction,
    }
    if definition.denominator is Denominator.NONE:
        return analyse(definition.default_chart, values=series["numerator"].to_numpy(dtype=float), **common)
    return analyse(
        definition.default_chart,
        numerators=series["numerator"].to_numpy(dtype=float),
        denominators=series["denominator"].to_numpy(dtype=float),
        multiplier=definition.multiplier,
        **common,
    )
