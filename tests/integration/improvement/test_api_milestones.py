"""Milestones and saved own-data series in the improvement API (issue 14 leftovers; decisions 0073, 0074,
0080): read by whoever sees the project (another provider's is 404), milestones recorded and withdrawn by
those who run it (403 for readers), bad input a problem+json 422 naming the field with nothing saved."""

from __future__ import annotations

import datetime as dt

import pytest

from rrp.accounts.roles import Role
from rrp.improvement import project_services
from rrp.improvement.models import ProjectMilestone
from tests import factories
from tests.integration.improvement.test_api import BASE, api_as  # noqa: F401
from tests.integration.improvement.test_projects import figures, started  # noqa: F401

pytestmark = pytest.mark.django_db

CSV = "month,value\n2025-01,4\n2025-02,6\n2025-03,5\n"


def _series(world, project, title="Huddles held", csv=CSV):
    return project_services.series_save(
        project=project, title=title, csv_text=csv, options={"chart": "xmr"}, by=world.users["ward_manager"]
    )


def test_milestones_are_recorded_listed_and_withdrawn_never_deleted(figures, api_as):  # noqa: F811
    project = started(figures)
    manager = api_as("ward_manager")
    url = f"{BASE}/projects/{project.pk}/milestones"
    made = manager.post(
        url, {"reached_on": "2025-05-02", "label": "Huddle card in use", "note": "All shifts"}
    )
    assert made.status_code == 201, made.content
    milestone = made.json()
    assert (milestone["label"], milestone["reached_on"], milestone["withdrawn"]) == (
        "Huddle card in use",
        "2025-05-02",
        False,
    )
    assert [m["id"] for m in api_as("ward_staff").get(url).json()] == [milestone["id"]]
    withdrawn = manager.post(f"{url}/{milestone['id']}/withdraw", {"reason": "Recorded on the wrong project"})
    assert withdrawn.status_code == 200, withdrawn.content
    assert (
        withdrawn.json()["withdrawn"]
        and withdrawn.json()["withdrawn_reason"] == "Recorded on the wrong project"
    )
    again = manager.post(f"{url}/{milestone['id']}/withdraw", {"reason": "Twice"})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "reason"
    listed = manager.get(url).json()
    assert len(listed) == 1 and listed[0]["withdrawn"]
    assert ProjectMilestone.objects.filter(pk=milestone["id"]).exists()


def test_bad_milestones_are_named_on_their_field_and_nothing_saved(figures, api_as):  # noqa: F811
    project = started(figures)
    manager = api_as("ward_manager")
    url = f"{BASE}/projects/{project.pk}/milestones"
    response = manager.post(url, {"reached_on": "2025-03-01", "label": "NHS 943 476 5919 restrained"})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert {e["field"] for e in response.json()["errors"]} == {"reached_on", "label"}
    response = manager.post(url, {"reached_on": "2025-05-01", "label": "x" * 61})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "label"
    withdraw = manager.post(f"{url}/999999/withdraw", {"reason": "No such"})
    assert withdraw.status_code == 404
    assert not ProjectMilestone.objects.exists()


def test_milestones_and_series_keep_the_projects_scope(figures, api_as):  # noqa: F811
    project = started(figures)
    milestone = project_services.milestone_record(
        project=project, reached_on=dt.date(2025, 5, 1), label="Launched", by=figures.users["ward_manager"]
    )
    _series(figures, project)
    provider_c = figures.wards["c1"].provider
    outsider = api_as(
        factories.user(role=Role.WARD_MANAGER, provider=provider_c, wards=[figures.wards["c1"]])
    )
    for path in ("milestones", "series"):
        assert outsider.get(f"{BASE}/projects/{project.pk}/{path}").status_code == 404, path
    assert (
        outsider.post(f"{BASE}/projects/{project.pk}/milestones", {"reached_on": "2025-05-01", "label": "X"})
    ).status_code == 404
    assert (
        outsider.post(
            f"{BASE}/projects/{project.pk}/milestones/{milestone.pk}/withdraw", {"reason": "Not mine"}
        ).status_code
        == 404
    )
    # Readers (ward staff, the commissioner) read both and change neither.
    for role in ("ward_staff", "commissioner"):
        reader = api_as(role)
        assert reader.get(f"{BASE}/projects/{project.pk}/milestones").status_code == 200
        assert reader.get(f"{BASE}/projects/{project.pk}/series").status_code == 200
        refused = reader.post(
            f"{BASE}/projects/{project.pk}/milestones", {"reached_on": "2025-05-01", "label": "X"}
        )
        assert refused.status_code == 403, role
    assert ProjectMilestone.objects.filter(project=project).count() == 1


def test_saved_series_are_read_as_their_latest_version(figures, api_as):  # noqa: F811
    project = started(figures)
    _series(figures, project)
    _series(figures, project, csv=CSV + "2025-04,3\n")
    _series(figures, project, title="Sensory room use")
    listed = api_as("ward_staff").get(f"{BASE}/projects/{project.pk}/series").json()
    assert [(s["title"], s["versions"]) for s in listed] == [("Huddles held", 2), ("Sensory room use", 1)]
    assert listed[0]["csv_text"].endswith("2025-04,3\n") and listed[0]["options"] == {"chart": "xmr"}


def test_the_openapi_document_lists_milestones_and_series(world, api_as):  # noqa: F811
    paths = api_as("ward_staff").get("/api/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths[f"{BASE}/projects/{{project_id}}/milestones"])
    assert "post" in paths[f"{BASE}/projects/{{project_id}}/milestones/{{milestone_id}}/withdraw"]
    assert "get" in paths[f"{BASE}/projects/{{project_id}}/series"]
