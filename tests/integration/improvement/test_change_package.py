"""The change package and driver diagrams (issue 14, items 3 and 2): the starter set ships with a source
for every idea, providers add their own (seen by their own wards only), a driver diagram is written as an
outline without JavaScript, saved as append-only versions, and shows the cycles testing each idea."""

from __future__ import annotations

import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from rrp.accounts.roles import Role
from rrp.core.models import AppendOnlyError
from rrp.improvement import diagram_services, project_selectors, project_services
from rrp.improvement.change_package import STARTER_IDEAS
from rrp.improvement.models import ChangeIdea, DriverDiagramVersion
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.improvement.test_projects import cycle_input, figures, started  # noqa: F401

pytestmark = pytest.mark.django_db

OUTLINE = """Staff notice and act on rising tension early
- Daily safety huddle names the patients at risk
  * Safety huddles
  * Huddle card at the nurses' station
- Bad news is anticipated
  * Safewards: bad news mitigation
Patients shape their own care
- Care plans in the patient's own words
  * Advance statements on de-escalation
"""


@pytest.fixture(autouse=True)
def package(db):
    diagram_services.ensure_starter_package()


def test_the_starter_set_ships_every_safewards_intervention_each_with_its_source():
    starter = ChangeIdea.objects.filter(provider__isnull=True)
    assert starter.count() == len(STARTER_IDEAS) >= 20
    safewards = {i.title for i in starter if i.title.startswith("Safewards: ")}
    assert len(safewards) == 10
    assert all(i.source and i.driver and i.description for i in starter)
    assert diagram_services.ensure_starter_package() == 0  # idempotent


def test_a_providers_own_ideas_are_seen_by_its_wards_only(figures):  # noqa: F811
    provider = figures.wards["a1"].provider
    idea = diagram_services.change_idea_add(
        provider=provider,
        title="Evening activity programme",
        description="Structured activities from 6pm.",
        source="Our ward's 2025 project",
        driver="Meaningful activity",
        tags="activity, evenings",
        by=figures.users["provider_governance"],
    )
    assert idea in project_selectors.ideas_for(figures.users["ward_staff"])
    assert idea in project_selectors.ideas_for(figures.users["commissioner"])  # commissions provider A
    outsider = factories.user(role=Role.COMMISSIONER, commissioner=figures.commissioners[1])
    assert idea not in project_selectors.ideas_for(outsider)
    with pytest.raises(ValidationError) as raised:
        diagram_services.change_idea_add(
            provider=provider,
            title="safety huddles",
            description="x",
            source="y",
            driver="z",
            by=figures.users["provider_governance"],
        )
    assert raised.value.message_dict["title"] == ["There is already a change idea with this title"]
    with pytest.raises(PermissionDenied):
        diagram_services.change_idea_add(
            provider=provider,
            title="t",
            description="d",
            source="s",
            driver="d",
            by=figures.users["ward_staff"],
        )


def test_the_outline_becomes_a_diagram_linked_to_the_package_and_each_save_is_a_version(figures):  # noqa: F811
    project = started(figures)
    manager = figures.users["ward_manager"]
    first = diagram_services.diagram_save(project=project, outline=OUTLINE, note="First theory", by=manager)
    primary = first.content["primary"]
    assert [p["text"] for p in primary] == [
        "Staff notice and act on rising tension early",
        "Patients shape their own care",
    ]
    huddle = primary[0]["secondary"][0]["ideas"]
    assert huddle[0]["idea_id"] == ChangeIdea.objects.get(title="Safety huddles").pk
    assert huddle[1] == {"text": "Huddle card at the nurses' station", "idea_id": None}
    with pytest.raises(ValidationError) as raised:
        diagram_services.diagram_save(project=project, outline=OUTLINE, by=manager)
    assert raised.value.message_dict["outline"] == ["Nothing has changed since the latest version"]
    second = diagram_services.diagram_save(
        project=project,
        outline=OUTLINE + "- Debrief after every incident\n",
        note="Added debrief",
        by=manager,
    )
    assert (first.number, second.number) == (1, 2)
    assert [v.number for v in project_selectors.diagram_versions(project)] == [2, 1]
    first.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        first.save()
    with pytest.raises(PermissionDenied):
        diagram_services.diagram_save(project=project, outline=OUTLINE, by=figures.users["ward_staff"])


def test_an_outline_out_of_order_is_refused_naming_the_line(figures):  # noqa: F811
    project = started(figures)
    with pytest.raises(ValidationError) as raised:
        diagram_services.diagram_save(
            project=project,
            outline="  * Safety huddles\n- A secondary first\n",
            by=figures.users["ward_manager"],
        )
    assert raised.value.message_dict["outline"] == [
        "Line 1 is a change idea (\u201c* \u201d) before any secondary driver",
        "Line 2 is a secondary driver (\u201c- \u201d) before any primary driver",
    ]
    assert not DriverDiagramVersion.objects.exists()


def test_the_diagram_page_shows_the_cycles_testing_each_idea_and_is_edited_without_javascript(figures):  # noqa: F811
    project = started(figures)
    manager = figures.users["ward_manager"]
    huddles = ChangeIdea.objects.get(title="Safety huddles")
    project_services.pdsa_create(project=project, data=cycle_input(figures, change_idea=huddles), by=manager)
    url = reverse("improvement:driver-diagram", args=[project.pk])
    client = signed_in_client(manager)
    bad = client.post(url, {"outline": "- no primary", "note": ""})
    assert bad.status_code == 400
    assert "Line 1 is a secondary driver" in html.unescape(bad.content.decode())
    assert client.post(url, {"outline": OUTLINE, "note": "First"}).status_code == 302
    page = html.unescape(signed_in_client(figures.users["ward_staff"]).get(url).content.decode())
    assert "Version 1 (the latest)" in page
    assert "Daily safety huddle names the patients at risk" in page
    assert "tested in" in page and "PDSA 1" in page
    assert "Save as a new version" not in page  # ward staff read it
    assert signed_in_client(figures.users["ward_staff"]).post(url, {"outline": OUTLINE}).status_code == 403
    project_page = signed_in_client(manager).get(reverse("reports:qi-project", args=[project.pk]))
    project_text = html.unescape(project_page.content.decode())
    assert "Patients shape their own care" in project_text
    # The project page draws the tree too (issue 14 item 2), in its own labelled scroll region.
    drawn = project_text.split('aria-label="Driver diagram drawn"', 1)[1].split("</svg>", 1)[0]
    assert "<svg" in drawn and "Daily safety huddle names the patients at risk" in drawn


def test_the_change_package_page_filters_by_tag(figures):  # noqa: F811
    client = signed_in_client(figures.users["ward_staff"])
    page = html.unescape(client.get(reverse("improvement:change-ideas")).content.decode())
    assert "Safewards: talk down" in page and "Positive behaviour support plans" in page
    debrief = html.unescape(
        client.get(reverse("improvement:change-ideas"), {"tag": "debrief"}).content.decode()
    )
    assert "Post-incident debrief with the patient" in debrief
    assert "Safewards: talk down" not in debrief
    assert client.get(reverse("improvement:change-idea-new")).status_code == 403
