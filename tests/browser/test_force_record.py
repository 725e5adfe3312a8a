"""Recording a use of force in a real browser as a task list, with every page checked by axe-core
(WCAG 2.2 AA); an expired session that loses nothing; the warning before it ends; and the review pages.

The typical incident (issue 13): prone restraint for five minutes then intramuscular rapid
tranquillisation (MHSDS 14), two staff from the ward roster, one de-escalation attempt. The test counts
page submissions, fields and clicks; docs/use-of-force-entry.md reports the numbers.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from rrp.force.models import Incident
from rrp.people.models import StaffMember
from tests import factories
from tests.browser.conftest import SMALL_DESKTOP
from tests.browser.steps import check_accessibility, heading, open_from_header, sign_in, sign_in_as, visit


@pytest.fixture
def world(world: factories.World) -> factories.World:
    """The shared world; patient A1 has an NHS number and full record; two staff on ward a1's roster."""
    w = world
    patient = w.patients["a1"]
    patient.nhs_number = "9434765919"
    patient.primary_mental_disorder = "F20.0"
    patient.save(update_fields=["nhs_number", "primary_mental_disorder"])
    sam = StaffMember.objects.get(family_name="Nurse")
    sam.wards.set([w.wards["a1"]])
    alex = StaffMember.objects.create(
        provider=w.providers[0],
        given_name="Alex",
        family_name="Support",
        job_title="Healthcare assistant",
        staff_group="support",
    )
    alex.wards.set([w.wards["a1"]])
    return w


class Counter:
    """Counts what a person does: each field typed or chosen (a text box, a list, a radio or checkbox
    answer), each click on a button or link, and each page submission (a form posted, or a form's GET
    with answers in its address), read off the browser's own navigation requests so none is missed."""

    def __init__(self, page: Page) -> None:
        self.page, self.fields, self.clicks, self.submissions = page, 0, 0, 0
        page.on("request", self._request)

    def _request(self, request) -> None:
        if not request.is_navigation_request() or request.redirected_from is not None:
            return
        if request.method == "POST" or "?" in request.url:
            self.submissions += 1

    def type(self, locator, value: str) -> None:
        locator.fill(value)
        self.fields += 1

    def choose(self, locator, value: str) -> None:
        locator.select_option(value)
        self.fields += 1

    def tick(self, locator) -> None:
        locator.check()
        self.fields += 1

    def click(self, locator) -> None:
        locator.click()
        self.clicks += 1


def group(page: Page, name: str):
    return page.get_by_role("group", name=name, exact=True)


def row(page: Page, n: int):
    return page.get_by_role("group", name=f"Type of force {n}", exact=True)


CARE_PLAN = "Is this type of force part of the patient's care plan?"


def earlier_today(minutes_ago: int) -> str:
    """A ward clock time (HH:MM, Europe/London) the given minutes ago: the form refuses a time in the
    future, so fixed times such as 14:06 fail whenever the suite runs before them."""
    return (datetime.now(ZoneInfo("Europe/London")) - timedelta(minutes=minutes_ago)).strftime("%H:%M")


def test_ward_nurse_records_the_typical_incident(page: Page, world: factories.World) -> None:
    """Issue 13's measure: prone restraint for five minutes then rapid tranquillisation, two staff, at
    1024x768, in no more than 14 page submissions and 20 fields (docs/use-of-force-entry.md)."""
    now = datetime.now(ZoneInfo("Europe/London"))
    if now.hour == 0 and now.minute < 30:
        pytest.skip("the same-day incident needs 25 minutes of today behind it; runs again after 00:30")
    started_at, ended_at, sent_at = earlier_today(25), earlier_today(20), earlier_today(5)
    nurse, patient, ward = world.users["ward_staff"], world.patients["a1"], world.wards["a1"]
    page.set_viewport_size(SMALL_DESKTOP)
    sign_in(page, nurse.username)
    expect(heading(page)).to_have_text("Reducing Restrictive Practice")
    started = time.monotonic()
    act = Counter(page)

    act.click(page.get_by_role("link", name="Record a use of force"))
    expect(heading(page)).to_have_text("Record a use of force")
    expect(page.get_by_text(f"Ward: {ward.name}")).to_be_visible()
    check_accessibility(page, "choose-patient")
    act.tick(page.get_by_label(patient.name))
    act.click(page.get_by_role("button", name="Continue"))

    expect(heading(page)).to_have_text("Where, when and what force")
    expect(page.locator("#patient-details")).to_contain_text("943 476 5919")
    # Entry after the event: today's date, but no time is ever filled in for the nurse.
    expect(row(page, 1).get_by_label("Start time")).to_have_value("")
    check_accessibility(page, "record-force")
    act.type(page.get_by_label("Where on the ward did it happen?"), "Lounge")
    first = row(page, 1)
    act.choose(first.get_by_label("Type of force"), "01")
    act.type(first.get_by_label("Start time"), started_at)
    act.type(first.get_by_label("End time"), ended_at)
    act.tick(first.get_by_role("group", name=CARE_PLAN).get_by_label("No"))
    act.click(page.get_by_role("button", name="Add another type of force"))
    # Rapid tranquillisation, starting when the prone restraint ended (pre-filled from row 1); an
    # injection's end, left blank, is when it was given.
    second = row(page, 2)
    expect(first.get_by_label("End time")).to_have_value(ended_at)
    expect(second.get_by_label("Start time")).to_have_value(ended_at)
    act.choose(second.get_by_label("Type of force"), "14")
    act.tick(second.get_by_role("group", name=CARE_PLAN).get_by_label("Yes"))
    check_accessibility(page, "record-force-two-rows")
    act.click(page.get_by_role("button", name="Save and continue"))

    expect(heading(page)).to_have_text("Record a use of force")
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    check_accessibility(page, "task-list")
    act.click(page.get_by_role("link", name="Why and how force was used"))
    act.choose(page.get_by_label("Main reason force was used"), "10")
    act.type(page.get_by_label("How was force used?"), "Held prone, then IM lorazepam")
    act.tick(page.get_by_label("Talking with the patient calmly (verbal de-escalation)"))
    check_accessibility(page, "record-why")
    act.click(page.get_by_role("button", name="Save and continue"))

    act.click(page.get_by_role("link", name="Staff who used force"))
    expect(page.get_by_label("Search staff by name or job title")).to_be_visible()
    page.get_by_label("Search staff by name or job title").fill("sup")  # narrows the list, not counted
    expect(page.get_by_label("Sam Nurse", exact=True)).to_be_hidden()
    page.get_by_label("Search staff by name or job title").fill("")
    act.tick(page.get_by_label("Sam Nurse", exact=True))
    act.choose(page.get_by_label("Part Sam Nurse took"), "head")
    act.tick(page.get_by_label("Alex Support", exact=True))
    act.choose(page.get_by_label("Part Alex Support took"), "left_arm")
    check_accessibility(page, "record-staff")
    act.click(page.get_by_role("button", name="Save and continue"))

    act.click(page.get_by_role("link", name="Outcome, injuries and who else was involved"))
    act.type(page.get_by_label("Outcome"), "Settled in own room")
    act.tick(page.get_by_label("None of these"))
    check_accessibility(page, "record-outcome")
    act.click(page.get_by_role("button", name="Save and continue"))

    act.click(page.get_by_role("link", name="Care-plan notification"))
    act.tick(group(page, "Has the care-plan notification been sent?").get_by_label("Yes"))
    act.type(page.get_by_label("Sent to"), "Mother (nearest relative)")
    act.type(page.get_by_label("Time sent"), sent_at)
    check_accessibility(page, "record-notification")
    act.click(page.get_by_role("button", name="Save and continue"))

    expect(page.locator("#progress")).to_have_text("You have completed 6 of 7 sections.")
    act.click(page.get_by_role("link", name="Check your answers and submit"))
    expect(heading(page)).to_have_text("Check your answers before submitting")
    check_accessibility(page, "check-answers")
    act.click(page.get_by_role("button", name="Submit for review"))

    expect(heading(page)).to_have_text(re.compile(r"^Incident \d+$"))
    elapsed = time.monotonic() - started
    expect(page.get_by_text("Incident submitted for review.")).to_be_visible()
    expect(page.locator("#completeness")).to_contain_text(
        "Every item the Use of Force Act requires is recorded"
    )
    check_accessibility(page, "incident-page")

    incident = Incident.objects.get()
    version = incident.latest_version
    assert incident.status == "submitted"
    assert [(i.type_code, i.duration_minutes) for i in version.interventions.all()] == [("01", 5), ("14", 0)]
    assert sorted(s.name for s in version.staff.all()) == ["Alex Support", "Sam Nurse"]
    assert version.patient_died is False and version.injury_staff is False
    # The numbers docs/use-of-force-entry.md reports: keep them in step.
    assert act.submissions <= 14 and act.fields <= 20, (act.submissions, act.fields)
    assert (act.submissions, act.fields, act.clicks) == (8, 20, 14), (act.submissions, act.fields, act.clicks)
    print(
        f"\ntypical incident: {act.submissions} submissions, {act.fields} fields, {act.clicks} clicks, "
        f"{elapsed:.1f} s in the browser"
    )


def test_draft_with_gaps_then_continued_and_an_expired_session_loses_nothing(
    page: Page, world: factories.World
) -> None:
    nurse, patient, ward = world.users["ward_staff"], world.patients["a1"], world.wards["a1"]
    sign_in(page, nurse.username)
    expect(heading(page)).to_have_text("Reducing Restrictive Practice")
    page.goto(f"/incidents/new/{ward.pk}/{patient.pk}/")
    page.get_by_label("Where on the ward did it happen?").fill("Garden")
    # Enter in a field keeps the page as it is: no row added, nothing saved.
    page.get_by_label("Where on the ward did it happen?").press("Enter")
    expect(page.get_by_label("Where on the ward did it happen?")).to_have_value("Garden")
    expect(page.get_by_role("group", name="Type of force 2")).to_have_count(0)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    incident = Incident.objects.get()

    page.get_by_role("link", name="check what you have entered so far").click()
    page.get_by_role("button", name="Submit for review").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Missing: (a) Reason for the use of force")
    expect(page).to_have_title(re.compile(r"^Error: Check your answers"))
    check_accessibility(page, "check-answers-missing-items")
    assert incident.status == "draft"

    # The session ends while the nurse is typing: the page they post is kept, and after signing in again
    # they are back on it with what they typed, to check and save.
    page.goto(f"/incidents/{incident.pk}/record/why/")
    page.get_by_label("How was force used?").fill("Held by both arms, walked to the quiet room")
    page.context.clear_cookies(name="sessionid")
    page.get_by_role("button", name="Save and continue").click()
    expect(heading(page)).to_have_text("Sign in")
    expect(page.locator("#kept")).to_contain_text("What you typed has been kept")
    check_accessibility(page, "sign-in-kept")
    sign_in(page, nurse.username)
    expect(heading(page)).to_have_text("Why and how force was used")
    expect(page.locator("#restored")).to_be_visible()
    expect(page.get_by_label("How was force used?")).to_have_value(
        "Held by both arms, walked to the quiet room"
    )
    check_accessibility(page, "restored-after-sign-in")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Why and how force was used saved.")).to_be_visible()
    assert incident.latest_version.how_force_used == "Held by both arms, walked to the quiet room"

    page.get_by_role("link", name="Back to the incident").click()
    page.get_by_role("link", name="History of changes").click()
    expect(heading(page)).to_have_text(re.compile(r"^History of incident"))
    expect(page.get_by_text("Draft: why and how force was used saved")).to_be_visible()
    check_accessibility(page, "incident-history")

    visit(page, "/incidents/mine/", "my-reports")
    expect(page.locator("caption")).to_contain_text("1 report")


def test_the_session_warning_offers_to_stay_signed_in(page: Page, world: factories.World, settings) -> None:
    """Two minutes before the idle session ends a warning appears; "Stay signed in" renews it."""
    nurse = world.users["ward_staff"]
    sign_in(page, nurse.username)
    page.clock.install()
    page.goto("/incidents/")
    warning = page.locator("#session-warning")
    expect(warning).to_be_hidden()
    page.clock.fast_forward("28:30")
    expect(warning).to_be_visible()
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_focused()
    check_accessibility(page, "session-warning")
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    page.clock.fast_forward("27:00")
    expect(warning).to_be_hidden()
    page.clock.fast_forward("01:30")
    expect(warning).to_be_visible()


def test_manager_sends_back_and_governance_completes_cqc_task(page: Page, world: factories.World) -> None:
    from rrp.force.services import incident_record, incident_submit
    from tests.integration.force.incident_data import complete_content, two_staff, typical_interventions

    nurse, patient, ward = world.users["ward_staff"], world.patients["a1"], world.wards["a1"]
    sam = StaffMember.objects.get(family_name="Nurse")
    content = {
        **complete_content(),
        "non_staff_involved": True,
        "non_staff_types": ["police"],
        "non_staff_reason": "Called to help",
    }
    incident = incident_record(
        ward=ward,
        patient=patient,
        by=nurse,
        interventions=typical_interventions(),
        staff=two_staff(sam),
        **content,
    )
    incident_submit(incident=incident, by=nurse)

    manager = world.users["ward_manager"]
    sam.user = manager  # the manager is Sam Nurse on the roster, who held the head
    sam.save(update_fields=["user"])
    sign_in_as(page, manager)
    visit(page, "/incidents/new/", "choose-ward")
    visit(page, f"/incidents/new/?ward={world.wards['a2'].pk}", "choose-patient-ward-a2")
    visit(page, f"/incidents/{incident.pk}/", "manager-incident-page")
    page.get_by_role("link", name="Add your statement").click()
    page.get_by_role("button", name="Add statement").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Write your statement")
    check_accessibility(page, "statement-error")
    page.get_by_label("Your statement").fill("I held the head and talked to them throughout.")
    page.get_by_role("button", name="Add statement").click()
    expect(page.get_by_text("I held the head and talked to them throughout.")).to_be_visible()
    page.get_by_role("link", name="Send back for changes").click()
    page.get_by_role("button", name="Send back for changes").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say what needs to change")
    check_accessibility(page, "send-back-error")
    page.get_by_label("What needs to change?").fill("Say when the police left")
    page.get_by_role("button", name="Send back for changes").click()
    expect(page.get_by_text("Incident sent back.")).to_be_visible()
    page.context.clear_cookies()

    governance = world.users["provider_governance"]
    sign_in_as(page, governance)
    open_from_header(page, "CQC tasks")  # behind "More" since the header gained the Act's link
    expect(heading(page)).to_have_text("CQC notification tasks")
    check_accessibility(page, "cqc-task-list")
    page.get_by_role("link", name=re.compile("To do: notify without delay")).click()
    check_accessibility(page, "cqc-task")
    page.get_by_label("CQC notified").check()
    page.get_by_role("button", name="Complete task").click()
    expect(page.get_by_text("CQC task completed.")).to_be_visible()
