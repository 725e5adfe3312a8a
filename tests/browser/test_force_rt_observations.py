"""Recording physical health observations after rapid tranquillisation in a real browser, axe-checked:
the incident page's checklist, the form with its errors, and the saved set."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from rrp.force.services import InterventionInput, incident_record
from tests import factories
from tests.browser.steps import check_accessibility, sign_in, visit


def test_nurse_records_observations_after_rapid_tranquillisation(page: Page, world: factories.World) -> None:
    # Given an incident on ward a1 with an intramuscular rapid tranquillisation 90 minutes ago
    nurse = world.users["ward_staff"]
    injected = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=90)
    incident = incident_record(
        ward=world.wards["a1"],
        patient=world.patients["a1"],
        by=nurse,
        interventions=[InterventionInput("14", injected, injected + dt.timedelta(minutes=2))],
    )

    # When the nurse opens it, the first hour's observations are shown as overdue
    sign_in(page, nurse.username)
    visit(page, f"/incidents/{incident.pk}/", "incident-with-rt")
    expect(page.get_by_text("Overdue").first).to_be_visible()

    # And saving an empty form names what is needed
    page.get_by_role("link", name="Record observations").click()
    check_accessibility(page, "rt-observation-form")
    page.get_by_role("button", name="Save observations").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_accessibility(page, "rt-observation-form-errors")

    # Then a full set is saved and shown on the incident page
    page.get_by_label("Date taken").fill(timezone.localtime(injected).date().isoformat())
    page.get_by_label("Time taken").fill(
        timezone.localtime(injected + dt.timedelta(minutes=30)).strftime("%H:%M")
    )
    page.get_by_label("Pulse").fill("96")
    page.get_by_label("Blood pressure: systolic (upper number)").fill("128")
    page.get_by_label("Blood pressure: diastolic (lower number)").fill("82")
    page.get_by_label("Respiratory rate").fill("16")
    page.get_by_label("Temperature").fill("36.8")
    page.get_by_label("Alert").check()
    page.locator("input[name=hydration]").first.check()
    page.get_by_role("button", name="Save observations").click()
    expect(page).to_have_url(re.compile(rf"/incidents/{incident.pk}/#rt-monitoring$"))
    expect(page.get_by_text("96").first).to_be_visible()
    check_accessibility(page, "incident-after-rt-observation")
