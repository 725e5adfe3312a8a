"""Demo step: NHS Digital's published provider-level figures, so the national benchmark has real data.

These are real, public official statistics (aggregate counts already suppressed and rounded by NHS
Digital, under the Open Government Licence v3.0), not patient data: see the README beside the files in
src/rrp/measures/published/. The demo's synthetic providers are not among them, so a demo user picks a
published provider to compare.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
from django.utils import timezone

from rrp.demo.registry import DemoContext, demo_step
from rrp.figures.models import WardMonthFigures
from rrp.measures.catalogue import measure
from rrp.measures.models import MeasureValue, NationalProviderMonth, ValuePeriod, ValueRoute
from rrp.measures.national import PUBLISHED
from rrp.measures.services import monthly_figures_refresh, national_figures_import


@demo_step("national_figures", after=(), models=(NationalProviderMonth,))
def national_figures(ctx: DemoContext) -> None:
    """Import the 12 months (September 2021 to August 2022) shipped with RRP."""
    national_figures_import(directory=PUBLISHED, by=None)


@demo_step(
    "monthly_figures",
    after=(
        "incidents",
        "segregation",
        "bed_days",
        "support_plans",
        "debriefs",
        "rights_information",
        "voice_checks",
    ),
    models=(WardMonthFigures,),
)
def monthly_figures(ctx: DemoContext) -> None:
    """Fill the stored monthly figures of every ward over the whole demo period, as a nightly job would,
    so that the first view of a collaborative or a board does not compute five years of them. It runs
    after every step whose records the figures count, the people-centred ones too (debriefs, support
    plans, rights information, the weekly check: issue 15): those steps write in bulk, not through the
    services that mark months stale, so figures stored before them would count none of their records."""
    monthly_figures_refresh(ward_ids=None, since=ctx.first_day, until=ctx.last_day)


# Synthetic rates for the entered and imported measures (issue 20): per 1,000 occupied bed days for
# assaults and self-harm (the order of the figures mental health trusts publish), staff sickness around
# the NHS mental health average, huddles and Safewards rising as a ward's programme takes hold.
ASSAULTS_ON_STAFF_PER_1000 = 7.0
ASSAULTS_ON_PATIENTS_PER_1000 = 4.0
SELF_HARM_PER_1000 = 6.0
SICKNESS_PERCENT = 5.5
STAFF_FTE = 28


def _months(ctx: DemoContext) -> list[tuple[int, int]]:
    """(first day number, last day number) of every whole month of the demo period that has ended."""
    months = []
    first = (
        ctx.first_day
        if ctx.first_day.day == 1
        else (ctx.first_day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    )
    while True:
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        if last > ctx.last_day:
            return months
        months.append(((first - ctx.first_day).days, (last - ctx.first_day).days))
        first = last + dt.timedelta(days=1)


def _wipe_values(ctx: DemoContext) -> None:
    ctx.writer.delete_all_append_only([MeasureValue])  # its triggers refuse DELETE


@demo_step("measure_values", after=("bed_days",), wipe=_wipe_values)
def measure_values(ctx: DemoContext) -> None:
    """A value of every entered or imported measure for every ward and whole month it was open, as the
    incident system's nightly export and the ward's own tallies would give them."""
    rng = ctx.rng_for("measure_values")
    wards, obd = ctx.frame("ward"), ctx.frame("occupied_bed_days")
    months = _months(ctx)
    if not months or not len(wards["id"]):
        return
    # Bed days per ward and month, from the daily figures in one pass.
    month_of_day = np.full(ctx.n_days, -1)
    for index, (first, last) in enumerate(months):
        month_of_day[first : last + 1] = index
    position = {int(w): i for i, w in enumerate(wards["id"])}
    bed_days = np.zeros((len(wards["id"]), len(months)))
    month_index = month_of_day[obd["day"]]
    kept = month_index >= 0
    np.add.at(
        bed_days,
        (np.array([position[int(w)] for w in obd["ward_id"][kept]], dtype=int), month_index[kept]),
        obd["bed_days"][kept],
    )
    progress = np.linspace(0, 1, len(months))  # the programme takes hold over the period
    columns: dict[str, list] = {
        k: []
        for k in (
            "ward_id",
            "measure_slug",
            "period",
            "period_start",
            "numerator",
            "denominator",
            "definition_version",
        )
    }
    # The weekly measures (decision 0079) get a value per whole ISO week, each in the month of its Thursday.
    month_firsts = [ctx.first_day + dt.timedelta(days=first) for first, _ in months]
    weeks_in: dict[int, list[dt.date]] = {m: [] for m in range(len(months))}
    monday = ctx.first_day + dt.timedelta(days=(7 - ctx.first_day.weekday()) % 7)
    while monday + dt.timedelta(days=6) <= ctx.last_day:
        thursday_month = (monday + dt.timedelta(days=3)).replace(day=1)
        if thursday_month in month_firsts:
            weeks_in[month_firsts.index(thursday_month)].append(monday)
        monday += dt.timedelta(weeks=1)

    def add(
        ward_id: int,
        slug: str,
        month: int,
        numerator: float,
        denominator: float | None,
        *,
        week: dt.date | None = None,
    ) -> None:
        columns["ward_id"].append(ward_id)
        columns["measure_slug"].append(slug)
        columns["period"].append(ValuePeriod.WEEK.value if week else ValuePeriod.MONTH.value)
        columns["period_start"].append(week or ctx.first_day + dt.timedelta(days=months[month][0]))
        columns["numerator"].append(Decimal(str(numerator)))
        columns["denominator"].append(None if denominator is None else Decimal(str(denominator)))
        columns["definition_version"].append(measure(slug).version)

    for k, ward_id in enumerate(wards["id"].tolist()):
        start_level = rng.uniform(1, 4)
        for m, (first, last) in enumerate(months):
            obd_month = bed_days[k, m]
            if obd_month <= 0:
                continue  # closed all month: nothing to count
            days = last - first + 1
            add(
                ward_id,
                "assaults-on-staff-per-1000-obd",
                m,
                int(rng.poisson(ASSAULTS_ON_STAFF_PER_1000 * obd_month / 1000)),
                None,
            )
            add(
                ward_id,
                "assaults-on-patients-per-1000-obd",
                m,
                int(rng.poisson(ASSAULTS_ON_PATIENTS_PER_1000 * obd_month / 1000)),
                None,
            )
            add(
                ward_id,
                "self-harm-incidents-per-1000-obd",
                m,
                int(rng.poisson(SELF_HARM_PER_1000 * obd_month / 1000)),
                None,
            )
            available = STAFF_FTE * round(days * 5 / 7)
            lost = round(available * max(rng.normal(SICKNESS_PERCENT, 1.5), 0.5) / 100, 1)
            add(ward_id, "staff-sickness-rate", m, lost, available)
            for week in weeks_in[m]:  # a huddle planned each day; the fidelity check each week
                add(
                    ward_id,
                    "safety-huddles-held",
                    m,
                    int(rng.binomial(7, 0.7 + 0.25 * progress[m])),
                    7,
                    week=week,
                )
                in_use = int(np.clip(round(start_level + 6 * progress[m] + rng.normal(0, 0.7)), 0, 10))
                add(ward_id, "safewards-interventions-in-use", m, in_use, None, week=week)
    n = len(columns["ward_id"])
    now = timezone.now()
    ctx.writer.insert(
        MeasureValue,
        {
            "id": np.arange(1, n + 1),
            **{name: np.array(values, dtype=object) for name, values in columns.items()},
            "version": np.ones(n, dtype=int),
            "route": np.array([ValueRoute.DEMO.value] * n, dtype=object),
            "reason": np.array([""] * n, dtype=object),
            "recorded_at": np.array([now] * n, dtype=object),
        },
    )
