"""Reporting health: drops in recording volume, silences, incomplete and late records, missing bed days."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rrp.figures.store import forget_all
from rrp.force.services import incident_record, incident_submit
from rrp.people.models import StaffMember
from rrp.reports.reporting_health import (
    FlagCode,
    Severity,
    reporting_health,
    silence_threshold_days,
)
from tests import factories
from tests.integration.force.incident_data import complete_content, two_staff, typical_interventions
from tests.integration.reports.ward_records import at, monthly_bed_days, months_back, quick_incident

TODAY = dt.date.today()


def _weeks_ago(n: int) -> dt.date:
    """A Wednesday ``n`` whole weeks before the current week."""
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    return monday - dt.timedelta(weeks=n) + dt.timedelta(days=2)


@pytest.fixture
def gov(world):
    return world.users["provider_governance"]


def test_silence_threshold_is_the_one_percent_poisson_gap():
    # One incident every 10 days: P(no event in d days) = exp(-d/10) < 0.01 once d > 10 ln 100 = 46.05.
    assert silence_threshold_days(0.1) == pytest.approx(10 * math.log(100))
    assert silence_threshold_days(0.0) is None


def test_reporting_health_flags_a_weekly_volume_drop_as_special_cause_low(world, gov):
    a1, a2 = world.wards["a1"], world.wards["a2"]
    # a1: three incidents a week for 18 weeks, then one a week for the last 8 complete weeks.
    for week in range(26, 0, -1):
        for i in range(3 if week > 8 else 1):
            quick_incident(a1, world.patients["a1"], gov, at(_weeks_ago(week), 9 + i))
    # a2: a steady two a week throughout.
    for week in range(26, 0, -1):
        for i in range(2):
            quick_incident(a2, world.patients["a2"], gov, at(_weeks_ago(week), 9 + i))

    health = reporting_health([a1.pk, a2.pk], today=TODAY, period="week")

    assert health[a1.pk].has(FlagCode.VOLUME_DROP)
    assert health[a1.pk].volume_latest == 1
    assert health[a1.pk].volume_signal == "shift_below"
    flag = next(f for f in health[a1.pk].flags if f.code == FlagCode.VOLUME_DROP)
    assert flag.severity is Severity.HIGH
    assert "1 incident in the last complete week" in flag.words
    assert not health[a2.pk].has(FlagCode.VOLUME_DROP)
    assert health[a2.pk].volume_centre == pytest.approx(2.0)


def test_reporting_health_ignores_runs_of_empty_periods_on_a_rare_event_ward(world, gov):
    a1 = world.wards["a1"]
    # One incident in the first of 26 weeks only: the centre is far under one a week.
    quick_incident(a1, world.patients["a1"], gov, at(_weeks_ago(26)))

    health = reporting_health([a1.pk], today=TODAY, period="week")

    assert not health[a1.pk].has(FlagCode.VOLUME_DROP)


def test_reporting_health_flags_silence_longer_than_the_ward_rate_makes_likely(world, gov):
    a1, a2 = world.wards["a1"], world.wards["a2"]
    # a1: one incident every 7 days from a year ago until 60 days ago (43 incidents, 0.118 a day): the
    # threshold is ln(100) / 0.118, about 39 days, so 60 days of silence is flagged.
    day = TODAY - dt.timedelta(days=361)
    while day <= TODAY - dt.timedelta(days=60):
        quick_incident(a1, world.patients["a1"], gov, at(day))
        day += dt.timedelta(days=7)
    # a2: the same history but still recording (last incident 3 days ago).
    day = TODAY - dt.timedelta(days=361)
    while day <= TODAY - dt.timedelta(days=3):
        quick_incident(a2, world.patients["a2"], gov, at(day))
        day += dt.timedelta(days=7)

    health = reporting_health([a1.pk, a2.pk], today=TODAY)

    h1 = health[a1.pk]
    assert h1.has(FlagCode.SILENT)
    assert h1.days_since_last >= 60
    expected = -math.log(0.01) / (h1.incidents_last_year / 365)
    assert h1.silence_threshold_days == pytest.approx(expected)
    assert h1.silence_threshold_days < 60
    words = next(f.words for f in h1.flags if f.code == FlagCode.SILENT)
    assert words.startswith(f"No incident recorded for {h1.days_since_last} days")
    assert not health[a2.pk].has(FlagCode.SILENT)
    assert health[a2.pk].days_since_last <= 9


def test_reporting_health_no_silence_flag_without_history(world):
    a1 = world.wards["a1"]

    health = reporting_health([a1.pk], today=TODAY)

    assert health[a1.pk].incidents_last_year == 0
    assert health[a1.pk].silence_threshold_days is None
    assert not health[a1.pk].has(FlagCode.SILENT)


def test_reporting_health_counts_incomplete_unsubmitted_and_late_records(world, gov):
    a1 = world.wards["a1"]
    world.patients["a1"].nhs_number = factories.VALID_NHS_NUMBERS[0]
    world.patients["a1"].save(update_fields=["nhs_number"])
    nurse = StaffMember.objects.get(provider=a1.provider)
    content = complete_content()
    four_days_ago = timezone.now() - dt.timedelta(days=4)
    shift = four_days_ago - content["occurred_at"]

    def complete(when_shift: dt.timedelta):
        c = {**content}
        for key in ("occurred_at", "ended_at", "care_plan_notified_at"):
            c[key] = c[key] + when_shift
        interventions = [
            type(i)(i.type_code, i.started_at + when_shift, i.ended_at + when_shift, i.in_care_plan)
            for i in typical_interventions()
        ]
        return incident_record(
            ward=a1,
            patient=world.patients["a1"],
            by=gov,
            interventions=interventions,
            staff=two_staff(nurse),
            **c,
        )

    # Submitted now, four days after the incident: late.
    late = complete(shift)
    incident_submit(incident=late, by=gov)
    # Happened an hour ago and submitted now: on time.
    on_time = complete(timezone.now() - dt.timedelta(hours=1) - content["occurred_at"])
    incident_submit(incident=on_time, by=gov)
    # A complete draft of an incident four days ago: not yet submitted after 72 hours.
    complete(shift)
    # An incomplete draft (no statutory content at all), made just now about an incident just now.
    incident_record(
        ward=a1,
        patient=world.patients["a1"],
        by=gov,
        interventions=[type(typical_interventions()[0])("07", timezone.now(), None, None)],
    )

    h = reporting_health([a1.pk], today=timezone.localdate())[a1.pk]

    assert h.recent_records == 4
    assert h.recent_late == 1
    assert h.open_records == 2
    assert h.open_incomplete == 1
    assert h.open_overdue == 1
    assert h.submitted_incomplete == 0
    codes = {f.code for f in h.flags}
    assert {FlagCode.LATE, FlagCode.UNSUBMITTED, FlagCode.INCOMPLETE} <= codes
    late_flag = next(f for f in h.flags if f.code == FlagCode.LATE)
    assert late_flag.words.startswith("1 of 4 records made in the last 90 days was submitted")


def test_reporting_health_submitted_record_missing_items_is_flagged(world, gov):
    a1 = world.wards["a1"]
    # An imported record that arrived as submitted though it lacks most statutory items.
    quick_incident(
        a1,
        world.patients["a1"],
        gov,
        timezone.now() - dt.timedelta(days=2),
        statuses=(("submitted", timezone.now() - dt.timedelta(days=1)),),
    )

    h = reporting_health([a1.pk], today=timezone.localdate())[a1.pk]

    assert h.submitted_incomplete == 1
    assert h.open_records == 0
    assert h.recent_late == 0
    assert "1 record already submitted" in next(f for f in h.flags if f.code == FlagCode.INCOMPLETE).words


def test_reporting_health_missing_bed_days_names_the_months(world):
    a1, a2 = world.wards["a1"], world.wards["a2"]
    months = months_back(TODAY, 12)
    monthly_bed_days(a1, [m for m in months if m != months[-2]])
    monthly_bed_days(a2, months)

    health = reporting_health([a1.pk, a2.pk], today=TODAY)

    assert health[a1.pk].missing_bed_day_months == [months[-2]]
    assert health[a1.pk].months_checked == 12
    flag = next(f for f in health[a1.pk].flags if f.code == FlagCode.MISSING_BED_DAYS)
    assert months[-2].strftime("%B %Y") in flag.words
    assert not health[a2.pk].has(FlagCode.MISSING_BED_DAYS)
    assert health[a2.pk].healthy


def test_reporting_health_skips_months_before_a_ward_opened(world):
    months = months_back(TODAY, 12)
    site = world.wards["a1"].site
    new = factories.ward(site=site, opened_on=months[-3])
    monthly_bed_days(new, months[-3:])

    h = reporting_health([new.pk], today=TODAY)[new.pk]

    assert h.months_checked == 3
    assert h.missing_bed_day_months == []


def test_reporting_health_query_count_does_not_grow_with_wards(world, gov):
    site = world.wards["a1"].site
    extra = [factories.ward(site=site) for _ in range(6)]
    for ward in [world.wards["a1"], *extra]:
        patient = factories.patient(provider=ward.provider)
        quick_incident(ward, patient, gov, at(TODAY - dt.timedelta(days=20)))
        quick_incident(
            ward, patient, gov, at(TODAY - dt.timedelta(days=40)), statuses=(("submitted", timezone.now()),)
        )

    forget_all()  # both compute the wards' stored monthly figures (for the volume series)
    with CaptureQueriesContext(connection) as one:
        reporting_health([world.wards["a1"].pk], today=TODAY)
    forget_all()
    with CaptureQueriesContext(connection) as many:
        result = reporting_health([world.wards["a1"].pk, *(w.pk for w in extra)], today=TODAY)
    with CaptureQueriesContext(connection) as stored:
        reporting_health([world.wards["a1"].pk, *(w.pk for w in extra)], today=TODAY)

    assert len(result) == 7
    assert all(h.open_records == 1 for h in result.values())
    assert len(many.captured_queries) == len(one.captured_queries)
    # Computing the stored figures costs 14 queries more than reading them: 7 (see test_monthly_figures),
    # 6 for the people-centred measures stored since 27605ae, each read once for every ward, and 1 for
    # the seclusions ended (reviews on time, issue 13; none here) (see
    # test_measure_series_query_count_does_not_grow_with_wards).
    assert len(many.captured_queries) <= 20
    assert len(stored.captured_queries) <= 6


def test_reporting_health_ignores_wards_that_do_not_exist(world):
    assert reporting_health([], today=TODAY) == {}
    assert list(reporting_health([world.wards["a1"].pk, 999_999], today=TODAY)) == [world.wards["a1"].pk]


def test_reporting_health_open_records_are_those_of_the_last_12_months(world, gov):
    a1, patient = world.wards["a1"], world.patients["a1"]
    quick_incident(a1, patient, gov, at(TODAY - dt.timedelta(days=200)))  # a draft, half a year old
    quick_incident(a1, patient, gov, at(TODAY - dt.timedelta(days=400)))  # a draft, over a year old

    h = reporting_health([a1.pk], today=TODAY)[a1.pk]

    assert h.open_records == 1
    assert h.open_overdue == 1
    assert h.recent_records == 0


def test_reporting_health_leaves_voided_incidents_out(world, gov):
    """Issue 13 item 5: a voided record is never counted: it neither ends a silence nor counts as a
    recent or open record."""
    from rrp.force.services import incident_void

    a1 = world.wards["a1"]
    day = TODAY - dt.timedelta(days=361)
    while day <= TODAY - dt.timedelta(days=60):
        quick_incident(a1, world.patients["a1"], gov, at(day))
        day += dt.timedelta(days=7)
    before = reporting_health([a1.pk], today=TODAY)[a1.pk]
    test_record = quick_incident(a1, world.patients["a1"], gov, at(TODAY - dt.timedelta(days=1)))
    incident_void(incident=test_record, by=gov, reason="Recorded while training")

    h = reporting_health([a1.pk], today=TODAY)[a1.pk]

    assert h.has(FlagCode.SILENT) and h.days_since_last >= 60
    assert h.incidents_last_year == before.incidents_last_year
    assert (h.recent_records, h.open_records) == (before.recent_records, before.open_records)
