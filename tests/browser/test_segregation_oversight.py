"""Oversight of long-term segregation in a real browser (issue 17), every page checked by axe-core
(WCAG 2.2 AA) at each screen size: an independent review with three recommendations is recorded (first
with a panel lacking an expert by experience), one is overdue and shows on the review, the episode and the
provider's recommendations; its status is updated with evidence."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rrp.people.models import StaffMember
from rrp.segregation.models import IndependentReview
from rrp.segregation.services import episode_start
from tests import factories
from tests.browser.steps import check_accessibility, sign_in, visit


@pytest.fixture
def world(world: factories.World) -> factories.World:
    doctor = StaffMember.objects.create(
        provider=world.providers[0],
        given_name="Dana",
        family_name="Doctor",
        job_title="Consultant psychiatrist",
        staff_group="medical",
    )
    world.lts = episode_start(
        ward=world.wards["a1"],
        patient=world.patients["a1"],
        by=world.users["ward_staff"],
        kind="long_term_segregation",
        started_at=timezone.now() - dt.timedelta(days=90),
        place="Annexe flat",
        reason="Sustained risk to others",
        end_plan="Graded reintegration",
        authorised_by=doctor,
        mdt_decision="MDT agreed",
        commissioner_representative="ICB case manager",
    )
    return world


def test_independent_review_with_an_overdue_recommendation(page: Page, world):
    episode = world.lts
    today = timezone.localdate()
    sign_in(page, world.users["ward_staff"].username)
    visit(page, f"/segregation/episodes/{episode.pk}/", "lts-episode")
    page.get_by_role("link", name="Record an independent review").click()
    check_accessibility(page, "independent-review-new")

    page.get_by_label("Date of the review").fill((today - dt.timedelta(days=14)).isoformat())
    for i, (name, role, organisation) in enumerate(
        [
            ("Dr Ivy Independent", "Independent clinician", "Other Trust"),
            ("Eli Expert", "Other", "Experts Network"),  # a mistake: the expert by experience's role
            ("Casey Commissioner", "Commissioner's representative", "ICB 1"),
        ],
        start=1,
    ):
        page.locator(f"#id_panel_{i}_name").fill(name)
        page.locator(f"#id_panel_{i}_role").select_option(label=role)
        page.locator(f"#id_panel_{i}_organisation").fill(organisation)
    page.get_by_label("The person's own views").fill("I want to go outside and see my mum")
    page.get_by_label("Their family's or advocate's views").fill("Advocate: more activity, less waiting")
    page.get_by_label("What the panel found").fill("Still needed, but the plan to end it has stalled")
    page.get_by_label("Continue segregation, with the recommendations").check()
    for i, (text, owner, due) in enumerate(
        [
            ("Daily time off the unit with two staff", "Provider", today - dt.timedelta(days=2)),
            ("Find a community placement", "Commissioner", today + dt.timedelta(days=60)),
            ("Sensory assessment by an occupational therapist", "Provider", today + dt.timedelta(days=14)),
        ],
        start=1,
    ):
        page.locator(f"#id_recommendation_{i}_text").fill(text)
        page.locator(f"#id_recommendation_{i}_owner").select_option(label=owner)
        page.locator(f"#id_recommendation_{i}_due_on").fill(due.isoformat())
    page.get_by_role("button", name="Record independent review").click()
    expect(page.get_by_role("alert")).to_contain_text("The panel must include an expert by experience")
    check_accessibility(page, "independent-review-new-errors")
    page.locator("#id_panel_2_role").select_option(label="Expert by experience")
    page.get_by_role("button", name="Record independent review").click()

    expect(page.get_by_role("status")).to_contain_text("Independent review recorded.")
    expect(page.get_by_role("heading", name="1 recommendation overdue")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("Not yet assessed: overdue by 2 days"))).to_be_visible()
    check_accessibility(page, "independent-review")
    review = IndependentReview.objects.get()
    assert review.recommendations.count() == 3

    # The provider's view of recommendations shows it, overdue first.
    visit(page, f"/segregation/providers/{episode.provider_id}/", "provider-with-review")
    page.get_by_role("link", name="Recommendations of independent reviews").click()
    rows = page.get_by_role("table", name="Recommendations, overdue first").get_by_role("row")
    expect(rows.nth(1)).to_contain_text("Daily time off the unit with two staff")
    expect(rows.nth(1)).to_contain_text("overdue by 2 days")
    check_accessibility(page, "provider-recommendations")

    # Update it with evidence: achieved, no longer overdue.
    rows.nth(1).get_by_role("link", name=re.compile("Update")).click()
    check_accessibility(page, "recommendation-status")
    page.get_by_label("Achieved", exact=True).check()
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the evidence for this status")
    page.get_by_label("Evidence").fill("Daily walks since Monday, in the care plan")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_role("status")).to_contain_text("Recommendation updated.")
    expect(page.get_by_role("heading", name=re.compile("overdue"))).to_have_count(0)


def test_plan_to_end_segregation_register_and_summary(page: Page, world):
    episode = world.lts
    today = timezone.localdate()
    sign_in(page, world.users["ward_staff"].username)
    visit(page, f"/segregation/episodes/{episode.pk}/", "lts-episode-no-plan")
    page.get_by_role("link", name="Write the plan with steps and dates").click()
    check_accessibility(page, "end-plan-new")
    page.get_by_label("What ending segregation looks like for this person").fill("Living on the main ward")
    page.locator("#id_step_1_text").fill("Meals in the main dining room")
    page.locator("#id_step_1_planned_on").fill((today - dt.timedelta(days=20)).isoformat())
    page.locator("#id_step_1_done_on").fill((today + dt.timedelta(days=1)).isoformat())
    page.locator("#id_step_2_text").fill("Two hours a day on the main ward")
    page.locator("#id_step_2_planned_on").fill((today + dt.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("alert")).to_contain_text("Step 1 cannot be done in the future")
    check_accessibility(page, "end-plan-errors")
    page.locator("#id_step_1_done_on").fill((today - dt.timedelta(days=9)).isoformat())
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("status")).to_contain_text("Plan to end segregation saved.")
    expect(page.get_by_role("cell", name="Two hours a day on the main ward")).to_be_visible()
    check_accessibility(page, "lts-episode-with-plan")

    visit(page, f"/segregation/providers/{episode.provider_id}/lts-register/", "register-with-plan")
    row = page.get_by_role("row").filter(has_text=world.patients["a1"].family_name)
    expect(row).to_contain_text("last step")
    expect(row).to_contain_text("Next step: Two hours a day on the main ward")
    visit(page, f"/segregation/patients/{world.patients['a1'].pk}/", "patient-summary-lts")
    expect(page.get_by_role("heading", name="In long-term segregation now")).to_be_visible()


def test_named_access_for_a_case_manager(page: Page, world):
    """Without a grant the case manager sees a pseudonym; governance grants named access with its lawful
    basis; then the case manager sees the person by name; the overdue recommendation shows on the
    commissioner's view."""
    from rrp.segregation.oversight import independent_review_record
    from rrp.segregation.selectors import pseudonym
    from tests.browser.steps import sign_in_as

    episode, patient, today = world.lts, world.patients["a1"], timezone.localdate()
    independent_review_record(
        episode=episode,
        by=world.users["ward_staff"],
        held_on=today - dt.timedelta(days=20),
        panel=[
            {"name": "Dr Ivy Independent", "role": "independent_clinician", "organisation": "Other Trust"},
            {"name": "Eli Expert", "role": "expert_by_experience", "organisation": ""},
        ],
        person_views="Wants to go outside",
        family_views="Agrees",
        findings="Plan stalled",
        recommendations=[
            {
                "text": "Find a community placement",
                "owner": "commissioner",
                "due_on": today - dt.timedelta(days=1),
            }
        ],
    )
    case_manager = world.users["commissioner"]
    sign_in(page, case_manager.username)
    visit(page, "/segregation/oversight/", "commissioner-oversight-no-grant")
    page.get_by_role("link", name="Recommendations of independent reviews by status").click()
    expect(page.get_by_role("cell", name=pseudonym(patient.pk))).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("overdue by 1 day"))).to_be_visible()
    expect(page.get_by_text(patient.family_name)).to_have_count(0)
    check_accessibility(page, "commissioner-recommendations")
    page.goto(f"/segregation/oversight/people/{patient.pk}/")
    expect(page.get_by_role("heading", level=1)).not_to_have_text(patient.name)
    page.context.clear_cookies()

    sign_in_as(page, world.users["provider_governance"])
    visit(page, f"/segregation/providers/{episode.provider_id}/", "provider-governance")
    page.get_by_role("link", name="Commissioners' named access").click()
    check_accessibility(page, "named-access")
    page.get_by_label("Case manager", exact=True).select_option(value=str(case_manager.pk))
    page.get_by_label("Person in long-term segregation").select_option(value=str(patient.pk))
    page.locator("input[name=lawful_basis][value=care_commissioning]").check()
    page.get_by_label("Last day of access").fill((today + dt.timedelta(days=400)).isoformat())
    page.get_by_role("button", name="Grant named access").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Say why the case manager needs to see this person by name"
    )
    expect(page.get_by_role("alert")).to_contain_text("at most 183 days")
    check_accessibility(page, "named-access-errors")
    page.get_by_label("Why they need to see this person by name").fill("Case manager for the placement")
    page.get_by_label("Last day of access").fill((today + dt.timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Grant named access").click()
    expect(page.get_by_role("status")).to_contain_text("Named access granted.")
    expect(page.get_by_role("cell", name="In force")).to_be_visible()
    page.context.clear_cookies()

    sign_in(page, case_manager.username)
    visit(page, "/segregation/oversight/", "commissioner-oversight-with-grant")
    page.get_by_role("link", name=patient.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(patient.name)
    expect(page.get_by_role("cell", name=re.compile("overdue by 1 day"))).to_be_visible()
    check_accessibility(page, "named-person")


@pytest.fixture
def secluded_52_hours(world):
    """Ward a2's patient, secluded for 52 hours five days ago (made before the browser opens)."""
    doctor = StaffMember.objects.get(family_name="Doctor")
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=5)
    episode_start(
        ward=world.wards["a2"],
        patient=world.patients["a2"],
        by=world.users["ward_manager"],
        kind="seclusion",
        started_at=start,
        ended_at=start + dt.timedelta(hours=52),
        end_reason="Calm",
        place="Seclusion room 1",
        reason="Assault",
        end_plan="Calm for 30 minutes",
        authorised_by=doctor,
    )
    return world.patients["a2"]


def test_possible_segregation_flag_and_decision(secluded_52_hours, page: Page, world):
    """A person secluded for more than 48 hours is flagged as possibly segregated; the decision is
    recorded with reasons and the flag shows as decided."""
    from tests.browser.steps import sign_in_as

    person = secluded_52_hours
    sign_in_as(page, world.users["ward_manager"])  # two wards: a second factor
    visit(page, f"/segregation/providers/{person.provider_id}/", "provider-for-possible")
    page.get_by_role("link", name="Possible segregation without an episode").click()
    row = page.get_by_role("row").filter(has_text=person.name)
    expect(row).to_contain_text("Seclusion of 52 hours")
    expect(row).to_contain_text("Decision needed")
    check_accessibility(page, "possible-segregation")
    row.get_by_role("link", name=re.compile("Record a decision")).click()
    check_accessibility(page, "defacto-decision")
    page.get_by_label("Not segregation").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("alert")).to_contain_text("Give the reasons for the decision")
    page.get_by_label("Reasons").fill("Mixed freely on the ward after the seclusion ended; MDT agreed")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("status")).to_contain_text("Decision recorded.")
    expect(page.get_by_role("row").filter(has_text=person.name)).to_contain_text("Not segregation")
