"""No answer but a static file is kept in a cache (issue 12, What was seen 7: shared ward computers):
patient pages, the API's answers and its problems, redirects and the sign-in page carry
``Cache-Control: no-store``; static files stay cacheable."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rrp.api.services import api_token_create
from tests import factories
from tests.helpers import signed_in_client


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.fixture
def patient(world):
    return factories.patient(provider=world.providers[0], nhs_number="9434765919")


def test_patient_pages_are_no_store(world, patient):
    client = signed_in_client(world.users["ward_staff"])
    for url in (reverse("people:patient-list"), reverse("people:patient-detail", args=[patient.pk])):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert _no_store(response), url


@pytest.mark.parametrize(
    ("path", "status"),
    [("/api/incidents", 200), ("/api/incidents/999999", 404), ("/api/incidents?page=0", 422)],
)
def test_api_answers_and_problems_are_no_store(world, path, status):
    _, token = api_token_create(user=world.users["provider_governance"], by=None)
    response = Client().get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == status
    assert _no_store(response)


def test_an_api_call_without_a_token_is_no_store(db):
    response = Client().get("/api/incidents")
    assert response.status_code == 401 and _no_store(response)


def test_redirects_and_the_sign_in_page_are_no_store(db):
    redirect = Client().get(reverse("people:patient-list"))
    assert redirect.status_code == 302 and _no_store(redirect)
    assert _no_store(Client().get(redirect["Location"]))


def test_a_method_the_page_does_not_take_is_no_store(world):
    response = signed_in_client(world.users["ward_staff"]).delete(reverse("people:patient-list"))
    assert response.status_code == 405 and _no_store(response)


def test_static_files_stay_cacheable(db):
    response = Client().get("/static/vendor/js/htmx.min.js")
    response.close()  # WhiteNoise streams the file
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
