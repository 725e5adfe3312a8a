"""Bad input to the API (issue 12, What was seen 4, 6 and 7): every one answered with a problem+json
naming the field, never a 500 or an HTML page, and nothing stored past its declared length."""

from __future__ import annotations

import json

import pytest

from rrp.force.models import Incident, IncidentVersion, StaffInvolvement
from rrp.people.models import StaffMember
from tests.integration.api.test_incidents_api import _create_body

HUGE_ID = 2**64
PROBLEM = "application/problem+json"


def _fields(response) -> dict[str, str]:
    assert response["Content-Type"] == PROBLEM, response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def _body(ward, patient) -> dict:
    return _create_body(ward, patient, StaffMember.objects.get(family_name="Nurse").pk)


def _post_create(api_as, ward, patient, **changes):
    body = _body(ward, patient)
    body.update(changes)
    return api_as("ward_staff").post("/api/incidents", body)


def test_an_id_above_64_bits_in_the_path_is_422_not_500(api_as):
    response = api_as("ward_staff").get(f"/api/incidents/{HUGE_ID}")
    assert response.status_code == 422
    assert "incident_id" in _fields(response)


@pytest.mark.parametrize("field", ["ward_id", "patient_id"])
def test_an_id_above_64_bits_in_the_body_is_422_naming_it(api_as, ward, patient, field):
    response = _post_create(api_as, ward, patient, **{field: HUGE_ID})
    assert response.status_code == 422
    assert field in _fields(response)


def test_a_staff_member_id_above_64_bits_is_422_naming_it(api_as, ward, patient):
    body_staff = [{"part": "head", "staff_member_id": HUGE_ID}]
    response = _post_create(api_as, ward, patient, staff=body_staff)
    assert response.status_code == 422
    assert "staff[0].staff_member_id" in _fields(response)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 10**20}, "page"),
        ({"ward_id": HUGE_ID}, "ward_id"),
        ({"occurred_to": "0"}, "occurred_to"),
        ({"occurred_from": "1700000000"}, "occurred_from"),
    ],
)
def test_list_filters_out_of_range_are_422_naming_the_field(api_as, params, field):
    response = api_as("provider_governance").get("/api/incidents", **params)
    assert response.status_code == 422, response.content
    assert field in _fields(response)


@pytest.mark.parametrize(
    ("field", "length"),
    [("place_on_ward", 201), ("care_plan_notified_to", 201), ("source_system", 61), ("source_id", 101)],
)
def test_over_long_text_is_422_naming_the_field_and_nothing_is_stored(api_as, ward, patient, field, length):
    response = _post_create(api_as, ward, patient, **{field: "x" * length})
    assert response.status_code == 422, response.content
    assert field in _fields(response)
    assert not Incident.objects.exists()


@pytest.mark.parametrize(("field", "length"), [("name", 201), ("job_title", 121)])
def test_over_long_typed_staff_is_422_naming_the_field(api_as, ward, patient, field, length):
    staff = [{"part": "head", "name": "Alex Agency", "job_title": "HCA", field: "y" * length}]
    response = _post_create(api_as, ward, patient, staff=staff)
    assert response.status_code == 422, response.content
    assert f"staff[0].{field}" in _fields(response)
    assert not StaffInvolvement.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("place_on_ward", "Lounge\x00"),
        ("place_on_ward", "Lounge\tcorner"),
        ("reason_text", "Kicked \x1b[31m out"),
        ("outcome", "Settled \ud800"),
        ("source_id", "INC\n1"),
    ],
)
def test_control_characters_are_422_naming_the_field(api_as, ward, patient, field, value):
    response = _post_create(api_as, ward, patient, **{field: value})
    assert response.status_code == 422, response.content
    assert field in _fields(response)
    assert not Incident.objects.exists()


def test_free_text_keeps_tabs_and_new_lines(api_as, ward, patient):
    response = _post_create(api_as, ward, patient, reason_text="Line one\r\n\tLine two")
    assert response.status_code == 201, response.content
    assert IncidentVersion.objects.get().reason_text == "Line one\r\n\tLine two"


@pytest.mark.parametrize("when", ["2099-03-01T14:05:00Z", "0001-03-01T14:05:00Z", "1899-12-31T23:00:00"])
def test_an_incident_dated_in_the_future_or_before_1900_is_422(api_as, ward, patient, when):
    response = _post_create(api_as, ward, patient, occurred_at=when)
    assert response.status_code == 422, response.content
    assert "occurred_at" in _fields(response)


def test_an_intervention_dated_2099_is_422_naming_it(api_as, ward, patient):
    body = _body(ward, patient)
    body["interventions"][1]["started_at"] = "2099-03-01T14:17:00Z"
    body["interventions"][1]["ended_at"] = "2099-03-01T14:30:00Z"
    response = api_as("ward_staff").post("/api/incidents", body)
    assert response.status_code == 422
    assert "interventions[1].started_at" in _fields(response)


def test_a_time_as_a_number_is_422_not_1970(api_as, ward, patient):
    response = _post_create(api_as, ward, patient, occurred_at=0)
    assert response.status_code == 422
    assert "occurred_at" in _fields(response)


def test_a_10_mb_json_body_is_413_problem_json(api_as, ward, patient):
    api = api_as("ward_staff")
    body = json.dumps({**_body(ward, patient), "reason_text": "x" * 10_000_000})
    response = api.client.post("/api/incidents", body, content_type="application/json", headers=api.headers)
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
    assert "MB" in response.json()["detail"]


def test_a_body_that_is_not_json_is_a_problem_not_html(api_as):
    api = api_as("ward_staff")
    response = api.client.post(
        "/api/incidents", b"{not json", content_type="application/json", headers=api.headers
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == PROBLEM


def test_an_amendment_with_an_over_long_place_is_422(api_as, ward, patient):
    created = _post_create(api_as, ward, patient).json()
    response = api_as("ward_staff").post(
        f"/api/incidents/{created['id']}/amendments",
        {"reason": "Typo", "base_version": 1, "place_on_ward": "z" * 201},
    )
    assert response.status_code == 422
    assert "place_on_ward" in _fields(response)
    assert IncidentVersion.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("durations_confirmed", 0), ("patient_died", "yes"), ("abuse_alleged", 1), ("ward_id", "1")],
)
def test_a_yes_or_no_or_a_number_is_read_as_json_means_it(api_as, ward, patient, field, value):
    """Found by the API fuzz (tests/integration/api/test_api_fuzz.py): 0 was stored as 'no', "yes" and 1
    as 'yes', and "1" as a ward id; a client's mistake is now a 422 naming the field."""
    response = _post_create(api_as, ward, patient, **{field: value})
    assert response.status_code == 422, response.content
    assert field in _fields(response)
    assert not Incident.objects.exists()
