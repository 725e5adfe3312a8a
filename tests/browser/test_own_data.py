"""Chart your own data in a real browser, axe-checked (issue 20 item 4): a ward nurse opens the page from
the header, pastes a series, sees the chart with its icons and sentence, downloads the SVG, and is told in
the error summary what is wrong with a bad file, in ``rrp spc``'s words."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from rrp.accounts.roles import Role
from tests import factories
from tests.browser.conftest import PHONE
from tests.browser.steps import charts_drawn, check_accessibility, heading, open_from_header, sign_in_as
from tests.browser.test_force_record_narrow import no_sideways_scroll
from tests.integration.reports.test_own_data import SERIES


def test_a_nurse_charts_a_pasted_series_and_downloads_it(
    page: Page, transactional_db, tmp_path: Path
) -> None:
    nurse = factories.user(role=Role.WARD_STAFF, provider=factories.provider(region=factories.region()))
    page.goto("/account/sign-in/", timeout=120_000)  # the live server's first page can be slow to start
    sign_in_as(page, nurse)
    open_from_header(page, "Chart your own data")
    expect(heading(page)).to_have_text("Chart your own data")
    expect(page.get_by_text("Nothing you paste or upload is stored", exact=True)).to_be_visible()
    check_accessibility(page, "own-data-empty")

    page.get_by_label("Paste your data").fill(SERIES)
    page.get_by_label("What the data is (optional)").fill("Assaults on staff")
    page.get_by_label("Down is better").check()
    page.get_by_label("Target (optional)").fill("6")
    page.get_by_role("button", name="Draw the charts").click()
    charts_drawn(page, 1)
    chart = page.locator("figure.rrp-chart")
    expect(chart.locator(".rrp-chart__icons")).to_contain_text("special cause variation, improvement")
    expect(chart.locator("figcaption")).to_contain_text("The target of 6")
    check_accessibility(page, "own-data-chart")

    with page.expect_download() as download:
        page.get_by_role("button", name="SVG of Assaults on staff").click()
    saved = tmp_path / "chart.svg"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "spc-chart-1.svg"
    assert saved.read_text().lstrip().startswith("<svg")

    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)

    page.get_by_label("Paste your data").fill(SERIES.replace(",11\n", ",abc\n", 1))
    page.get_by_role("button", name="Draw the charts").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text("Row 3, column 'value': 'abc' is not a number")
    expect(page.locator("figure.rrp-chart")).to_have_count(0)
    check_accessibility(page, "own-data-error")
