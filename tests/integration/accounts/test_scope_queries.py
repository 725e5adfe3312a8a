"""The viewer's scope is worked out once per request (accounts.scope.ScopeMiddleware): the ward links and
the membership answers are read at most once, however many checks a page, its services and its
navigation make. (Before, a ward manager's incident review read the links for two-factor, the first two
wards for the incident, and the ward twice more for the services' checks: four queries for one answer.)
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rrp.force.services import incident_submit
from tests.helpers import signed_in_client

# A query that only works out scope: the user's ward links (counted, or read with their providers), or
# whether a ward or provider is in reach (EXISTS, or the ids in reach).
SCOPE_QUERY = re.compile(
    r'^SELECT COUNT\(\*\) AS "__count" FROM "accounts_user_wards"'
    r'|^SELECT (?:1 AS "a"|(?:"organisations_(?:ward|provider)"\."(?:id|provider_id)"(?: AS "\w+")?(?:, )?)+) '
    r'FROM "organisations_(?:ward|provider)"'
)


def scope_queries(client, method: str, path: str, data: dict | None = None) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(path, data or {})
    assert response.status_code in (200, 302), (path, response.status_code)
    return [q["sql"] for q in captured.captured_queries if SCOPE_QUERY.match(q["sql"])]


def test_scope_query_pattern_matches_the_scope_reads(world):
    manager = world.users["ward_manager"]
    with CaptureQueriesContext(connection) as captured:
        assert manager.requires_two_factor
        list(world.users["provider_governance"].wards.values_list("pk", "provider_id"))
    assert all(SCOPE_QUERY.match(q["sql"]) for q in captured.captured_queries)


@pytest.mark.parametrize("role", ["ward_staff", "ward_manager", "provider_governance", "regulator"])
def test_pages_read_the_scope_at_most_once(world, complete_incident, role):
    client = signed_in_client(world.users[role])
    a1 = world.wards["a1"]
    pages = [
        f"/reports/wards/{a1.pk}/huddle/",
        f"/incidents/{complete_incident.pk}/",
        "/incidents/",
        f"/wards/{a1.pk}/",
        f"/wards/{a1.pk}/events/",
        "/",
    ]
    if role in ("provider_governance", "regulator"):
        pages.append(f"/reports/board/{a1.provider_id}/")
    for path in pages:
        queries = scope_queries(client, "get", path)
        assert len(queries) <= 1, (role, path, queries)


def test_writes_read_the_scope_once_for_the_view_and_its_services(world, complete_incident):
    # The view checks the role and the incident's scope; the service checks the ward again: one read.
    nurse = signed_in_client(world.users["ward_staff"])
    assert len(scope_queries(nurse, "post", f"/incidents/{complete_incident.pk}/submit/")) <= 1
    manager = signed_in_client(world.users["ward_manager"])
    assert (
        len(scope_queries(manager, "post", f"/incidents/{complete_incident.pk}/review/", {"note": ""})) <= 1
    )
    event = {
        "happened_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "label": "Safewards started",
        "kind": "change_tested",
        "description": "",
    }
    assert len(scope_queries(manager, "post", f"/wards/{world.wards['a2'].pk}/events/", event)) <= 1


def test_a_service_outside_a_request_reads_the_scope_afresh(world, complete_incident):
    # No request, no memo: a service called from the command line sees links changed since its last call.
    nurse = world.users["ward_staff"]
    incident_submit(incident=complete_incident, by=nurse)
    nurse.wards.clear()
    with pytest.raises(PermissionDenied):
        incident_submit(incident=complete_incident, by=nurse)
