"""Weekly values in a real browser, axe-checked (issue 20, decision 0079): a ward manager enters a week's
safety huddles on the ward's values page (a date that is not a Monday is refused, naming the field),
sees it in the weekly table, at 390 px without sideways scrolling, and finds it charted by week on the
ward's weekly huddle."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import PHONE
from tests.browser.steps import check_accessibility, sign_in_as, visit
from tests.browser.test_force_record_narrow import no_sideways_scroll

HUDDLES = "Share of planned safety huddles held"


def test_ward_manager_enters_a_weeks_huddles_and_sees_them_by_week(
    page: Page, world: factories.World
) -> None:
    a1 = world.wards["a1"]
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday() + 7)
    sign_in_as(page, world.users["ward_manager"])
    visit(page, f"/measures/wards/{a1.pk}/values/", "measure values")
    expect(page.get_by_role("heading", name="Weekly values held for the last 12 weeks")).to_be_visible()

    page.get_by_label(f"{HUDDLES} (weekly)").check()
    page.get_by_label("Month, or week for a weekly measure").fill((monday + dt.timedelta(days=1)).isoformat())
    page.get_by_label("Numerator (what was counted)").fill("6")
    page.get_by_label("Denominator, where the measure has its own").fill("7")
    page.get_by_role("button", name="Save value").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text("Enter the Monday the week starts")
    expect(summary).to_contain_text("is a Tuesday")
    check_accessibility(page, "measure-values-weekly-error")

    page.get_by_label("Month, or week for a weekly measure").fill(monday.isoformat())
    page.get_by_role("button", name="Save value").click()
    expect(page.get_by_text(f"{HUDDLES} for the week of {monday.day} {monday:%B %Y} saved.")).to_be_visible()
    weekly = page.get_by_role("region", name="Weekly values held")
    expect(weekly.get_by_role("link", name="6 of 7")).to_be_visible()
    check_accessibility(page, "measure-values-weekly-saved")

    page.set_viewport_size(PHONE)
    visit(page, f"/measures/wards/{a1.pk}/values/", "measure values")
    no_sideways_scroll(page)

    visit(page, f"/reports/wards/{a1.pk}/huddle/?period=week", "weekly huddle")
    expect(page.get_by_text(f"{HUDDLES} (weekly)").first).to_be_visible()
    no_sideways_scroll(page)
