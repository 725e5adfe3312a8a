"""The episode form's pickers (issue 13 item 6): the patient is chosen from those on the ward now, or
found by name or NHS number, each shown with NHS number, date of birth and ward; "Authorised by" offers
and accepts only staff who may authorise seclusion, not healthcare assistants."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from rrp.core.models import AuditEvent
from rrp.segregation.services import episode_start
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.segregation.episode_data import seclusion_kwargs

pytestmark = pytest.mark.django_db


@pytest.fixture
def namesakes(world, ward):
    """Two patients with the same name: one on the ward now, one who left it last year."""
    here = factories.patient(
        provider=ward.provider, given_name="Jo", family_name="Same", nhs_number="9434765919"
    )
    factories.stay(patient=here, ward=ward)
    gone = factories.patient(
        provider=ward.provider, given_name="Jo", family_name="Same", nhs_number="4010232137"
    )
    factories.stay(
        patient=gone,
        ward=ward,
        started_at=timezone.now() - dt.timedelta(days=400),
        ended_at=timezone.now() - dt.timedelta(days=300),
    )
    return here, gone


def test_form_lists_patients_on_the_ward_now_with_nhs_number_birth_date_and_ward(
    nurse_user, ward, namesakes, roster
):
    here, gone = namesakes
    response = signed_in_client(nurse_user).get(reverse("segregation:episode-new", args=[ward.pk]))
    body = response.content.decode()
    assert f"NHS number {here.nhs_number_display}" in body and f"on {ward.name} now" in body
    assert gone.nhs_number_display not in body
    event = AuditEvent.objects.filter(record_type="people.Patient").latest("id")
    assert here.pk in event.detail["patient_ids"] and gone.pk not in event.detail["patient_ids"]


def test_search_finds_a_patient_no_longer_on_the_ward_by_nhs_number(nurse_user, ward, namesakes):
    _, gone = namesakes
    url = reverse("segregation:episode-new", args=[ward.pk])
    body = signed_in_client(nurse_user).get(url, {"q": "401 023 2137"}).content.decode()
    assert f"NHS number {gone.nhs_number_display}" in body and "not on a ward now" in body
    assert "Patients matching" in body


def test_authorised_by_offers_no_healthcare_assistant(nurse_user, ward, roster):
    body = (
        signed_in_client(nurse_user).get(reverse("segregation:episode-new", args=[ward.pk])).content.decode()
    )
    authoriser = body.split('name="authorised_by"')[1].split("</select>")[0]
    assert "Nia Roster" in authoriser and "Dev Roster" in authoriser and "Pat Roster" in authoriser
    assert "Hal Roster" not in authoriser


def test_a_healthcare_assistant_cannot_authorise(ward, patient, nurse_user, roster):
    with pytest.raises(ValidationError) as problem:
        episode_start(
            ward=ward,
            patient=patient,
            by=nurse_user,
            started_at=timezone.now() - dt.timedelta(hours=1),
            authorised_by=roster["hca"],
            **seclusion_kwargs(),
        )
    assert (
        "Hal Roster (Healthcare assistant) cannot authorise it"
        in problem.value.message_dict["authorised_by"][0]
    )


def test_an_episode_started_after_an_incident_is_offered_it(nurse_user, ward, patient, roster):
    """One event, one record: the patient's incident of the last day is filled in as the episode's."""
    from rrp.force.services import incident_record

    incident = incident_record(ward=ward, patient=patient, by=nurse_user)
    url = reverse("segregation:episode-new", args=[ward.pk])
    body = signed_in_client(nurse_user).get(url, {"patient": patient.pk}).content.decode()
    field = body.split('name="incident"')[1].split(">")[0]
    assert f'value="{incident.pk}"' in field
    assert f"Recent incidents for this patient: {incident.pk}" in body
    # From the incident's task list, the link names the incident.
    body = signed_in_client(nurse_user).get(url, {"patient": patient.pk, "incident": "77"}).content.decode()
    assert 'value="77"' in body.split('name="incident"')[1].split(">")[0]
