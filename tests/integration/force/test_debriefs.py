"""Patient-led debriefs (issue 15 item 2): the patient's account in their own words, what would have
helped, what they want changed in their plan (which asks for a plan review), or why not held; carers'
and staff debriefs; corrections as new rows with a reason; scoped and audited; and the two measures,
offered and held within 72 hours, per ward and month."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rrp.core.models import AuditEvent
from rrp.force.debriefs import debrief_record, debriefs_current
from rrp.force.models import Debrief
from rrp.measures.catalogue import measure
from rrp.measures.series import measure_series
from rrp.people import selectors as people_selectors
from rrp.people.models import SupportPlanReviewRequest
from tests.helpers import signed_in_client
from tests.integration.force.incident_data import T0

pytestmark = pytest.mark.django_db
START = T0 + dt.timedelta(minutes=1)  # the first type of force in typical_interventions()


def held(incident, nurse, **changes):
    fields = {
        "offered_at": START + dt.timedelta(hours=2),
        "held_at": START + dt.timedelta(hours=20),
        "held_by": "Sam Nurse, staff nurse",
        "account": "I felt trapped when three people came at once.",
        "what_would_have_helped": "Being asked if I wanted the garden.",
        "plan_changes": "Offer the garden before anything else.",
        **changes,
    }
    return debrief_record(incident=incident, kind="patient", by=nurse, **fields)


def test_a_patient_debrief_in_their_words_asks_for_a_plan_review(complete_incident, nurse, patient):
    debrief = held(complete_incident, nurse)
    assert debrief.account == "I felt trapped when three people came at once."
    (review,) = people_selectors.plan_reviews_open(patient)
    assert review.wanted_changes == "Offer the garden before anything else."
    assert review.source.startswith("Patient debrief after the use of force on")
    assert AuditEvent.objects.filter(
        record_type="force.Debrief", patient_id=patient.pk, action="create"
    ).exists()


def test_a_correction_needs_a_reason_and_asks_again_only_for_new_wishes(complete_incident, nurse):
    held(complete_incident, nurse)
    with pytest.raises(ValidationError) as problem:
        held(complete_incident, nurse)
    assert "change_reason" in problem.value.message_dict
    held(
        complete_incident, nurse, change_reason="Time held was wrong", held_at=START + dt.timedelta(hours=21)
    )
    assert SupportPlanReviewRequest.objects.count() == 1
    assert debriefs_current(complete_incident)["patient"].held_at == START + dt.timedelta(hours=21)
    assert Debrief.objects.count() == 2  # the first is kept


def test_bad_debriefs_are_refused_naming_the_field(complete_incident, nurse):
    with pytest.raises(ValidationError) as problem:
        debrief_record(incident=complete_incident, kind="patient", by=nurse)
    assert set(problem.value.message_dict) == {"offered_at"}
    with pytest.raises(ValidationError) as problem:
        held(complete_incident, nurse, held_by="", account="", held_at=START)
    assert set(problem.value.message_dict) == {"held_at", "held_by", "account"}
    assert not Debrief.objects.exists() and not SupportPlanReviewRequest.objects.exists()


def test_not_held_with_a_reason_and_staff_support(complete_incident, nurse):
    debrief_record(
        incident=complete_incident,
        kind="patient",
        by=nurse,
        not_held_reason="Declined; offered again tomorrow",
    )
    staff = debrief_record(
        incident=complete_incident,
        kind="staff",
        by=nurse,
        held_at=START + dt.timedelta(hours=1),
        held_by="Ward manager",
        staff_support_offered=True,
        wellbeing_follow_up_on=dt.date(2027, 1, 4),
        plan_changes="ignored for staff",
    )
    assert staff.staff_support_offered is True and staff.plan_changes == ""
    assert set(debriefs_current(complete_incident)) == {"patient", "staff"}


def test_debriefs_only_in_scope(complete_incident, world):
    with pytest.raises(PermissionDenied):
        held(complete_incident, world.users["regulator"])
    other = world.users["ward_manager"]
    other.wards.set([world.wards["a2"]])
    with pytest.raises(PermissionDenied):
        held(complete_incident, other)
    assert not Debrief.objects.exists()


def test_debrief_page_records_and_the_incident_page_shows_it(complete_incident, nurse, patient):
    client = signed_in_client(nurse)
    url = f"/incidents/{complete_incident.pk}/debriefs/patient/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"held_date": "2026-03-02"})
    assert bad.status_code == 400 and "Enter the time it was held too" in bad.content.decode()
    ok = client.post(
        url,
        {
            "held_date": "2026-03-02",
            "held_time": "10:00",
            "held_by": "Sam Nurse",
            "account": "Nobody told me why.",
            "plan_changes": "Tell me why first.",
        },
    )
    assert ok.status_code == 302
    page = client.get(f"/incidents/{complete_incident.pk}/").content.decode()
    assert "Nobody told me why." in page and "Change this debrief" in page
    plan_page = client.get(f"/patients/{patient.pk}/support-plan/").content.decode()
    assert "Plan review requested" in plan_page and "Tell me why first." in plan_page
    assert client.get(f"/incidents/{complete_incident.pk}/debriefs/other/").status_code == 404


def test_debrief_measures_within_72_hours(complete_incident, nurse, ward):
    window = {"ward_ids": [ward.pk], "since": dt.date(2026, 2, 1), "until": dt.date(2026, 3, 31)}
    held(
        complete_incident,
        nurse,
        offered_at=START + dt.timedelta(hours=71),
        held_at=START + dt.timedelta(hours=73),
    )
    offered = measure_series(measure("patient-debrief-offered-72h"), **window)
    within = measure_series(measure("patient-debrief-held-72h"), **window)
    march = offered.iloc[1]
    assert (march.numerator, march.denominator, march.value) == (1, 1, 100.0)
    assert (within.iloc[1].numerator, within.iloc[1].denominator) == (0, 1)
    assert offered.iloc[0].denominator != offered.iloc[0].denominator  # February: no incidents (NaN)
