"""Every list of records shown is audited against the provider whose records they are (issue 12, What
was seen 7: the API's list events carried no provider, and the pages' carried the viewer's own, none for
the regulator), so each provider's governance sees in its audit log who looked at its records."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rrp.accounts.roles import Role
from rrp.api.services import api_token_create
from rrp.core.models import AuditAction, AuditEvent
from rrp.force.services import incident_record
from rrp.web.selectors import audit_events_for
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.api.conftest import ApiClient
from tests.integration.force.incident_data import typical_interventions


@pytest.fixture
def incidents(world) -> dict[str, object]:
    """A draft incident on ward a1 (provider A) and one on ward b1 (provider B)."""
    recorders = {
        "a1": world.users["ward_staff"],
        "b1": factories.user(role=Role.WARD_STAFF, provider=world.providers[1], wards=[world.wards["b1"]]),
    }
    made = {
        key: incident_record(
            ward=world.wards[key], patient=world.patients[key], by=by, interventions=typical_interventions()
        )
        for key, by in recorders.items()
    }
    return made


def _list_events() -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=AuditAction.VIEW, record_type="force.Incident", record_id=""
        ).order_by("id")
    )


def test_the_api_list_audits_each_provider_its_own_incidents(world, incidents):
    _, token = api_token_create(user=world.users["regulator"], by=None)
    response = ApiClient(token).get("/api/incidents")
    assert response.status_code == 200 and response.json()["count"] == 2
    events = {e.provider_id: e for e in _list_events()}
    a, b = world.providers[0], world.providers[1]
    assert set(events) == {a.pk, b.pk}
    assert events[a.pk].detail["ids"] == [incidents["a1"].pk]
    assert events[b.pk].detail["ids"] == [incidents["b1"].pk]
    governance_a = audit_events_for(world.users["provider_governance"], action=AuditAction.VIEW)
    assert events[a.pk] in governance_a and events[b.pk] not in governance_a


def test_the_api_list_of_one_provider_carries_it(world, incidents):
    _, token = api_token_create(user=world.users["ward_staff"], by=None)
    assert ApiClient(token).get("/api/incidents").json()["count"] == 1
    (event,) = _list_events()
    assert event.provider_id == world.providers[0].pk


def test_the_incident_list_page_audits_each_provider_its_own_incidents(world, incidents):
    response = signed_in_client(world.users["regulator"]).get(reverse("force:incident-list"))
    assert response.status_code == 200
    events = _list_events()
    assert {e.provider_id for e in events} == {world.providers[0].pk, world.providers[1].pk}
    assert all(len(e.detail["incident_ids"]) == 1 for e in events)
