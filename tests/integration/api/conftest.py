"""Fixtures for API tests: a bearer token per role, a client that sends it, and a patient on ward a1."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from rrp.api.services import api_token_create
from tests import factories


class ApiClient:
    """A test client that sends a bearer token and JSON."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params: Any):
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, data: Any = None):
        return self.client.post(
            path, json.dumps(data or {}), content_type="application/json", headers=self.headers
        )

    def upload(self, path: str, text: str, name: str = "incidents.csv"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
        return self.client.post(path, {"file": upload}, headers=self.headers)


@pytest.fixture
def api_as(world):
    """api_as("ward_staff") -> an ApiClient with a fresh token for that role's user in `world`."""

    def make(role: str) -> ApiClient:
        _, token = api_token_create(user=world.users[role], by=None)
        return ApiClient(token)

    return make


@pytest.fixture
def ward(world):
    return world.wards["a1"]


@pytest.fixture
def patient(world, ward):
    person = factories.patient(
        provider=ward.provider, nhs_number="9434765919", primary_mental_disorder="F20.0"
    )
    factories.stay(patient=person, ward=ward)
    return person
