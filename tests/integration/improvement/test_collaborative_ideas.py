"""A collaborative's own change ideas (issue 14 leftovers; decision 0080): written by its lead beside the
starter set, changed as new versions (append-only), withdrawn and never deleted; member wards' projects
choose them like the starter ideas, and they appear in the collaborative's change package and its spread
and adopters charts.

The world (tests/factories.build_world): "National cohort" has wards a1 and c1 (not a2) and is led by the
collaborative lead; the ward manager runs a1 and a2."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from rrp.core.concurrency import StaleVersion
from rrp.core.models import AppendOnlyError, AuditEvent
from rrp.improvement import collaborative_services, diagram_services, project_selectors, project_services
from rrp.improvement.models import ChangeIdea, ChangeIdeaVersion
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.improvement.test_projects import cycle_input, figures, started  # noqa: F401

pytestmark = pytest.mark.django_db

IDEA = {
    "title": "Protected mealtimes with staff at the table",
    "description": "Staff eat with patients; no tasks or observations during meals.",
    "source": "Shared by member wards at learning set 2",
    "driver": "Ward culture and relationships",
    "tags": "mealtimes, relationships",
}


@pytest.fixture(autouse=True)
def package(db):
    diagram_services.ensure_starter_package()


def _write(world, **overrides) -> ChangeIdea:
    values = IDEA | {"collaborative": world.collaborative, "by": world.users["collaborative_lead"]}
    return collaborative_services.collaborative_idea_add(**(values | overrides))


def _change(world, idea, **overrides) -> ChangeIdea:
    values = IDEA | {"note": "", "base_version": idea.version, "by": world.users["collaborative_lead"]}
    return collaborative_services.collaborative_idea_change(idea=idea, **(values | overrides))


def test_the_lead_writes_an_idea_that_member_projects_may_test(figures):  # noqa: F811
    idea = _write(figures)
    assert (idea.collaborative, idea.provider, idea.version) == (figures.collaborative, None, 1)
    assert [v.number for v in idea.versions.all()] == [1]
    assert AuditEvent.objects.filter(record_type="improvement.ChangeIdea", record_id=str(idea.pk)).exists()
    on_member = started(figures)  # ward a1, a member
    off_member = started(figures, wards=[figures.wards["a2"]], title="Ward A2's project")
    assert idea in project_selectors.ideas_for_project(on_member)
    assert idea not in project_selectors.ideas_for_project(off_member)
    assert diagram_services.ideas_for_project(on_member)[IDEA["title"].lower()] == idea.pk
    # A cycle on the member ward tests it, as it would a starter idea.
    cycle = project_services.pdsa_create(
        project=on_member, data=cycle_input(figures, change_idea=idea), by=figures.users["ward_manager"]
    )
    assert cycle.change_idea == idea
    # Read in the change package by the member ward's staff and the collaborative's analysts, not by a
    # ward outside the collaborative.
    assert idea in project_selectors.ideas_for(figures.users["ward_staff"])
    assert idea in project_selectors.ideas_for(figures.users["national_analyst"])
    outsider = factories.user(
        role="ward_staff", provider=figures.wards["b1"].provider, wards=[figures.wards["b1"]]
    )
    assert idea not in project_selectors.ideas_for(outsider)


def test_a_change_is_a_new_version_and_the_old_ones_stay(world):
    idea = _write(world)
    changed = _change(world, idea, description="Staff eat with patients at every meal.", note="Every meal")
    assert changed.version == 2 and changed.description == "Staff eat with patients at every meal."
    versions = list(ChangeIdeaVersion.objects.filter(idea=idea).order_by("number"))
    assert [(v.number, v.description) for v in versions] == [
        (1, IDEA["description"]),
        (2, "Staff eat with patients at every meal."),
    ]
    assert versions[1].note == "Every meal" and versions[1].saved_by == world.users["collaborative_lead"]
    with pytest.raises(StaleVersion):
        _change(world, changed, base_version=1, description="From an old copy")
    with pytest.raises(ValidationError) as raised:
        _change(world, changed, description="Staff eat with patients at every meal.")
    assert "Nothing has changed" in raised.value.message_dict["title"][0]
    # Versions are append-only (the database's triggers: tests/integration/core/test_append_only_sql.py).
    with pytest.raises(AppendOnlyError):
        ChangeIdeaVersion.objects.filter(pk=versions[0].pk).update(description="Rewritten")
    with pytest.raises(AppendOnlyError):
        ChangeIdeaVersion.objects.filter(pk=versions[0].pk).delete()


def test_bad_ideas_are_named_on_their_field_and_nothing_is_saved(world):
    with pytest.raises(ValidationError) as raised:
        _write(world, title="Safety huddles", description="", source="NHS 943 476 5919", source_url="ftp://x")
    errors = raised.value.message_dict
    assert set(errors) == {"title", "description", "source", "source_url"}
    assert "already a change idea" in errors["title"][0]
    with pytest.raises(ValidationError) as raised:
        _write(world, title="", driver="")
    assert set(raised.value.message_dict) == {"title", "driver"}
    assert not ChangeIdea.objects.filter(collaborative__isnull=False).exists()
    assert not ChangeIdeaVersion.objects.exists()


def test_only_the_collaboratives_lead_writes_changes_or_withdraws(world):
    idea = _write(world)
    for user in (
        world.users["national_analyst"],
        world.users["provider_governance"],
        factories.user(role="collaborative_lead"),
    ):
        with pytest.raises(PermissionDenied):
            _write(world, title="Not theirs", by=user)
        with pytest.raises(PermissionDenied):
            _change(world, idea, description="Not theirs", by=user)
        with pytest.raises(PermissionDenied):
            collaborative_services.collaborative_idea_withdraw(idea=idea, reason="Not theirs", by=user)
    idea.refresh_from_db()
    assert idea.version == 1 and idea.withdrawn_at is None


def test_a_withdrawn_idea_is_kept_off_new_tests_and_stays_on_its_cycles(figures):  # noqa: F811
    idea = _write(figures)
    project = started(figures)
    manager = figures.users["ward_manager"]
    cycle = project_services.pdsa_create(
        project=project, data=cycle_input(figures, change_idea=idea), by=manager
    )
    with pytest.raises(ValidationError) as raised:
        collaborative_services.collaborative_idea_withdraw(
            idea=idea, reason=" ", by=figures.users["collaborative_lead"]
        )
    assert "Say why" in raised.value.message_dict["reason"][0]
    collaborative_services.collaborative_idea_withdraw(
        idea=idea, reason="Merged into protected engagement", by=figures.users["collaborative_lead"]
    )
    idea.refresh_from_db()
    assert idea.withdrawn_at is not None and idea.withdrawn_reason == "Merged into protected engagement"
    # The project that tests it keeps it (its cycle can still be saved); a new project is not offered it.
    assert idea in project_selectors.ideas_for_project(project)
    other = started(figures, title="A later project")
    assert idea not in project_selectors.ideas_for_project(other)
    assert idea not in project_selectors.ideas_for(figures.users["ward_staff"])
    cycle.refresh_from_db()
    assert cycle.change_idea_id == idea.pk
    with pytest.raises(ValidationError):
        _change(figures, idea, description="After withdrawal")
    assert ChangeIdea.objects.filter(pk=idea.pk).exists()


def test_the_package_page_and_the_lead_pages(world):
    lead = signed_in_client(world.users["collaborative_lead"])
    new = reverse("improvement:collaborative-idea-new", args=[world.collaborative.pk])
    response = lead.post(new, {"title": "", "description": "", "driver": "", "source": ""})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "There is a problem" in page and "Enter the change idea's title" in page
    response = lead.post(new, IDEA)
    assert response.status_code == 302
    idea = ChangeIdea.objects.get(collaborative=world.collaborative)
    package_url = reverse("improvement:collaborative-package", args=[world.collaborative.pk])
    assert (
        lead.get(package_url)
        .content.decode()
        .count(reverse("improvement:collaborative-idea-edit", args=[world.collaborative.pk, idea.pk]))
        == 1
    )
    edit = reverse("improvement:collaborative-idea-edit", args=[world.collaborative.pk, idea.pk])
    response = lead.post(edit, IDEA | {"description": "Every meal.", "note": "Clearer", "base_version": 1})
    assert response.status_code == 302
    edit_page = html.unescape(lead.get(edit).content.decode())
    assert "Version 2" in edit_page and "Version 1" in edit_page and IDEA["description"] in edit_page
    stale = lead.post(edit, IDEA | {"description": "Old copy", "base_version": 1})
    assert stale.status_code == 409
    withdraw = reverse("improvement:collaborative-idea-withdraw", args=[world.collaborative.pk, idea.pk])
    assert lead.post(withdraw, {"reason": ""}).status_code == 400
    assert lead.post(withdraw, {"reason": "No longer recommended"}).status_code == 302
    lead_page = html.unescape(lead.get(package_url).content.decode())
    assert "Withdrawn" in lead_page and "No longer recommended" in lead_page
    # Analysts read the package without the withdrawn idea or the lead's links; others are refused.
    analyst = signed_in_client(world.users["national_analyst"])
    assert IDEA["title"] not in html.unescape(analyst.get(package_url).content.decode())
    for role in ("national_analyst", "provider_governance", "ward_manager"):
        assert signed_in_client(world.users[role]).get(new).status_code == 403, role
    other = factories.user(role="collaborative_lead")
    assert signed_in_client(other).get(edit).status_code == 404


def test_an_idea_tested_by_members_is_in_the_spread_and_its_adopters_chart(figures):  # noqa: F811
    idea = _write(figures)
    project = started(figures)
    project_services.pdsa_create(
        project=project,
        data=cycle_input(
            figures,
            change_idea=idea,
            what_happened="Held every day.",
            study="Calmer evenings.",
            decision="adopt",
            starts_on=timezone.localdate() - dt.timedelta(days=60),
        ),
        by=figures.users["ward_manager"],
    )
    lead = signed_in_client(figures.users["collaborative_lead"])
    page = html.unescape(
        lead.get(reverse("reports:collaborative", args=[figures.collaborative.pk])).content.decode()
    )
    assert IDEA["title"] in page
    adoption = reverse("reports:collaborative-adoption", args=[figures.collaborative.pk, idea.pk])
    assert adoption in page
    response = lead.get(adoption)
    assert response.status_code == 200 and IDEA["title"] in html.unescape(response.content.decode())


def test_refusals_of_long_fields_a_second_withdrawal_and_ideas_not_a_collaboratives(world):
    with pytest.raises(ValidationError) as raised:
        _write(world, title="x" * 81, driver="d" * 121)
    assert set(raised.value.message_dict) == {"title", "driver"}
    assert "80 characters or fewer" in raised.value.message_dict["title"][0]
    idea = _write(world)
    lead = world.users["collaborative_lead"]
    collaborative_services.collaborative_idea_withdraw(idea=idea, reason="Merged", by=lead)
    with pytest.raises(ValidationError) as raised:
        collaborative_services.collaborative_idea_withdraw(idea=idea, reason="Again", by=lead)
    assert "already been withdrawn" in raised.value.message_dict["reason"][0]
    starter = ChangeIdea.objects.get(title="Safety huddles", provider=None, collaborative=None)
    with pytest.raises(PermissionDenied):
        _change(world, starter, description="Rewritten by a lead")
    with pytest.raises(PermissionDenied):
        collaborative_services.collaborative_idea_withdraw(idea=starter, reason="Not theirs", by=lead)
