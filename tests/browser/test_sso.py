"""Single sign-on in a real browser, through a real OpenID Connect provider the tests start (tests/oidc.py):
a linked user signs in and lands on their home page, an unknown identity is refused with a page that says
why, and a trust that switched passwords off shows only the button and refuses a password posted anyway."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from rrp.accounts.services import user_link_sso
from tests import factories
from tests.browser.steps import PASSWORD, check_accessibility, heading
from tests.oidc import Provider

BUTTON = "Sign in with your NHS account"


@pytest.fixture(autouse=True)
def provider_page_offline(page: Page, world: factories.World) -> None:
    """The provider's own page loads a stylesheet from a CDN this machine cannot reach: refuse it at once.
    And the live server's first request (URLs, the API's schema, templates) can take longer than a page's
    20 s on a busy machine, so it is made here with a longer wait than the steps' own."""
    page.context.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
    page.goto("/account/sign-in/", timeout=180_000)


def sign_in_at_provider(page: Page, subject: str) -> None:
    """When I press the single sign-on button and sign in at the identity provider as `subject`."""
    page.get_by_role("button", name=BUTTON).click()
    page.get_by_label("Subject").fill(subject)
    page.get_by_role("button", name="Authorize", exact=True).click()


def test_a_linked_user_signs_in_through_the_provider(page: Page, world: factories.World, sso_on: Provider):
    nurse = world.users["ward_staff"]
    user_link_sso(user=nurse, subject="browser-nurse")

    page.goto("/wards/")
    expect(page).to_have_url(re.compile(r"/account/sign-in/"))
    expect(page.get_by_role("button", name=BUTTON)).to_be_visible()
    check_accessibility(page, "sign-in-with-sso")

    sign_in_at_provider(page, "browser-nurse")
    expect(page).to_have_url(re.compile(r"/wards/$"))
    page.goto("/")
    expect(page.locator(".nhsuk-lede-text")).to_contain_text(f"Signed in as {nurse.username}")
    check_accessibility(page, "home")


def test_an_unknown_identity_is_refused_with_the_reason(page: Page, world: factories.World, sso_on: Provider):
    page.goto("/account/sign-in/")
    sign_in_at_provider(page, "browser-stranger")
    expect(heading(page)).to_have_text("Your account is not set up for RRP")
    expect(page.locator("#sso-subject")).to_have_text("browser-stranger")
    check_accessibility(page, "sso-refused")
    page.goto("/wards/")
    expect(page).to_have_url(re.compile(r"/account/sign-in/"))


def test_password_sign_in_switched_off_is_hidden_and_refused(
    page: Page, world: factories.World, sso_on: Provider, settings
):
    nurse = world.users["ward_staff"]
    # A sign-in page left open from before the trust switched passwords off.
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill(nurse.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    settings.RRP_PASSWORD_SIGN_IN = False
    page.get_by_role("button", name="Sign in", exact=True).click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text(f"This service does not accept passwords: {BUTTON}")
    expect(page.get_by_label("Password", exact=True)).to_have_count(0)
    check_accessibility(page, "password-refused")

    page.goto("/account/sign-in/")
    expect(page.get_by_label("Username")).to_have_count(0)
    expect(page.get_by_role("button", name=BUTTON)).to_be_visible()
    check_accessibility(page, "sso-only")
    page.goto("/wards/")
    expect(page).to_have_url(re.compile(r"/account/sign-in/"))
