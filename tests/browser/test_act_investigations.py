"""Investigations, prone restraint reviews, the annual statistics and the CQC inspection pack in a real
browser, axe-checked (issue 16 items 4, 5, 7 and 8): a serious injury opens an investigation that
governance records after an error; the ward manager names a prone reviewer and completes the review from
the huddle; the board links to the annual statistics and the inspection pack."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from rrp.act.models import Investigation
from rrp.force.services import incident_record
from tests import factories
from tests.browser.steps import check_accessibility, heading, sign_in_as, sign_out, visit
from tests.integration.force.incident_data import complete_content, typical_interventions


def test_investigation_prone_review_and_statutory_outputs(page: Page, world: factories.World) -> None:
    provider, ward = world.providers[0], world.wards["a1"]
    incident = incident_record(
        ward=ward,
        patient=world.patients["a1"],
        by=world.users["ward_staff"],
        interventions=typical_interventions(),  # prone: flagged for review
        **{**complete_content(), "patient_serious_injury": True},
    )
    assert Investigation.objects.filter(incident=incident).exists()

    sign_in_as(page, world.users["provider_governance"])
    visit(page, f"/use-of-force-act/providers/{provider.pk}/investigations/", "investigations")
    page.get_by_role("link", name=f"The patient was seriously injured (incident {incident.pk})").click()
    expect(heading(page)).to_have_text("Investigation: the patient was seriously injured")
    check_accessibility(page, "investigation-new")
    page.get_by_role("link", name="Record the investigation").click()
    page.get_by_label("Their job title").fill("Consultant psychiatrist")
    page.get_by_role("button", name="Save the investigation").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_contain_text(
        "Enter who leads the investigation"
    )
    check_accessibility(page, "investigation-error")
    page.get_by_label("Who leads the investigation").fill("Dr R Patel")
    page.get_by_label("Patient safety incident investigation (PSII)").check()
    page.get_by_label("Contacted and involved").check()
    page.get_by_label("Action 1", exact=True).fill("Refresher on safe holds")
    page.get_by_label("Action 1: owner").fill("Ward manager")
    page.get_by_label("Action 1: due").fill("2099-01-31")
    page.get_by_role("button", name="Save the investigation").click()
    expect(page.get_by_text("Investigation recorded")).to_be_visible()
    expect(page.get_by_text("Dr R Patel, Consultant psychiatrist")).to_be_visible()
    check_accessibility(page, "investigation-recorded")

    visit(page, f"/reports/board/{provider.pk}/", "board-with-investigations")
    expect(page.locator("#investigations-summary")).to_contain_text("1 open")
    page.get_by_role("link", name="Annual statistics of the use of force (section 7)").click()
    expect(heading(page)).to_contain_text("Statistics of the use of force")
    check_accessibility(page, "annual-statistics")
    visit(page, f"/reports/inspection/{provider.pk}/", "inspection-pack")
    expect(page.locator("#pack-overdue")).to_contain_text(
        "Investigations of deaths and serious injuries open"
    )
    sign_out(page)

    sign_in_as(page, world.users["ward_manager"])
    visit(page, f"/reports/wards/{ward.pk}/huddle/", "huddle-prone")
    page.get_by_role("link", name="See the prone restraint reviews").click()
    expect(heading(page)).to_have_text(f"Prone restraint reviews: {ward.name}")
    check_accessibility(page, "prone-reviews")
    page.get_by_role("link", name=f"Incident {incident.pk}").click()
    page.get_by_role("button", name="Name the reviewer").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_contain_text(
        "Enter the reviewer's name"
    )
    check_accessibility(page, "prone-review-error")
    page.get_by_label("Reviewer").fill("Jo Bloggs")
    page.get_by_label("Their job title").fill("Matron")
    page.get_by_role("button", name="Name the reviewer").click()
    page.get_by_label("Why was the patient restrained in the prone position?").fill(
        "Went to the floor face down"
    )
    page.get_by_label("How long were they prone, in minutes?").fill("9")
    page.get_by_label("No", exact=True).check()
    page.get_by_label("What is the learning?").fill("Turn to supine sooner")
    check_accessibility(page, "prone-review-form")
    page.get_by_role("button", name="Complete the review").click()
    expect(page.get_by_text("Prone restraint review completed")).to_be_visible()
    check_accessibility(page, "prone-review-done")
