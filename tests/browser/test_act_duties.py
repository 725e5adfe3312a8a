"""The Use of Force Act duties pages in a real browser, axe-checked: governance records the responsible
person (after an error) and a policy whose review is overdue; the flag shows on the page and the board;
ward staff see the page without the recording links (issue 16, items 1 and 2)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.steps import check_accessibility, heading, open_from_header, sign_in_as, sign_out, visit


def test_governance_records_duties_and_staff_see_them(page: Page, world: factories.World) -> None:
    provider = world.providers[0]
    sign_in_as(page, world.users["provider_governance"])
    open_from_header(page, "Use of Force Act")
    expect(heading(page)).to_have_text("Use of Force Act duties")
    expect(page.get_by_text("No responsible person is recorded")).to_be_visible()
    check_accessibility(page, "duties-empty")

    page.get_by_role("link", name="Record an appointment").click()
    page.get_by_label("Job title").fill("Chief Nurse")
    page.get_by_role("button", name="Save the appointment").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_contain_text(
        "Enter the responsible person's name"
    )
    check_accessibility(page, "appointment-error")
    page.get_by_label("Name", exact=True).fill("Bea Jones")
    page.get_by_label("Date the appointment takes effect").fill("2025-09-01")
    page.get_by_role("button", name="Save the appointment").click()
    expect(page.get_by_text("Responsible person's appointment recorded")).to_be_visible()

    page.get_by_role("link", name="Record a new version of the policy").click()
    page.get_by_label("Title").fill("Reducing the use of force")
    page.get_by_label("Version").fill("3.0")
    page.get_by_label("Published document").fill("https://www.example.nhs.uk/policies/use-of-force-v3.pdf")
    page.get_by_label("Date approved").fill("2024-04-01")
    page.get_by_label("Next review due").fill("2025-04-01")
    page.get_by_label("Who was consulted").fill("Patients' council, carers' forum, staff side")
    page.get_by_label("Patients were consulted").check()
    check_accessibility(page, "policy-form")
    page.get_by_role("button", name="Save the policy version").click()
    expect(page.get_by_text("Policy version recorded")).to_be_visible()
    expect(page.get_by_text("Review overdue").first).to_be_visible()
    check_accessibility(page, "duties-recorded")

    visit(page, f"/reports/board/{provider.pk}/", "board-with-duties")
    duties = page.locator("#act-duties + dl")
    expect(duties).to_contain_text("Bea Jones, Chief Nurse")
    expect(duties).to_contain_text("Review overdue")
    sign_out(page)

    sign_in_as(page, world.users["ward_staff"])
    open_from_header(page, "Use of Force Act")
    expect(page.get_by_text("Bea Jones").first).to_be_visible()
    expect(page.get_by_role("link", name="Record an appointment")).to_have_count(0)
    check_accessibility(page, "duties-staff")
