"""The process measure of issue 15 item 1: people restrained 3 or more times in 28 days whose support
plan was reviewed since (a version written from that restraint to 7 days after it), per ward and period,
drawn by the SPC engine like every catalogue measure."""

from __future__ import annotations

import datetime as dt

import pytest

from rrp.measures.catalogue import measure
from rrp.measures.series import analyse_series, measure_series
from rrp.people.models import SupportPlanVersion
from tests import factories
from tests.integration.measures.series_data import at, record

pytestmark = pytest.mark.django_db
SLUG = "plan-reviewed-after-repeat-restraint"
MARCH = {"since": dt.date(2025, 3, 1), "until": dt.date(2025, 3, 31)}


def restrained(world, patient, *days, ward="a1", code="07"):
    for day in days:
        record(world, ward, (code, at(day), 3), patient=patient)


def plan_written(world, patient, when, number=1):
    return SupportPlanVersion.objects.create(
        patient=patient,
        number=number,
        recorded_at=when,
        recorded_by=world.users["ward_staff"],
        change_reason="" if number == 1 else "Reviewed after restraints",
        what_matters="Time in the garden",
        review_due=when.date() + dt.timedelta(days=90),
    )


def march(world, ward="a1"):
    series = measure_series(measure(SLUG), ward_ids=[world.wards[ward].pk], **MARCH)
    (row,) = series.itertuples()
    return row.numerator, row.denominator


def patient_on(world, ward="a1"):
    return factories.patient(provider=world.wards[ward].provider)


def test_exactly_three_in_28_days_counts_twice_does_not(world):
    three, two = patient_on(world), patient_on(world)
    restrained(world, three, dt.date(2025, 3, 1), dt.date(2025, 3, 10), dt.date(2025, 3, 28))
    restrained(world, two, dt.date(2025, 3, 2), dt.date(2025, 3, 20))
    assert march(world) == (0, 1)


def test_three_spread_over_more_than_28_days_do_not_count(world):
    person = patient_on(world)
    # 1 Feb to 1 March is 28 days: the first falls out of the 28 days up to the third.
    restrained(world, person, dt.date(2025, 2, 1), dt.date(2025, 2, 20), dt.date(2025, 3, 1))
    assert march(world)[1] != march(world)[1]  # no one: no denominator (NaN)


def test_restraints_before_the_period_count_towards_the_three(world):
    person = patient_on(world)
    restrained(world, person, dt.date(2025, 2, 20), dt.date(2025, 2, 25), dt.date(2025, 3, 5))
    assert march(world) == (0, 1)


def test_plan_reviewed_after_counts_reviewed_before_does_not(world):
    after, before, late = patient_on(world), patient_on(world), patient_on(world)
    days = (dt.date(2025, 3, 3), dt.date(2025, 3, 6), dt.date(2025, 3, 10))
    for person in (after, before, late):
        restrained(world, person, *days)
    third = at(days[2])
    plan_written(world, after, third - dt.timedelta(days=30))
    plan_written(world, after, third + dt.timedelta(days=2), number=2)
    plan_written(world, before, third - dt.timedelta(hours=1))  # after the second, before the third
    plan_written(world, late, third + dt.timedelta(days=8))
    assert march(world) == (1, 3)


def test_a_person_counts_once_a_period_from_their_first_repeated_restraint(world):
    person = patient_on(world)
    days = [dt.date(2025, 3, d) for d in (1, 2, 3, 20, 21)]
    restrained(world, person, *days)
    # Reviewed after the fourth and fifth restraints, not within 7 days of the third: not counted.
    plan_written(world, person, at(dt.date(2025, 3, 21), 12))
    assert march(world) == (0, 1)


def test_counted_on_the_ward_of_the_repeated_restraint(world):
    person = patient_on(world, "a1")
    restrained(world, person, dt.date(2025, 3, 1), dt.date(2025, 3, 2), ward="a1")
    restrained(world, person, dt.date(2025, 3, 4), ward="a2")
    plan_written(world, person, at(dt.date(2025, 3, 5)))
    assert march(world, "a2") == (1, 1)
    assert march(world, "a1")[1] != march(world, "a1")[1]  # a1 saw only two


def test_rapid_tranquillisation_counts_as_restraint(world):
    person = patient_on(world)
    restrained(world, person, dt.date(2025, 3, 1), dt.date(2025, 3, 2))
    restrained(world, person, dt.date(2025, 3, 3), code="14")  # rapid tranquillisation is restraint
    assert march(world) == (0, 1)


def test_drawn_by_the_spc_engine_weekly_and_monthly(world):
    person = patient_on(world)
    restrained(world, person, dt.date(2025, 3, 3), dt.date(2025, 3, 4), dt.date(2025, 3, 5))
    plan_written(world, person, at(dt.date(2025, 3, 6)))
    definition = measure(SLUG)
    for period in ("month", "week"):
        series = measure_series(definition, ward_ids=[world.wards["a1"].pk], period=period, **MARCH)
        assert series["numerator"].sum() == 1 and series["denominator"].sum() == 1
        result = analyse_series(definition, series)
        assert result is not None
