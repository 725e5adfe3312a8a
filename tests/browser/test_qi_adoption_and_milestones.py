"""Two pages of issue 14 in a real browser, each checked with axe (WCAG 2.2 AA) at every size: a national
analyst opens a change idea's adopters against the other member wards from the collaborative page (both
pooled charts drawn, no ward name on the page), and a ward manager records a milestone on a project (told
on the field when the label is missing) and finds it on the project page."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.steps import charts_drawn, check_accessibility, heading, sign_in, sign_in_as
from tests.integration.reports.test_collaborative_spread import adoption, project_on  # noqa: F401 - fixture


def test_analyst_compares_the_adopters_of_an_idea_with_the_other_wards(
    page: Page,
    adoption: factories.World,  # noqa: F811
) -> None:
    sign_in(page, adoption.users["national_analyst"].username)
    page.goto(f"/reports/collaboratives/{adoption.collaborative.pk}/#spread")
    page.get_by_text("Safety huddles: the wards", exact=True).click()
    page.get_by_role("link", name="Safety huddles: the wards that adopted it against the others").click()
    expect(heading(page)).to_have_text("Safety huddles: the wards that adopted it against the others")
    charts_drawn(page, 2)
    text = page.content()
    assert adoption.wards["a1"].name not in text and adoption.wards["c1"].name not in text
    check_accessibility(page, "adoption")

    page.get_by_role("link", name="Prone restraints per 1,000 occupied bed days").click()
    charts_drawn(page, 2)
    expect(page.locator('main [aria-current="page"]')).to_have_text(
        "Prone restraints per 1,000 occupied bed days"
    )


def test_ward_manager_records_a_milestone_on_a_project(page: Page, world: factories.World) -> None:
    manager = world.users["ward_manager"]
    project = project_on(world.wards["a1"], manager)
    sign_in_as(page, manager)
    page.goto(f"/reports/projects/{project.pk}/")
    page.get_by_role("link", name="Record or withdraw milestones").click()
    expect(heading(page)).to_have_text("Milestones")
    check_accessibility(page, "milestones")

    page.get_by_label("Date of the milestone").fill(dt.date(2021, 6, 1).isoformat())
    page.get_by_role("button", name="Record the milestone").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the milestone, in a few words")
    check_accessibility(page, "milestones-error")

    page.get_by_label("Milestone", exact=True).fill("Huddle card on every shift")
    page.get_by_role("button", name="Record the milestone").click()
    expect(page.get_by_text("1 June 2021: Huddle card on every shift")).to_be_visible()
    page.goto(f"/reports/projects/{project.pk}/#milestones")
    expect(page.get_by_text("1 June 2021: Huddle card on every shift")).to_be_visible()
