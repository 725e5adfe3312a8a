"""The huddle's charts are cached under the version of the records behind them (reports.chart_cache):
every write that changes a chart shows at the next request, and nothing else is recomputed."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rrp.figures.store import forget_all, mark_changed
from rrp.force.models import Incident, IncidentVersion, InterventionRecord
from rrp.measures.catalogue import all_measures
from rrp.measures.series import UnsupportedMeasure
from rrp.organisations.models import MonthlyBedDays, OccupiedBedDays
from rrp.reports.chart_cache import UNVERSIONED_TABLES, records_version, versioned_tables
from rrp.reports.huddle import ward_huddle
from rrp.reports.huddle.compute import huddle_figures
from rrp.reports.measure_charts import measure_charts_many, reporting_window
from tests import factories
from tests.integration.reports.ward_records import at, monthly_bed_days, months_back, quick_incident


@pytest.fixture
def ward(world):
    a1 = world.wards["a1"]
    monthly_bed_days(a1, months_back(timezone.localdate(), 24))
    return a1


def last_month_value(ward, slug: str) -> float:
    """The value of the last month on the ward's huddle chart of ``slug``."""
    figures = huddle_figures(ward, today=timezone.localdate())
    [chart] = [c for c in figures.charts if c.definition.slug == slug]
    return float(chart.result.value[-1])


def last_month_day() -> dt.date:
    return months_back(timezone.localdate(), 1)[0] + dt.timedelta(days=4)


def test_a_new_incident_shows_on_the_huddle_at_once(world, ward):
    gov, patient = world.users["provider_governance"], world.patients["a1"]
    quick_incident(ward, patient, gov, at(last_month_day()), "01")
    assert last_month_value(ward, "incidents") == 1  # computed and cached

    quick_incident(ward, patient, gov, at(last_month_day(), hour=14), "01")

    assert last_month_value(ward, "incidents") == 2
    huddle = ward_huddle(ward, user=world.users["ward_manager"], today=timezone.localdate())
    [panel] = [p for p in huddle.panels if p.chart_id == "huddle-month-incidents"]
    assert "2" in panel.table_html  # the chart's data table too, not only the figures


def test_an_amendment_that_removes_the_interventions_takes_them_off_at_once(world, ward):
    gov, patient = world.users["provider_governance"], world.patients["a1"]
    incident = quick_incident(ward, patient, gov, at(last_month_day()), "01")
    assert last_month_value(ward, "incidents") == 1

    # Version 2 records no intervention: the incident no longer counts as a restrictive intervention.
    IncidentVersion.objects.create(
        incident=incident,
        patient=patient,
        number=2,
        recorded_at=timezone.now(),
        recorded_by=gov,
        occurred_at=at(last_month_day()),
        change_reason="The restraint was recorded on the wrong incident",
    )
    mark_changed([(ward.pk, months_back(timezone.localdate(), 1)[0])])  # as the amend service does

    assert last_month_value(ward, "incidents") == 0


def test_bed_days_changed_in_place_change_the_rate_at_once(world, ward):
    gov, patient = world.users["provider_governance"], world.patients["a1"]
    quick_incident(ward, patient, gov, at(last_month_day()), "01")
    before = last_month_value(ward, "restrictive-interventions-per-1000-obd")

    month = months_back(timezone.localdate(), 1)[0]
    MonthlyBedDays.objects.filter(ward=ward, month=month).update(bed_days=300)
    mark_changed([(ward.pk, month)])  # as the bed-days services do

    assert last_month_value(ward, "restrictive-interventions-per-1000-obd") == pytest.approx(2 * before)


def test_unchanged_records_are_not_computed_again(world, ward):
    gov, patient = world.users["provider_governance"], world.patients["a1"]
    quick_incident(ward, patient, gov, at(last_month_day()), "01")
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as first:
        first_figures = huddle_figures(ward, today=today)
    with CaptureQueriesContext(connection) as again:
        cached = huddle_figures(ward, today=today)

    assert len(cached.charts) == len(first_figures.charts) > 0
    for a, b in zip(cached.charts, first_figures.charts, strict=True):
        assert np.array_equal(a.result.value, b.result.value, equal_nan=True)
    # The charts' own queries (every measure's series, bed days, rebases) are left out the second time.
    assert len(again) <= len(first) - 10


def test_a_draft_recorded_with_no_interventions_changes_no_chart_so_keeps_the_cache(world, ward):
    gov, patient = world.users["provider_governance"], world.patients["a1"]
    since, until = reporting_window("month", today=timezone.localdate())
    before = records_version([ward.pk], since=since, until=until)

    incident = Incident.objects.create(
        provider=ward.provider, ward=ward, patient=patient, created_at=timezone.now(), created_by=gov
    )
    IncidentVersion.objects.create(
        incident=incident, patient=patient, number=1, recorded_at=timezone.now(), recorded_by=gov
    )
    assert not InterventionRecord.objects.filter(version__incident=incident).exists()

    assert records_version([ward.pk], since=since, until=until) == before


@pytest.mark.parametrize(
    "change", ["intervention", "amendment", "daily bed days", "stay ended", "other ward's stay"]
)
def test_the_version_changes_with_every_kind_of_write(world, ward, change):
    gov, patient = world.users["provider_governance"], world.patients["a1"]
    since, until = reporting_window("month", today=timezone.localdate())
    day = last_month_day()
    incident = quick_incident(ward, patient, gov, at(day), "01")
    OccupiedBedDays.objects.create(ward=ward, date=day, bed_days=20)
    stay = factories.stay(patient=patient, ward=ward, started_at=at(day))
    before = records_version([ward.pk], since=since, until=until)

    if change == "intervention":
        InterventionRecord.objects.create(
            version=incident.versions.get(), type_code="07", started_at=at(day), ended_at=at(day, minute=5)
        )
    elif change == "amendment":
        IncidentVersion.objects.create(
            incident=incident,
            patient=patient,
            number=2,
            recorded_at=timezone.now(),
            recorded_by=gov,
            change_reason="Wrong patient",
        )
    elif change == "daily bed days":
        OccupiedBedDays.objects.filter(ward=ward, date=day).update(bed_days=19)
    elif change == "stay ended":
        type(stay).objects.filter(pk=stay.pk).update(ended_at=at(day, hour=18))
    else:  # a stay on another ward in the same spell decides whether this ward's stay came first
        type(stay).objects.create(
            spell=stay.spell,
            patient=patient,
            ward=world.wards["a2"],
            started_at=at(day - dt.timedelta(days=1)),
            ended_at=at(day),
        )

    assert records_version([ward.pk], since=since, until=until) != before


@pytest.mark.parametrize("period", ["month", "week"])
def test_the_version_covers_every_table_any_measure_reads(world, ward, period):
    """A guard for new measures: a measure that reads a table the version does not count would be cached
    stale. Every shipped measure is computed with no stored figures, and every table its queries read
    must be versioned (or named in UNVERSIONED_TABLES with the reason)."""
    gov, patient = world.users["provider_governance"], world.patients["a1"]
    quick_incident(ward, patient, gov, at(last_month_day()), "01", "05")
    since, until = reporting_window(period, today=timezone.localdate())
    forget_all()
    with CaptureQueriesContext(connection) as read:
        for definition in all_measures().values():
            try:
                measure_charts_many([definition], ward_ids=[ward.pk], since=since, until=until, period=period)
            except UnsupportedMeasure:
                continue
    tables = {t for q in read.captured_queries for t in re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', q["sql"])}

    assert tables - UNVERSIONED_TABLES - versioned_tables() == set()
    assert "force_interventionrecord" in tables  # the check saw the measures' queries
