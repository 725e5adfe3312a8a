"""Setting up a new provider on the administration pages in a real browser (issue 18, "Done when"): on an
otherwise empty database the system administrator adds a region, a provider, a site, two wards and five
accounts with first passwords; the provider's new administrator, made to choose their own password at
first sign-in, then closes a ward with a reason, and a new ward nurse signs in to their ward. Every page
checked with axe-core (WCAG 2.2 AA) at desktop, tablet and phone widths."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from rrp.accounts.models import User
from rrp.accounts.roles import Role
from rrp.core.models import AuditEvent
from rrp.organisations.models import Ward
from tests import factories
from tests.browser.steps import (
    check_accessibility,
    heading,
    open_from_header,
    pass_two_factor_set_up,
    sign_in,
    sign_in_as,
    sign_out,
)

FIRST_PASSWORD = "a-long-first-password-9"
OWN_PASSWORD = "kestrel-orchard-window-38"


def save(page: Page, button: str, reason: str) -> None:
    page.get_by_label("Why are you making this change?").fill(reason)
    page.get_by_role("button", name=button).click()


def choose_own_password(page: Page) -> None:
    """At the first sign-in with a password an administrator set, I choose my own (decision 0081)."""
    expect(heading(page)).to_have_text("Choose your own password")
    check_accessibility(page, "first-password-change")
    page.get_by_label("Current password").fill(FIRST_PASSWORD)
    page.get_by_label("New password", exact=True).fill(OWN_PASSWORD)
    page.get_by_label("New password again").fill(OWN_PASSWORD)
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_text("Your password is now your own.")).to_be_visible()


def add_ward(page: Page, code: str, name: str, beds: str) -> None:
    page.get_by_role("link", name="Add a ward").click()
    page.get_by_label("Site").select_option(label="Riverside Hospital")
    page.get_by_label("Ward code").fill(code)
    page.get_by_label("Ward name").fill(name)
    page.get_by_label("Specialism").select_option(label="Adult acute")
    page.get_by_label("Female").check()
    page.get_by_label("Beds").fill(beds)
    page.get_by_label("Opened on").fill("2026-01-05")
    save(page, "Add ward", "New provider going live")
    expect(page.get_by_role("row").filter(has_text=name)).to_contain_text(beds)


def add_account(page: Page, username: str, first: str, role: str, wards: list[str]) -> None:
    page.get_by_role("link", name="Add an account").click()
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill("Tester")
    page.get_by_label("Username").fill(username)
    page.get_by_label(role, exact=True).check()
    for ward in wards:
        page.get_by_label(ward).check()
    page.get_by_label("Set a first password to give them").check()
    page.get_by_label("First password", exact=True).fill(FIRST_PASSWORD)
    save(page, "Add account", "Going live")
    expect(page.get_by_role("row").filter(has_text=username)).to_contain_text(role)


def test_an_administrator_sets_up_a_provider_with_two_wards_and_five_accounts(
    page: Page, transactional_db
) -> None:
    admin = factories.user(
        role=Role.SYSTEM_ADMIN, username="first.admin", first_name="First", last_name="Admin"
    )
    sign_in_as(page, admin)
    open_from_header(page, "Administration")
    expect(heading(page)).to_have_text("Administration")
    expect(page.get_by_text("No providers yet.")).to_be_visible()
    check_accessibility(page, "administration-empty")

    page.get_by_role("link", name="Add a region").click()
    page.get_by_label("Region code").fill("Y56")
    page.get_by_label("Name").fill("London")
    save(page, "Add region", "First region of the installation")

    page.get_by_role("link", name="Add a provider").click()
    page.get_by_label("ODS code").fill("RXX")
    page.get_by_label("Name").fill("Riverside Mental Health NHS Trust")
    page.get_by_label("NHS trust").check()
    page.get_by_label("NHS England region").select_option(label="London")
    page.get_by_role("button", name="Add provider").click()  # no reason given
    expect(page.get_by_role("alert")).to_contain_text("Enter why you are making this change")
    check_accessibility(page, "provider-add-refused")
    save(page, "Add provider", "Trust going live in January")
    expect(heading(page)).to_have_text("Riverside Mental Health NHS Trust")

    page.get_by_role("link", name="Add a site").click()
    page.get_by_label("Site ODS code").fill("RXX01")
    page.get_by_label("Name").fill("Riverside Hospital")
    save(page, "Add site", "Going live")
    add_ward(page, "RXX-WIL", "Willow", "18")
    page.get_by_role("link", name="Add a ward").click()
    check_accessibility(page, "ward-add")
    page.get_by_role("link", name="Back").click()
    add_ward(page, "RXX-OAK", "Oak", "12")

    add_account(page, "pat.admin", "Pat", "Provider administrator", [])
    add_account(page, "gov.lead", "Gina", "Provider governance", [])
    add_account(page, "ward.manager", "Wes", "Ward manager", ["Willow (RXX-WIL)", "Oak (RXX-OAK)"])
    add_account(page, "nurse.willow", "Nia", "Ward staff", ["Willow (RXX-WIL)"])
    page.get_by_role("link", name="Add an account").click()
    check_accessibility(page, "account-add")
    page.get_by_role("link", name="Back").click()
    add_account(page, "nurse.oak", "Omar", "Ward staff", ["Oak (RXX-OAK)"])
    expect(page.get_by_role("row").filter(has_text=re.compile(r"Willow|Oak"))).to_have_count(
        5
    )  # 2 wards, the ward manager of both, 2 nurses
    check_accessibility(page, "provider-set-up")
    assert User.objects.filter(provider__ods_code="RXX").count() == 5
    assert AuditEvent.objects.filter(record_type="accounts.User", detail__reason="Going live").count() == 5
    sign_out(page)

    # The provider's own administrator closes a ward, and sees only their provider.
    sign_in(page, "pat.admin", FIRST_PASSWORD)
    assert User.objects.get(username="pat.admin").requires_two_factor
    pass_two_factor_set_up(page)
    choose_own_password(page)
    open_from_header(page, "Administration")
    expect(heading(page)).to_have_text("Riverside Mental Health NHS Trust")
    page.get_by_role("link", name="Oak").click()
    page.get_by_label("Closed on").fill("2026-11-30")
    save(page, "Save ward", "Merged into Willow")
    expect(page.get_by_role("row", name=re.compile(r"^Oak \(RXX-OAK\)"))).to_contain_text(
        "Closed 30 November 2026"
    )
    check_accessibility(page, "ward-closed")
    assert Ward.objects.get(code="RXX-OAK").closed_on is not None
    sign_out(page)

    # A new nurse signs in with the first password and sees their ward.
    sign_in(page, "nurse.willow", FIRST_PASSWORD)
    choose_own_password(page)
    open_from_header(page, "Wards")
    expect(page.get_by_role("link", name="Willow")).to_be_visible()
    expect(page.get_by_role("link", name="Oak")).to_have_count(0)
