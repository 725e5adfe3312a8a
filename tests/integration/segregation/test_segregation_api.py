"""The seclusion and segregation API: active episodes, overdue reviews, record an episode and a review."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from rrp.api.services import api_token_create
from rrp.core.models import AuditEvent
from rrp.segregation.models import Episode, Review

H = dt.timedelta(hours=1)


class ApiClient:
    def __init__(self, token: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params):
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, data):
        return self.client.post(path, json.dumps(data), content_type="application/json", headers=self.headers)


@pytest.fixture
def api_as(world):
    def make(role: str) -> ApiClient:
        _, token = api_token_create(user=world.users[role], by=None)
        return ApiClient(token)

    return make


def test_active_episodes_with_overdue(api_as, seclusion, ward):
    response = api_as("ward_staff").get("/api/segregation/episodes/active", ward_id=ward.pk)
    assert response.status_code == 200
    (item,) = response.json()
    assert (item["id"], item["mhsds_intervention_type"]) == (seclusion.pk, "05")
    assert item["next_due"]["kind"] == "medical" and item["next_due"]["overdue"] is True
    assert [d["kind"] for d in item["overdue"]] == ["medical", "nursing"]


def test_overdue_reviews(api_as, seclusion):
    response = api_as("provider_governance").get("/api/segregation/reviews/overdue")
    assert response.status_code == 200
    assert [r["review"]["kind"] for r in response.json()] == ["medical", "nursing"]
    assert response.json()[0]["review"]["minutes_overdue"] == 120


def test_other_provider_sees_nothing(api_as, world, seclusion, ward):
    assert api_as("commissioner").get("/api/segregation/episodes/active").json() == []
    assert api_as("commissioner").get(f"/api/segregation/episodes/{seclusion.pk}").status_code == 404
    assert api_as("commissioner").get("/api/segregation/episodes/active", ward_id=ward.pk).status_code == 404


def test_create_episode_and_review(api_as, ward, patient, roster, started):
    client = api_as("ward_staff")
    response = client.post(
        "/api/segregation/episodes",
        {
            "ward_id": ward.pk,
            "patient_id": patient.pk,
            "kind": "seclusion",
            "started_at": started.isoformat(),
            "place": "Seclusion room 1",
            "reason": "Assault on staff",
            "end_plan": "End when calm",
            "authorised_by_id": roster["doctor"].pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["next_due"]["kind"] == "nursing"  # started by a doctor: the first medical review is at 4 h
    response = client.post(
        f"/api/segregation/episodes/{body['id']}/reviews",
        {
            "kind": "nursing",
            "at": (started + 2 * H).isoformat(),
            "reviewer_id": roster["nurse1"].pk,
            "second_reviewer_id": roster["nurse2"].pk,
            "outcome": "Settling",
            "decision": "continue",
        },
    )
    assert response.status_code == 201, response.content
    assert [r["kind"] for r in response.json()["reviews"]] == ["nursing"]
    assert AuditEvent.objects.filter(action="create", record_type="segregation.Episode").count() == 2


def test_create_episode_errors_are_problems(api_as, ward, patient, started):
    response = api_as("ward_staff").post(
        "/api/segregation/episodes",
        {
            "ward_id": ward.pk,
            "patient_id": patient.pk,
            "kind": "seclusion",
            "started_at": started.isoformat(),
        },
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"place", "reason", "end_plan", "authorised_by_id"} <= fields
    assert not Episode.objects.exists()


def test_review_by_wrong_role_is_refused(api_as, seclusion, roster, started):
    response = api_as("ward_staff").post(
        f"/api/segregation/episodes/{seclusion.pk}/reviews",
        {
            "kind": "medical",
            "at": (started + H).isoformat(),
            "reviewer_id": roster["nurse1"].pk,
            "outcome": "x",
            "decision": "continue",
        },
    )
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "reviewer_id" and "medical and dental" in error["message"]
    assert not Review.objects.exists()


def test_read_only_role_cannot_write(api_as, seclusion, started):
    response = api_as("regulator").post(
        f"/api/segregation/episodes/{seclusion.pk}/reviews",
        {
            "kind": "medical",
            "at": (started + H).isoformat(),
            "reviewer_name": "x",
            "outcome": "x",
            "decision": "continue",
        },
    )
    assert response.status_code == 403


def test_an_ended_episode_carries_its_missed_checks(api_as, seclusion, nurse_user, started):
    """Issue 13: an episode ended with no review and no observation is not forgotten: the API gives the
    missed reviews and observations with the episode, as the pages show them."""
    from rrp.segregation.services import episode_end

    episode_end(episode=seclusion, by=nurse_user, ended_at=started + 2 * H, end_reason="Calm for 30 minutes")
    checks = api_as("ward_staff").get(f"/api/segregation/episodes/{seclusion.pk}").json()["checks"]
    assert checks["reviews_on_time"] is False
    assert checks["reviews_missed"] >= 1 and checks["observations_missed"] >= 1
