"""Issue 13 item 2 through the API: the plausibility rules of force.plausibility as problem+json naming
the field, and a long restraint saved once durations_confirmed is sent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from rrp.force.codes import IncidentFlagKind
from rrp.force.models import IncidentFlag
from rrp.people.models import StaffMember
from tests.integration.api.test_incidents_api import _create_body


def _fields(response) -> dict[str, str]:
    assert response["Content-Type"] == "application/problem+json", response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_the_api_refuses_an_incident_tomorrow_naming_the_field(api_as, ward, patient):
    body = _create_body(ward, patient, StaffMember.objects.get(family_name="Nurse").pk)
    tomorrow = (timezone.now() + dt.timedelta(days=1)).replace(microsecond=0)
    body["occurred_at"] = tomorrow.isoformat()
    body["ended_at"] = None
    response = api_as("ward_staff").post("/api/incidents", body)
    assert response.status_code == 422
    assert _fields(response)["occurred_at"].startswith("The incident's start cannot be in the future")


def test_the_api_asks_to_confirm_a_long_prone_restraint_then_flags_it(api_as, ward, patient):
    body = _create_body(ward, patient, StaffMember.objects.get(family_name="Nurse").pk)
    body["ended_at"] = None
    body["interventions"][0]["ended_at"] = (
        "2026-03-02T14:11:00Z"  # 24 h 5 min, the end date left as the start's
    )
    body["interventions"] = body["interventions"][:1]
    response = api_as("ward_staff").post("/api/incidents", body)
    assert response.status_code == 422
    fields = _fields(response)
    assert "24 hours 5 minutes" in fields["interventions[0].ended_at"] and "durations_confirmed" in fields
    response = api_as("ward_staff").post("/api/incidents", {**body, "durations_confirmed": True})
    assert response.status_code == 201, response.content
    assert IncidentFlag.objects.filter(kind=IncidentFlagKind.LONG_DURATION).count() == 1
