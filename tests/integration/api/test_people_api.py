"""The people-at-the-centre API (issue 15 item 7): support plans (base_version, 409), information about
rights, debriefs and the anonymous weekly check, scoped and audited as the pages, errors as problem+json."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rrp.core.models import AuditAction, AuditEvent
from rrp.force.models import Debrief
from rrp.force.services import incident_record
from rrp.people.models import RightsInformation, SupportPlanReviewRequest, SupportPlanVersion, VoiceCheck
from tests import factories
from tests.integration.force.incident_data import T0, complete_content, typical_interventions

pytestmark = pytest.mark.django_db
PLAN = {
    "base_version": 0,
    "what_matters": "My music and my sister's visits",
    "early_signs": "Pacing, going quiet",
    "secondary_strategies": "Offer the garden and my headphones",
    "who_to_tell": "My sister Jo",
    "review_due": (dt.date.today() + dt.timedelta(days=90)).isoformat(),
}


def url(patient, what="support-plan"):
    return f"/api/people/patients/{patient.pk}/{what}"


def test_plan_written_read_and_audited(api_as, patient):
    api = api_as("ward_staff")
    assert api.get(url(patient)).status_code == 404  # no plan yet
    made = api.post(url(patient), PLAN)
    assert made.status_code == 201, made.content
    assert made.json()["version"] == 1 and made.json()["who_to_tell"] == "My sister Jo"
    read = api.get(url(patient))
    assert read.status_code == 200 and read.json()["early_signs"] == "Pacing, going quiet"
    assert AuditEvent.objects.filter(
        record_type="people.SupportPlanVersion", action=AuditAction.VIEW, patient_id=patient.pk
    ).exists()


def test_plan_written_from_an_old_version_is_409_and_nothing_saved(api_as, patient):
    api = api_as("ward_staff")
    assert api.post(url(patient), PLAN).status_code == 201
    second = {"base_version": 1, "change_reason": "Reviewed with him", "early_signs": "Pacing"}
    assert api.post(url(patient), second).status_code == 201
    stale = api.post(url(patient), {**second, "early_signs": "Shouting"})
    assert stale.status_code == 409
    assert stale["Content-Type"] == "application/problem+json"
    assert SupportPlanVersion.objects.filter(patient=patient).count() == 2
    assert api.get(url(patient)).json()["early_signs"] == "Pacing"


def test_plan_bad_fields_are_422_naming_each(api_as, patient):
    api = api_as("ward_staff")
    bad = api.post(url(patient), {"base_version": 0, "who_to_tell": "Jo"})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"review_due", "what_matters"}
    assert not SupportPlanVersion.objects.exists()
    second = api.post(url(patient), PLAN)
    assert second.status_code == 201
    no_reason = api.post(url(patient), {"base_version": 1, "early_signs": "x"})
    assert no_reason.status_code == 422
    assert {e["field"] for e in no_reason.json()["errors"]} == {"change_reason"}


def test_out_of_scope_is_404_and_read_only_roles_are_403(api_as, world, patient):
    other = factories.patient(provider=world.wards["b1"].provider)
    factories.stay(patient=other, ward=world.wards["b1"])
    api = api_as("ward_staff")
    assert api.get(url(other)).status_code == 404
    assert api.post(url(other), PLAN).status_code == 404
    assert api.get(url(other, "rights-information")).status_code == 404
    regulator = api_as("regulator").post(url(patient), PLAN)
    assert regulator.status_code in (403, 404)
    assert not SupportPlanVersion.objects.exists()


def test_rights_information_recorded_and_listed(api_as, patient):
    api = api_as("ward_staff")
    body = {
        "occasion": "admission",
        "recipient": "patient",
        "outcome": "given",
        "format": "easy_read",
        "given_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
    }
    made = api.post(url(patient, "rights-information"), body)
    assert made.status_code == 201, made.content
    listed = api.get(url(patient, "rights-information")).json()
    assert [r["format"] for r in listed] == ["easy_read"]
    bad = api.post(url(patient, "rights-information"), {**body, "outcome": "refused", "format": ""})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"reason"}
    assert RightsInformation.objects.count() == 1


def test_debriefs_recorded_in_the_patients_words_and_listed(api_as, world, ward, patient):
    incident = incident_record(
        ward=ward,
        patient=patient,
        by=world.users["ward_staff"],
        interventions=typical_interventions(),
        **complete_content(),
    )
    api = api_as("ward_staff")
    path = f"/api/people/incidents/{incident.pk}/debriefs"
    body = {
        "offered_at": (T0 + dt.timedelta(hours=2)).isoformat(),
        "held_at": (T0 + dt.timedelta(hours=20)).isoformat(),
        "held_by": "Sam Nurse",
        "account": "Too many people came at once.",
        "plan_changes": "Ask me about the garden first.",
        "base_version": 0,
    }
    made = api.post(f"{path}/patient", body)
    assert made.status_code == 201, made.content
    assert made.json()["version"] == 1
    assert SupportPlanReviewRequest.objects.filter(patient=patient).count() == 1
    stale = api.post(f"{path}/patient", {**body, "change_reason": "Mine", "account": "Someone else's"})
    assert stale.status_code == 409 and stale["Content-Type"] == "application/problem+json"
    again = api.post(f"{path}/patient", {**body, "base_version": 1})
    assert again.status_code == 422
    assert {e["field"] for e in again.json()["errors"]} == {"change_reason"}
    assert Debrief.objects.filter(incident=incident).count() == 1
    (listed,) = api.get(path).json()
    assert listed["kind"] == "patient" and listed["account"] == "Too many people came at once."
    assert api.post(f"{path}/friend", body).status_code == 404
    assert api_as("commissioner").get(path).status_code == 404  # no incident records outside the provider
    refused = api_as("regulator").post(f"{path}/staff", {"not_held_reason": "x", "base_version": 0})
    assert refused.status_code in (403, 404) and refused["Content-Type"] == "application/problem+json"


def test_weekly_check_is_anonymous(api_as, ward):
    api = api_as("ward_staff")
    path = f"/api/people/wards/{ward.pk}/weekly-checks"
    saved = api.post(path, {"felt_safe": "always", "respected": "sometimes", "comment": "Kind staff"})
    assert saved.status_code == 201 and saved.json() == {"ward_id": ward.pk, "saved": True}
    (check,) = VoiceCheck.objects.all()
    assert (check.felt_safe, check.respected) == ("always", "sometimes")
    bad = api.post(path, {"felt_safe": "maybe", "respected": "no"})
    assert bad.status_code == 422 and "felt_safe" in {e["field"] for e in bad.json()["errors"]}
    assert VoiceCheck.objects.count() == 1
