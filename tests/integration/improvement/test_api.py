"""The improvement API (issue 14, item 7): projects, PDSA cycles and the change package over
/api/improvement/, scoped as the pages are (another provider's project is 404, a read-only role's change is
403), bad input a problem+json 422 naming each field with nothing saved, a stale base_version 409."""

from __future__ import annotations

import pytest

from rrp.accounts.roles import Role
from rrp.api.services import api_token_create
from rrp.improvement import selectors
from rrp.improvement.diagram_services import ensure_starter_package
from rrp.improvement.models import ChangeIdea, PdsaCycle, QiProject
from tests import factories
from tests.integration.api.conftest import ApiClient
from tests.integration.improvement.test_projects import JAN, MEASURE, figures, started  # noqa: F401

pytestmark = pytest.mark.django_db
BASE = "/api/improvement"


@pytest.fixture
def api_as(world):
    def make(role: str) -> ApiClient:
        user = world.users[role] if isinstance(role, str) else role
        _, token = api_token_create(user=user, by=None)
        return ApiClient(token)

    return make


def body(world, **overrides):
    values = {
        "ward_ids": [world.wards["a1"].pk],
        "title": "Fewer restraints on Ward A1",
        "problem": "Restraint rose after the ward changed its patient group.",
        "aim_measure_slug": MEASURE,
        "baseline_start": "2025-01-01",
        "baseline_end": "2025-03-31",
        "aim_change_percent": 25,
        "aim_by": "2026-09-30",
        "starts_on": "2025-04-01",
        "measures": {"staff-injuries": "balancing"},
    }
    return values | overrides


def cycle_body(world, **overrides):
    values = {
        "ward_ids": [world.wards["a1"].pk],
        "title": "Huddle on the early shift",
        "objective": "Will a huddle name the patients at risk?",
        "prediction": "Two patients named a day.",
        "plan_details": "Nurse in charge, 07:45, one week.",
        "data_to_collect": "Huddles held, patients named.",
        "starts_on": "2025-04-07",
    }
    return values | overrides


def test_a_project_is_started_read_and_changed_with_its_version(figures, api_as):  # noqa: F811
    manager = api_as("ward_manager")
    made = manager.post(f"{BASE}/projects", body(figures))
    assert made.status_code == 201, made.content
    project = made.json()
    # The baseline is the measure's own figure (3 interventions over 900 bed days), never typed.
    assert project["baseline_value"] == pytest.approx(3 / 900 * 1000)
    assert project["aim_statement"].startswith("Reduce restrictive interventions per 1,000 occupied bed days")
    assert [m["role"] for m in project["measures"]] == ["outcome", "balancing"]
    assert project["team"][0]["team_role"] == "lead" and project["version"] == 1

    listed = manager.get(f"{BASE}/projects").json()
    assert [p["id"] for p in listed] == [project["id"]]

    changed = manager.client.put(
        f"{BASE}/projects/{project['id']}",
        data=body(figures, title="Safer shifts on Ward A1", base_version=1),
        content_type="application/json",
        headers=manager.headers,
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["version"] == 2 and changed.json()["title"] == "Safer shifts on Ward A1"

    stale = manager.client.put(
        f"{BASE}/projects/{project['id']}",
        data=body(figures, title="Someone else's title", base_version=1),
        content_type="application/json",
        headers=manager.headers,
    )
    assert stale.status_code == 409
    assert stale["Content-Type"] == "application/problem+json"
    assert stale.json()["errors"][0]["field"] == "base_version"
    assert QiProject.objects.get().title == "Safer shifts on Ward A1"


def test_bad_input_names_each_field_and_saves_nothing(figures, api_as):  # noqa: F811
    manager = api_as("ward_manager")
    response = manager.post(
        f"{BASE}/projects",
        body(
            figures,
            title="Patient 943 476 5919 restrained",
            baseline_start="2024-01-01",
            baseline_end="2024-03-31",
            status="finished",
        ),
    )
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert {e["field"] for e in response.json()["errors"]} == {"status"}
    response = manager.post(
        f"{BASE}/projects",
        body(
            figures,
            title="Patient 943 476 5919 restrained",
            baseline_start="2024-01-01",
            baseline_end="2024-03-31",
            ward_ids=[figures.wards["a1"].pk, 999_999],
        ),
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"ward_ids"}
    response = manager.post(
        f"{BASE}/projects",
        body(
            figures,
            title="Patient 943 476 5919 restrained",
            baseline_start="2024-01-01",
            baseline_end="2024-03-31",
        ),
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"title", "baseline_start"}, response.json()
    assert not QiProject.objects.exists()


def test_scope_both_ways(figures, api_as):  # noqa: F811
    """A project on a ward you cannot see is 404 (its cycles too); one you see but may not run is 403 to
    change; read-only roles (staff, commissioner) read but cannot start projects."""
    ours = started(figures)
    provider_c = figures.wards["c1"].provider
    theirs_manager = factories.user(role=Role.WARD_MANAGER, provider=provider_c, wards=[figures.wards["c1"]])
    theirs_api = api_as(theirs_manager)
    assert [p["id"] for p in theirs_api.get(f"{BASE}/projects").json()] == []
    assert theirs_api.get(f"{BASE}/projects/{ours.pk}").status_code == 404
    assert theirs_api.get(f"{BASE}/projects/{ours.pk}/pdsa-cycles").status_code == 404
    assert theirs_api.post(f"{BASE}/projects/{ours.pk}/pdsa-cycles", cycle_body(figures)).status_code == 404
    # Starting a project on a ward outside your scope names the ward, as if it did not exist.
    response = theirs_api.post(f"{BASE}/projects", body(figures))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "ward_ids"

    for role in ("ward_staff", "commissioner"):
        reader = api_as(role)
        assert [p["id"] for p in reader.get(f"{BASE}/projects").json()] == [ours.pk]
        assert reader.post(f"{BASE}/projects", body(figures)).status_code == 403
        assert reader.post(f"{BASE}/projects/{ours.pk}/pdsa-cycles", cycle_body(figures)).status_code == 403
    assert PdsaCycle.objects.count() == 0


def test_pdsa_cycles_are_planned_moved_on_and_on_the_charts(figures, api_as):  # noqa: F811
    project = started(figures)
    manager = api_as("ward_manager")
    ensure_starter_package()
    idea = ChangeIdea.objects.get(title="Safety huddles")
    made = manager.post(
        f"{BASE}/projects/{project.pk}/pdsa-cycles", cycle_body(figures, change_idea_id=idea.pk)
    )
    assert made.status_code == 201, made.content
    cycle = made.json()
    assert (cycle["number"], cycle["stage"], cycle["change_idea_id"]) == (1, "Plan", idea.pk)
    labels = [e.label for e in selectors.events_by_ward([figures.wards["a1"].pk])[figures.wards["a1"].pk]]
    assert "PDSA 1: Huddle on the early shift" in labels

    url = f"{BASE}/projects/{project.pk}/pdsa-cycles/{cycle['id']}"

    def put(**changes):
        return manager.client.put(
            url, data=cycle_body(figures, **changes), content_type="application/json", headers=manager.headers
        )

    # A decision needs the study first; the study needs what happened.
    refused = put(decision="adopt", base_version=1)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"study"}
    done = put(what_happened="Held on four days.", study="Prediction met.", decision="adapt", base_version=1)
    assert done.status_code == 200, done.content
    assert (done.json()["stage"], done.json()["version"]) == ("Act", 2)
    assert put(title="Too late", base_version=1).status_code == 409
    following = manager.post(
        f"{BASE}/projects/{project.pk}/pdsa-cycles",
        cycle_body(figures, title="Every shift", previous_id=cycle["id"]),
    )
    assert following.status_code == 201 and following.json()["previous_id"] == cycle["id"]
    listed = manager.get(f"{BASE}/projects/{project.pk}/pdsa-cycles").json()
    assert [c["number"] for c in listed] == [1, 2]
    # Another project's cycle is not one to follow.
    other = started(figures, title="Another project")
    response = manager.post(
        f"{BASE}/projects/{other.pk}/pdsa-cycles", cycle_body(figures, previous_id=cycle["id"])
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "previous_id"


def test_the_change_package_is_read_and_added_to_by_qi_leads(world, api_as):
    ensure_starter_package()
    ideas = api_as("ward_staff").get(f"{BASE}/change-ideas").json()
    assert any(i["title"] == "Safewards: soft words" and "Bowers" in i["source"] for i in ideas)
    safewards = api_as("ward_staff").get(f"{BASE}/change-ideas", tag="safewards").json()
    assert safewards and all("safewards" in i["tags"] for i in safewards)

    new = {
        "title": "Protected engagement time",
        "description": "An hour a day when staff spend time with patients, not paperwork.",
        "source": "Our own ward",
        "driver": "Relationships",
        "tags": "engagement",
    }
    assert api_as("ward_staff").post(f"{BASE}/change-ideas", new).status_code == 403
    made = api_as("provider_governance").post(f"{BASE}/change-ideas", new)
    assert made.status_code == 201 and made.json()["provider_id"] == world.wards["a1"].provider_id
    again = api_as("provider_governance").post(f"{BASE}/change-ideas", new)
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "title"
    # Another provider's QI lead does not see it.
    other = factories.user(
        role=Role.PROVIDER_GOVERNANCE, provider=world.wards["c1"].provider, is_responsible_person=True
    )
    titles = {i["title"] for i in api_as(other).get(f"{BASE}/change-ideas").json()}
    assert "Protected engagement time" not in titles and "Safety huddles" in titles


def test_the_openapi_document_lists_the_improvement_operations(world, api_as):
    paths = api_as("ward_staff").get("/api/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths[f"{BASE}/projects"])
    assert {"get", "put"} <= set(paths[f"{BASE}/projects/{{project_id}}"])
    assert {"get", "post"} <= set(paths[f"{BASE}/projects/{{project_id}}/pdsa-cycles"])
    assert {"get", "post"} <= set(paths[f"{BASE}/change-ideas"])
