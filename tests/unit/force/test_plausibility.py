"""force.plausibility as plain functions, with "now" fixed: each rule, its field and its words."""

from __future__ import annotations

import datetime as dt

import pytest

from rrp.force.plausibility import CONFIRM_FIELD, Limits, check, duration_text
from rrp.force.services import InterventionInput

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
LIMITS = Limits(confirm_minutes={"01": 10, "09": 120}, late_after=dt.timedelta(hours=24))


def run(content=None, interventions=(), **kw):
    return check(content=content or {}, interventions=list(interventions), now=NOW, limits=LIMITS, **kw)


def test_an_incident_tomorrow_is_refused_on_its_start_and_its_interventions():
    tomorrow = NOW + dt.timedelta(days=1)
    found = run(
        {"occurred_at": tomorrow}, [InterventionInput("09", tomorrow, tomorrow + dt.timedelta(minutes=5))]
    )
    assert found.problems["occurred_at"] == [
        "The incident's start cannot be in the future: check the date and time"
    ]
    assert "interventions[0].started_at" in found.problems
    assert "interventions[0].ended_at" in found.problems


def test_a_few_minutes_ahead_is_a_clock_difference_not_the_future():
    assert run({"occurred_at": NOW + dt.timedelta(minutes=4)}).problems == {}
    assert "occurred_at" in run({"occurred_at": NOW + dt.timedelta(minutes=6)}).problems


def test_24_hours_5_minutes_prone_needs_confirmation_naming_the_duration():
    start = NOW - dt.timedelta(days=2)
    found = run(
        {"occurred_at": start}, [InterventionInput("01", start, start + dt.timedelta(hours=24, minutes=5))]
    )
    assert found.problems["interventions[0].ended_at"] == [
        "Physical restraint - Prone for 24 hours 5 minutes is longer than 10 minutes: check the end date and "
        "time, or confirm the duration is right"
    ]
    assert CONFIRM_FIELD in found.problems and found.long_durations == []


def test_a_confirmed_long_restraint_is_kept_and_listed_for_the_flag():
    start = NOW - dt.timedelta(days=2)
    found = run(
        {"occurred_at": start},
        [InterventionInput("09", start, start + dt.timedelta(hours=3))],
        durations_confirmed=True,
    )
    assert found.problems == {}
    assert found.long_durations == [{"type_code": "09", "minutes": 180, "limit_minutes": 120}]


def test_exactly_the_limit_is_not_long_and_untimed_types_have_no_limit():
    start = NOW - dt.timedelta(hours=5)
    found = run(
        {"occurred_at": start},
        [
            InterventionInput("01", start, start + dt.timedelta(minutes=10)),
            InterventionInput("05", start, start + dt.timedelta(hours=4)),  # seclusion: an episode
        ],
    )
    assert found.problems == {} and found.long_durations == []


def test_carried_forward_interventions_are_not_asked_again():
    start = NOW - dt.timedelta(days=2)
    found = run(
        {"occurred_at": start},
        [InterventionInput("01", start, start + dt.timedelta(hours=1))],
        check_durations=False,
    )
    assert found.problems == {}


def test_an_intervention_outside_its_incident_is_refused_on_the_field_to_change():
    start = NOW - dt.timedelta(days=1)
    content = {"occurred_at": start, "ended_at": start + dt.timedelta(minutes=30)}
    found = run(
        content,
        [
            InterventionInput("09", start - dt.timedelta(minutes=5), start + dt.timedelta(minutes=5)),
            InterventionInput("09", start + dt.timedelta(minutes=10), start + dt.timedelta(minutes=40)),
            InterventionInput("09", start + dt.timedelta(minutes=31), None),
        ],
    )
    assert found.problems["interventions[0].started_at"][0].startswith(
        "The intervention cannot start before the incident started"
    )
    assert found.problems["interventions[1].ended_at"][0].startswith(
        "The intervention cannot end after the incident ended"
    )
    assert found.problems["interventions[2].started_at"][0].startswith(
        "The intervention cannot start after the incident ended"
    )


def test_a_notification_in_1999_is_before_the_incident():
    start = NOW - dt.timedelta(days=1)
    found = run({"occurred_at": start, "care_plan_notified_at": dt.datetime(1999, 3, 1, 9, 0, tzinfo=dt.UTC)})
    assert found.problems["care_plan_notified_at"] == [
        "The care-plan notification cannot be sent before the incident started (5 December 2026, 12:00)"
    ]


def test_a_2020_to_2026_prone_restraint_is_refused_as_any_draft_is():
    found = run(
        {"occurred_at": dt.datetime(2020, 1, 1, 9, tzinfo=dt.UTC)},
        [
            InterventionInput(
                "01", dt.datetime(2020, 1, 1, 9, tzinfo=dt.UTC), dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
            )
        ],
    )
    assert "interventions[0].ended_at" in found.problems


@pytest.mark.parametrize(("hours", "late"), [(23, False), (24, False), (25, True)])
def test_a_record_first_made_more_than_a_day_after_is_late(hours, late):
    found = run({"occurred_at": NOW - dt.timedelta(hours=hours)})
    assert (found.late is not None) is late
    if late:
        assert found.late == {"hours_after": 25, "limit_hours": 24}


def test_lateness_is_measured_from_when_the_record_was_first_made():
    occurred = NOW - dt.timedelta(days=10)
    assert run({"occurred_at": occurred}, first_recorded_at=occurred + dt.timedelta(hours=2)).late is None


@pytest.mark.parametrize(
    ("minutes", "text"), [(0, "0 minutes"), (1, "1 minute"), (60, "1 hour"), (1445, "24 hours 5 minutes")]
)
def test_duration_text(minutes, text):
    assert duration_text(minutes) == text
