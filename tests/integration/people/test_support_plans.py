"""Support plans (issue 15 item 1): versioned per patient, never overwritten; scoped and audited; the
review date marked overdue; and the plan's key points shown while force is recorded, on the sections
that answer s6(5)(d), (o) and (p)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rrp.core.concurrency import StaleVersion
from rrp.core.models import AuditEvent
from rrp.people.models import SupportPlanVersion
from rrp.people.services import support_plan_record
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db

PLAN = {
    "what_matters": "Seeing my sister on Sundays; music",
    "triggers": "Being told no without a reason",
    "early_signs": "Pacing, going quiet",
    "primary_strategies": "Explain decisions; offer headphones",
    "secondary_strategies": "Offer the garden with one member of staff",
    "tertiary_strategies": "Standing hold only; never prone",
    "views_on_restraint": "Please do not hold me face down",
    "views_on_rapid_tranquillisation": "Offer oral medication first",
    "who_to_tell": "My sister Jo, by phone",
    "review_due": dt.date(2027, 1, 15),
}


def write(world, patient_key="a1", by="ward_staff", base=0, **changes):
    return support_plan_record(
        patient=world.patients[patient_key], by=world.users[by], base_version=base, **{**PLAN, **changes}
    )


def test_plan_versions_are_added_never_overwritten(world):
    first = write(world)
    second = write(world, base=1, change_reason="Reviewed with the patient", review_due=dt.date(2027, 3, 1))
    assert (first.number, second.number) == (1, 2)
    assert SupportPlanVersion.objects.get(pk=first.pk).review_due == dt.date(2027, 1, 15)
    assert second.what_matters == PLAN["what_matters"]  # copied forward
    assert (
        AuditEvent.objects.filter(
            record_type="people.SupportPlanVersion", patient_id=world.patients["a1"].pk
        ).count()
        == 2
    )


def test_a_revision_needs_a_reason_and_the_latest_version(world):
    write(world)
    with pytest.raises(ValidationError) as problem:
        write(world, base=1)
    assert "change_reason" in problem.value.message_dict
    with pytest.raises(StaleVersion):
        write(world, base=0, change_reason="Late")
    assert SupportPlanVersion.objects.count() == 1


def test_an_empty_plan_is_refused_naming_the_field(world):
    with pytest.raises(ValidationError) as problem:
        write(world, what_matters="", primary_strategies="", secondary_strategies="", review_due=None)
    assert set(problem.value.message_dict) == {"what_matters", "review_due"}


def test_plans_are_written_only_in_scope(world):
    with pytest.raises(PermissionDenied):
        write(world, patient_key="b1")  # ward staff of a1 may not write a patient of provider B
    with pytest.raises(PermissionDenied):
        write(world, by="regulator")  # read-only
    assert not SupportPlanVersion.objects.exists()


def test_plan_page_shows_overdue_and_is_audited(world):
    write(world, review_due=dt.date(2020, 1, 1))
    patient = world.patients["a1"]
    client = signed_in_client(world.users["ward_staff"])
    body = client.get(f"/patients/{patient.pk}/support-plan/").content.decode()
    assert "Review overdue" in body and "Standing hold only; never prone" in body
    assert AuditEvent.objects.filter(
        action="view", record_type="people.SupportPlanVersion", patient_id=patient.pk
    ).exists()
    detail = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "Review overdue" in detail


def test_plan_page_outside_scope_is_not_found(world):
    patient = world.patients["b1"]
    assert (
        signed_in_client(world.users["ward_staff"]).get(f"/patients/{patient.pk}/support-plan/").status_code
        == 404
    )
    assert (
        signed_in_client(world.users["commissioner"]).get(f"/patients/{patient.pk}/support-plan/").status_code
        == 403
    )


def test_change_page_writes_a_version_and_names_bad_fields(world):
    patient = world.patients["a1"]
    client = signed_in_client(world.users["ward_staff"])
    url = f"/patients/{patient.pk}/support-plan/change/"
    bad = client.post(url, {"base_version": "0", "what_matters": "x", "review_due": "2027-02-30"})
    assert bad.status_code == 400
    assert "Enter the review date as a real date" in bad.content.decode()
    assert not SupportPlanVersion.objects.exists()
    ok = client.post(
        url, {"base_version": "0", **{k: str(v) for k, v in PLAN.items()}, "made_with_patient": "yes"}
    )
    assert ok.status_code == 302
    plan = SupportPlanVersion.objects.get()
    assert plan.made_with_patient is True and plan.who_to_tell == "My sister Jo, by phone"
    stale = client.post(
        url, {"base_version": "0", **{k: str(v) for k, v in PLAN.items()}, "change_reason": "x"}
    )
    assert stale.status_code == 409
    assert SupportPlanVersion.objects.count() == 1


def test_recording_force_shows_the_plans_key_points(world):
    write(world)
    patient, ward = world.patients["a1"], world.wards["a1"]
    client = signed_in_client(world.users["ward_staff"])
    body = client.get(f"/incidents/new/{ward.pk}/{patient.pk}/").content.decode()
    assert "Support plan: key points" in body
    assert "Standing hold only; never prone" in body
    assert "Please do not hold me face down" in body
    assert "Compare with the support plan" in body
    assert AuditEvent.objects.filter(
        action="view", record_type="people.SupportPlanVersion", detail__shown_on="recording force"
    ).exists()


def test_recording_force_without_a_plan_says_so(world):
    patient, ward = world.patients["a1"], world.wards["a1"]
    body = (
        signed_in_client(world.users["ward_staff"])
        .get(f"/incidents/new/{ward.pk}/{patient.pk}/")
        .content.decode()
    )
    assert "has no support plan recorded" in body
