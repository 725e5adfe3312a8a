"""After a merge (A40 or the merge page) the record kept lists what was recorded under the merged identity
(issue 18 item 5, decision 0053): the incidents stay on the identity they were recorded under, and the
kept record's page and the incident list filtered by patient show them with the kept record's own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rrp.people.feeds import patient_merge
from rrp.people.models import StaffMember
from rrp.people.selectors import patient_identities
from rrp.segregation.services import episode_start
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.segregation.episode_data import seclusion_kwargs

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(world, ward, patient, complete_incident):
    """The record kept, into which the patient the incident was recorded against was merged."""
    survivor = factories.patient(provider=ward.provider, local_identifier="KEPT1")
    factories.stay(patient=survivor, ward=ward)
    patient_merge(
        prior=patient, surviving=survivor, by=world.users["provider_governance"], reason="Same person"
    )
    return survivor


def test_identities_follow_merges_however_deep(world, ward, patient, kept):
    later = factories.patient(provider=ward.provider, local_identifier="LATER1")
    patient_merge(prior=kept, surviving=later, by=None, reason="Same person again")
    assert patient_identities(later) == [later.pk, kept.pk, patient.pk]
    assert patient_identities(patient) == [patient.pk]


def test_the_kept_records_page_lists_the_merged_identitys_incidents(world, patient, kept, complete_incident):
    page = signed_in_client(world.users["ward_staff"]).get(reverse("people:patient-detail", args=[kept.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Records merged into this one" in html and patient.local_identifier in html
    assert f"Incident {complete_incident.pk}," in html
    assert f"(recorded under merged record {patient.local_identifier})" in html
    assert f"{reverse('force:incident-list')}?patient={kept.pk}" in html


def test_a_record_without_merges_lists_only_its_own_incidents(world, ward, kept, complete_incident):
    other = factories.patient(provider=ward.provider)
    factories.stay(patient=other, ward=ward)
    html = (
        signed_in_client(world.users["ward_staff"])
        .get(reverse("people:patient-detail", args=[other.pk]))
        .content.decode()
    )
    assert "Records merged into this one" not in html and f"Incident {complete_incident.pk}," not in html
    assert "No use of force incidents recorded that you may see." in html


def test_the_incident_list_filtered_by_the_kept_record_includes_the_merged_identitys(
    world, ward, kept, complete_incident
):
    client = signed_in_client(world.users["ward_staff"])
    url = reverse("force:incident-list")
    html = client.get(url, {"patient": kept.pk}).content.decode()
    assert f"Incident {complete_incident.pk}<" in html and 'id="patient-filter"' in html
    other = factories.patient(provider=ward.provider)
    factories.stay(patient=other, ward=ward)
    html = client.get(url, {"patient": other.pk}).content.decode()
    assert f"Incident {complete_incident.pk}<" not in html and "No incidents found." in html


def test_a_patient_the_reader_may_not_see_is_an_error_named_on_the_page(world, complete_incident):
    outside = world.patients["c1"]  # another provider's patient
    response = signed_in_client(world.users["ward_staff"]).get(
        reverse("force:incident-list"), {"patient": outside.pk}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a patient whose incidents you may see" in html
    assert outside.name not in html  # nothing of the patient asked about


def test_the_kept_records_page_lists_the_merged_identitys_seclusion(world, ward, patient, kept):
    doctor = StaffMember.objects.create(
        provider=ward.provider,
        given_name="Dev",
        family_name="Roster",
        job_title="Consultant",
        staff_group="medical",
    )
    started = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=3)
    episode = episode_start(
        ward=ward,
        patient=patient,
        by=world.users["ward_staff"],
        started_at=started,
        authorised_by=doctor,
        **seclusion_kwargs(),
    )
    html = (
        signed_in_client(world.users["ward_staff"])
        .get(reverse("people:patient-detail", args=[kept.pk]))
        .content.decode()
    )
    assert reverse("segregation:episode", args=[episode.pk]) in html
    assert f"Seclusion, {ward.name}, from " in html
