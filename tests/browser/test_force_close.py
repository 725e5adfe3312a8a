"""Closing an incident in a real browser, axe-checked (issue 13 item 3): the checklist of follow-ups, the
refusal naming each one not done, the prone restraint review completed on its own page from the
checklist's link (issue 16 item 5), and the closing review shown on the incident afterwards."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from rrp.force.services import (
    InterventionInput,
    StaffInput,
    incident_record,
    incident_review,
    incident_submit,
)
from rrp.people.models import StaffMember
from tests import factories
from tests.browser.steps import check_accessibility, sign_in_as, visit
from tests.integration.force.incident_data import complete_content


def test_manager_closes_with_the_checklist(page: Page, world: factories.World) -> None:
    # Given a reviewed incident an hour ago: prone restraint, then rapid tranquillisation, two staff,
    # no statements, no observations, no debrief offered
    nurse, manager = world.users["ward_staff"], world.users["ward_manager"]
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    content = {
        **complete_content(),
        "occurred_at": start,
        "ended_at": start + dt.timedelta(minutes=30),
        "care_plan_notified_at": start + dt.timedelta(minutes=40),
    }
    ward = world.wards["a1"]
    patient = factories.patient(
        provider=ward.provider, nhs_number="9434765919", primary_mental_disorder="F20.0"
    )
    factories.stay(patient=patient, ward=ward)
    incident = incident_record(
        ward=ward,
        patient=patient,
        by=nurse,
        interventions=[
            InterventionInput("01", start, start + dt.timedelta(minutes=5), False),
            InterventionInput("14", start + dt.timedelta(minutes=10), start + dt.timedelta(minutes=11), True),
        ],
        staff=[
            StaffInput(part="head", staff_member=StaffMember.objects.get(family_name="Nurse")),
            StaffInput(part="left_arm", name="Alex Agency", job_title="Healthcare assistant (agency)"),
        ],
        **content,
    )
    incident_submit(incident=incident, by=nurse)
    incident_review(incident=incident, by=manager)

    # When the manager opens the close page, the checklist says what is not done
    sign_in_as(page, manager)
    visit(page, f"/incidents/{incident.pk}/close/", "incident-close")
    checklist = page.locator(".nhsuk-summary-list")
    expect(checklist).to_contain_text("Statements from every member of staff named")
    expect(checklist).to_contain_text("Still to come from Sam Nurse and Alex Agency (not on the roster)")
    expect(checklist.get_by_text("Not done")).to_have_count(4)

    # And closing without answers names each question and each follow-up not done
    page.get_by_role("button", name="Close the incident").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Patient offered a debrief: not done yet")
    expect(summary).to_contain_text("Say what harm came to anyone")
    check_accessibility(page, "incident-close-errors")

    # And the prone restraint review is done on its own page, linked from the checklist (issue 16 item 5)
    page.get_by_role("link", name="Go to the review of the prone restraint").click()
    page.get_by_label("Reviewer").fill("Jo Bloggs")
    page.get_by_label("Their job title").fill("Matron")
    page.get_by_role("button", name="Name the reviewer").click()
    page.get_by_label("Why was the patient restrained in the prone position?").fill(
        "Went to the floor face down"
    )
    page.get_by_label("How long were they prone, in minutes?").fill("5")
    page.get_by_label("No", exact=True).check()
    page.get_by_label("What is the learning?").fill("Turn to supine sooner")
    page.get_by_role("button", name="Complete the review").click()
    expect(page.get_by_text("Prone restraint review completed")).to_be_visible()
    visit(page, f"/incidents/{incident.pk}/close/", "incident-close-prone-reviewed")
    expect(checklist.get_by_text("Not done")).to_have_count(3)
    expect(checklist).to_contain_text("Completed by Jo Bloggs")
    expect(page.get_by_label("What did the review of the prone restraint find?")).to_have_count(0)

    # Then with the answers and a reason for each follow-up it closes, and the review is on the incident
    page.get_by_label("What harm came to the patient, staff or anyone else?").fill("None")
    page.get_by_role("group", name="Was the force used proportionate to the risk?").get_by_label(
        "Yes"
    ).check()
    page.get_by_role("group", name="Was it the least restrictive option?").get_by_label("Yes").check()
    page.get_by_label("What did the team learn?").fill("Offer the quiet room sooner")
    page.get_by_label("Action 1", exact=True).fill("Update the care plan")
    page.get_by_label("Who owns action 1?").fill("Named nurse")
    page.get_by_label("Statements from every member of staff named: why close without it?").fill(
        "Agency statement kept by the agency; Sam on leave"
    )
    page.get_by_label(
        "Physical health observations after rapid tranquillisation: why close without it?"
    ).fill("On the paper chart")
    page.get_by_label("Patient offered a debrief: why close without it?").fill(
        "Patient asleep; offered tomorrow"
    )
    page.get_by_role("button", name="Close the incident").click()
    expect(page.get_by_role("heading", name="Closing review")).to_be_visible()
    expect(page.locator("#closing-review ~ .nhsuk-summary-list")).to_contain_text(
        "Update the care plan (owner: Named nurse)"
    )
    check_accessibility(page, "incident-closed-with-review")
