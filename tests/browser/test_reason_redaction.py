"""Identifiers in rebase and withdrawal reasons, in a real browser with axe (issue 13, item 7): governance
removes a name and an NHS number from a rebase decision's reason (offered the NHS number it found, refused
without a reason for redacting) and the commissioner then sees only the redacted text."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from rrp.improvement.models import ChartRebase, ReasonRedaction
from tests import factories
from tests.browser.steps import check_accessibility, heading, sign_in_as, sign_out, visit


def test_a_rebase_reason_naming_a_patient_is_redacted(page: Page, world: factories.World) -> None:
    ward = world.wards["a1"]
    ChartRebase.objects.create(
        ward=ward,
        measure_slug="restrictive_interventions_per_1000_bed_days",
        rebase_on=dt.date.today() - dt.timedelta(days=30),
        reason="Jo Bloggs 943 476 5919 moved to another ward",
        decided_by=world.users["ward_manager"],
        decided_at=timezone.now(),
    )
    sign_in_as(page, world.users["provider_governance"])
    visit(page, f"/wards/{ward.pk}/events/", "events-governance")
    page.get_by_role(
        "link", name=re.compile("Remove a name or NHS number from the reason for the rebase")
    ).click()
    expect(heading(page)).to_have_text("Remove a name or NHS number from a rebase decision's reason")
    expect(page.get_by_text("looks like an NHS number")).to_contain_text("943 476 5919")
    text = page.get_by_label("Reason shown from now on")
    expect(text).to_have_value("Jo Bloggs [NHS number removed] moved to another ward")
    check_accessibility(page, "reason-redact")
    text.fill("A patient moved to another ward")
    page.get_by_role("button", name="Redact the reason").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say why the text is being redacted")
    check_accessibility(page, "reason-redact-error")
    page.get_by_label("Why are you redacting it?").fill("Patient named in a rebase reason")
    page.get_by_role("button", name="Redact the reason").click()
    expect(page.get_by_role("status")).to_contain_text("redacted")
    check_accessibility(page, "events-reason-redacted")
    assert ReasonRedaction.objects.count() == 1
    sign_out(page)

    sign_in_as(page, world.users["commissioner"])
    visit(page, f"/wards/{ward.pk}/events/", "events-commissioner")
    table = page.get_by_role("table", name=re.compile("Rebase decisions on"))
    expect(table).to_contain_text("A patient moved to another ward")
    expect(table).to_contain_text("Reason redacted by governance")
    expect(page.get_by_role("main")).not_to_contain_text("Bloggs")
    expect(page.get_by_role("main")).not_to_contain_text("943 476 5919")
