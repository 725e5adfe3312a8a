"""Recording a use of force at 390 px wide, a phone held upright (issue 13, item 1: "every page usable at
1024x768 and at 390 px wide"): every page of the task list, from choosing the patient to checking the
answers, fits the width without scrolling sideways, so nothing on it is cut off or needs panning. axe
checks the same pages at every size in the other tests; it does not check reflow (WCAG 1.4.10)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from rrp.force.models import Incident
from rrp.force.sections import SECTIONS
from tests import factories
from tests.browser.conftest import PHONE
from tests.browser.steps import heading, settle_after_resize, sign_in


def no_sideways_scroll(page: Page) -> None:
    """Then the page fits the window's width, once the header and any charts have settled at that width."""
    settle_after_resize(page)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {page.viewport_size}"


def test_every_recording_page_fits_a_phone(page: Page, world: factories.World) -> None:
    nurse, patient, ward = world.users["ward_staff"], world.patients["a1"], world.wards["a1"]
    page.set_viewport_size(PHONE)
    page.goto("/account/sign-in/", timeout=120_000)  # the live server's first page can be slow to start
    sign_in(page, nurse.username)
    expect(heading(page)).to_have_text("Reducing Restrictive Practice")
    no_sideways_scroll(page)
    page.goto("/incidents/new/")
    no_sideways_scroll(page)
    page.goto(f"/incidents/new/{ward.pk}/{patient.pk}/")
    no_sideways_scroll(page)
    page.get_by_label("Where on the ward did it happen?").fill("Garden")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    no_sideways_scroll(page)
    incident = Incident.objects.get()
    for section in SECTIONS:
        page.goto(f"/incidents/{incident.pk}/record/{section.slug}/")
        no_sideways_scroll(page)
    page.goto(f"/incidents/{incident.pk}/record/check/")
    no_sideways_scroll(page)
    page.goto(f"/incidents/{incident.pk}/")
    no_sideways_scroll(page)
