"""Issue 13 item 2, the cases seen: the plausibility rules refuse the same records, with the same field
named, through the services (which the pages call), the API and the CSV import; a confirmed long
restraint and a late record are kept and flagged for review."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rrp.core.csv_import import ImportRejected
from rrp.force.codes import IncidentFlagKind
from rrp.force.imports import incidents_import
from rrp.force.models import Incident, IncidentFlag
from rrp.force.services import InterventionInput, incident_amend, incident_record
from tests.integration.force.test_import_incidents import rows_for, to_csv


def _recent() -> dt.datetime:
    """An hour ago, to the minute: a record made now is not late."""
    return (timezone.now() - dt.timedelta(hours=1)).replace(second=0, microsecond=0)


def _record(ward, patient, nurse, *interventions, **content):
    return incident_record(ward=ward, patient=patient, by=nurse, interventions=list(interventions), **content)


def _problems(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict


def test_an_incident_tomorrow_is_refused_and_nothing_saved(ward, patient, nurse):
    tomorrow = timezone.now() + dt.timedelta(days=1)
    problems = _problems(
        lambda: _record(
            ward,
            patient,
            nurse,
            InterventionInput("09", tomorrow, tomorrow + dt.timedelta(minutes=5)),
            occurred_at=tomorrow,
        )
    )
    assert problems["occurred_at"] == [
        "The incident's start cannot be in the future: check the date and time"
    ]
    assert "interventions[0].started_at" in problems
    assert not Incident.objects.exists()


def test_24_hours_5_minutes_prone_is_refused_until_confirmed_then_flagged(ward, patient, nurse):
    start = _recent() - dt.timedelta(days=1, minutes=10)
    prone = InterventionInput("01", start, start + dt.timedelta(hours=24, minutes=5))
    problems = _problems(lambda: _record(ward, patient, nurse, prone, occurred_at=start))
    assert "24 hours 5 minutes is longer than 10 minutes" in problems["interventions[0].ended_at"][0]
    assert "durations_confirmed" in problems
    assert not Incident.objects.exists()

    incident = _record(ward, patient, nurse, prone, occurred_at=start, durations_confirmed=True)
    flag = IncidentFlag.objects.get(incident=incident, kind=IncidentFlagKind.LONG_DURATION)
    assert flag.detail == {"interventions": [{"type_code": "01", "minutes": 1445, "limit_minutes": 10}]}


def test_a_notification_sent_in_1999_is_refused(ward, patient, nurse):
    start = _recent()
    problems = _problems(
        lambda: _record(
            ward,
            patient,
            nurse,
            InterventionInput("09", start, start + dt.timedelta(minutes=5)),
            occurred_at=start,
            care_plan_notification_sent=True,
            care_plan_notified_at=dt.datetime(1999, 3, 1, 9, 0, tzinfo=dt.UTC),
        )
    )
    assert problems["care_plan_notified_at"][0].startswith(
        "The care-plan notification cannot be sent before the incident started"
    )


def test_a_2020_to_2026_prone_restraint_is_refused_as_a_draft(ward, patient, nurse):
    start = dt.datetime(2020, 1, 1, 9, 0, tzinfo=dt.UTC)
    problems = _problems(
        lambda: _record(
            ward, patient, nurse, InterventionInput("01", start, dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC))
        )
    )
    assert "interventions[0].ended_at" in problems


def test_an_amendment_moving_the_incident_after_its_interventions_is_refused(ward, patient, nurse):
    start = _recent()
    incident = _record(
        ward,
        patient,
        nurse,
        InterventionInput("09", start, start + dt.timedelta(minutes=5)),
        occurred_at=start,
    )
    problems = _problems(
        lambda: incident_amend(
            incident=incident, by=nurse, reason="Typed the time", occurred_at=start + dt.timedelta(minutes=3)
        )
    )
    assert problems["interventions[0].started_at"][0].startswith(
        "The intervention cannot start before the incident started"
    )


def test_a_confirmed_long_restraint_carried_forward_is_not_asked_again(ward, patient, nurse):
    start = _recent() - dt.timedelta(hours=1)
    incident = _record(
        ward,
        patient,
        nurse,
        InterventionInput("01", start, start + dt.timedelta(minutes=30)),
        occurred_at=start,
        durations_confirmed=True,
    )
    version = incident_amend(incident=incident, by=nurse, reason="Place added", place_on_ward="Lounge")
    assert version.number == 2


def test_a_record_made_days_after_the_incident_is_kept_and_flagged_late(ward, patient, nurse):
    start = _recent() - dt.timedelta(days=3)
    incident = _record(
        ward,
        patient,
        nurse,
        InterventionInput("09", start, start + dt.timedelta(minutes=5)),
        occurred_at=start,
    )
    flag = IncidentFlag.objects.get(incident=incident, kind=IncidentFlagKind.LATE_RECORD)
    assert flag.detail["hours_after"] >= 72 and flag.detail["limit_hours"] == 24
    on_time = _record(
        ward,
        patient,
        nurse,
        InterventionInput("09", _recent(), _recent() + dt.timedelta(minutes=5)),
        occurred_at=_recent(),
    )
    assert not on_time.flags.filter(kind=IncidentFlagKind.LATE_RECORD).exists()


# --- The import: the same rules, by row and column ---


def _import(text, by):
    return incidents_import(source=io.StringIO(text, newline=""), by=by)


def test_the_import_names_the_row_and_column_of_a_long_prone_restraint(world, ward, patient):
    rows = rows_for("INC-9", ward.code, ended_at="")
    rows[1]["intervention_ended_at"] = "2026-03-01 18:15"  # supine for 4 hours
    with pytest.raises(ImportRejected) as rejected:
        _import(to_csv(rows), world.users["provider_governance"])
    found = {(e.row, e.column): e.reason for e in rejected.value.errors}
    assert "4 hours is longer than 2 hours" in found[(3, "intervention_ended_at")]
    assert found[(2, "durations_confirmed")].startswith("enter Y in this column")
    assert not Incident.objects.exists()

    for row in rows:
        row["durations_confirmed"] = "Y"
    assert _import(to_csv(rows), world.users["provider_governance"])["created"] == 1
    assert IncidentFlag.objects.filter(kind=IncidentFlagKind.LONG_DURATION).count() == 1


def test_the_import_refuses_a_notification_before_the_incident(world, ward, patient):
    rows = rows_for("INC-10", ward.code, care_plan_notified_at="1999-03-01 09:00")
    with pytest.raises(ImportRejected) as rejected:
        _import(to_csv(rows), world.users["provider_governance"])
    assert [(e.row, e.column) for e in rejected.value.errors] == [(2, "care_plan_notified_at")]
