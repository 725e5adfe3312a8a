"""After a merge the record kept lists the merged identity's support plan, information about the use of
force and debriefs too, not only its incidents and episodes; and the ward's staff, who see the person
through the record kept's stays, can follow its link to the merged identity and its support plan, which
answered 404 before (decision 0082). Another ward's staff still cannot."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rrp.core.models import AuditAction, AuditEvent
from rrp.force.models import Debrief
from rrp.people.feeds import patient_merge
from rrp.people.models import HospitalSpell, RightsInformation, SupportPlanVersion
from rrp.people.selectors import kept_record_id
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.force.test_merged_identity import kept  # noqa: F401 - the merged record fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged_records(world, patient, kept, complete_incident):  # noqa: F811
    """Under the merged identity (`patient`): a support plan, information given, and a patient debrief."""
    now = timezone.now()
    nurse = world.users["ward_staff"]
    SupportPlanVersion.objects.create(
        patient=patient,
        number=1,
        recorded_at=now,
        recorded_by=nurse,
        review_due=now.date(),
        what_matters="Music",
    )
    spell = HospitalSpell.objects.create(patient=patient, provider=patient.provider, admitted_at=now)
    RightsInformation.objects.create(
        patient=patient,
        spell=spell,
        recorded_at=now,
        recorded_by=nurse,
        occasion="admission",
        recipient="patient",
        outcome="refused",
        given_at=now - dt.timedelta(days=2),
        reason="Too distressed today",
    )
    Debrief.objects.create(
        incident=complete_incident, kind="patient", recorded_at=now, recorded_by=nurse, held_at=now
    )
    return patient


def test_the_kept_record_lists_the_merged_identitys_plan_information_and_debriefs(
    world,
    kept,  # noqa: F811 - the fixture
    merged_records,
    complete_incident,
):
    merged = merged_records
    html = (
        signed_in_client(world.users["ward_staff"])
        .get(reverse("people:patient-detail", args=[kept.pk]))
        .content.decode()
    )
    assert f"Support plan recorded under merged record {merged.local_identifier}</a>: version 1" in html
    assert reverse("people:support-plan", args=[merged.pk]) in html
    assert f"(recorded under merged record {merged.local_identifier})</span>" in html  # the information given
    assert "Refused" in html and "Too distressed today" in html
    assert f"Patient debrief, incident {complete_incident.pk} (" in html
    assert f"{reverse('force:incident-detail', args=[complete_incident.pk])}#debriefs" in html
    assert "Music" not in html  # the plan's words are read on its own, audited page


def test_ward_staff_follow_the_link_to_the_merged_identity_and_its_plan(world, kept, merged_records):  # noqa: F811
    merged = merged_records
    nurse = world.users["ward_staff"]
    client = signed_in_client(nurse)
    page = client.get(reverse("people:patient-detail", args=[merged.pk]))
    assert page.status_code == 200  # was 404: the merged identity's stays moved to the record kept
    html = page.content.decode()
    assert "Merged record" in html and reverse("people:patient-detail", args=[kept.pk]) in html
    assert "Record information given" not in html  # new records go on the record kept
    event = AuditEvent.objects.filter(
        action=AuditAction.VIEW, patient_id=merged.pk, actor_id=nurse.pk
    ).latest("id")
    assert event.detail == {"through_kept_record": kept.pk}
    plan = client.get(reverse("people:support-plan", args=[merged.pk]))
    assert plan.status_code == 200
    assert "Music" in plan.content.decode() and 'id="merged-plan"' in plan.content.decode()
    assert "Change or review the plan" not in plan.content.decode()
    # Writing still needs the patient in the writer's own scope: the merged identity is not.
    assert client.get(reverse("people:support-plan-change", args=[merged.pk])).status_code == 404


def test_other_wards_staff_still_cannot_open_the_merged_identity(world, kept, merged_records):  # noqa: F811
    elsewhere = factories.user(role="ward_staff", provider=merged_records.provider, wards=[world.wards["a2"]])
    client = signed_in_client(elsewhere)
    assert client.get(reverse("people:patient-detail", args=[kept.pk])).status_code == 404
    assert client.get(reverse("people:patient-detail", args=[merged_records.pk])).status_code == 404
    assert client.get(reverse("people:support-plan", args=[merged_records.pk])).status_code == 404


def test_the_kept_record_is_found_however_many_merges_deep(world, ward, patient, kept):  # noqa: F811
    later = factories.patient(provider=ward.provider, local_identifier="LATER2")
    patient_merge(prior=kept, surviving=later, by=None, reason="Same person again")
    patient.refresh_from_db()
    assert kept_record_id(patient) == later.pk and kept_record_id(later) == later.pk
    # The stays moved on to `later`: the ward's staff reach both earlier identities through it.
    client = signed_in_client(world.users["ward_staff"])
    assert client.get(reverse("people:patient-detail", args=[patient.pk])).status_code == 200
