"""Signing in and out, wards, bed days, patients and the audit log, in a real browser, with every page
checked by axe-core against WCAG 2.2 AA."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.steps import (
    check_accessibility,
    heading,
    pass_two_factor_set_up,
    sign_in,
    sign_in_as,
    sign_out,
    visit,
)


@pytest.fixture
def world(world: factories.World) -> factories.World:
    """The shared synthetic world, in a database the live server can see. Patient A1 has an NHS number."""
    w = world
    w.patients["a1"].nhs_number = "9434765919"
    w.patients["a1"].save(update_fields=["nhs_number"])
    return w


def test_sign_in_wrong_password_then_right_then_sign_out(page: Page, world: factories.World) -> None:
    user = world.users["ward_staff"]

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/account/sign-in/"))
    expect(heading(page)).to_have_text("Sign in")
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    check_accessibility(page, "sign-in")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()

    sign_in(page, user.username, "not-the-password")
    summary = page.locator(".nhsuk-error-summary")
    # The NHS.UK frontend script (loaded under the CSP) moves focus to the summary.
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter a correct username and password")
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    check_accessibility(page, "sign-in-error")

    sign_in(page, user.username)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".nhsuk-lede-text")).to_contain_text(f"Signed in as {user.username}")
    expect(page.get_by_role("navigation").first).to_be_visible()
    check_accessibility(page, "home")

    sign_out(page)
    expect(heading(page)).to_have_text("Sign in")
    page.goto("/wards/")
    expect(page).to_have_url(re.compile(r"/account/sign-in/"))


def test_ward_staff_finds_their_ward_and_patients(page: Page, world: factories.World) -> None:
    user, ward, patient = world.users["ward_staff"], world.wards["a1"], world.patients["a1"]
    sign_in(page, user.username)
    expect(heading(page)).to_have_text("Reducing Restrictive Practice")

    visit(page, "/wards/", "ward-list")
    expect(page.locator("caption")).to_contain_text("Wards you can see (1)")
    page.get_by_role("link", name=ward.name).click()

    expect(heading(page)).to_have_text(ward.name)
    expect(page.get_by_role("heading", name="Occupied bed days by month")).to_be_visible()
    expect(page.get_by_role("link", name=patient.name)).to_be_visible()
    check_accessibility(page, "ward")

    visit(page, "/patients/", "patient-search")
    search = page.get_by_label("Find a patient")
    search.fill(patient.given_name)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("caption")).to_contain_text(f"1 patient matching “{patient.given_name}”")
    expect(page.get_by_role("link", name=patient.name)).to_be_visible()
    check_accessibility(page, "patient-search-by-name")

    page.get_by_label("Find a patient").fill("943 476 5919")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("caption")).to_contain_text("1 patient matching")
    expect(page.get_by_role("cell", name="943 476 5919")).to_be_visible()
    page.get_by_role("link", name=patient.name).click()

    expect(heading(page)).to_have_text(patient.name)
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("943 476 5919")
    expect(page.get_by_role("cell", name=ward.name)).to_be_visible()
    check_accessibility(page, "patient")


def test_governance_two_factor_bed_days_and_audit_log(page: Page, world: factories.World) -> None:
    user, ward = world.users["provider_governance"], world.wards["a2"]
    month = (dt.date.today().replace(day=1) - dt.timedelta(days=150)).replace(day=1)

    sign_in(page, user.username)
    expect(page).to_have_url(re.compile(r"/account/two-factor/"))
    page.get_by_label("Security code").fill("12")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("6-digit security code")
    check_accessibility(page, "two-factor-error")
    pass_two_factor_set_up(page)
    expect(page).to_have_url(re.compile(r"/$"))
    check_accessibility(page, "home-governance")

    visit(page, f"/wards/{ward.pk}/", "ward-governance")
    page.get_by_role("link", name="Enter or correct a month's bed days").click()
    expect(heading(page)).to_have_text("Enter a month's occupied bed days")
    check_accessibility(page, "bed-days")

    page.get_by_label("Month").fill(f"{month:%Y-%m}")
    page.get_by_label("Occupied bed days").fill("lots")
    page.get_by_role("button", name="Save bed days").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter a whole number of bed days")
    expect(summary.get_by_role("link", name="Enter a whole number of bed days")).to_have_attribute(
        "href", "#id_bed_days"
    )
    bed_days = page.get_by_label("Occupied bed days")
    # A screen reader hears the error with the field, not only in the summary.
    expect(bed_days).to_have_accessible_description(re.compile(r"Error:\s+Enter a whole number of bed days"))
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_accessibility(page, "bed-days-error")

    bed_days.fill("550")
    page.get_by_role("button", name="Save bed days").click()
    expect(heading(page)).to_have_text(ward.name)
    expect(page.get_by_role("status")).to_contain_text(f"Bed days for {month:%B %Y} saved.")
    row = page.get_by_role("row").filter(has_text=f"{month:%B %Y}")
    expect(row).to_contain_text("550")
    expect(row).to_contain_text("Entered by the ward")
    check_accessibility(page, "ward-after-bed-days")

    visit(page, "/audit/", "audit-log")
    expect(heading(page)).to_have_text("Audit log")
    expect(page.get_by_role("row").filter(has_text=f"{ward.code} {month:%Y-%m}: 550")).to_be_visible()
    page.get_by_text("Search the log").click()
    page.get_by_label("Username").fill(user.username)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("caption")).to_contain_text("entries, newest first")
    check_accessibility(page, "audit-log-search")

    sign_out(page)


def test_ward_manager_two_factor_with_an_app_already_set_up_and_other_pages(
    page: Page, world: factories.World
) -> None:
    user = world.users["ward_manager"]
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)

    sign_in(page, user.username)
    expect(heading(page)).to_have_text("Enter your security code")
    expect(page.locator(".rrp-secret")).to_have_count(0)
    check_accessibility(page, "two-factor")
    page.get_by_label("Security code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Reducing Restrictive Practice")

    visit(page, "/about/", "about")
    expect(heading(page)).to_have_text("About Reducing Restrictive Practice")

    response = page.goto(f"/wards/{world.wards['c1'].pk}/")
    assert response is not None and response.status == 404, "another provider's ward must not be found"
    expect(heading(page)).to_have_text("Page not found")
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    check_accessibility(page, "not-found")

    response = page.goto("/audit/")
    assert response is not None and response.status == 403, "a ward manager must not see the audit log"
    expect(heading(page)).to_have_text("You cannot see this page")
    check_accessibility(page, "forbidden")


def test_too_many_wrong_passwords_locks_sign_in(page: Page, world: factories.World) -> None:
    page.goto("/account/sign-in/")
    for _attempt in range(5):
        sign_in(page, world.users["ward_staff"].username, "not-the-password")
    expect(heading(page)).to_have_text("Too many sign-in attempts")
    check_accessibility(page, "locked-out")


def test_the_accessibility_check_catches_a_planted_fault(page: Page, live_server) -> None:
    """Guards the guard: axe really runs, and a failure names the rule and the element."""
    page.goto("/account/sign-in/")
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("beforeend",
             '<img src="/static/rrp.css" id="planted-image"><input type="text" id="planted-input">')"""
    )
    with pytest.raises(AssertionError) as failure:
        check_accessibility(page, "planted-fault")
    report = str(failure.value)
    assert "image-alt (critical)" in report and "#planted-image" in report
    assert "label (critical)" in report and "#planted-input" in report


def test_commissioner_sees_wards_without_patients_and_the_analyst_a_home_page(
    page: Page, world: factories.World
) -> None:
    sign_in_as(page, world.users["commissioner"])
    expect(heading(page)).to_have_text("Reducing Restrictive Practice")
    expect(page.get_by_role("link", name="Patients")).to_have_count(0)
    check_accessibility(page, "home-commissioner")

    visit(page, "/providers/", "provider-list-commissioner")
    expect(page.locator("caption")).to_contain_text("Providers whose wards you can see (2)")
    page.get_by_role("link", name=world.providers[1].name).click()
    expect(page.locator("caption")).to_contain_text("Wards you can see (1)")
    check_accessibility(page, "ward-list-one-provider")

    visit(page, "/wards/", "ward-list-commissioner")
    expect(page.locator("caption")).to_contain_text("Wards you can see (3)")
    page.get_by_role("link", name=world.wards["a1"].name).click()
    expect(heading(page)).to_have_text(world.wards["a1"].name)
    expect(page.get_by_role("heading", name="Patients on the ward now")).to_have_count(0)
    check_accessibility(page, "ward-commissioner")
    sign_out(page)

    sign_in(page, world.users["national_analyst"].username)
    expect(heading(page)).to_have_text("Reducing Restrictive Practice")
    expect(page.get_by_role("link", name="Patients")).to_have_count(0)
    check_accessibility(page, "home-national-analyst")
