"""A collaborative's own change ideas through the improvement API (decision 0080): listed with their
collaborative to member wards' staff, chosen by a member ward's cycle, refused to a ward outside."""

from __future__ import annotations

import pytest

from rrp.accounts.roles import Role
from rrp.improvement import collaborative_services, diagram_services
from tests import factories
from tests.integration.improvement.test_api import BASE, api_as, cycle_body  # noqa: F401
from tests.integration.improvement.test_projects import figures, started  # noqa: F401

pytestmark = pytest.mark.django_db


def test_member_wards_list_and_test_the_collaboratives_own_idea(figures, api_as):  # noqa: F811
    diagram_services.ensure_starter_package()
    idea = collaborative_services.collaborative_idea_add(
        collaborative=figures.collaborative,
        title="Protected mealtimes",
        description="Staff eat with patients.",
        source="Learning set 2",
        driver="Relationships",
        by=figures.users["collaborative_lead"],
    )
    listed = {i["title"]: i for i in api_as("ward_staff").get(f"{BASE}/change-ideas").json()}
    assert listed["Protected mealtimes"]["collaborative_id"] == figures.collaborative.pk
    assert (
        listed["Protected mealtimes"]["version"] == 1 and listed["Safety huddles"]["collaborative_id"] is None
    )
    outsider = factories.user(
        role=Role.WARD_STAFF, provider=figures.wards["b1"].provider, wards=[figures.wards["b1"]]
    )
    assert "Protected mealtimes" not in {
        i["title"] for i in api_as(outsider).get(f"{BASE}/change-ideas").json()
    }

    on_member = started(figures)  # ward a1, a member
    made = api_as("ward_manager").post(
        f"{BASE}/projects/{on_member.pk}/pdsa-cycles", cycle_body(figures, change_idea_id=idea.pk)
    )
    assert made.status_code == 201 and made.json()["change_idea_id"] == idea.pk
    off_member = started(figures, wards=[figures.wards["a2"]], title="Ward A2's project")
    refused = api_as("ward_manager").post(
        f"{BASE}/projects/{off_member.pk}/pdsa-cycles",
        cycle_body(figures, ward_ids=[figures.wards["a2"].pk], change_idea_id=idea.pk),
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "change_idea_id"
