"""The ward's measure values page in a real browser, axe-checked (issue 20 item 2): a ward manager opens
it from the ward's page, is told what is wrong with a bad value, saves a month's staff sickness, then
corrects it with a reason and sees both versions."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import PHONE
from tests.browser.steps import check_accessibility, heading, sign_in_as, visit
from tests.browser.test_force_record_narrow import no_sideways_scroll


def test_ward_manager_enters_and_corrects_a_months_value(page: Page, world: factories.World) -> None:
    a1 = world.wards["a1"]
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    sign_in_as(page, world.users["ward_manager"])
    visit(page, f"/wards/{a1.pk}/", "ward")
    page.get_by_role("link", name="Enter or correct the ward's measure values").click()
    expect(heading(page)).to_have_text("Enter or correct a month's measure values")
    check_accessibility(page, "measure-values-empty")

    page.get_by_label("Staff sickness absence rate").check()
    page.get_by_label("Month").fill(month)
    page.get_by_label("Numerator (what was counted)").fill("-3")
    page.get_by_role("button", name="Save value").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text("Enter 0 or more: a count cannot be negative")
    expect(summary).to_contain_text("Enter the denominator")
    check_accessibility(page, "measure-values-error")

    page.get_by_label("Numerator (what was counted)").fill("12.5")
    page.get_by_label("Denominator, where the measure has its own").fill("410")
    page.get_by_role("button", name="Save value").click()
    expect(page.get_by_text("Staff sickness absence rate for")).to_be_visible()
    page.get_by_role("link", name="12.5 of 410").click()

    page.get_by_label("Numerator (what was counted)").fill("14")
    page.get_by_label("Reason for the correction").fill("ESR late return")
    page.get_by_role("button", name="Save value").click()
    page.get_by_role("link", name="14 of 410 (v2)").click()
    versions = page.get_by_role("region", name="Versions of this value")
    expect(versions).to_contain_text("ESR late return")
    expect(versions.get_by_role("row")).to_have_count(3)  # header and two versions
    check_accessibility(page, "measure-values-corrected")

    # At 390 px the values table scrolls inside its own region and the page not at all. The table's
    # visually hidden cell text is absolutely positioned: unless the region is its containing block
    # (positioned), that text escapes the region's clipping and widened the demo's page to 635 px.
    page.set_viewport_size(PHONE)
    visit(page, f"/measures/wards/{a1.pk}/values/", "measure values")
    no_sideways_scroll(page)
    positions = page.evaluate(
        "() => [...document.querySelectorAll('.rrp-table-scroll')].map(e => getComputedStyle(e).position)"
    )
    assert positions and "static" not in positions, positions
