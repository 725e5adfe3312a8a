"""Support plans in a real browser (issue 15 item 1), every page checked by axe (WCAG 2.2 AA) at each
size: a nurse writes a patient's plan, then records force for that patient and sees the plan's key
points beside the question "was this in the care plan?" (s6(5)(d)) and who to tell (s6(5)(p))."""

from __future__ import annotations

import re
from datetime import date, timedelta

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


def test_patient_led_debrief_in_their_words_prompts_a_plan_review(page: Page, world: factories.World) -> None:
    from rrp.force.services import incident_record
    from tests.integration.force.incident_data import complete_content, typical_interventions

    nurse, patient, ward = world.users["ward_staff"], world.patients["a1"], world.wards["a1"]
    incident = incident_record(
        ward=ward, patient=patient, by=nurse, interventions=typical_interventions(), **complete_content()
    )
    sign_in(page, nurse.username)
    page.goto(f"/incidents/{incident.pk}/")
    check_accessibility(page, "incident-with-debriefs")
    page.get_by_role("link", name="Record this debrief (the patient)").click()
    expect(heading(page)).to_have_text("Debrief with the patient")
    page.get_by_label("Date held").fill("2026-03-02")
    page.get_by_role("button", name="Save the debrief").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the time it was held too")
    check_accessibility(page, "debrief-errors")
    page.get_by_label("Time held").fill("10:30")
    page.get_by_label("Who led it").fill("Sam Nurse, with the advocate")
    page.get_by_label("Their account, in their own words").fill("Nobody told me why they were holding me.")
    page.get_by_label("What would have helped?").fill("Being asked first.")
    page.get_by_label("What do they want changed in their support plan?").fill(
        "Explain before anyone holds me."
    )
    page.get_by_role("button", name="Save the debrief").click()
    expect(page.get_by_text("Debrief with the patient saved.")).to_be_visible()
    # A draft's debrief goes back to its task list's debriefs section (decision 0061), then it is on the
    # incident's page with the patient's own words.
    expect(page).to_have_url(re.compile(rf"/incidents/{incident.pk}/record/debriefs/$"))
    page.goto(f"/incidents/{incident.pk}/")
    expect(page.locator("#debriefs ~ .nhsuk-card").first).to_contain_text(
        "Nobody told me why they were holding me."
    )

    page.goto(f"/patients/{patient.pk}/")
    expect(page.locator("#support-plan-status")).to_contain_text("Review requested")
    page.get_by_role("link", name="Support plan").click()
    expect(page.locator("#plan-reviews")).to_contain_text("Explain before anyone holds me.")
    check_accessibility(page, "plan-review-requested")


def test_nurse_records_information_about_the_use_of_force(page: Page, world: factories.World) -> None:
    nurse, patient = world.users["ward_staff"], world.patients["a1"]
    sign_in(page, nurse.username)
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("link", name="Record information given").click()
    expect(heading(page)).to_have_text("Information about the use of force")
    page.get_by_role("group", name="Was it given?").get_by_label("Refused").check()
    # Yesterday morning: a time today could still be in the future when the suite runs early.
    page.get_by_label("Date").fill((date.today() - timedelta(days=1)).isoformat())
    page.get_by_label("Time").fill("09:15")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter why it was refused or not possible")
    check_accessibility(page, "rights-errors")
    page.get_by_label("If refused or not possible, why?").fill("Did not want it today; offer again tomorrow")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Information about the use of force recorded.")).to_be_visible()
    expect(page.locator("#rights-information ~ table").first).to_contain_text("offer again tomorrow")
    check_accessibility(page, "patient-with-rights-information")


def test_patient_completes_the_weekly_check_on_a_tablet(page: Page, world: factories.World) -> None:
    from tests.browser.conftest import TABLET

    nurse, ward = world.users["ward_staff"], world.wards["a1"]
    page.set_viewport_size(TABLET)
    sign_in(page, nurse.username)
    page.goto(f"/wards/{ward.pk}/weekly-check/")
    expect(heading(page)).to_have_text("Your week on the ward")
    check_accessibility(page, "weekly-check")
    page.get_by_role("link", name="Easy read version").click()
    check_accessibility(page, "weekly-check-easy-read")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose whether you felt safe on the ward this week")
    page.get_by_role("group", name="Did you feel safe on the ward this week?").get_by_label(
        "Some of the time"
    ).check()
    page.get_by_role("group", name="Did staff treat you kindly and with respect this week?").get_by_label(
        "Yes, all the time"
    ).check()
    page.get_by_label("Do you want to tell us anything? (you do not have to)").fill(
        "More time outside please"
    )
    page.get_by_role("button", name="Send my answers").click()
    expect(heading(page)).to_have_text("Thank you")
    check_accessibility(page, "weekly-check-thanks")
