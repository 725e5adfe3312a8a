"""Correcting the patient of an incident in a real browser, axe-checked at every width (issue 13 item 5,
decision 0021): the ward manager finds the right patient, gives a reason, and the incident then names the
right patient, its history keeping the wrong one."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from rrp.force.services import InterventionInput, incident_record
from tests import factories
from tests.browser.steps import check_accessibility, sign_in_as, visit


def test_a_ward_manager_moves_an_incident_to_the_right_patient(page: Page, world: factories.World) -> None:
    # Given a record made on ward a1 against the wrong patient, and the right one on the same ward
    ward = world.wards["a1"]
    right = factories.patient(provider=ward.provider, given_name="Robin", family_name="Rightful")
    factories.stay(patient=right, ward=ward)
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    incident = incident_record(
        ward=ward,
        patient=world.patients["a1"],
        by=world.users["ward_staff"],
        occurred_at=start,
        interventions=[InterventionInput("09", start, start + dt.timedelta(minutes=3))],
    )

    # When the ward manager opens "Correct the patient" from the incident and finds the right one
    sign_in_as(page, world.users["ward_manager"])
    visit(page, f"/incidents/{incident.pk}/", "incident-before-correction")
    page.get_by_role("link", name="Correct the patient (recorded against the wrong patient)").click()
    check_accessibility(page, "patient-correction")
    page.get_by_label("Find a patient by name or NHS number").fill("Rightful")
    page.get_by_role("button", name="Find patient").click()
    check_accessibility(page, "patient-correction-found")

    # And sends it without a reason, then with one
    page.get_by_label("Robin Rightful").check()
    page.get_by_role("button", name="Move the incident to this patient").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say why the patient is being corrected")
    check_accessibility(page, "patient-correction-errors")
    page.get_by_label("Robin Rightful").check()
    page.get_by_label("Why is the patient being corrected?").fill(
        "Recorded against the patient in the next bed"
    )

    # Then the incident names the right patient, and its history keeps the wrong one and the reason
    page.get_by_role("button", name="Move the incident to this patient").click()
    expect(page.locator(".nhsuk-summary-list").first).to_contain_text("Patient Robin Rightful")
    check_accessibility(page, "incident-corrected")
    visit(page, f"/incidents/{incident.pk}/history/", "incident-history-corrected")
    expect(
        page.get_by_text("Patient corrected: Recorded against the patient in the next bed")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text(world.patients["a1"].name)
