"""The audit log as information governance and the system administrator use it (issue 13, items 7 and 9),
in a real browser with axe: search by NHS number, entries in plain words, a bad filter answered on its
field, the two steps of a two-factor sign-in, and no patient named to the administrator."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.steps import check_accessibility, heading, sign_in_as, sign_out, visit

NHS_A1 = "9434765919"


@pytest.fixture
def world(world: factories.World) -> factories.World:
    world.patients["a1"].nhs_number = NHS_A1
    world.patients["a1"].save(update_fields=["nhs_number"])
    return world


def test_governance_finds_who_looked_at_a_patient(page: Page, world: factories.World) -> None:
    patient = world.patients["a1"]
    sign_in_as(page, world.users["ward_staff"])
    page.goto(f"/patients/{patient.pk}/")
    expect(heading(page)).to_contain_text(patient.name)
    sign_out(page)

    sign_in_as(page, world.users["provider_governance"])
    visit(page, "/audit/", "audit-log")
    signed_in = page.get_by_role("row").filter(has_text="Password accepted, awaiting second factor")
    expect(signed_in.first).to_contain_text(world.users["provider_governance"].username)
    expect(page.get_by_role("row").filter(has_text="Signed in with the second factor").first).to_be_visible()

    page.get_by_text("Search the log").click()
    page.get_by_label("Patient's NHS number or name").fill("943 476 5919")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("caption")).to_contain_text("1 entry, newest first")
    row = page.get_by_role("row").filter(has_text="Viewed")
    expect(row).to_contain_text(world.users["ward_staff"].username)
    expect(row).to_contain_text(f"patient record {patient.pk}")
    expect(row).to_contain_text(f"{patient.name}, NHS number 943 476 5919")
    expect(page.get_by_text("people.Patient")).to_have_count(0)
    check_accessibility(page, "audit-log-by-nhs-number")

    page.get_by_label("Patient's NHS number or name").fill("")
    page.get_by_label("From").fill("last tuesday")
    page.get_by_role("button", name="Search").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=re.compile("Enter the start date"))).to_have_attribute(
        "href", "#id_since"
    )
    expect(page.get_by_role("table")).to_have_count(0)
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_accessibility(page, "audit-log-bad-date")


def test_the_administrator_sees_every_entry_but_no_patient(page: Page, world: factories.World) -> None:
    patient = world.patients["a1"]
    sign_in_as(page, world.users["ward_staff"])
    page.goto(f"/patients/{patient.pk}/")
    sign_out(page)

    sign_in_as(page, world.users["system_admin"])
    visit(page, "/audit/", "audit-log-admin")
    row = page.get_by_role("row").filter(has_text=f"patient record {patient.pk}")
    expect(row).to_contain_text("Viewed")
    main = page.get_by_role("main")
    expect(main).not_to_contain_text(patient.given_name)
    expect(main).not_to_contain_text("943 476 5919")
    expect(page.get_by_label("Patient's NHS number or name")).to_have_count(0)
