"""The collaborative lead's journey in a real browser (issue 14's Done when), each page checked with axe
(WCAG 2.2 AA) at every size: the lead starts a collaborative, invites a ward, publishes a template driver
diagram; the ward's provider governance accepts the invitation; the lead sees the ward as a member. Then,
on a collaborative whose members have tested an idea, the lead writes an idea of the collaborative's own
and opens an idea's adopters page from the collaborative's page, as they would."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.steps import charts_drawn, check_accessibility, heading, sign_in_as, sign_out
from tests.integration.reports.test_collaborative_spread import adoption, project_on  # noqa: F401 - fixture


def test_a_lead_starts_a_collaborative_a_provider_joins_it_and_a_template_is_published(
    page: Page, world: factories.World
) -> None:
    ward = world.wards["a1"]
    start = dt.date.today().replace(day=1).isoformat()
    sign_in_as(page, world.users["collaborative_lead"])
    page.goto("/collaboratives/new/")
    check_accessibility(page, "collaborative-new")
    page.get_by_role("button", name="Start the collaborative").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_accessibility(page, "collaborative-new-errors")
    page.get_by_label("Name").fill("Calmer wards north")
    page.get_by_label("National programme cohort").check()
    page.get_by_label("Start date").fill(start)
    page.get_by_role("button", name="Start the collaborative").click()
    expect(heading(page)).to_have_text("Run Calmer wards north")
    check_accessibility(page, "collaborative-manage")

    page.get_by_role("button", name="Invite a ward").click()
    page.get_by_label("Ward", exact=True).select_option(str(ward.pk))
    page.get_by_label("Date the ward would join").fill(start)
    check_accessibility(page, "collaborative-invite")
    page.get_by_role("button", name="Send the invitation").click()
    expect(heading(page)).to_have_text("Run Calmer wards north")

    page.get_by_role("link", name="Publish a template driver diagram").click()
    page.get_by_label("The driver diagram as an outline").fill(
        "Staff notice rising tension early\n- Daily safety huddle names the patients at risk\n  * Safety huddles"
    )
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="Version 1 (the latest)")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Change idea Safety huddles").last).to_be_visible()
    check_accessibility(page, "collaborative-template")
    sign_out(page)

    sign_in_as(page, world.users["provider_governance"])
    page.goto("/collaboratives/invitations/")
    check_accessibility(page, "collaborative-invitations")
    page.get_by_role("link", name="Answer").first.click()
    page.get_by_label("Yes: the ward joins").check()
    page.get_by_label("Date the ward joins").fill(start)
    check_accessibility(page, "collaborative-answer")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_role("row", name=f"{ward.name}").first).to_be_visible()


def test_a_lead_writes_an_idea_and_opens_the_adopters_of_another_from_the_collaborative_page(
    page: Page,
    adoption: factories.World,  # noqa: F811
) -> None:
    collaborative = adoption.collaborative
    sign_in_as(page, adoption.users["collaborative_lead"])
    page.goto(f"/collaboratives/{collaborative.pk}/manage/")
    page.get_by_role("link", name="Choose the change package or write an idea").click()
    page.get_by_role("link", name="Write a change idea of the collaborative's own").click()
    page.get_by_role("button", name="Add the idea").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the change idea's title")
    check_accessibility(page, "collaborative-idea-errors")
    page.get_by_label("Title").fill("Protected mealtimes")
    page.get_by_label("What is the change?").fill("Staff eat with patients; no tasks during meals.")
    page.get_by_label("The driver it serves").fill("Ward culture and relationships")
    page.get_by_label("Source or evidence").fill("Shared at learning set 2")
    page.get_by_role("button", name="Add the idea").click()
    expect(heading(page)).to_have_text("Change package")
    expect(page.get_by_role("heading", name="Protected mealtimes")).to_be_visible()
    check_accessibility(page, "collaborative-package-own-idea")

    page.goto(f"/collaboratives/{collaborative.pk}/manage/")
    page.get_by_role("link", name="The collaborative's charts, progress and spread").click()
    page.get_by_text("Safety huddles: the wards", exact=True).click()
    page.get_by_role("link", name="Safety huddles: the wards that adopted it against the others").click()
    expect(heading(page)).to_have_text("Safety huddles: the wards that adopted it against the others")
    charts_drawn(page, 2)
    text = page.content()
    assert adoption.wards["a1"].name not in text and adoption.wards["c1"].name not in text
    check_accessibility(page, "collaborative-lead-adoption")


def test_a_lead_corrects_the_collaboratives_name_and_is_told_what_is_missing(
    page: Page,
    adoption: factories.World,  # noqa: F811
) -> None:
    collaborative = adoption.collaborative
    sign_in_as(page, adoption.users["collaborative_lead"])
    page.goto(f"/collaboratives/{collaborative.pk}/manage/")
    page.get_by_role("link", name="change the name, aim or dates").click()
    expect(heading(page)).to_have_text("Change the name, aim or dates")
    check_accessibility(page, "collaborative-edit")
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Save the change").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter the collaborative's name")
    expect(summary).to_contain_text("Say why the collaborative is being changed")
    check_accessibility(page, "collaborative-edit-errors")
    page.get_by_label("Name").fill("Least Restrictive Care, second wave")
    page.get_by_label("Why are you changing it?").fill("The programme renamed its second wave")
    page.get_by_role("button", name="Save the change").click()
    expect(page.get_by_text("Least Restrictive Care, second wave").first).to_be_visible()
    collaborative.refresh_from_db()
    assert collaborative.name == "Least Restrictive Care, second wave"
