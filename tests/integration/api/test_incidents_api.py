"""The incidents API: the same services, validation and scope as the pages, errors as problem+json."""

from __future__ import annotations

import dataclasses

import pytest

from rrp.core.models import AuditAction, AuditEvent
from rrp.force.models import Incident
from rrp.force.services import incident_record
from rrp.people.models import StaffMember
from tests.integration.force.incident_data import T0, complete_content, two_staff, typical_interventions


def _json_content() -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in complete_content().items()}


def _create_body(ward, patient, roster_id: int | None = None) -> dict:
    return {
        "ward_id": ward.pk,
        "patient_id": patient.pk,
        **_json_content(),
        "interventions": [
            {
                "type_code": "01",
                "started_at": "2026-03-01T14:06:00Z",
                "ended_at": "2026-03-01T14:15:00Z",
                "in_care_plan": False,
            },
            {
                "type_code": "09",
                "started_at": "2026-03-01T14:15:00Z",
                "ended_at": "2026-03-01T14:30:00Z",
                "in_care_plan": False,
            },
            {
                "type_code": "14",
                "started_at": "2026-03-01T14:25:00Z",
                "ended_at": "2026-03-01T14:26:00Z",
                "in_care_plan": True,
            },
        ],
        "staff": [
            {"part": "head", "staff_member_id": roster_id},
            {"part": "left_arm", "name": "Alex Agency", "job_title": "Healthcare assistant (agency)"},
        ],
    }


@pytest.fixture
def existing(world, ward, patient):
    return incident_record(
        ward=ward,
        patient=patient,
        by=world.users["ward_staff"],
        interventions=typical_interventions(),
        staff=two_staff(StaffMember.objects.get(family_name="Nurse")),
        **complete_content(),
    )


def test_create_incident_records_draft_version_one(api_as, ward, patient):
    roster = StaffMember.objects.get(family_name="Nurse")
    response = api_as("ward_staff").post("/api/incidents", _create_body(ward, patient, roster.pk))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["version"] == 1 and body["ward_code"] == ward.code
    assert [i["type_code"] for i in body["interventions"]] == ["01", "09", "14"]
    assert body["interventions"][0]["duration_minutes"] == 9
    assert body["staff"][0] == {
        "staff_member_id": roster.pk,
        "name": "Sam Nurse",
        "job_title": "Staff nurse",
        "part": "head",
    }
    assert body["missing_statutory_items"] == []
    incident = Incident.objects.get(pk=body["id"])
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, record_id=str(incident.pk), path="/api/incidents"
    ).exists()


def test_create_incident_naive_times_are_uk_local(api_as, ward, patient):
    body = {"ward_id": ward.pk, "patient_id": patient.pk, "occurred_at": "2026-07-01T14:05:00"}
    response = api_as("ward_staff").post("/api/incidents", body)
    assert response.status_code == 201
    assert response.json()["occurred_at"].startswith("2026-07-01T13:05")  # BST is UTC+1


def test_create_incident_lists_each_bad_field_as_problem(api_as, ward, patient):
    body = _create_body(ward, patient, StaffMember.objects.get(family_name="Nurse").pk)
    body["reason_code"] = "42"
    body["interventions"][0]["type_code"] = "02"
    body["interventions"][1]["ended_at"] = "2026-03-01T13:00:00Z"
    body["staff"][1]["part"] = "juggler"
    response = api_as("ward_staff").post("/api/incidents", body)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:rrp:problem:validation" and problem["status"] == 422
    fields = {e["field"]: e["message"] for e in problem["errors"]}
    assert set(fields) == {
        "reason_code",
        "interventions[0].type_code",
        "interventions[1].ended_at",
        "staff[1].part",
    }
    assert "no longer a valid" in fields["interventions[0].type_code"]
    assert Incident.objects.count() == 0


def test_create_incident_schema_errors_name_each_field(api_as, ward, patient):
    body = {
        "ward_id": "not a number",
        "patient_id": patient.pk,
        "occurred_at": "yesterday",
        "interventions": [{"type_code": "01"}],
    }
    response = api_as("ward_staff").post("/api/incidents", body)
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"ward_id", "occurred_at", "interventions[0].started_at"}


def test_create_incident_malformed_json_is_400_problem(api_as):
    client = api_as("ward_staff")
    response = client.client.post(
        "/api/incidents", "{not json", content_type="application/json", headers=client.headers
    )
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:rrp:problem:invalid-request"


def test_create_incident_on_ward_out_of_scope_names_the_field(api_as, world, patient):
    body = {"ward_id": world.wards["b1"].pk, "patient_id": world.patients["b1"].pk}
    response = api_as("ward_staff").post("/api/incidents", body)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"ward_id", "patient_id"}


def test_create_incident_staff_of_another_provider_is_refused(api_as, world, ward, patient):
    other = StaffMember.objects.create(
        provider=world.providers[1],
        given_name="Bo",
        family_name="Other",
        job_title="Nurse",
        staff_group="nursing",
    )
    body = {
        "ward_id": ward.pk,
        "patient_id": patient.pk,
        "reason_code": "42",
        "staff": [{"part": "head", "staff_member_id": other.pk}],
    }
    response = api_as("ward_staff").post("/api/incidents", body)
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors["staff[0].staff_member_id"] == "No member of staff of the ward's provider has this id"
    assert set(errors) == {"staff[0].staff_member_id", "staff[0].name", "reason_code"}
    assert Incident.objects.count() == 0


@pytest.mark.parametrize("role", ["commissioner", "regulator", "national_analyst"])
def test_read_only_roles_get_403_on_writes(api_as, role, ward, patient, existing):
    client = api_as(role)
    for path, body in [
        ("/api/incidents", {"ward_id": ward.pk, "patient_id": patient.pk}),
        (f"/api/incidents/{existing.pk}/amendments", {"reason": "x", "base_version": 1, "outcome": "y"}),
        (f"/api/incidents/{existing.pk}/submit", {}),
    ]:
        response = client.post(path, body)
        assert response.status_code == 403, path
        assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("ward_staff", True),
        ("ward_manager", True),
        ("provider_governance", True),
        ("regulator", True),
        ("commissioner", False),
        ("national_analyst", False),
        ("system_admin", False),
    ],
)
def test_read_and_list_follow_scope_per_role(api_as, role, sees, existing):
    client = api_as(role)
    read = client.get(f"/api/incidents/{existing.pk}")
    listed = client.get("/api/incidents")
    assert read.status_code == (200 if sees else 404)
    assert listed.status_code == 200
    assert [i["id"] for i in listed.json()["items"]] == ([existing.pk] if sees else [])
    if not sees:
        assert read["Content-Type"] == "application/problem+json"


def test_other_providers_incident_is_404_for_every_verb(api_as, world):
    other_ward, other_patient = world.wards["b1"], world.patients["b1"]
    governance_b = world.users["provider_governance"]
    governance_b.provider = other_ward.provider
    governance_b.save()
    incident = incident_record(ward=other_ward, patient=other_patient, by=governance_b)
    client = api_as("ward_staff")
    assert client.get(f"/api/incidents/{incident.pk}").status_code == 404
    assert (
        client.post(
            f"/api/incidents/{incident.pk}/amendments", {"reason": "x", "base_version": 1}
        ).status_code
        == 404
    )
    assert client.post(f"/api/incidents/{incident.pk}/submit").status_code == 404


def test_read_incident_is_audited(api_as, world, existing):
    api_as("regulator").get(f"/api/incidents/{existing.pk}")
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, record_id=str(existing.pk), actor_id=world.users["regulator"].pk
    ).exists()


def test_list_filters_by_ward_dates_and_type_and_paginates(api_as, world, ward, patient, existing):
    nurse = world.users["ward_manager"]
    rt = typical_interventions()[2]
    second = incident_record(
        ward=world.wards["a2"],
        patient=world.patients["a2"],
        by=nurse,
        occurred_at=T0.replace(month=5),
        interventions=[dataclasses.replace(rt, started_at=rt.started_at.replace(month=5), ended_at=None)],
    )
    client = api_as("ward_manager")
    ids = lambda **q: [i["id"] for i in client.get("/api/incidents", **q).json()["items"]]  # noqa: E731
    assert ids() == [second.pk, existing.pk]
    assert ids(ward_id=ward.pk) == [existing.pk]
    assert ids(occurred_from="2026-04-01") == [second.pk]
    assert ids(occurred_to="2026-03-01") == [existing.pk]
    assert ids(type_code="01") == [existing.pk]
    assert ids(type_code="14") == [second.pk, existing.pk]
    page = client.get("/api/incidents", page=2, page_size=1).json()
    assert (page["count"], page["pages"], [i["id"] for i in page["items"]]) == (2, 2, [existing.pk])


def test_list_bad_filters_are_problems(api_as):
    response = api_as("ward_staff").get("/api/incidents", type_code="02", page_size=500, page=0)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"type_code", "page_size", "page"}


def test_amend_adds_version_with_reason(api_as, existing):
    response = api_as("ward_staff").post(
        f"/api/incidents/{existing.pk}/amendments",
        {"reason": "Outcome was wrong", "base_version": 1, "outcome": "Moved to seclusion"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["version"] == 2 and body["change_reason"] == "Outcome was wrong"
    assert body["content"]["outcome"] == "Moved to seclusion"
    assert body["content"]["place_on_ward"] == "Lounge"  # carried forward
    assert len(body["interventions"]) == 3


def test_amend_from_an_older_version_is_409_and_saves_nothing(api_as, existing):
    """Two clients read version 1; the first amends; the second's amendment, made from version 1, would
    silently put back the outcome the first changed. It is refused, naming the latest version."""
    first, second = api_as("ward_staff"), api_as("ward_manager")
    saved = first.post(
        f"/api/incidents/{existing.pk}/amendments",
        {"reason": "Outcome", "base_version": 1, "outcome": "Moved to seclusion"},
    )
    assert saved.status_code == 201 and saved.json()["version"] == 2
    stale = second.post(
        f"/api/incidents/{existing.pk}/amendments",
        {"reason": "Place", "base_version": 1, "place_on_ward": "Garden", "outcome": "Settled"},
    )
    assert stale.status_code == 409
    assert stale["Content-Type"] == "application/problem+json"
    problem = stale.json()
    assert problem["type"] == "urn:rrp:problem:stale-version"
    assert problem["errors"] == [{"field": "base_version", "message": "The latest version is 2"}]
    assert existing.versions.count() == 2
    assert existing.versions.get(number=2).outcome == "Moved to seclusion"
    again = second.post(
        f"/api/incidents/{existing.pk}/amendments",
        {"reason": "Place", "base_version": 2, "place_on_ward": "Garden"},
    )
    assert again.status_code == 201
    assert again.json()["content"]["outcome"] == "Moved to seclusion"


def test_amend_without_base_version_is_422(api_as, existing):
    response = api_as("ward_staff").post(f"/api/incidents/{existing.pk}/amendments", {"reason": "x"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["base_version"]


def test_amend_without_reason_is_refused(api_as, existing):
    client = api_as("ward_staff")
    assert {
        e["field"]
        for e in client.post(
            f"/api/incidents/{existing.pk}/amendments", {"base_version": 1, "outcome": "x"}
        ).json()["errors"]
    } == {"reason"}
    response = client.post(
        f"/api/incidents/{existing.pk}/amendments", {"reason": "  ", "base_version": 1, "outcome": "x"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "reason", "message": "Say why you are changing this record"}
    ]
    assert existing.versions.count() == 1


def test_submit_moves_to_submitted_then_conflicts(api_as, existing):
    client = api_as("ward_staff")
    response = client.post(f"/api/incidents/{existing.pk}/submit")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    again = client.post(f"/api/incidents/{existing.pk}/submit")
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    assert again.json()["errors"][0]["field"] == "status"


def test_submit_incomplete_lists_missing_statutory_items(api_as, world, ward, patient):
    incident = incident_record(ward=ward, patient=patient, by=world.users["ward_staff"])
    response = api_as("ward_staff").post(f"/api/incidents/{incident.pk}/submit")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert len(errors) > 3 and {e["field"] for e in errors} == {"statutory_items"}


def test_openapi_is_served_and_documents_problem_json(client, world):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert {
        "/api/incidents",
        "/api/incidents/{incident_id}",
        "/api/incidents/{incident_id}/amendments",
        "/api/incidents/{incident_id}/submit",
        "/api/incidents/import",
    } <= set(paths)
    create = paths["/api/incidents"]["post"]
    assert "application/problem+json" in create["responses"]["422"]["content"]
    assert "application/problem+json" in create["responses"]["401"]["content"]
    assert "application/json" in create["responses"]["201"]["content"]
    assert "Problem" in schema["components"]["schemas"] and "FieldProblem" in schema["components"]["schemas"]
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_create_incident_with_only_an_unknown_staff_id_saves_nothing(api_as, world, ward, patient):
    body = {
        "ward_id": ward.pk,
        "patient_id": patient.pk,
        "staff": [{"part": "head", "staff_member_id": 999999}],
    }
    response = api_as("ward_staff").post("/api/incidents", body)
    assert response.status_code == 422
    assert "staff[0].staff_member_id" in {e["field"] for e in response.json()["errors"]}
    assert Incident.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE, record_type="force.Incident").exists()


def test_every_operation_declares_the_errors_any_operation_may_answer(client, world):
    """Issue 12, What was seen 7: the OpenAPI did not declare the 422 and 400 some endpoints give."""
    schema = client.get("/api/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            expected = {"401", "422", "503"} | ({"400", "413"} if "requestBody" in operation else set())
            responses = operation["responses"]
            assert expected <= set(responses), (method, path)
            for status in expected:
                assert "application/problem+json" in responses[status]["content"], (method, path, status)
            assert "Retry-After" in responses["503"]["headers"]


def test_openapi_document_has_no_duplicated_keys(client, world):
    """The declared errors were added as "401" beside ninja's own 401, so the served JSON held the key twice
    and Swagger UI at /api/docs refused the whole document ("duplicated mapping key")."""
    import json

    duplicated = []

    def pairs_hook(pairs):
        keys = [key for key, _ in pairs]
        duplicated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(client.get("/api/openapi.json").content, object_pairs_hook=pairs_hook)
    assert duplicated == []


def test_openapi_types_an_incidents_content(client, world):
    """Issue 12, What was seen 7: the content was a free dictionary; now each content field is typed."""
    from rrp.force.models import CONTENT_FIELDS

    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    content = schemas["IncidentOut"]["properties"]["content"]
    assert content == {"$ref": "#/components/schemas/IncidentContentOut"}
    properties = schemas["IncidentContentOut"]["properties"]
    assert set(properties) == set(CONTENT_FIELDS)
    assert properties["patient_died"]["anyOf"] == [{"type": "boolean"}, {"type": "null"}]
    assert properties["deescalation"] == {
        "items": {"type": "string"},
        "title": "Deescalation",
        "type": "array",
    }


def test_amending_a_voided_incident_is_409_naming_the_void(api_as, existing, world):
    from rrp.force.services import incident_void

    incident_void(incident=existing, by=world.users["provider_governance"], reason="A test record")
    response = api_as("ward_staff").post(
        f"/api/incidents/{existing.pk}/amendments", {"reason": "x", "base_version": 1, "outcome": "y"}
    )
    assert response.status_code == 409 and response["Content-Type"] == "application/problem+json"
    [problem] = response.json()["errors"]
    assert problem["field"] == "status" and problem["message"].startswith("This record was voided on")
    assert existing.versions.count() == 1


def test_a_ward_manager_corrects_the_patient_through_the_api(api_as, world, ward, patient, existing):
    """Issue 13 item 5 (decision 0021): a new version naming the right patient, problem+json naming
    the field when refused, 409 when stale."""
    from tests import factories

    right = factories.patient(provider=ward.provider)
    factories.stay(patient=right, ward=ward)
    url = f"/api/incidents/{existing.pk}/patient-corrections"
    manager = api_as("ward_manager")

    refused = api_as("ward_staff").post(url, {"patient_id": right.pk, "reason": "x", "base_version": 1})
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    same = manager.post(url, {"patient_id": patient.pk, "reason": "x", "base_version": 1})
    assert same.status_code == 422 and [e["field"] for e in same.json()["errors"]] == ["patient_id"]
    unseen = manager.post(url, {"patient_id": world.patients["b1"].pk, "reason": "x", "base_version": 1})
    assert unseen.status_code == 422 and unseen.json()["errors"] == [
        {"field": "patient_id", "message": "No patient you can see has this id"}
    ]
    stale = manager.post(url, {"patient_id": right.pk, "reason": "x", "base_version": 2})
    assert stale.status_code == 409

    done = manager.post(url, {"patient_id": right.pk, "reason": "Next bed", "base_version": 1})
    assert done.status_code == 201, done.content
    assert (done.json()["patient_id"], done.json()["version"]) == (right.pk, 2)
    assert manager.get(f"/api/incidents/{existing.pk}").json()["patient_id"] == right.pk


@pytest.mark.parametrize("code", ["05", "06"])
def test_the_api_refuses_seclusion_or_segregation_as_a_type_of_force(
    api_as, world, ward, patient, existing, code
):
    """Issue 13: seclusion and segregation are episodes linked to the incident (decision 0020): a new
    record or an amendment sending 05 or 06 is 422 problem+json naming the row's type_code."""
    body = _create_body(ward, patient, StaffMember.objects.get(family_name="Nurse").pk)
    body["interventions"][1]["type_code"] = code
    client = api_as("ward_manager")
    created = client.post("/api/incidents", body)
    assert created.status_code == 422 and created["Content-Type"] == "application/problem+json"
    errors = created.json()["errors"]
    assert [e["field"] for e in errors] == ["interventions[1].type_code"]
    assert "episode" in errors[0]["message"] and "/api/segregation/episodes" in errors[0]["message"]
    amended = client.post(
        f"/api/incidents/{existing.pk}/amendments",
        {"reason": "x", "base_version": 1, "interventions": body["interventions"]},
    )
    assert amended.status_code == 422
    assert [e["field"] for e in amended.json()["errors"]] == ["interventions[1].type_code"]
    assert Incident.objects.count() == 1 and existing.versions.count() == 1
