"""Choosing one's reminders, and the administrators' list of reminders not sent, in a real browser,
axe-checked (issue 19, item 3)."""

from __future__ import annotations

from django.utils import timezone
from playwright.sync_api import Page, expect

from rrp.ops.models import Reminder, ReminderKind, ReminderStatus
from tests import factories
from tests.browser.steps import check_accessibility, heading, sign_in_as, sign_out, visit


def test_ward_staff_choose_their_reminders_and_an_administrator_sees_one_not_sent(
    page: Page, world: factories.World
) -> None:
    nurse = world.users["ward_staff"]
    nurse.email = "nurse@example.nhs.uk"
    nurse.save(update_fields=["email"])

    sign_in_as(page, nurse)
    visit(page, "/account/reminders/", "reminder-preferences")
    expect(heading(page)).to_have_text("Reminders")
    every_kind = page.get_by_role("group", name="Remind me of").get_by_role("checkbox")
    # Reviews, follow-up, rapid-tranquillisation observations, and (decision 0083) overdue recommendations
    # of independent reviews on their wards: ward staff record segregation, so they act on those too.
    expect(every_kind).to_have_count(4)
    expect(page.get_by_label(ReminderKind.OVERDUE_ACTIONS.label)).to_be_checked()
    for box in every_kind.all():
        expect(box).to_be_checked()  # nothing chosen yet: every kind the role acts on
    page.get_by_label(ReminderKind.FOLLOW_UP.label).uncheck()
    page.get_by_role("button", name="Save my choices").click()
    # Found by its text: the hidden session warning (role=alert, 4a42845) comes first in the page.
    expect(page.get_by_text("Your reminder choices are saved")).to_be_visible()
    expect(page.get_by_label(ReminderKind.FOLLOW_UP.label)).not_to_be_checked()
    expect(page.get_by_label(ReminderKind.REVIEWS.label)).to_be_checked()
    check_accessibility(page, "reminder-preferences-saved")
    sign_out(page)

    Reminder.objects.create(
        user=nurse,
        kind=ReminderKind.REVIEWS,
        ward=world.wards["a1"],
        slot=timezone.now(),
        channel="email",
        subject="RRP: 1 overdue: seclusion and segregation reviews",
        body="...",
        status=ReminderStatus.FAILED,
        attempts=5,
        next_attempt_at=timezone.now(),
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )
    sign_in_as(page, world.users["system_admin"])
    visit(page, "/ops/reminders/", "reminders-not-sent")
    table = page.get_by_role("table", name="1 reminders not sent")
    expect(table).to_contain_text(nurse.username)
    expect(table).to_contain_text("ConnectionRefusedError")


def test_the_reminders_page_is_linked_from_the_account_links(page: Page, world: factories.World) -> None:
    """The reminders page is found from the header's account links (it used to be reachable only
    from the link in a reminder email)."""
    sign_in_as(page, world.users["ward_staff"])
    page.locator(".nhsuk-header__account").get_by_role("link", name="Reminders").click()
    expect(heading(page)).to_have_text("Reminders")
    check_accessibility(page, "reminders-from-account-links")
