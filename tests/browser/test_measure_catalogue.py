"""The governed catalogue in a real browser, axe-checked (issue 20 item 3): provider governance opens the
measures catalogue from the header, proposes a new balancing measure (told what is wrong first), cannot
approve it themselves; the system administrator, a second person in the working group, approves it with a
reason and it is in the catalogue with its version history."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.steps import check_accessibility, heading, open_from_header, sign_in_as, sign_out


def test_a_measure_is_proposed_and_approved_by_a_second_person(page: Page, world: factories.World) -> None:
    sign_in_as(page, world.users["provider_governance"])
    open_from_header(page, "Measures")
    expect(heading(page)).to_have_text("Measures catalogue")
    check_accessibility(page, "measure-catalogue")
    page.get_by_role("button", name="Propose a new measure").click()
    expect(heading(page)).to_have_text("Propose a new measure")

    page.get_by_label("Key", exact=True).fill("falls-per-1000-obd")
    page.get_by_label("Name", exact=True).fill("Falls per 1,000 occupied bed days")
    page.get_by_label("Balancing").check()
    page.get_by_label("Why it matters").fill("Less restraint must not mean more falls.")
    page.get_by_label("What is counted").fill("Falls reported in the incident system")
    page.get_by_label("Imported from the incident system's export (or the API)").check()
    page.get_by_label("The ward's occupied bed days (RRP holds them)").check()
    page.get_by_label("Unit", exact=True).fill("per 1,000 occupied bed days")
    page.get_by_label("Multiplier", exact=True).fill("a thousand")
    page.get_by_label("Lower", exact=True).check()
    page.get_by_label("XmR chart of the value").check()
    page.get_by_label("Next review").fill("2027-12-31")
    page.get_by_label("What this adds or changes, and why").fill("Asked for by the working group")
    page.get_by_role("button", name="Propose for review").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text("Enter a number, for example 1000, 100 or 1")
    check_accessibility(page, "measure-propose-error")

    page.get_by_label("Multiplier", exact=True).fill("1000")
    page.get_by_role("button", name="Propose for review").click()
    expect(heading(page)).to_have_text("Proposal: Falls per 1,000 occupied bed days")
    expect(page.get_by_text("You proposed this, so a second person")).to_be_visible()
    expect(page.get_by_role("button", name="Save the decision")).to_have_count(0)
    check_accessibility(page, "measure-proposal-own")
    proposal_url = page.url
    sign_out(page)

    sign_in_as(page, world.users["system_admin"])
    open_from_header(page, "Measures")
    page.get_by_role("link", name="Falls per 1,000 occupied bed days, version 1").click()
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_contain_text(
        "Choose approve or reject"
    )
    check_accessibility(page, "measure-review-error")
    page.get_by_label("Approve: it joins the catalogue").check()
    page.get_by_label("Reason", exact=True).fill("Matches the incident system's falls category")
    page.get_by_role("button", name="Save the decision").click()

    expect(heading(page)).to_have_text("Falls per 1,000 occupied bed days")
    versions = page.get_by_role("region", name="Versions of the measure")
    expect(versions).to_contain_text("Approved")
    expect(versions).to_contain_text("Matches the incident system's falls category")
    check_accessibility(page, "measure-approved")
    page.goto("/measures/")
    expect(page.get_by_role("region", name="Measures in the catalogue")).to_contain_text(
        "Falls per 1,000 occupied bed days"
    )
    assert proposal_url.rstrip("/").split("/")[-1].isdigit()
