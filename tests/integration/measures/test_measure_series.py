"""Measure series per ward from the database, in bulk, fed to the SPC engine."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rrp.figures.store import forget_all
from rrp.force.models import Debrief
from rrp.force.services import InterventionInput, incident_amend, incident_record
from rrp.measures.catalogue import Denominator, all_measures, measure
from rrp.measures.series import (
    Period,
    UnsupportedMeasure,
    analyse_series,
    measure_series,
    period_starts,
)
from rrp.organisations.models import OccupiedBedDays
from rrp.people.models import StaffMember
from rrp.spc import Chart
from tests import factories
from tests.integration.force.incident_data import complete_content, two_staff, typical_interventions
from tests.integration.measures.series_data import SINCE, UNTIL, at, bed_days, record, seclusion_episode

RATE = measure("restrictive-interventions-per-1000-obd")


def _series(world, definition=RATE, wards=("a1", "a2"), **kw):
    kw = {"since": SINCE, "until": UNTIL, **kw}
    return measure_series(definition, ward_ids=[world.wards[k].pk for k in wards], **kw)


def test_measure_series_rate_per_1000_bed_days_every_ward_and_month(provider_a):
    series = _series(provider_a)
    a1, a2 = provider_a.wards["a1"].pk, provider_a.wards["a2"].pk

    rows = {(r.ward_id, r.period): r for r in series.itertuples()}
    assert len(series) == 6
    assert rows[(a1, dt.date(2025, 1, 1))].numerator == 3
    assert rows[(a1, dt.date(2025, 1, 1))].value == pytest.approx(3 / 500 * 1000)
    assert rows[(a1, dt.date(2025, 2, 1))].value == pytest.approx(2.0)
    assert rows[(a1, dt.date(2025, 3, 1))].numerator == 0 and rows[(a1, dt.date(2025, 3, 1))].value == 0
    assert rows[(a2, dt.date(2025, 2, 1))].value == pytest.approx(4.0)
    assert np.isnan(rows[(a2, dt.date(2025, 3, 1))].denominator)
    assert np.isnan(rows[(a2, dt.date(2025, 3, 1))].value)


def test_measure_series_by_kind_counts_only_its_types(provider_a):
    prone = _series(provider_a, measure("prone-restraints-per-1000-obd"))
    physical = _series(provider_a, measure("physical-restraints-per-1000-obd"))

    assert prone["numerator"].sum() == 2
    assert physical["numerator"].sum() == 3


def test_measure_series_incidents_and_people_count_distinct(provider_a):
    incidents = _series(provider_a, measure("incidents"))
    people = _series(provider_a, measure("people-restrained"))

    assert incidents["numerator"].tolist() == [2, 1, 0, 0, 1, 0]
    assert people["numerator"].tolist() == [1, 1, 0, 0, 1, 0]
    assert np.isnan(incidents["denominator"]).all()


def test_measure_series_prone_over_10_minutes_uses_duration(provider_a):
    series = _series(provider_a, measure("prone-restraints-over-10-minutes"))

    assert series["numerator"].sum() == 1


def test_measure_series_amendment_replaces_not_adds(provider_a):
    incident = record(provider_a, "a1", ("01", at(dt.date(2025, 3, 10)), 2))
    incident_amend(
        incident=incident,
        by=provider_a.users["provider_governance"],
        reason="Two types, not one",
        interventions=[
            InterventionInput(
                type_code="01", started_at=at(dt.date(2025, 3, 10)), ended_at=at(dt.date(2025, 3, 10), 10, 2)
            ),
            InterventionInput(
                type_code="09",
                started_at=at(dt.date(2025, 3, 10), 10, 2),
                ended_at=at(dt.date(2025, 3, 10), 10, 9),
            ),
        ],
    )

    series = _series(provider_a, wards=("a1",))

    assert series.set_index("period").loc[dt.date(2025, 3, 1), "numerator"] == 2


def test_measure_series_other_wards_not_counted(provider_a):
    record(provider_a, "b1", ("01", at(dt.date(2025, 1, 20)), 2))

    series = _series(provider_a)

    assert series["numerator"].sum() == 5


def test_measure_series_outside_dates_not_counted(provider_a):
    record(provider_a, "a1", ("01", at(dt.date(2024, 12, 31), 23, 30), 2))
    record(provider_a, "a1", ("01", at(dt.date(2025, 4, 1), 0, 30), 2))

    assert _series(provider_a)["numerator"].sum() == 5


def test_measure_series_month_is_local_time(provider_a):
    # 00:30 on 1 June in London is 23:30 on 31 May in UTC: it belongs to June.
    bed_days(provider_a.wards["a1"], dt.date(2025, 6, 1), 300)
    record(provider_a, "a1", ("01", at(dt.date(2025, 6, 1), 0, 30), 2))

    series = _series(provider_a, wards=("a1",), since=dt.date(2025, 5, 1), until=dt.date(2025, 6, 30))

    assert series["numerator"].tolist() == [0, 1]


def test_measure_series_week_is_local_time(provider_a):
    # 00:30 on Monday 2 June in London is 23:30 on Sunday 1 June in UTC: it belongs to the week of 2 June.
    record(provider_a, "a1", ("01", at(dt.date(2025, 6, 2), 0, 30), 2))
    record(provider_a, "a1", ("01", at(dt.date(2025, 6, 1), 23, 30), 2))  # Sunday night: the week before

    series = _series(
        provider_a, wards=("a1",), since=dt.date(2025, 5, 26), until=dt.date(2025, 6, 8), period="week"
    )

    assert series["period"].tolist() == [dt.date(2025, 5, 26), dt.date(2025, 6, 2)]
    assert series["numerator"].tolist() == [1, 1]


def test_measure_series_weekly_bed_days_sunday_ends_the_week(provider_a):
    a1 = provider_a.wards["a1"]
    OccupiedBedDays.objects.create(ward=a1, date=dt.date(2025, 6, 1), bed_days=10)  # Sunday
    OccupiedBedDays.objects.create(ward=a1, date=dt.date(2025, 6, 2), bed_days=7)  # Monday

    series = _series(
        provider_a, wards=("a1",), since=dt.date(2025, 5, 26), until=dt.date(2025, 6, 8), period="week"
    )

    assert series["denominator"].tolist() == [10, 7]


def test_measure_series_query_count_does_not_grow_with_wards(world):
    site = factories.site(provider=world.providers[0])
    extra = [factories.ward(site=site) for _ in range(6)]
    two = [world.wards["a1"].pk, world.wards["a2"].pk]

    counts = []
    for wards in (two, two + [w.pk for w in extra]):
        for stored in (False, True):
            forget_all()  # the stored monthly figures computed in full each time
            with CaptureQueriesContext(connection) as queries:
                measure_series(RATE, ward_ids=wards, since=SINCE, until=UNTIL, stored=stored)
            counts.append(len(queries))
        with CaptureQueriesContext(connection) as warm:
            measure_series(RATE, ward_ids=wards, since=SINCE, until=UNTIL)
        counts.append(len(warm))

    # From the records: bed days, interventions, seclusion/segregation episodes (types 05 and 06).
    # Through the store when it holds nothing: one read, the same from the records (every stored
    # measure at once: 4), the people-centred measures stored since 27605ae (issue 15), each read once
    # for every ward (6: the incidents' first restraint and their patient debriefs, the people
    # restrained and their support plan versions, rights information at admission, the weekly check's
    # answers for both its measures), seclusion reviews on time (issue 13: the seclusions ended, and
    # with any, their reviews, the providers' rules and the patients' other seclusions; here none
    # ended: 1), and one write of the figures in a savepoint (3). When it holds them: one read.
    assert counts == [4, 15, 1, 4, 15, 1]


def test_measure_series_weekly_uses_daily_bed_days(provider_a):
    a1 = provider_a.wards["a1"]
    for offset in range(14):
        OccupiedBedDays.objects.create(
            ward=a1, date=dt.date(2025, 1, 13) + dt.timedelta(days=offset), bed_days=18
        )

    series = _series(
        provider_a, wards=("a1",), since=dt.date(2025, 1, 13), until=dt.date(2025, 1, 26), period="week"
    )

    assert series["period"].tolist() == [dt.date(2025, 1, 13), dt.date(2025, 1, 20)]
    assert series["numerator"].tolist() == [3, 0]
    assert series["denominator"].tolist() == [126, 126]
    assert series["value"].iloc[0] == pytest.approx(3 / 126 * 1000)


def test_measure_series_unsupported_denominator_named(provider_a):
    per_admission = dataclasses.replace(RATE, denominator=Denominator.ADMISSIONS)

    with pytest.raises(
        UnsupportedMeasure, match="restrictive-interventions-per-1000-obd: denominator admissions"
    ):
        _series(provider_a, per_admission)


@pytest.mark.parametrize("slug", sorted(all_measures()))
def test_measure_series_every_shipped_measure_computes_and_charts(provider_a, slug):
    definition = measure(slug)

    series = _series(provider_a, definition)
    result = analyse_series(definition, series)

    assert list(series.columns) == ["ward_id", "period", "numerator", "denominator", "value"]
    assert len(result) == len(series)
    assert result.chart is definition.default_chart


def test_measure_series_repeat_concentration_counts_people_restrained_3_times(world):
    a1 = world.wards["a1"]
    other = factories.patient(provider=a1.provider)
    day = dt.date(2025, 1, 6)
    record(world, "a1", ("07", at(day, 9), 2), ("09", at(day, 10), 2))
    record(world, "a1", ("07", at(day, 15), 2))
    record(world, "a1", ("07", at(day, 16), 2), patient=other)
    definition = measure("repeat-restraint-concentration")

    january = _series(world, definition, wards=("a1",)).iloc[0]

    assert (january.numerator, january.denominator) == (3, 4)
    assert january.value == pytest.approx(75.0)


def test_measure_series_injuries_and_debriefs_from_latest_version(world):
    day = dt.date(2025, 2, 10)
    hurt = record(world, "a1", ("07", at(day), 2))
    record(world, "a1", ("07", at(day, 12), 2))
    incident_amend(
        incident=hurt,
        by=world.users["provider_governance"],
        reason="Injury found later",
        injury_patient=True,
        debrief_patient_held=True,
    )

    injuries = _series(world, measure("patient-injuries"), wards=("a1",))
    staff = _series(world, measure("staff-injuries"), wards=("a1",))
    debriefs = _series(world, measure("patient-debrief-held"), wards=("a1",))

    assert injuries["numerator"].tolist() == [0, 1, 0]
    assert staff["numerator"].sum() == 0
    february = debriefs.iloc[1]
    assert (february.numerator, february.denominator, february.value) == (1, 2, 50.0)
    assert np.isnan(debriefs.iloc[0].value)


def _patient_debrief(world, incident, held: bool, day: dt.date, hour: int = 12) -> None:
    Debrief.objects.create(  # as the demo writes them: the service refuses times over a year old
        incident=incident,
        kind="patient",
        recorded_at=at(day, hour),
        recorded_by=world.users["provider_governance"],
        offered_at=at(day, 9),
        held_at=at(day, 10) if held else None,
        not_held_reason="" if held else "Asleep",
    )


def test_measure_series_debrief_held_counts_debriefs_not_their_versions(world):
    day = dt.date(2025, 2, 10)
    twice = record(world, "a1", ("07", at(day), 2))
    _patient_debrief(world, twice, held=True, day=day)
    _patient_debrief(world, twice, held=True, day=day, hour=13)  # recorded again: one debrief
    _patient_debrief(world, twice, held=True, day=day, hour=14)
    # The record answers, not the version: held on the record although the version says no ...
    said_no = record(world, "a1", ("07", at(day, 11), 2))
    incident_amend(
        incident=said_no, by=world.users["provider_governance"], reason="x", debrief_patient_held=False
    )
    _patient_debrief(world, said_no, held=True, day=day)
    # ... and corrected to not held although the version (and the first record) say yes.
    corrected = record(world, "a1", ("07", at(day, 12), 2))
    incident_amend(
        incident=corrected, by=world.users["provider_governance"], reason="x", debrief_patient_held=True
    )
    _patient_debrief(world, corrected, held=True, day=day)
    _patient_debrief(world, corrected, held=False, day=day, hour=13)
    # With no record, the version's own answer still counts (incidents from before the records).
    legacy = record(world, "a1", ("07", at(day, 13), 2))
    incident_amend(
        incident=legacy, by=world.users["provider_governance"], reason="x", debrief_patient_held=True
    )

    february = _series(world, measure("patient-debrief-held"), wards=("a1",)).iloc[1]

    assert (february.numerator, february.denominator) == (3, 4)


def test_measure_series_statutory_record_complete_share(world):
    ward = world.wards["a1"]
    person = factories.patient(
        provider=ward.provider, nhs_number="9434765919", primary_mental_disorder="F20.0", ethnic_category="M"
    )
    factories.stay(patient=person, ward=ward)
    roster = StaffMember.objects.get(family_name="Nurse")
    incident_record(
        ward=ward,
        patient=person,
        by=world.users["ward_staff"],
        interventions=typical_interventions(),
        staff=two_staff(roster),
        **complete_content(),
    )
    record(world, "a1", ("07", at(dt.date(2026, 3, 2)), 2))

    series = _series(
        world,
        measure("statutory-record-complete"),
        wards=("a1",),
        since=dt.date(2026, 3, 1),
        until=dt.date(2026, 3, 31),
    )

    assert (series.iloc[0].numerator, series.iloc[0].denominator, series.iloc[0].value) == (1, 2, 50.0)


def test_measure_series_seclusion_hours_split_across_months(world):
    start = timezone.make_aware(dt.datetime(2025, 1, 31, 22, 0))
    incident_record(
        ward=world.wards["a1"],
        patient=world.patients["a1"],
        by=world.users["provider_governance"],
        interventions=[InterventionInput("05", start, start + dt.timedelta(hours=6))],
    )
    record(world, "a1", ("07", at(dt.date(2025, 1, 31), 21), 30))

    hours = _series(world, measure("seclusion-hours"), wards=("a1",))

    assert hours["numerator"].tolist() == [2.0, 4.0, 0.0]


def test_measure_series_days_between_seclusions_one_row_per_event_day(world):
    for day, hour in [
        (dt.date(2025, 1, 1), 9),
        (dt.date(2025, 1, 11), 9),
        (dt.date(2025, 1, 11), 20),
        (dt.date(2025, 2, 1), 9),
    ]:
        record(world, "a1", ("05", at(day, hour), 60))
    definition = measure("days-between-seclusions")

    gaps = _series(world, definition, wards=("a1", "a2"))
    result = analyse_series(definition, gaps)

    assert gaps["period"].tolist() == [dt.date(2025, 1, 11), dt.date(2025, 2, 1)]
    assert gaps["numerator"].tolist() == [10.0, 21.0]
    assert result.chart is Chart.G and len(result) == 2


def test_analyse_series_charts_every_ward_in_one_call(provider_a):
    series = _series(provider_a)

    result = analyse_series(RATE, series)

    assert result.chart is Chart.XMR
    assert len(result) == 6
    assert [str(g) for g in result.groups()] == [str(k) for k in series["ward_id"].unique()]
    np.testing.assert_allclose(result.value, series["value"].to_numpy(), equal_nan=True)


def test_analyse_series_plain_count_uses_values(provider_a):
    definition = measure("incidents")

    result = analyse_series(definition, _series(provider_a, definition))

    assert result.chart is Chart.C
    assert result.value.tolist() == [2, 1, 0, 0, 1, 0]


def test_period_starts_weeks_start_on_monday():
    assert period_starts(since=dt.date(2025, 1, 1), until=dt.date(2025, 1, 14), period=Period.WEEK) == [
        dt.date(2024, 12, 30),
        dt.date(2025, 1, 6),
        dt.date(2025, 1, 13),
    ]


def test_measure_series_seclusion_hours_weekly_clipped_to_dates_asked(world):
    # Wednesday 1 Jan 2025 00:00 is inside the week starting Monday 30 Dec 2024; hours before it are not asked for.
    start = timezone.make_aware(dt.datetime(2024, 12, 31, 20, 0))
    incident_record(
        ward=world.wards["a1"],
        patient=world.patients["a1"],
        by=world.users["provider_governance"],
        interventions=[InterventionInput("05", start, start + dt.timedelta(hours=10))],
    )

    weekly = _series(
        world, measure("seclusion-hours"), wards=("a1",), until=dt.date(2025, 1, 5), period="week"
    )
    monthly = _series(world, measure("seclusion-hours"), wards=("a1",), until=dt.date(2025, 1, 31))

    assert weekly["numerator"].tolist() == [6.0]
    assert monthly["numerator"].tolist() == [6.0]


def test_measure_series_counts_seclusion_episodes_as_type_05(provider_a):
    seclusion_episode(provider_a, "a1", at(dt.date(2025, 3, 4)), 6)
    a1 = provider_a.wards["a1"].pk

    rows = {(r.ward_id, r.period): r for r in _series(provider_a).itertuples()}
    hours = {(r.ward_id, r.period): r for r in _series(provider_a, measure("seclusion-hours")).itertuples()}

    assert rows[(a1, dt.date(2025, 3, 1))].numerator == 1  # March had no intervention record, one episode
    assert hours[(a1, dt.date(2025, 3, 1))].numerator == pytest.approx(6.0)
    assert hours[(a1, dt.date(2025, 2, 1))].numerator == pytest.approx(2.0)  # the incident's own 05


def test_measure_series_never_counts_a_seclusion_twice(provider_a):
    incident = record(provider_a, "a1", ("05", at(dt.date(2025, 3, 10)), 90))
    seclusion_episode(provider_a, "a1", at(dt.date(2025, 3, 10)), 1.5, incident=incident)
    a1 = provider_a.wards["a1"].pk

    rows = {(r.ward_id, r.period): r for r in _series(provider_a).itertuples()}
    hours = {(r.ward_id, r.period): r for r in _series(provider_a, measure("seclusion-hours")).itertuples()}

    assert rows[(a1, dt.date(2025, 3, 1))].numerator == 1
    assert hours[(a1, dt.date(2025, 3, 1))].numerator == pytest.approx(1.5)


@pytest.mark.parametrize(
    "slug", ["restrictive-interventions-per-1000-obd", "prone-restraints-over-10-minutes"]
)
def test_measure_series_same_whether_found_from_wards_or_from_dates(provider_a, monkeypatch, slug):
    from rrp.measures import series as series_module

    record(provider_a, "a1", ("01", at(dt.date(2025, 3, 2)), 15), ("14", at(dt.date(2025, 3, 2), 11), 5))
    ward_first = _series(provider_a, definition=measure(slug))
    monkeypatch.setattr(series_module, "WARD_FIRST_LIMIT", 0)
    date_first = _series(provider_a, definition=measure(slug))

    assert ward_first["numerator"].sum() > 0
    assert ward_first.equals(date_first)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner only")
def test_latest_interventions_of_a_few_wards_start_from_their_incidents(provider_a):
    from rrp.measures.series import latest_interventions

    rows = latest_interventions(RATE, ward_ids=[provider_a.wards["a1"].pk], since=SINCE, until=UNTIL)
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())

    assert "force_interventionrecord USING INDEX force_inter_type" not in plan
    assert "version_id" in plan


@pytest.mark.parametrize("period", ["month", "week"])
def test_measure_series_many_gives_each_measure_as_measure_series_does(provider_a, period):
    from rrp.measures.series import measure_series_many

    seclusion_episode(provider_a, "a1", at(dt.date(2025, 3, 4)), 6)
    # 00:30 on Monday 31 March 2025 (summer time) is 23:30 on Sunday in UTC: the local week counts.
    seclusion_episode(provider_a, "a2", at(dt.date(2025, 3, 31), 0, 30), 2)
    incident = record(
        provider_a, "a2", ("01", at(dt.date(2025, 3, 2)), 15), ("14", at(dt.date(2025, 3, 2), 11), 5)
    )
    # Offered within 72 hours, held after: the two debrief measures, read together, must still differ.
    Debrief.objects.create(  # as the demo writes them: the service refuses times over a year old
        incident=incident,
        kind="patient",
        recorded_at=at(dt.date(2025, 3, 6), 13),
        recorded_by=provider_a.users["provider_governance"],
        offered_at=at(dt.date(2025, 3, 2), 12),
        held_at=at(dt.date(2025, 3, 6), 12),
        held_by="Sam Nurse",
        account="Too many people at once.",
    )
    definitions = list(all_measures().values())
    wards = [provider_a.wards["a1"].pk, provider_a.wards["a2"].pk]
    window = {"ward_ids": wards, "since": SINCE, "until": UNTIL, "period": period}

    together = measure_series_many(definitions, **window)

    assert list(together) == [d.slug for d in definitions]
    for definition in definitions:
        alone = measure_series(definition, **window)
        assert together[definition.slug].equals(alone), definition.slug
    assert together["restrictive-interventions-per-1000-obd"]["numerator"].sum() == 9
    assert together["patient-debrief-offered-72h"]["numerator"].sum() == 1
    assert together["patient-debrief-held-72h"]["numerator"].sum() == 0


def test_measure_series_many_counts_six_measures_in_three_queries(provider_a):
    from rrp.measures.series import measure_series_many

    slugs = [
        "restrictive-interventions-per-1000-obd",
        "physical-restraints-per-1000-obd",
        "prone-restraints-per-1000-obd",
        "seclusions-per-1000-obd",
        "incidents",
        "patient-debrief-held",
    ]
    with CaptureQueriesContext(connection) as queries:
        measure_series_many(
            [measure(s) for s in slugs],
            ward_ids=[provider_a.wards["a1"].pk],
            since=SINCE,
            until=UNTIL,
            stored=False,
        )

    # interventions, episodes (and their incidents' own records when any), bed days
    assert len(queries) <= 4


def test_measure_series_seclusion_reviews_on_time_share_of_seclusions_ended(world):
    """Issue 13, item 4: a seclusion ended with its reviews missed is counted in the measures. Each
    seclusion counts in the month it ended: on time when every review that fell due was done by its
    Code of Practice due time (segregation.schedules.check_record)."""
    seclusion_episode(world, "a1", at(dt.date(2025, 1, 10), 10), 0.75)  # ended before any review fell due
    seclusion_episode(world, "a1", at(dt.date(2025, 1, 20), 10), 3)  # medical review at 1 h missed
    seclusion_episode(world, "a1", at(dt.date(2025, 2, 28), 23, 30), 0.75)  # ends on 1 March
    seclusion_episode(world, "a2", at(dt.date(2025, 2, 5), 10), 5)  # another ward

    series = _series(world, measure("seclusion-reviews-on-time"), wards=("a1",))

    assert series["numerator"].tolist() == [1.0, 0.0, 1.0]
    assert series["denominator"].tolist()[0] == 2.0 and series["denominator"].tolist()[2] == 1.0
    assert np.isnan(series["denominator"].tolist()[1])  # no seclusion ended in February: no point
    assert series["value"].tolist()[0] == 50.0 and series["value"].tolist()[2] == 100.0
