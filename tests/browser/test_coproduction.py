"""Co-production in a real browser (issue 15 item 5): an expert by experience on a project's team opens the
project from the projects list, reads it, comments (an empty comment refused first), and adds what they
did to the co-production log (refused on its fields first), credited by name; every page checked by
axe-core (WCAG 2.2 AA) at each size."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rrp.improvement.models import QiProject, TeamMember, TeamRole
from tests import factories
from tests.browser.steps import check_accessibility, heading, sign_in_as, visit


@pytest.fixture
def project(world: factories.World) -> QiProject:
    now = timezone.now()
    project = QiProject.objects.create(
        provider=world.providers[0],
        title="Calmer evenings",
        problem="Restraint peaks in the evening.",
        aim_measure_slug="restrictive-interventions-per-1000-obd",
        baseline_start=dt.date(2025, 1, 1),
        baseline_end=dt.date(2025, 3, 31),
        baseline_value=3.0,
        aim_change_percent=25,
        aim_by=dt.date(2027, 9, 30),
        starts_on=dt.date(2025, 4, 1),
        created_by=world.users["ward_manager"],
        created_at=now,
        updated_at=now,
    )
    project.wards.set([world.wards["a1"]])
    TeamMember.objects.create(
        project=project,
        user=world.users["expert_by_experience"],
        team_role=TeamRole.EXPERT_BY_EXPERIENCE,
        joined_on=dt.date(2025, 4, 1),
    )
    TeamMember.objects.create(
        project=project, name="Pat Carer", team_role=TeamRole.CARER, joined_on=dt.date(2025, 4, 1)
    )
    return project


def test_an_expert_by_experience_comments_and_is_credited_in_the_log(
    page: Page, world: factories.World, project: QiProject
) -> None:
    expert = world.users["expert_by_experience"]
    expert.first_name, expert.last_name = "Jordan", "Rivers"
    expert.save()
    sign_in_as(page, expert)

    visit(page, "/projects/", "projects")
    page.get_by_role("link", name="Calmer evenings").click()
    expect(heading(page)).to_have_text("Calmer evenings")
    check_accessibility(page, "project")
    page.get_by_role("link", name="Co-production log and comments").click()
    expect(heading(page)).to_have_text("Co-production")
    expect(page.get_by_text("Nothing is in the log yet.")).to_be_visible()
    check_accessibility(page, "log-empty")

    page.get_by_role("button", name="Add the comment").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter your comment")
    expect(page).to_have_title(re.compile(r"^Error: Co-production"))
    check_accessibility(page, "comment-error")
    page.get_by_label("Your comment").fill("Tea time to bedtime is when it goes wrong.")
    page.get_by_role("button", name="Add the comment").click()
    expect(page.locator("#comments ~ .nhsuk-inset-text")).to_contain_text(
        "Tea time to bedtime is when it goes wrong."
    )
    expect(page.locator("#comments ~ .nhsuk-inset-text")).to_contain_text("Jordan Rivers")

    page.get_by_role("link", name="Add to the co-production log").click()
    expect(heading(page)).to_have_text("Add to the co-production log")
    check_accessibility(page, "entry-new")
    page.get_by_role("button", name="Add to the log").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Choose who took part")
    expect(summary).to_contain_text("Choose how they took part")
    check_accessibility(page, "entry-errors")
    page.get_by_label("When it happened").fill("2025-05-02")
    page.get_by_label("Jordan Rivers").check()
    page.get_by_label("Pat Carer").check()
    page.get_by_label("Co-designed a change").check()
    page.get_by_label("The decision or piece of work it was part of").fill("The huddle card")
    page.get_by_label("What changed because of it").fill("A line on what helps each person feel safe")
    page.get_by_label("Paid for their time").check()
    page.get_by_role("button", name="Add to the log").click()

    expect(heading(page)).to_have_text("Co-production")
    card = page.locator(".nhsuk-card").first
    expect(card).to_contain_text("Co-designed a change")
    expect(card).to_contain_text("Jordan Rivers")
    expect(card).to_contain_text("Pat Carer")
    expect(card).to_contain_text("A line on what helps each person feel safe")
    check_accessibility(page, "log")
