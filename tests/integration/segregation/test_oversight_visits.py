"""Commissioners record visits (issue 17, item 3): a case manager with named access records a visit to
the person, kept append-only with the grant it relied on and audited; the provider sees it on the
person's summary; without a grant in force, no visit can be recorded and the page answers 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from rrp.core.models import AuditEvent
from rrp.segregation.models import CommissionerVisit
from rrp.segregation.oversight import commissioner_visit_record, named_access_revoke
from tests.helpers import signed_in_client
from tests.integration.segregation.test_oversight_named_access import grant


@pytest.fixture
def granted(lts, world):
    return grant(lts, world.users["provider_governance"], world.users["commissioner"])


def test_a_visit_is_kept_with_its_grant_and_audited(granted, patient, world):
    case_manager = world.users["commissioner"]
    visit = commissioner_visit_record(
        patient_id=patient.pk,
        by=case_manager,
        visited_on=timezone.localdate() - dt.timedelta(days=1),
        notes="Saw him in the garden; he asked about moving nearer his sister",
    )
    assert visit.grant == granted and visit.provider_id == patient.provider_id
    event = AuditEvent.objects.get(record_type="segregation.CommissionerVisit")
    assert event.patient_id == patient.pk and event.detail["named_access_grant"] == granted.pk


def test_each_bad_field_is_named_and_nothing_saved(granted, patient, world):
    with pytest.raises(ValidationError) as error:
        commissioner_visit_record(
            patient_id=patient.pk,
            by=world.users["commissioner"],
            visited_on=timezone.localdate() + dt.timedelta(days=1),
            notes=" ",
        )
    assert error.value.message_dict == {
        "visited_on": ["The visit cannot be in the future"],
        "notes": ["Enter what you saw and heard on the visit"],
    }
    assert not CommissionerVisit.objects.exists()


def test_without_a_grant_in_force_no_visit(granted, patient, world):
    named_access_revoke(grant=granted, by=world.users["provider_governance"], reason="Placement found")
    with pytest.raises(PermissionDenied):
        commissioner_visit_record(
            patient_id=patient.pk,
            by=world.users["commissioner"],
            visited_on=timezone.localdate(),
            notes="Seen",
        )
    client = signed_in_client(world.users["commissioner"])
    assert client.get(reverse("segregation:commissioner-visit-new", args=[patient.pk])).status_code == 404


def test_pages_record_and_show_to_the_case_manager_and_the_provider(granted, patient, world):
    client = signed_in_client(world.users["commissioner"])
    url = reverse("segregation:commissioner-visit-new", args=[patient.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"visited_on": "", "notes": "Seen on the unit"})
    assert response.status_code == 400 and "Enter the date of the visit" in response.content.decode()
    today = timezone.localdate().isoformat()
    response = client.post(
        url, {"visited_on": today, "notes": "Seen on the unit; asked for more time outside"}
    )
    assert response.status_code == 302 and response.url == reverse(
        "segregation:named-person", args=[patient.pk]
    )
    assert "asked for more time outside" in client.get(response.url).content.decode()

    ward_staff = signed_in_client(world.users["ward_staff"])
    summary = ward_staff.get(reverse("segregation:patient", args=[patient.pk])).content.decode()
    assert "Commissioners&#39; visits (1)" in summary or "Commissioners' visits (1)" in summary
    assert "asked for more time outside" in summary
