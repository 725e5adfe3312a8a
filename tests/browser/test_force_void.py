"""Voiding an incident in a real browser, axe-checked (issue 13 item 5): provider governance gives a
reason, and the incident is then struck through on its page and in the list."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from rrp.force.services import InterventionInput, incident_record
from tests import factories
from tests.browser.steps import check_accessibility, sign_in_as, visit


def test_governance_voids_a_test_record(page: Page, world: factories.World) -> None:
    # Given a record made on ward a1 as a test
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    incident = incident_record(
        ward=world.wards["a1"],
        patient=world.patients["a1"],
        by=world.users["ward_staff"],
        occurred_at=start,
        interventions=[InterventionInput("09", start, start + dt.timedelta(minutes=3))],
    )

    # When provider governance opens the void page from the incident and sends it empty
    sign_in_as(page, world.users["provider_governance"])
    visit(page, f"/incidents/{incident.pk}/", "incident-before-void")
    page.get_by_role("link", name="Void this incident or mark it a duplicate").click()
    check_accessibility(page, "incident-void")
    page.get_by_role("button", name="Void this incident").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Choose whether the record is void or a duplicate"
    )
    check_accessibility(page, "incident-void-errors")

    # Then with a reason it is voided, struck through and says why
    page.get_by_label("Voided: recorded in error (a test, or the wrong patient)").check()
    page.get_by_label("Why is it being voided?").fill("Entered while training a new starter")
    page.get_by_role("button", name="Void this incident").click()
    expect(page.get_by_role("heading", level=1).locator("s")).to_have_text(f"Incident {incident.pk}")
    expect(page.get_by_text("Entered while training a new starter")).to_be_visible()
    check_accessibility(page, "incident-voided")
    visit(page, "/incidents/", "incident-list-with-voided")
    expect(page.get_by_role("link", name=f"Incident {incident.pk} (voided)")).to_be_visible()
