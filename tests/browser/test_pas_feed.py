"""The patient administration feed's held messages and the merge page in a real browser (issue 18 item 3):
governance finds the held queue from the home page, reads why a message waits, adds nothing and tries
again; merges two records of the same person; each page checked with axe-core."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from rrp.people.adt import adt_apply, read_message
from rrp.people.models import Patient
from tests import factories
from tests.browser.steps import check_accessibility, heading, sign_in_as, visit
from tests.pas_data import Journey, adt_message


def test_governance_reads_the_held_queue_and_merges_two_records(page: Page, world: factories.World) -> None:
    provider = world.providers[0]
    j = Journey("PAS77", "", "Robin", "Waiting", dt.date(1990, 1, 1), "F", "VPAS77", [])
    text = adt_message(
        "A01", j, ward="UNKNOWNWARD", at=timezone.now() - dt.timedelta(days=1), control_id="HELD77"
    )
    adt_apply(provider=provider, messages=[read_message(text, 1)], by=None)
    sign_in_as(page, world.users["provider_governance"])

    page.get_by_role("link", name="Patient administration feed").click()
    expect(heading(page)).to_have_text("Held patient administration messages")
    row = page.get_by_role("row").filter(has_text="HELD77")
    expect(row).to_contain_text("no ward of")
    expect(row).to_contain_text("UNKNOWNWARD")
    check_accessibility(page, "feed-held")
    page.get_by_role("button", name="Try the held messages again").click()
    expect(page.get_by_role("status")).to_contain_text("0 held message(s) applied; 1 still held")

    prior, kept = world.patients["a1"], world.patients["a2"]
    visit(page, f"/patients/{prior.pk}/", "patient-before-merge")
    page.get_by_role("link", name="Merge this record into another record of the same person").click()
    expect(heading(page)).to_have_text("Merge a patient's records")
    page.get_by_role("button", name="Merge into that record").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the local identifier of the record to keep")
    check_accessibility(page, "patient-merge-errors")
    page.get_by_label("Local identifier of the record to keep").fill(kept.local_identifier)
    page.get_by_label("Why are these the same person?").fill("Same NHS number on the PAS")
    page.get_by_role("button", name="Merge into that record").click()
    expect(heading(page)).to_have_text(kept.name)
    expect(page.get_by_role("status")).to_contain_text(
        f"Record {prior.local_identifier} merged into this one"
    )
    assert Patient.objects.get(pk=prior.pk).merged_into_id == kept.pk
    visit(page, f"/patients/{prior.pk}/", "patient-merged")
    expect(page.get_by_text("Merged record")).to_be_visible()
    check_accessibility(page, "patient-merged")
