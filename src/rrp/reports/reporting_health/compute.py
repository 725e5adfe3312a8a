"""Reporting health, the figures: which flags each ward raises and the counts, dates and rates behind
them (the words are ``presenters``'; ``reporting_health()`` in this package puts the two together).

Under-reporting is the programme's blind spot: a ward that stops recording looks like a ward that
stopped restraining. So every ward view (the huddle), the provider board and the collaborative view
show, beside the charts, what these flags find:

- ``volume_drop``: the ward's count of incidents per period (a c chart from the SPC engine, neutral
  direction, every ward in one call) ends in a special cause *low*: fewer incidents than the ward's own
  history makes likely, which may be real improvement but must be checked against what was recorded.
  Wards averaging under one incident a period are left to the next rule: there a run of empty periods
  below the centre line is what such a ward does anyway.
- ``silent``: nothing recorded for longer than the ward's rate makes likely. With the rate of the last
  12 months (incidents per day open) as a Poisson process, the chance of no incident in ``d`` days is
  ``exp(-rate * d)``; the flag is raised when that is under 1%, i.e. ``d > -ln(0.01) / rate``.
- ``incomplete``: open records (draft or sent back, made in the last 12 months) and submitted ones made
  in the last 90 days (an amendment after submission may leave gaps) whose latest version misses items
  the Use of Force Act s6(5) requires (``force.completeness``).
- ``late`` and ``unsubmitted``: records made in the last 90 days first submitted more than 72 hours
  after the incident, and open records whose incident was more than 72 hours ago.
- ``missing_bed_days``: months (while the ward was open) with no occupied bed days, so no rate.

Everything is read in a fixed number of grouped queries whatever the number of wards (tested with
``CaptureQueriesContext``). The caller chooses the wards from ``accounts.scope``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd
from django.utils import timezone

from rrp.core.times import local_midnight
from rrp.force.codes import OPEN_STATUSES
from rrp.force.selectors import force_in_window, record_facts
from rrp.measures.catalogue import measure
from rrp.measures.series import Period, measure_series
from rrp.organisations.models import Ward
from rrp.organisations.selectors import bed_days_by_month, months_between
from rrp.reports.measure_charts import reporting_window
from rrp.spc import Chart, ImprovementDirection, PointType, SpecialCause, analyse

#: Chance below which a silence is flagged (1%).
SILENCE_PROBABILITY = 0.01
#: Days of history the silence rate is taken from.
RATE_DAYS = 365
#: A record is late when first submitted more than this after the incident (Use of Force guidance
#: asks for records to be completed promptly; 72 hours is the programme's working standard).
LATE_AFTER = dt.timedelta(hours=72)
#: Records made in this many days are checked for lateness.
RECENT_DAYS = 90
#: Open (draft or sent back) records made in this many days are checked.
OPEN_RECORDS_DAYS = 365
#: Below this mean count per period a ward's volume chart is not read for drops (see module docstring).
MIN_CENTRE_FOR_VOLUME = 1.0
#: Months checked for missing bed days (the last complete ones).
BED_DAY_MONTHS = 12
VOLUME_MEASURE = "incidents"


class Severity(StrEnum):
    """How much a flag matters: high flags question the charts themselves."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class FlagCode(StrEnum):
    VOLUME_DROP = "volume_drop"
    SILENT = "silent"
    INCOMPLETE = "incomplete"
    LATE = "late"
    UNSUBMITTED = "unsubmitted"
    MISSING_BED_DAYS = "missing_bed_days"


@dataclass(frozen=True)
class Flag:
    """One thing to check about a ward's recording (its words are ``presenters.flag_words``)."""

    code: FlagCode
    severity: Severity


@dataclass(frozen=True)
class WardHealthFigures:
    """A ward's reporting health as figures: the flags raised and the figures they came from."""

    ward_id: int
    raised: list[Flag] = field(default_factory=list)
    # (a) recording volume
    volume_period: str = Period.MONTH.value
    volume_latest: float | None = None
    volume_centre: float | None = None
    volume_signal: str | None = None
    # (b) silence
    last_incident_on: dt.date | None = None
    days_since_last: int | None = None
    incidents_last_year: int = 0
    rate_per_day: float = 0.0
    silence_threshold_days: float | None = None
    # (c) completeness and lateness
    open_records: int = 0
    open_incomplete: int = 0
    open_overdue: int = 0
    submitted_incomplete: int = 0
    recent_records: int = 0
    recent_late: int = 0
    # (d) bed days
    months_checked: int = 0
    missing_bed_day_months: list[dt.date] = field(default_factory=list)

    @property
    def worst(self) -> Severity | None:
        order = [Severity.HIGH, Severity.MEDIUM, Severity.LOW]
        return next((s for s in order if any(f.severity is s for f in self.raised)), None)


def silence_threshold_days(rate_per_day: float, probability: float = SILENCE_PROBABILITY) -> float | None:
    """Days without an incident beyond which, at this Poisson rate, the chance is under ``probability``."""
    if rate_per_day <= 0:
        return None
    return -math.log(probability) / rate_per_day


def health_figures(
    ward_ids: Sequence[int],
    *,
    today: dt.date,
    period: Period | str = Period.MONTH,
    volume_series: pd.DataFrame | None = None,
) -> dict[int, WardHealthFigures]:
    """Every ward's reporting health on ``today`` as figures (a ward with nothing to flag raises none).

    ``period`` chooses the volume chart (month: the last 24 complete months; week: the last 26 complete
    weeks). A caller that has already read the "incidents" measure's series for these wards over that
    window (``measure_charts(...).series``) may pass it as ``volume_series`` to save reading it again.
    Six queries in all (five with ``volume_series``), whatever the number of wards.
    """
    ward_ids = list(dict.fromkeys(int(w) for w in ward_ids))
    if not ward_ids:
        return {}
    period = Period(period)
    wards = {
        row["pk"]: row for row in Ward.objects.filter(pk__in=ward_ids).values("pk", "opened_on", "closed_on")
    }
    ward_ids = [w for w in ward_ids if w in wards]
    volume = _volume(ward_ids, wards, today=today, period=period, series=volume_series)
    silence = _silence(ward_ids, wards, today=today)
    records = _records(ward_ids, today=today)
    bed_days = _missing_bed_days(ward_ids, wards, today=today)
    out = {}
    for ward_id in ward_ids:
        parts = {
            **volume.get(ward_id, {}),
            **silence.get(ward_id, {}),
            **records.get(ward_id, {}),
            **bed_days.get(ward_id, {}),
        }
        raised = parts.pop("flags_volume", []) + parts.pop("flags_silence", [])
        raised += parts.pop("flags_records", []) + parts.pop("flags_bed_days", [])
        out[ward_id] = WardHealthFigures(ward_id=ward_id, raised=raised, volume_period=period.value, **parts)
    return out


def _open_at(ward: dict, day: dt.date) -> bool:
    return ward["opened_on"] <= day and (ward["closed_on"] is None or day <= ward["closed_on"])


# --- (a) recording volume as a special cause ---------------------------------------------------------


def _volume(
    ward_ids: list[int], wards: dict, *, today: dt.date, period: Period, series: pd.DataFrame | None
) -> dict[int, dict]:
    since, until = reporting_window(period, today=today)
    if series is None:
        series = measure_series(
            measure(VOLUME_MEASURE), ward_ids=ward_ids, since=since, until=until, period=period
        )
    series = series[series["ward_id"].isin(ward_ids)]
    if series.empty:
        return {}
    series = series.sort_values(["ward_id", "period"], kind="stable").reset_index(drop=True)
    # Periods before the ward opened are not zeros, they are nothing.
    opened = series["ward_id"].map({w: wards[w]["opened_on"] for w in ward_ids})
    before_opening = np.array([p < o for p, o in zip(series["period"], opened, strict=True)], dtype=bool)
    values = series["numerator"].to_numpy(dtype=float).copy()
    values[before_opening] = np.nan
    result = analyse(
        Chart.C,
        dates=pd.to_datetime(series["period"]).to_numpy(dtype="datetime64[D]"),
        values=values,
        groups=series["ward_id"].astype(str).to_numpy(),
        improvement_direction=ImprovementDirection.NEUTRAL,
    )
    last = series.groupby("ward_id", sort=False).tail(1).index.to_numpy()
    out: dict[int, dict] = {}
    for i in last:
        ward_id = int(series.at[i, "ward_id"])
        centre = float(result.centre[i]) if np.isfinite(result.centre[i]) else None
        latest = float(result.value[i]) if np.isfinite(result.value[i]) else None
        code = SpecialCause(int(result.special_cause[i]))
        low = int(result.point_type[i]) == PointType.SPECIAL_CAUSE_NEUTRAL_LOW
        ward = wards[ward_id]
        closed = ward["closed_on"] is not None and ward["closed_on"] <= until
        flags = []
        if low and not closed and centre is not None and centre >= MIN_CENTRE_FOR_VOLUME:
            flags.append(Flag(FlagCode.VOLUME_DROP, Severity.HIGH))
        out[ward_id] = {
            "volume_latest": latest,
            "volume_centre": centre,
            "volume_signal": code.label if low else None,
            "flags_volume": flags,
        }
    return out


# --- (b) silence longer than the ward's history makes likely -----------------------------------------


def _silence(ward_ids: list[int], wards: dict, *, today: dt.date) -> dict[int, dict]:
    """The last incident in the last year (by its latest version's interventions) and their count.

    Only the last 12 months are read: the rate comes from them, and a ward with no incident in them has
    no rate to judge a silence by (so no flag), which keeps the query bounded on five years of history.
    """
    year_ago = today - dt.timedelta(days=RATE_DAYS)
    found = force_in_window(
        ward_ids, since=local_midnight(year_ago), until=local_midnight(today + dt.timedelta(days=1))
    )
    out: dict[int, dict] = {}
    for ward_id in ward_ids:
        ward = wards[ward_id]
        row = found.get(ward_id)
        last = timezone.localtime(row.last_started_at).date() if row else None
        year = row.incidents if row else 0
        exposure = (today - max(year_ago, ward["opened_on"])).days
        rate = year / exposure if exposure > 0 else 0.0
        threshold = silence_threshold_days(rate)
        days = (today - last).days if last else None
        flags = []
        if threshold is not None and days is not None and days > threshold and _open_at(ward, today):
            flags.append(Flag(FlagCode.SILENT, Severity.HIGH))
        out[ward_id] = {
            "last_incident_on": last,
            "days_since_last": days,
            "incidents_last_year": year,
            "rate_per_day": rate,
            "silence_threshold_days": threshold,
            "flags_silence": flags,
        }
    return out


# --- (c) incomplete and late records -----------------------------------------------------------------


def _records(ward_ids: list[int], *, today: dt.date) -> dict[int, dict]:
    """Open records made in the last 12 months and every record made in the last 90 days: their
    completeness and lateness, in one query.

    Completeness is the flag each version stores when it is written
    (``IncidentVersion.statutory_items_complete``, by ``force.completeness.version_items_complete``)
    plus items (e) and (g), the patient's name and NHS number, read from the patient as they are now,
    exactly as the statutory-record-complete measure counts. Open records older than a year are left to
    the incident list (filter by status): finding them would mean working out the status of every
    incident the wards ever recorded.
    """
    # Overdue is judged at the end of ``today`` for a past day, and now for today itself.
    now = min(timezone.now(), timezone.make_aware(dt.datetime.combine(today, dt.time.max)))
    recent_start = local_midnight(today - dt.timedelta(days=RECENT_DAYS))
    open_start = local_midnight(today - dt.timedelta(days=OPEN_RECORDS_DAYS))
    tallies: dict[int, dict[str, int]] = {
        w: dict.fromkeys(
            ("open_records", "open_incomplete", "open_overdue", "submitted_incomplete", "recent_records"), 0
        )
        | {"recent_late": 0}
        for w in ward_ids
    }
    for record in record_facts(ward_ids, open_since=open_start, recent_since=recent_start):
        t = tallies[record.ward_id]
        occurred = record.occurred_at
        incomplete = not record.complete
        if record.status in OPEN_STATUSES:
            t["open_records"] += 1
            t["open_incomplete"] += incomplete
            t["open_overdue"] += record.first_submitted_at is None and now - occurred > LATE_AFTER
        else:
            t["submitted_incomplete"] += incomplete
        if record.created_at >= recent_start:
            t["recent_records"] += 1
            submitted = record.first_submitted_at
            t["recent_late"] += submitted is not None and submitted - occurred > LATE_AFTER
    out: dict[int, dict] = {}
    for ward_id, t in tallies.items():
        flags = []
        if t["open_incomplete"] or t["submitted_incomplete"]:
            flags.append(Flag(FlagCode.INCOMPLETE, Severity.MEDIUM))
        if t["open_overdue"]:
            flags.append(Flag(FlagCode.UNSUBMITTED, Severity.MEDIUM))
        if t["recent_late"]:
            flags.append(Flag(FlagCode.LATE, Severity.LOW))
        out[ward_id] = {**t, "flags_records": flags}
    return out


# --- (d) months without bed days ---------------------------------------------------------------------


def _missing_bed_days(ward_ids: list[int], wards: dict, *, today: dt.date) -> dict[int, dict]:
    since, until = reporting_window(Period.MONTH, today=today, length=BED_DAY_MONTHS)
    figures = bed_days_by_month(ward_ids, since=since, until=until)
    months = months_between(since, until)
    out: dict[int, dict] = {}
    for ward_id in ward_ids:
        ward = wards[ward_id]
        open_months = [
            m
            for m in months
            if ward["opened_on"] <= _month_end(m) and (ward["closed_on"] is None or ward["closed_on"] >= m)
        ]
        have = figures.get(ward_id, {})
        missing = [m for m in open_months if not have.get(m) or not have[m][0]]
        flags = [Flag(FlagCode.MISSING_BED_DAYS, Severity.MEDIUM)] if missing else []
        out[ward_id] = {
            "months_checked": len(open_months),
            "missing_bed_day_months": missing,
            "flags_bed_days": flags,
        }
    return out


def _month_end(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
