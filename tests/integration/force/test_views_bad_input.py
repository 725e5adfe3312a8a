"""Bad input on the incident pages (issue 12, What was seen 4 and 7): control characters, over-long
text and dates of events outside 1900 to tomorrow are named beside their field and nothing is saved."""

from __future__ import annotations

import pytest

from rrp.force.models import Incident
from rrp.force.services import incident_record
from tests.helpers import signed_in_client
from tests.integration.force.views_data import typical_post

pytestmark = pytest.mark.django_db


def _post(nurse, ward, patient, roster_nurse, **overrides):
    """The whole record posted on the one-page form (the change page of an empty draft)."""
    draft = incident_record(ward=ward, patient=patient, by=nurse)
    return signed_in_client(nurse).post(
        f"/incidents/{draft.pk}/change/", typical_post(roster_nurse, **overrides)
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("place_on_ward", "Lounge\x1b[0m", "Remove the control character U+001B"),
        ("place_on_ward", "Lounge\tcorner", "Enter this on one line: remove a tab"),
        ("care_plan_notified_to", "M" * 201, "Enter 200 characters or fewer"),
        ("other-0-name", "N" * 201, "Enter 200 characters or fewer"),
        ("other-0-job_title", "J" * 121, "Enter 120 characters or fewer"),
        ("how_force_used", "x" * 50_001, "Enter 50,000 characters or fewer"),
    ],
)
def test_form_bad_text_is_named_beside_its_field_and_nothing_saved(
    nurse, patient, ward, roster_nurse, field, value, message
):
    response = _post(nurse, ward, patient, roster_nurse, **{field: value})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert f'href="#id_{field}"' in body
    assert Incident.objects.get().versions.count() == 1


@pytest.mark.parametrize(
    ("day", "message"),
    [("2099-03-01", "This date is in the future"), ("0001-03-01", "on or after 1 January 1900")],
)
def test_form_intervention_dated_2099_or_year_1_is_refused(nurse, patient, ward, roster_nurse, day, message):
    response = _post(nurse, ward, patient, roster_nurse, **{"iv-0-start_date": day, "iv-0-end_date": day})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Incident.objects.get().versions.count() == 1


def test_audit_search_for_a_patient_by_a_number_above_64_bits_or_too_long_is_answered_not_500(world):
    """The audit log's patient search (by NHS number or name) once took an internal record number, and 2^64
    overflowed it: a number that long now finds nobody, and text past the field's length is named."""
    client = signed_in_client(world.users["provider_governance"])
    response = client.get("/audit/", {"patient": str(2**64)})
    assert response.status_code == 400
    assert "No patient of your provider has that NHS number or name" in response.content.decode()
    response = client.get("/audit/", {"patient": "9" * 101})
    assert response.status_code in (200, 400)
    assert "100 characters or fewer" in response.content.decode()
