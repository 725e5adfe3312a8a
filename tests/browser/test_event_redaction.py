"""Identifiers in ward events, in a real browser with axe (issue 13, item 7): the ward manager is warned
that commissioners read the text and an NHS number is refused on its field; governance removes a name and
an NHS number already written (offered the NHS number it found), and the commissioner then sees only the
redacted text."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from rrp.improvement.models import WardEvent, WardEventRedaction
from tests import factories
from tests.browser.steps import check_accessibility, heading, sign_in_as, sign_out, visit


def test_an_event_naming_a_patient_is_refused_or_redacted(page: Page, world: factories.World) -> None:
    ward = world.wards["a1"]
    sign_in_as(page, world.users["ward_manager"])
    visit(page, f"/wards/{ward.pk}/events/", "events")
    description = page.get_by_label("What happened (optional)")
    expect(description).to_have_accessible_description(
        re.compile("do not write patients' names or NHS numbers")
    )
    page.get_by_label("Date of the event").fill((dt.date.today() - dt.timedelta(days=3)).isoformat())
    page.get_by_label("Label on the chart").fill("Restraint review")
    page.get_by_label("Something else").check()
    description.fill("Jo Bloggs 943 476 5919 restrained twice")
    page.get_by_role("button", name="Record event").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Remove the NHS number 943 476 5919")
    check_accessibility(page, "events-nhs-number-refused")
    assert not WardEvent.objects.exists()
    sign_out(page)

    # An event written before the check (or naming someone by name only) is redacted by governance.
    WardEvent.objects.create(
        ward=ward,
        happened_on=dt.date.today() - dt.timedelta(days=3),
        label="Jo Bloggs restrained",
        kind="other",
        description="Jo Bloggs 943 476 5919 restrained twice",
        recorded_by=world.users["ward_manager"],
        recorded_at=timezone.now(),
    )
    sign_in_as(page, world.users["provider_governance"])
    visit(page, f"/wards/{ward.pk}/events/", "events-governance")
    page.get_by_role("link", name=re.compile("Remove a name or NHS number from the event Jo Bloggs")).click()
    expect(heading(page)).to_have_text("Remove a name or NHS number from an event")
    expect(page.get_by_text("looks like an NHS number")).to_contain_text("943 476 5919")
    expect(page.get_by_label("What happened")).to_have_value(
        "Jo Bloggs [NHS number removed] restrained twice"
    )
    check_accessibility(page, "redact")
    page.get_by_label("Label on the chart").fill("Restraint review")
    page.get_by_label("What happened").fill("A patient was restrained twice")
    page.get_by_role("button", name="Redact the event").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say why the text is being redacted")
    check_accessibility(page, "redact-error")
    page.get_by_label("Why are you redacting it?").fill("Patient named in a ward event")
    page.get_by_role("button", name="Redact the event").click()
    expect(page.get_by_role("status")).to_contain_text("redacted")
    check_accessibility(page, "events-redacted")
    assert WardEventRedaction.objects.count() == 1
    sign_out(page)

    sign_in_as(page, world.users["commissioner"])
    visit(page, f"/wards/{ward.pk}/events/", "events-commissioner")
    table = page.get_by_role("table", name=re.compile("Events on"))
    expect(table).to_contain_text("Restraint review")
    expect(table).to_contain_text("Text redacted by governance")
    expect(page.get_by_role("main")).not_to_contain_text("Bloggs")
    expect(page.get_by_role("main")).not_to_contain_text("943 476 5919")
