"""Oversight of long-term segregation in a real browser (issue 17), every page checked by axe-core
(WCAG 2.2 AA) at each screen size: an independent review with three recommendations is recorded (first
with a panel lacking an expert by experience), one is overdue and shows on the review, the provider's
page and recommendations, and the commissioner's; its status is updated with evidence."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rrp.people.models import StaffMember
from rrp.segregation.models import IndependentReview
from rrp.segregation.pseudonyms import pseudonym
from rrp.segregation.services import episode_start
from tests import factories
from tests.browser.conftest import PHONE
from tests.browser.steps import check_accessibility, settle_after_resize, sign_in, sign_in_as, visit


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


def no_sideways_scroll_on_a_phone(page: Page) -> None:
    """Then, on a phone, the page's tables fit its width (each row's cells stack under their headings)."""
    page.set_viewport_size(PHONE)
    # The NHS.UK header moves its links into "More" a frame after a resize: measured before that, the
    # header's row of links was 464 px over (CI, once in two runs).
    settle_after_resize(page)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"


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

    # The provider's page says it is overdue, and its view of recommendations shows it, overdue first.
    visit(page, f"/segregation/providers/{episode.provider_id}/", "provider-with-review")
    expect(page.get_by_role("heading", name="1 recommendation from reviews overdue")).to_be_visible()
    page.get_by_role("link", name="Recommendations of independent reviews").click()
    rows = page.get_by_role("table", name="Recommendations, overdue first").get_by_role("row")
    expect(rows).to_have_count(4)
    expect(rows.nth(1)).to_contain_text("Daily time off the unit with two staff")
    expect(rows.nth(1)).to_contain_text("overdue by 2 days")
    check_accessibility(page, "provider-recommendations")
    no_sideways_scroll_on_a_phone(page)

    # So does the commissioner's, by the person's pseudonym.
    page.context.clear_cookies()
    sign_in_as(page, world.users["commissioner"])
    visit(page, "/segregation/oversight/", "commissioner-oversight-overdue")
    page.get_by_role("link", name="1 owned by the provider").click()
    rows = page.get_by_role("table", name="Every recommendation, overdue first").get_by_role("row")
    expect(rows).to_have_count(3)  # the provider's two, not the commissioner's
    expect(rows.nth(1)).to_contain_text(pseudonym(world.patients["a1"].pk))
    expect(rows.nth(1)).to_contain_text("overdue by 2 days")
    expect(page.get_by_text("Daily time off the unit")).to_have_count(0)  # its words need named access
    check_accessibility(page, "commissioner-recommendations-provider-owned")
    no_sideways_scroll_on_a_phone(page)
    page.context.clear_cookies()

    # The ward updates it with evidence: achieved, no longer overdue.
    sign_in(page, world.users["ward_staff"].username)
    page.goto(f"/segregation/providers/{episode.provider_id}/recommendations/?owner=provider")
    rows = page.get_by_role("table", name="Recommendations, overdue first").get_by_role("row")
    expect(rows).to_have_count(3)
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
    sign_in_as(page, case_manager)
    visit(page, "/segregation/oversight/", "commissioner-oversight-no-grant")
    page.get_by_role("link", name="Recommendations of independent reviews by status").click()
    expect(page.get_by_role("cell", name=pseudonym(patient.pk), exact=True)).to_be_visible()
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

    sign_in_as(page, case_manager)
    visit(page, "/segregation/oversight/", "commissioner-oversight-with-grant")
    page.get_by_role("link", name=patient.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(patient.name)
    expect(page.get_by_role("cell", name=re.compile("overdue by 1 day"))).to_be_visible()
    check_accessibility(page, "named-person")


def test_commissioner_records_the_status_of_an_action_it_owns(page: Page, world):
    """Decision 0076: the commissioner, without a grant, goes from the oversight page to the actions
    commissioners own, sees the person by pseudonym, is told the evidence is missing, then records the
    action achieved with evidence; the provider's own action offers no such link."""
    from rrp.segregation.oversight import independent_review_record

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
            },
            {"text": "More time outside", "owner": "provider", "due_on": today + dt.timedelta(days=9)},
        ],
    )
    sign_in_as(page, world.users["commissioner"])
    visit(page, "/segregation/oversight/", "commissioner-oversight-actions")
    page.get_by_role("link", name="Record the status of the actions commissioners own").click()
    expect(page.get_by_role("link", name=re.compile("Record status"))).to_have_count(1)
    page.get_by_role("link", name=re.compile("Record status")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Update recommendation 1")
    expect(page.get_by_text(pseudonym(patient.pk)).first).to_be_visible()
    expect(page.get_by_text(patient.family_name)).to_have_count(0)
    check_accessibility(page, "commissioner-recommendation-status")
    page.get_by_label("Achieved", exact=True).check()
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the evidence for this status")
    check_accessibility(page, "commissioner-recommendation-status-errors")
    page.get_by_label("Evidence").fill("Placement found and funded; move date agreed")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_role("status")).to_contain_text("Recommendation updated.")
    row = page.locator("table.nhsuk-table-responsive tbody tr")
    expect(row).to_have_count(1)  # the list narrowed to the actions commissioners own
    expect(row).to_contain_text("Achieved")
    expect(row).not_to_contain_text("overdue")
    check_accessibility(page, "commissioner-actions-achieved")


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


def test_cetr_schedule_and_record_a_cetr(page: Page, world):
    """Issue 17, items 1-2: an autistic inpatient is on the C(E)TR schedule with the post-admission
    review due; a C(E)TR is recorded from it (the panel checked), and the person's next one moves on."""
    from rrp.people.models import Patient

    person = world.patients["a1"]
    Patient.objects.filter(pk=person.pk).update(autism="Y")
    provider = world.providers[0]
    sign_in(page, world.users["ward_staff"].username)
    visit(page, f"/segregation/providers/{provider.pk}/cetrs/", "cetr-schedule")
    expect(page.get_by_text("Post-admission C(E)TR")).to_be_visible()
    page.get_by_role("link", name=f"Record a C(E)TR of {person.given_name} {person.family_name}").click()
    check_accessibility(page, "cetr-new")
    page.get_by_label("Date of the C(E)TR").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    page.locator("#id_panel_1_name").fill("Dr Ivy Independent")
    page.locator("#id_panel_1_role").select_option(label="Independent clinician")
    page.get_by_label("The person's own views").fill("I want to live near my sister")
    page.get_by_label("Their family's or advocate's views").fill("Sister: he needs a quiet place")
    page.get_by_label("What the panel found").fill("A community placement is needed")
    page.get_by_role("button", name="Record C(E)TR").click()
    expect(page.get_by_text("The panel must include an expert by experience")).to_have_count(2)
    check_accessibility(page, "cetr-new-errors")
    page.locator("#id_panel_2_name").fill("Eli Expert")
    page.locator("#id_panel_2_role").select_option(label="Expert by experience")
    page.get_by_role("button", name="Record C(E)TR").click()
    expect(page.get_by_role("heading", name=f"{person.given_name} {person.family_name}")).to_be_visible()
    check_accessibility(page, "cetr")
    assert IndependentReview.objects.get(patient=person).kind == "ctr"
    visit(page, f"/segregation/providers/{provider.pk}/cetrs/", "cetr-schedule-after")
    expect(page.get_by_text("Inpatient C(E)TR")).to_be_visible()


@pytest.fixture
def demo(page, transactional_db, settings):
    """The demo data set `make run` loads (the default options, ending yesterday), in a database the live
    server can see; made before the browser opens a page."""
    from rrp.demo.generate import demo_data_generate
    from rrp.demo.registry import DemoOptions

    settings.DEMO_MODE = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_data_generate(options=DemoOptions())


def test_possible_segregation_fires_on_the_demo_for_the_expected_people(demo, page: Page):
    """Issue 17, item 4, on the demo: governance at the logins' provider sees flagged exactly the people
    the rules find there, among them everyone whose seclusion in the last 28 days lasted over 48 hours
    (found here straight from the episodes, not through the rules)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rrp.accounts.models import User
    from rrp.demo.logins import totp_current_code
    from rrp.organisations.models import Ward
    from rrp.segregation import defacto
    from rrp.segregation.models import EpisodeVersion
    from rrp.segregation.oversight_selectors import defacto_flags

    governance = User.objects.get(username="governance")
    provider, now = governance.provider, timezone.now()
    since = now - dt.timedelta(days=defacto.LOOKBACK_DAYS)
    long_ones = {
        v.episode.patient
        for v in EpisodeVersion.objects.filter(
            episode__kind="seclusion", episode__provider=provider
        ).select_related("episode__patient")
        if (v.ended_at or now) >= since
        and (v.ended_at or now) - v.started_at > dt.timedelta(hours=defacto.LONG_SECLUSION_HOURS)
    }
    flagged = {
        f.patient_id
        for f in defacto_flags(
            provider_id=provider.pk, ward_ids=Ward.objects.filter(provider=provider), now=now
        )
    }
    assert long_ones, "the demo has a long seclusion at the logins' provider to flag"
    assert {p.pk for p in long_ones} <= flagged

    sign_in(page, "governance", "demo-password-1")
    page.get_by_label("Security code").fill(totp_current_code(TOTPDevice.objects.get(user=governance)))
    page.get_by_role("button", name="Continue").click()
    visit(page, f"/segregation/providers/{provider.pk}/", "demo-provider")
    page.get_by_role("link", name="Possible segregation without an episode").click()
    check_accessibility(page, "demo-possible-segregation")
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(len(flagged) + 1)  # the header, then one row a person
    for person in long_ones:
        row = rows.filter(has_text=person.name)
        expect(row).to_contain_text(re.compile(r"Seclusion of \d+ hours \(more than 48\)"))
        expect(row).to_contain_text("Decision needed")
