"""Recording the typical use of force in a real browser, without JavaScript doing any of the work, with
every page checked by axe-core (WCAG 2.2 AA); and the review pages that follow.

The typical incident (issue 3, "fast entry"): prone then supine restraint, then intramuscular rapid
tranquillisation (MHSDS 14), two staff from the ward roster, one de-escalation attempt. The test counts
the fields typed or chosen and the clicks made; docs/use-of-force-entry.md reports the numbers.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from rrp.force.models import Incident
from rrp.people.models import StaffMember
from tests import factories
from tests.browser.steps import check_accessibility, heading, sign_in, sign_in_as, visit


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
    """Counts what a person does: each field typed or chosen, and each click (ticks and buttons)."""

    def __init__(self, page: Page) -> None:
        self.page, self.fields, self.clicks = page, 0, 0

    def type(self, locator, value: str) -> None:
        locator.fill(value)
        self.fields += 1

    def choose(self, locator, value: str) -> None:
        locator.select_option(value)
        self.fields += 1

    def click(self, locator) -> None:
        locator.click()
        self.clicks += 1

    def tick(self, locator) -> None:
        locator.check()
        self.clicks += 1


def group(page: Page, name: str):
    return page.get_by_role("group", name=name, exact=True)


def row(page: Page, n: int):
    return page.get_by_role("group", name=f"Type of force {n}", exact=True)


def test_ward_nurse_records_the_typical_incident(page: Page, world: factories.World) -> None:
    nurse, patient, ward = world.users["ward_staff"], world.patients["a1"], world.wards["a1"]
    sign_in(page, nurse.username)
    expect(heading(page)).to_have_text("Reducing Restrictive Practice")
    started = time.monotonic()
    act = Counter(page)

    act.click(page.get_by_role("link", name="Incidents", exact=True))
    expect(heading(page)).to_have_text("Use of force incidents")
    check_accessibility(page, "incident-list")

    act.click(page.get_by_role("button", name="Record a use of force"))
    expect(heading(page)).to_have_text("Record a use of force")
    expect(page.get_by_text(f"Ward: {ward.name}")).to_be_visible()
    check_accessibility(page, "choose-patient")
    act.tick(page.get_by_label(patient.name))
    act.click(page.get_by_role("button", name="Continue"))

    expect(heading(page)).to_have_text("Record a use of force")
    expect(page.locator("#patient-details")).to_contain_text("943 476 5919")
    check_accessibility(page, "record-form")

    act.type(page.get_by_label("Where on the ward did it happen?"), "Lounge")
    # 1: prone restraint. The start date is today already; the start time is now, corrected here.
    first = row(page, 1)
    act.choose(first.get_by_label("Type of force"), "01")
    act.type(first.get_by_label("Start time"), "14:06")
    act.type(first.get_by_label("End time"), "14:15")
    act.tick(
        first.get_by_role(
            "group", name="Is this type of force part of the patient's care plan?"
        ).get_by_label("No")
    )
    act.click(page.get_by_role("button", name="Add another type of force"))
    # 2: supine restraint, starting when the prone restraint ended (pre-filled from row 1).
    second = row(page, 2)
    expect(second.get_by_label("Start time")).to_have_value("14:15")
    act.choose(second.get_by_label("Type of force"), "09")
    act.type(second.get_by_label("End time"), "14:30")
    act.tick(
        second.get_by_role(
            "group", name="Is this type of force part of the patient's care plan?"
        ).get_by_label("No")
    )
    act.click(page.get_by_role("button", name="Add another type of force"))
    check_accessibility(page, "record-form-three-rows")
    # 3: intramuscular rapid tranquillisation during the supine restraint.
    third = row(page, 3)
    act.choose(third.get_by_label("Type of force"), "14")
    act.type(third.get_by_label("Start time"), "14:25")
    act.type(third.get_by_label("End time"), "14:26")
    act.tick(
        third.get_by_role(
            "group", name="Is this type of force part of the patient's care plan?"
        ).get_by_label("Yes")
    )

    act.choose(page.get_by_label("Main reason force was used"), "10")
    act.tick(page.get_by_label("Sam Nurse, Staff nurse"))
    act.choose(page.get_by_label("Part Sam Nurse took"), "head")
    act.tick(page.get_by_label("Alex Support, Healthcare assistant"))
    act.choose(page.get_by_label("Part Alex Support took"), "left_arm")
    act.type(page.get_by_label("How was force used?"), "Held prone, turned supine, IM lorazepam")
    act.tick(page.get_by_label("Talking with the patient calmly (verbal de-escalation)"))
    act.type(page.get_by_label("Outcome"), "Settled in own room")
    for question in (
        "Did the patient die?",
        "Was the patient seriously injured?",
        "Was the patient injured?",
        "Was any member of staff injured?",
        "Was anyone else injured?",
        "Was anyone not on the unit's staff involved?",
    ):
        act.tick(group(page, question).get_by_label("No"))
    act.tick(group(page, "Has the care-plan notification been sent?").get_by_label("Yes"))
    act.type(page.get_by_label("Sent to"), "Mother (nearest relative)")
    act.type(page.get_by_label("Time sent"), "15:05")
    act.click(page.get_by_role("button", name="Submit for review"))

    expect(heading(page)).to_have_text(re.compile(r"^Incident \d+$"))
    elapsed = time.monotonic() - started
    expect(page.get_by_text("Incident submitted for review.")).to_be_visible()
    expect(page.locator("#completeness")).to_contain_text(
        "Every item the Use of Force Act requires is recorded"
    )
    expect(page.get_by_text("Prone restraint: review required")).to_be_visible()
    check_accessibility(page, "incident-page")

    incident = Incident.objects.get()
    version = incident.latest_version
    assert incident.status == "submitted"
    assert [(i.type_code, i.duration_minutes) for i in version.interventions.all()] == [
        ("01", 11),
        ("09", 13),
        ("14", 1),
    ]
    assert sorted(s.name for s in version.staff.all()) == ["Alex Support", "Sam Nurse"]
    # The numbers docs/use-of-force-entry.md reports: keep them in step.
    assert (act.fields, act.clicks) == (16, 20), (act.fields, act.clicks)
    print(f"\ntypical incident: {act.fields} fields, {act.clicks} clicks, {elapsed:.1f} s in the browser")


def test_submit_with_gaps_shows_each_missing_item_then_draft_review_history(
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
    page.get_by_role("button", name="Submit for review").click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Missing: (a) Reason for the use of force")
    expect(summary).to_contain_text("Missing: (f) How force was used")
    expect(page).to_have_title(re.compile(r"^Error: Record a use of force"))
    check_accessibility(page, "record-form-missing-items")
    summary.get_by_role("link", name="Missing: (f) How force was used").click()
    expect(page.get_by_label("How was force used?")).to_be_focused()
    assert Incident.objects.count() == 0

    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("Incident saved as a draft.")).to_be_visible()
    expect(page.locator("#completeness")).to_contain_text("(a) Reason for the use of force")
    check_accessibility(page, "draft-incident-page")

    page.get_by_role("link", name="Continue the draft").click()
    expect(page.get_by_label("Where on the ward did it happen?")).to_have_value("Garden")
    check_accessibility(page, "continue-draft")
    page.get_by_label("Where on the ward did it happen?").fill("Garden, by the bench")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("Changes saved.")).to_be_visible()

    page.get_by_role("link", name="History of changes").click()
    expect(heading(page)).to_have_text(re.compile(r"^History of incident"))
    expect(page.get_by_text("Garden, by the bench")).to_be_visible()
    check_accessibility(page, "incident-history")

    visit(page, "/incidents/mine/", "my-reports")
    expect(page.locator("caption")).to_contain_text("1 report")


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
    page.get_by_role("link", name="CQC tasks").click()
    expect(heading(page)).to_have_text("CQC notification tasks")
    check_accessibility(page, "cqc-task-list")
    page.get_by_role("link", name=re.compile("To do: notify without delay")).click()
    check_accessibility(page, "cqc-task")
    page.get_by_label("CQC notified").check()
    page.get_by_role("button", name="Complete task").click()
    expect(page.get_by_text("CQC task completed.")).to_be_visible()
