"""Patient-led debriefs (issue 15 item 2): the patient's account in their own words, what would have
helped, what they want changed in their plan (which asks for a plan review), or why not held; carers'
and staff debriefs; corrections as new rows with a reason; scoped and audited; and the two measures,
offered and held within 72 hours, per ward and month."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rrp.core.concurrency import StaleVersion
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
        "base_version": None,
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


def test_two_people_recording_the_same_debrief_at_once_lose_nothing(complete_incident, nurse, world):
    """Both opened the page before either saved (version 0): the second is refused, not silently
    made the current debrief over the first person's account."""
    held(complete_incident, nurse, base_version=0)
    with pytest.raises(StaleVersion):
        held(
            complete_incident,
            world.users["ward_manager"],
            base_version=0,
            change_reason="Adding what she said later",
            account="Another account",
        )
    (only,) = Debrief.objects.all()
    assert only.account == "I felt trapped when three people came at once."
    corrected = held(
        complete_incident, nurse, base_version=1, change_reason="She added more", account="More, later"
    )
    assert debriefs_current(complete_incident)["patient"] == corrected


def test_the_debrief_page_refuses_a_save_from_an_old_version_and_keeps_what_was_typed(
    complete_incident, nurse
):
    client = signed_in_client(nurse)
    url = f"/incidents/{complete_incident.pk}/debriefs/patient/"
    assert 'name="base_version" value="0"' in client.get(url).content.decode()
    held(complete_incident, nurse, base_version=0)  # someone else saves first
    late = client.post(
        url,
        {
            "base_version": "0",
            "held_date": "2026-03-02",
            "held_time": "10:00",
            "held_by": "Sam Nurse",
            "account": "What I typed meanwhile",
            "change_reason": "Recording it",
        },
    )
    body = late.content.decode()
    assert late.status_code == 409
    assert "changed by someone else after you opened it" in body and "What I typed meanwhile" in body
    assert 'name="base_version" value="1"' in body
    assert Debrief.objects.count() == 1


def test_bad_debriefs_are_refused_naming_the_field(complete_incident, nurse):
    with pytest.raises(ValidationError) as problem:
        debrief_record(incident=complete_incident, kind="patient", by=nurse, base_version=0)
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
        base_version=0,
        not_held_reason="Declined; offered again tomorrow",
    )
    staff = debrief_record(
        incident=complete_incident,
        kind="staff",
        by=nurse,
        base_version=0,
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


def test_the_debrief_records_answer_the_yes_no_questions_wherever_they_are_read(
    complete_incident, nurse, ward
):
    """Decision 0061: the records are the source of truth. The version says nothing about a debrief
    (as many recorded before the records did); the record says it was offered and held, and the closing
    checklist, the follow-ups still owed and the MHSDS return all say so, without the version changing."""
    from rrp.act.mhsds import MHS505, mhsds_month
    from rrp.force.closure import closure_checklist
    from rrp.force.selectors import follow_up_outstanding

    def answers():
        checklist = {i.key: i.done for i in closure_checklist(complete_incident, at=START)}
        owed = follow_up_outstanding(ward.pk, since=dt.date(2020, 1, 1)).debriefs
        (row,) = mhsds_month(provider=ward.provider, month=dt.date(2026, 3, 1)).rows[MHS505]
        return checklist["patient_debrief"], owed, row["RestrictiveIntPIReviewHeldPat"]

    version = complete_incident.versions.get()
    assert version.debrief_patient_offered is None and version.debrief_patient_held is None
    assert answers() == (False, 1, "")
    held(complete_incident, nurse)
    staff = {"held_at": START + dt.timedelta(hours=3), "held_by": "Ward manager", "base_version": 0}
    debrief_record(incident=complete_incident, kind="staff", by=nurse, **staff)

    assert answers() == (True, 0, "Y")
    (row,) = mhsds_month(provider=ward.provider, month=dt.date(2026, 3, 1)).rows[MHS505]
    assert row["RestrictiveIntPIReviewHeldCarePers"] == "Y"
    assert complete_incident.versions.get().debrief_patient_held is None  # history untouched


def test_a_record_saying_not_held_outweighs_an_old_yes(complete_incident, nurse, ward, world):
    from rrp.force.debrief_answers import debrief_answers
    from rrp.force.services import incident_amend

    incident_amend(
        incident=complete_incident,
        by=world.users["provider_governance"],
        reason="Debrief answers",
        debrief_patient_offered=True,
        debrief_patient_held=True,
    )
    debrief_record(
        incident=complete_incident,
        kind="patient",
        by=nurse,
        base_version=0,
        offered_at=START + dt.timedelta(hours=2),
        not_held_reason="Declined; offered again tomorrow",
    )
    version = complete_incident.versions.order_by("-number").first()
    (answer,) = debrief_answers([version]).values()
    assert (answer.patient_offered, answer.patient_held) == (True, False)
    assert answer.patient_not_held_reason == "Declined; offered again tomorrow"
    assert answer.recorded == {"patient"} and answer.staff_held is None
