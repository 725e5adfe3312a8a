"""Support plans in a real browser (issue 15 item 1), every page checked by axe (WCAG 2.2 AA) at each
size: a nurse writes a patient's plan, then records force for that patient and sees the plan's key
points beside the question "was this in the care plan?" (s6(5)(d)) and who to tell (s6(5)(p))."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.steps import check_accessibility, heading, sign_in


def test_nurse_writes_a_plan_then_sees_its_key_points_when_recording_force(
    page: Page, world: factories.World
) -> None:
    nurse, patient, ward = world.users["ward_staff"], world.patients["a1"], world.wards["a1"]
    sign_in(page, nurse.username)

    page.goto(f"/patients/{patient.pk}/")
    check_accessibility(page, "patient-without-plan")
    page.get_by_role("link", name="Support plan").click()
    expect(heading(page)).to_have_text("Support plan")
    page.get_by_role("button", name="Write a support plan").click()
    expect(heading(page)).to_have_text("Write a support plan")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the date by which the plan will be reviewed")
    check_accessibility(page, "plan-errors")
    page.get_by_label("What matters to the person").fill("Music and seeing my sister")
    page.get_by_label("Early signs that they are becoming distressed").fill("Pacing and going quiet")
    page.get_by_label("Secondary strategies").fill("Offer the garden with one member of staff")
    page.get_by_label("Tertiary strategies").fill("Standing hold only; never face down")
    page.get_by_label("Views on physical restraint").fill("Please never hold me face down")
    page.get_by_label("Who to tell after force is used").fill("My sister Jo, by phone")
    page.get_by_role("group", name="Was this version written with the patient?").get_by_label("Yes").check()
    page.get_by_label("Review by").fill("2027-03-01")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("Support plan saved.")).to_be_visible()
    expect(page.get_by_text("Standing hold only; never face down")).to_be_visible()
    check_accessibility(page, "plan")

    page.goto(f"/incidents/new/{ward.pk}/{patient.pk}/")
    expect(heading(page)).to_have_text("Where, when and what force")
    points = page.locator("#plan-key-points")
    expect(points).to_contain_text("Standing hold only; never face down")
    expect(points).to_contain_text("Please never hold me face down")
    expect(points).to_contain_text("My sister Jo, by phone")
    check_accessibility(page, "record-force-with-plan")
