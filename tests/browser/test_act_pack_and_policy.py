"""The CQC inspection pack's period and charts, and the policy uploaded as a PDF, in a real browser,
axe-checked at every size (issue 16 items 8, 2 and the Done when's "browser tests with axe for each
page"): governance opens the pack from the board, sees the board's charts drawn, asks for dates the
wrong way round and is told which field, then a month; uploads the policy after an error and finds it
linked on the duties page."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.steps import charts_drawn, check_accessibility, heading, sign_in_as, visit
from tests.integration.reports.board_data import build_board_data

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def world(world: factories.World, settings, tmp_path) -> factories.World:
    """Two years of restraint on provider A's wards; uploads kept in the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    build_board_data(world, timezone.localdate())
    return world


def test_governance_chooses_the_packs_period_and_uploads_the_policy(
    page: Page, world: factories.World, tmp_path
) -> None:
    provider = world.providers[0]
    sign_in_as(page, world.users["provider_governance"])
    visit(page, f"/reports/board/{provider.pk}/", "board")
    page.get_by_role("link", name="CQC inspection pack").click()
    expect(heading(page)).to_have_text("CQC inspection pack")
    charts_drawn(page, 9)  # the six key measures and, since 27605ae, three people-centred ones with data
    check_accessibility(page, "inspection-pack")

    page.get_by_label("Dates I choose").check()
    page.get_by_label("First day").fill("2025-06-30")
    page.get_by_label("Last day").fill("2025-06-01")
    page.get_by_role("button", name="Show the pack for this period").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_contain_text(
        "The last day must be the same as or after the first day"
    )
    check_accessibility(page, "inspection-pack-period-error")

    page.get_by_label("A month", exact=True).check()
    page.get_by_label("Month", exact=True).select_option(index=2)
    page.get_by_role("button", name="Show the pack for this period").click()
    expect(page.locator(".nhsuk-lede-text")).to_contain_text("What an inspector asks for")
    charts_drawn(page, 8)  # in the one month chosen, one people-centred measure has no data to chart
    check_accessibility(page, "inspection-pack-month")

    visit(page, f"/use-of-force-act/providers/{provider.pk}/policy/new/", "policy-new")
    page.get_by_label("Title").fill("Reducing the use of force")
    page.get_by_label("Version").fill("5")
    page.get_by_label("Date approved").fill("2026-04-01")
    page.get_by_label("Next review due").fill("2027-04-01")
    page.get_by_label("Who was consulted").fill("Patients' council")
    page.get_by_role("button", name="Save the policy version").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_contain_text(
        "Enter the address where the policy is published, or upload it as a PDF"
    )
    check_accessibility(page, "policy-new-error")
    document = tmp_path / "use-of-force-v5.pdf"
    document.write_bytes(PDF)
    page.get_by_label("Upload the policy (PDF)").set_input_files(document)
    page.get_by_role("button", name="Save the policy version").click()
    link = page.get_by_role("link", name="Reducing the use of force, version 5 (PDF, 1 KB)").first
    expect(link).to_be_visible()
    check_accessibility(page, "duties-with-uploaded-policy")
    served = page.request.get(link.get_attribute("href"))  # with the signed-in session's cookies
    assert served.ok and served.headers["content-type"] == "application/pdf" and served.body() == PDF
