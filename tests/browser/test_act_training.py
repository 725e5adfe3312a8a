"""The training page in a real browser, axe-checked (issue 16 item 3): governance adds a course after an
error, sees it with its topics, and the ward compliance table; ward staff see the page without the link."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.steps import check_accessibility, heading, sign_in_as, sign_out, visit


def test_training_page_and_adding_a_course(page: Page, world: factories.World) -> None:
    provider = world.providers[0]
    sign_in_as(page, world.users["provider_governance"])
    visit(page, f"/use-of-force-act/providers/{provider.pk}/training/", "training-empty")
    expect(heading(page)).to_have_text("Training in the use of force")
    page.get_by_role("link", name="Add a course").click()
    page.get_by_label("Title").fill("Breakaway and de-escalation")
    page.get_by_role("button", name="Save the course").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_contain_text(
        "Enter the course's code in the learning management system"
    )
    check_accessibility(page, "course-error")
    page.get_by_label("Code in the learning management system").fill("BRK")
    page.get_by_label("(e) The use of techniques for avoiding or reducing the use of force").check()
    page.get_by_label("Refresher due after, in months").fill("12")
    page.get_by_role("button", name="Save the course").click()
    expect(page.get_by_text("Course saved")).to_be_visible()
    expect(page.get_by_role("link", name="Breakaway and de-escalation (BRK)")).to_be_visible()
    check_accessibility(page, "training-with-course")
    sign_out(page)

    sign_in_as(page, world.users["ward_manager"])
    visit(page, f"/use-of-force-act/providers/{provider.pk}/training/", "training-ward")
    expect(page.get_by_text("Breakaway and de-escalation (BRK)")).to_be_visible()
    expect(page.get_by_role("link", name="Add a course")).to_have_count(0)
