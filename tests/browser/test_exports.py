"""A long export in a real browser (issue 19, item 2; decision 0023): provider governance asks for the
board pack from the board page, the progress page waits for the worker, htmx shows the file when it is
made without a reload, and the file downloads; both states pass axe at every size."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from rrp.ops import tasks
from rrp.ops.models import ExportJob
from tests import factories
from tests.browser.steps import check_accessibility, heading, sign_in_as


def test_governance_makes_the_board_pack_and_downloads_it_when_ready(
    page: Page, world: factories.World
) -> None:
    provider = world.providers[0]
    sign_in_as(page, world.users["provider_governance"])
    page.goto(f"/reports/board/{provider.pk}/")
    page.get_by_role("button", name="Make the board pack (PDF)").click()

    expect(heading(page)).to_have_text(f"Board pack PDF: {provider.name}")
    expect(page).to_have_url(re.compile(r"/exports/[0-9a-f-]{36}/$"))
    status = page.get_by_role("status")
    expect(status).to_contain_text("Waiting for the background worker to start it.")
    check_accessibility(page, "export-waiting")

    job = ExportJob.objects.get()
    tasks.run_export.call(str(job.pk))  # what `rrp worker` does
    download_button = page.get_by_role("button", name=f"Download board-pack-{provider.ods_code}.pdf")
    expect(download_button).to_be_visible(timeout=10_000)  # htmx asked again: no reload
    expect(status).to_contain_text("Ready.")
    check_accessibility(page, "export-ready")

    with page.expect_download() as download:
        download_button.click()
    assert download.value.suggested_filename == f"board-pack-{provider.ods_code}.pdf"
