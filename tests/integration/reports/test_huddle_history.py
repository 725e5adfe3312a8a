"""The ward huddle and reporting health on a ward with a long history: the figures read from bounded
windows (days since the last restraint and seclusion, lateness) stay what the whole history says, and
old records still open are still counted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rrp.force.models import (
    Incident,
    IncidentStatusChange,
    IncidentVersion,
    InterventionRecord,
    StaffInvolvement,
)
from rrp.force.selectors import LAST_FORCE_FIRST_DAYS, RECORDED_WITHIN, last_force_on_ward
from rrp.people.models import StaffMember
from rrp.reports.huddle import ward_huddle
from rrp.reports.reporting_health import reporting_health
from tests.integration.reports.ward_records import at, quick_incident


@pytest.fixture
def gov(world):
    return world.users["provider_governance"]


def _record(
    ward,
    patient,
    by,
    created_at: dt.datetime,
    *,
    occurred_at: dt.datetime | None = None,
    starts: tuple[tuple[str, dt.datetime], ...] = (),
    statuses: tuple[tuple[str, dt.datetime], ...] = (),
) -> Incident:
    """An incident made at ``created_at`` whose one version says it happened at ``occurred_at`` (or
    says nothing) with these interventions ((type, start)), and these status changes after the draft."""
    incident = Incident.objects.create(
        provider=ward.provider, ward=ward, patient=patient, created_at=created_at, created_by=by
    )
    version = IncidentVersion.objects.create(
        incident=incident,
        patient=patient,
        number=1,
        recorded_at=created_at,
        recorded_by=by,
        occurred_at=occurred_at,
    )
    for code, started_at in starts:
        InterventionRecord.objects.create(version=version, type_code=code, started_at=started_at)
    previous = ""
    for status, when in (("draft", created_at), *statuses):
        note = "Please say why force was needed" if status == "sent_back" else ""
        IncidentStatusChange.objects.create(
            incident=incident, at=when, by=by, from_status=previous, to_status=status, note=note
        )
        previous = status
    return incident


def _corrected(incident: Incident, by, *, code: str, started_at: dt.datetime) -> None:
    """A second version of ``incident`` that moves its intervention to ``started_at``."""
    version = IncidentVersion.objects.create(
        incident=incident,
        patient_id=incident.patient_id,
        number=2,
        recorded_at=timezone.now(),
        recorded_by=by,
        change_reason="The time was wrong",
        occurred_at=started_at,
    )
    InterventionRecord.objects.create(
        version=version, type_code=code, started_at=started_at, ended_at=started_at + dt.timedelta(minutes=5)
    )


def test_last_restraint_corrected_to_after_its_record_was_made_is_still_the_last(world, gov):
    """The recent windows read only incidents created in them, less ``RECORDED_WITHIN``: a restraint
    whose time was corrected to weeks after its incident was first recorded is still found."""
    a1, patient = world.wards["a1"], world.patients["a1"]
    today = timezone.localdate()
    made = at(today - dt.timedelta(days=40))
    assert made >= at(today - dt.timedelta(days=LAST_FORCE_FIRST_DAYS)) - RECORDED_WITHIN
    old = quick_incident(a1, patient, gov, made, "01")
    _corrected(old, gov, code="01", started_at=at(today - dt.timedelta(days=12)))
    quick_incident(a1, patient, gov, at(today - dt.timedelta(days=20)), "01")

    huddle = ward_huddle(a1, user=world.users["ward_manager"], today=today)

    assert huddle.days_since_restraint == 12  # the corrected time, not the first version's (40 days)


def test_last_restraint_and_seclusion_read_from_the_narrowest_window_that_holds_them(world, gov):
    """One look-up when the last month holds both, one more for the charts' window, one more for the
    whole history: each for what the narrower ones did not find."""
    a1, patient = world.wards["a1"], world.patients["a1"]
    today = timezone.localdate()
    charts_from = today - dt.timedelta(days=730)

    def look_up() -> tuple[tuple[int | None, int | None], int]:
        with CaptureQueriesContext(connection) as queries:
            found = last_force_on_ward(a1.pk, today=today, recent_from=charts_from)
        days = tuple(None if day is None else (today - day).days for day in found)
        return days, len(queries.captured_queries)

    quick_incident(a1, patient, gov, at(today - dt.timedelta(days=3)), "01")
    assert look_up() == ((3, None), 3)
    quick_incident(a1, patient, gov, at(today - dt.timedelta(days=1000)), "05")
    assert look_up() == ((3, 1000), 3)
    quick_incident(a1, patient, gov, at(today - dt.timedelta(days=100)), "05")
    assert look_up() == ((3, 100), 2)
    quick_incident(a1, patient, gov, at(today - dt.timedelta(days=6)), "05")
    assert look_up() == ((3, 6), 1)
    huddle = ward_huddle(a1, user=world.users["ward_manager"], today=today)
    assert (huddle.days_since_restraint, huddle.days_since_seclusion) == (3, 6)


def test_old_records_still_open_are_counted_at_the_huddle(world, gov):
    """Waiting for review and not yet submitted count every record of the ward, however old."""
    a1, patient = world.wards["a1"], world.patients["a1"]
    today = timezone.localdate()
    years_ago = today - dt.timedelta(days=4 * 365)

    def old(days: int, *statuses: str):
        when = at(years_ago + dt.timedelta(days=days))
        steps = tuple((s, when) for s in statuses)
        return _record(a1, patient, gov, when, occurred_at=when, starts=(("07", when),), statuses=steps)

    old(0)  # still a draft after four years
    old(1, "submitted")  # still waiting for review
    old(2, "submitted", "sent_back")  # sent back and never resubmitted
    old(3, "submitted", "reviewed")
    old(4, "submitted", "reviewed", "closed")
    old(5, "submitted", "reviewed", "sent_back", "submitted")  # back for review after a change
    quick_incident(a1, patient, gov, at(today - dt.timedelta(days=2)))  # a recent draft

    huddle = ward_huddle(a1, user=world.users["ward_manager"], today=today)

    assert huddle.waiting_review == 2
    assert huddle.open_records == 3


def test_lateness_is_judged_from_the_first_intervention_then_the_record_when_no_time_is_given(world, gov):
    a1, patient = world.wards["a1"], world.patients["a1"]
    now = timezone.now()
    five_days_ago = now - dt.timedelta(days=5)
    # No time on the version: the first intervention (five days ago, not the later one) says when.
    _record(
        a1,
        patient,
        gov,
        now - dt.timedelta(hours=1),
        starts=(("01", now - dt.timedelta(hours=2)), ("07", five_days_ago)),
        statuses=(("submitted", now),),
    )
    # No time and no intervention: when the record was made (five days ago) says when.
    _record(a1, patient, gov, five_days_ago, statuses=(("submitted", now),))
    # The version's own time comes first: an hour ago, so submitted on time.
    _record(
        a1,
        patient,
        gov,
        five_days_ago,
        occurred_at=now - dt.timedelta(hours=1),
        starts=(("07", five_days_ago),),
        statuses=(("submitted", now),),
    )
    # Open drafts: one whose first intervention was four days ago (overdue), one an hour ago (not).
    _record(a1, patient, gov, now, starts=(("07", now - dt.timedelta(days=4)),))
    _record(a1, patient, gov, now, starts=(("07", now - dt.timedelta(hours=1)),))

    h = reporting_health([a1.pk], today=timezone.localdate())[a1.pk]

    assert h.recent_records == 5
    assert h.recent_late == 2
    assert h.open_records == 2
    assert h.open_overdue == 1


def test_a_member_of_staff_named_twice_in_a_record_owes_one_statement(world, gov):
    a1, patient = world.wards["a1"], world.patients["a1"]
    today = timezone.localdate()
    nurse = StaffMember.objects.create(
        provider=a1.provider, given_name="Nia", family_name="Twice", job_title="Nurse", staff_group="nursing"
    )
    incident = quick_incident(a1, patient, gov, at(today - dt.timedelta(days=2)), "01")
    version = IncidentVersion.objects.get(incident=incident)
    for part in ("lead", "observer"):
        StaffInvolvement.objects.create(
            version=version, staff_member=nurse, name=nurse.name, job_title=nurse.job_title, part=part
        )

    huddle = ward_huddle(a1, user=world.users["ward_manager"], today=today)

    assert (huddle.statements_outstanding, huddle.statements_incidents) == (1, 1)


def test_status_counts_rely_on_closing_being_final():
    """``force.selectors.open_status_counts`` leaves closed incidents out before working out their status; that is
    right only while no review step starts from closed."""
    from rrp.force.codes import IncidentStatus
    from rrp.force.services import TRANSITIONS

    assert all(IncidentStatus.CLOSED not in starts for starts in TRANSITIONS.values())
