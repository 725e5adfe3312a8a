"""Two people change the same incident in two browsers (issue 12, decision 0018): the second save is
refused, and the page shows the first person's change beside what the second entered, keeping it all;
saving again keeps both changes. The reconcile page is checked by axe at every size."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from rrp.accounts.roles import Role
from rrp.force.services import incident_record
from rrp.people.models import StaffMember
from tests import factories
from tests.browser.conftest import DESKTOP
from tests.browser.steps import check_accessibility, sign_in_as
from tests.integration.force.incident_data import complete_content, two_staff, typical_interventions

FIRST_OUTCOME = "Settled in own room after 20 minutes; no injuries"


@pytest.fixture
def world(world: factories.World) -> factories.World:
    """The shared world with a complete incident on ward a1 and a second nurse on that ward."""
    ward = world.wards["a1"]
    world.incident = incident_record(
        ward=ward,
        patient=world.patients["a1"],
        by=world.users["ward_staff"],
        interventions=typical_interventions(),
        staff=two_staff(StaffMember.objects.get(family_name="Nurse")),
        **complete_content(),
    )
    world.users["second_nurse"] = factories.user(
        role=Role.WARD_STAFF, provider=ward.provider, wards=[ward], first_name="Robin", last_name="Second"
    )
    return world


@pytest.fixture
def second_page(browser, live_server, axe_source, page):
    """A second person's browser: its own context (cookies), set up as the shared `page` is."""
    context = browser.new_context(
        base_url=live_server.url, viewport=DESKTOP, locale="en-GB", timezone_id="Europe/London"
    )
    context.add_init_script(script=axe_source)
    context.set_default_timeout(20_000)
    context.route("https://assets.nhs.uk/**", lambda route: route.abort())
    other = context.new_page()
    other.rrp_test_name, other.rrp_step, other.rrp_errors = f"{page.rrp_test_name}-second", 0, []
    other.on("pageerror", lambda error: other.rrp_errors.append(str(error)))
    yield other
    context.close()


def test_racing_change_forms_reconcile_side_by_side(page, second_page, world):
    change = f"/incidents/{world.incident.pk}/change/"
    sign_in_as(page, world.users["ward_staff"])
    sign_in_as(second_page, world.users["second_nurse"])
    page.goto(change)
    second_page.goto(change)

    page.get_by_label("Outcome").fill(FIRST_OUTCOME)
    page.get_by_label("Why are you changing this record?").fill("Outcome written up")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("Changes saved.")).to_be_visible()

    second_page.get_by_label("Where on the ward did it happen?").fill("Garden")
    second_page.get_by_label("Why are you changing this record?").fill("Place corrected")
    second_page.get_by_role("button", name="Save as draft").click()

    callout = second_page.locator("#conflict")
    expect(callout).to_contain_text("Someone else changed this incident while you were editing it")
    expect(callout).to_contain_text("saved version 2")
    row = callout.get_by_role("row").filter(has_text="Outcome")
    expect(row).to_contain_text(FIRST_OUTCOME)
    expect(second_page.get_by_label("Where on the ward did it happen?")).to_have_value("Garden")
    expect(second_page.get_by_label("Outcome")).to_have_value(FIRST_OUTCOME)
    check_accessibility(second_page, "reconcile")

    second_page.get_by_role("button", name="Save as draft").click()
    expect(second_page.get_by_text("Changes saved.")).to_be_visible()
    expect(second_page).to_have_url(re.compile(rf"/incidents/{world.incident.pk}/$"))
    latest = world.incident.versions.order_by("-number").first()
    assert (latest.number, latest.place_on_ward, latest.outcome) == (3, "Garden", FIRST_OUTCOME)
