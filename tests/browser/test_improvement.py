"""Events and rebase decisions in a real browser: a ward manager finds the page from the ward, gets the
form wrong then right, sees the event listed, records a rebase decision and withdraws the event; every
page checked by axe-core (WCAG 2.2 AA) and screenshotted at desktop and tablet sizes."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from rrp.improvement.models import ChartRebase, WardEvent
from tests import factories
from tests.browser.steps import check_accessibility, heading, sign_in_as, visit


def test_ward_manager_records_an_event_and_a_rebase_then_withdraws_the_event(
    page: Page, world: factories.World
) -> None:
    manager, ward = world.users["ward_manager"], world.wards["a1"]
    when = dt.date.today() - dt.timedelta(days=14)
    sign_in_as(page, manager)

    visit(page, f"/wards/{ward.pk}/", "ward")
    page.get_by_role("link", name="Events and rebases").click()
    expect(heading(page)).to_have_text(f"Events and rebases on {ward.name}")
    expect(page.get_by_text("No events have been recorded on this ward.")).to_be_visible()
    check_accessibility(page, "events-empty")

    # A label too long for the chart: the error summary and the field say so, nothing is saved.
    page.get_by_label("Date of the event").fill(when.isoformat())
    page.get_by_label("Label on the chart").fill(
        "Safewards started on the ward with every one of its ten models"
    )
    page.get_by_label("A change tested (PDSA)").check()
    page.get_by_role("button", name="Record event").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("The label must be 60 characters or fewer")
    expect(page).to_have_title(re.compile(r"^Error: Events and rebases"))
    check_accessibility(page, "events-error")
    assert not WardEvent.objects.exists()

    page.get_by_label("Label on the chart").fill("Safewards started")
    page.get_by_label("What happened (optional)").fill("Calm-down methods and mutual help meetings")
    page.get_by_role("button", name="Record event").click()
    expect(page.get_by_role("status")).to_contain_text("Safewards started")
    table = page.get_by_role("table", name=re.compile("Events on"))
    expect(table).to_contain_text("Safewards started")
    expect(table).to_contain_text("A change tested (PDSA)")
    check_accessibility(page, "events-recorded")

    page.get_by_role("link", name="Record a rebase decision").click()
    expect(heading(page)).to_have_text("Record a rebase decision")
    check_accessibility(page, "rebase-new")
    page.get_by_label("Measure").select_option(label="Restrictive interventions per 1,000 occupied bed days")
    page.get_by_label("New limits from").fill(when.isoformat())
    page.get_by_label("Why the process has changed").fill("Safewards embedded; the shift has lasted 8 months")
    page.get_by_role("button", name="Record rebase decision").click()
    expect(page.get_by_role("table", name=re.compile("Rebase decisions"))).to_contain_text(
        "Safewards embedded"
    )
    assert ChartRebase.objects.get().ward_id == ward.pk

    page.get_by_role("link", name="Withdraw the event Safewards started").click()
    expect(heading(page)).to_have_text("Withdraw the event")
    check_accessibility(page, "withdraw")
    page.get_by_label("Why are you withdrawing it?").fill("Recorded on the wrong ward")
    page.get_by_role("button", name="Withdraw the event").click()
    expect(table).to_contain_text("Withdrawn")
    expect(table).to_contain_text("Recorded on the wrong ward")
    check_accessibility(page, "events-withdrawn")
