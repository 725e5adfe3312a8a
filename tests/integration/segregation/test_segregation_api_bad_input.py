"""Bad input to the seclusion and segregation API (issue 12, What was seen 4 and 6): over-long text, NUL
and other control characters, ids past 64 bits and times given as numbers are 422 problem+json naming the
field, never a 500 on PostgreSQL, a silently ignored value or 1 January 1970; nothing is stored."""

from __future__ import annotations

import datetime as dt

import pytest

from rrp.api.services import api_token_create
from rrp.segregation.models import Episode, Review
from tests.integration.api.conftest import ApiClient

HUGE_ID = 2**64
PROBLEM = "application/problem+json"


@pytest.fixture
def api_as(world):
    def make(role: str) -> ApiClient:
        _, token = api_token_create(user=world.users[role], by=None)
        return ApiClient(token)

    return make


def _fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == PROBLEM
    return {e["field"] for e in response.json()["errors"]}


def _episode(ward, patient, roster, started, **changes) -> dict:
    body = {
        "ward_id": ward.pk,
        "patient_id": patient.pk,
        "kind": "seclusion",
        "started_at": started.isoformat(),
        "place": "Seclusion room 1",
        "reason": "Assault on staff",
        "end_plan": "End when calm",
        "authorised_by_id": roster["doctor"].pk,
    }
    return body | changes


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("place", "x" * 201),
        ("place", "Room\x001"),
        ("reason", "Kicked\x00 out"),
        ("authorised_by_name", "n" * 201),
        ("commissioner_representative", "c" * 201),
        ("ward_id", HUGE_ID),
        ("patient_id", HUGE_ID),
        ("authorised_by_id", HUGE_ID),
        ("incident_id", HUGE_ID),
        ("started_at", "2099-01-01T00:00:00Z"),
        ("started_at", 0),
    ],
)
def test_bad_episode_fields_are_422_naming_the_field(api_as, ward, patient, roster, started, field, value):
    body = _episode(ward, patient, roster, started, **{field: value})
    response = api_as("ward_staff").post("/api/segregation/episodes", body)
    assert field in _fields(response)
    assert not Episode.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("outcome", "Settling\x00"),
        ("reviewer_name", "r" * 201),
        ("reviewer_role", "r" * 201),
        ("reviewer_id", HUGE_ID),
        ("at", "2099-01-01T00:00:00Z"),
    ],
)
def test_bad_review_fields_are_422_naming_the_field(api_as, seclusion, roster, started, field, value):
    body = {
        "kind": "nursing",
        "at": (started + dt.timedelta(hours=2)).isoformat(),
        "reviewer_id": roster["nurse1"].pk,
        "second_reviewer_id": roster["nurse2"].pk,
        "outcome": "Settling",
        "decision": "continue",
    } | {field: value}
    response = api_as("ward_staff").post(f"/api/segregation/episodes/{seclusion.pk}/reviews", body)
    assert field in _fields(response)
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        f"/api/segregation/episodes/{HUGE_ID}",
        f"/api/segregation/episodes/active?ward_id={HUGE_ID}",
        f"/api/segregation/episodes/active?provider_id={HUGE_ID}",
        f"/api/segregation/reviews/overdue?ward_id={HUGE_ID}",
    ],
)
def test_ids_past_64_bits_in_the_address_are_422(api_as, path):
    api = api_as("ward_staff")
    response = api.client.get(path, headers=api.headers)
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM
