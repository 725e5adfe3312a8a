"""An emailed invitation in a real browser (issue 18 item 1, decision 0081): a provider administrator adds
a nurse and RRP emails them; the nurse opens the link from the email, chooses a password (a weak one is
refused by name first), signs in with it and sees their ward; the link does not work a second time. Every
page checked with axe-core (WCAG 2.2 AA) at each width."""

from __future__ import annotations

import re

from django.core import mail
from playwright.sync_api import Page, expect

from rrp.accounts.models import User
from rrp.core.models import AuditEvent
from tests.browser.steps import check_accessibility, heading, open_from_header, sign_in, sign_in_as, sign_out

CHOSEN = "heron-lantern-quarry-61"


def test_an_administrator_invites_a_nurse_who_chooses_a_password_and_signs_in(page: Page, world) -> None:
    admin = world.users["provider_admin"]
    ward = world.wards["a1"]
    sign_in_as(page, admin)
    open_from_header(page, "Administration")
    expect(heading(page)).to_have_text(world.providers[0].name)
    page.get_by_role("link", name="Add an account").click()
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Newstarter")
    page.get_by_label("Username").fill("nia.new")
    page.get_by_label("Email", exact=True).fill("nia.new@example.nhs.uk")
    page.get_by_label("Ward staff", exact=True).check()
    page.get_by_label(f"{ward.name} ({ward.code})").check()
    page.get_by_label("Email them an invitation").check()
    check_accessibility(page, "account-add-invitation")
    page.get_by_label("Why are you making this change?").fill("New starter")
    page.get_by_role("button", name="Add account").click()
    expect(page.get_by_text("Invitation sent to nia.new@example.nhs.uk.")).to_be_visible()
    page.get_by_role("row").filter(has_text="nia.new").get_by_role("link").first.click()
    expect(page.locator("#sign-in-state")).to_contain_text("Invited on")
    check_accessibility(page, "account-invited")
    sign_out(page)

    # The nurse opens the link in the email.
    [message] = mail.outbox
    link = re.search(r"/account/invitation/\S+/", message.body).group(0)
    page.goto(link)
    expect(heading(page)).to_have_text("Choose your password")
    expect(page.locator("#invited-username")).to_have_text("nia.new")
    check_accessibility(page, "invitation")
    page.get_by_label("New password", exact=True).fill("password")
    page.get_by_label("New password again").fill("password")
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("alert")).to_contain_text("This password is too common.")
    check_accessibility(page, "invitation-refused")
    page.get_by_label("New password", exact=True).fill(CHOSEN)
    page.get_by_label("New password again").fill(CHOSEN)
    page.get_by_role("button", name="Save password").click()
    expect(page.locator("#password-set")).to_contain_text("Your password is saved")
    check_accessibility(page, "invitation-password-set")

    sign_in(page, "nia.new", CHOSEN)
    open_from_header(page, "Wards")
    expect(page.get_by_role("link", name=ward.name)).to_be_visible()
    assert User.objects.get(username="nia.new").check_password(CHOSEN)
    assert AuditEvent.objects.filter(detail__password="chosen from the invitation").count() == 1

    page.goto(link)  # a second time
    expect(heading(page)).to_have_text("This link no longer works")
    check_accessibility(page, "invitation-used")
