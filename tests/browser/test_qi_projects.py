"""Quality-improvement projects in a real browser (issue 14, item 1): a ward manager starts a project on
a ward with a year of figures, gets the form wrong then right, sees the aim worked out from the measure's
own baseline and the charts drawn with the aim line, adds an expert by experience to the team and scores
the project's progress; every page checked by axe-core (WCAG 2.2 AA) and screenshotted at each size."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rrp.improvement.models import EventKind, QiProject
from rrp.improvement.services import ward_event_record
from tests import factories
from tests.browser.steps import charts_drawn, check_accessibility, heading, sign_in_as, visit
from tests.integration.reports.ward_records import at, monthly_bed_days, months_back, quick_incident


@pytest.fixture
def world(world: factories.World) -> factories.World:
    """Ward a1 with 14 months of bed days, restraints every fortnight and a change tested."""
    a1, patient, gov = world.wards["a1"], world.patients["a1"], world.users["provider_governance"]
    today = timezone.localdate()
    monthly_bed_days(a1, months_back(today, 14))
    for days in range(5, 420, 14):
        quick_incident(a1, patient, gov, at(today - dt.timedelta(days=days)), "01")
    ward_event_record(
        ward=a1,
        happened_on=today - dt.timedelta(days=60),
        label="Safewards started",
        kind=EventKind.CHANGE_TESTED,
        by=gov,
    )
    return world


def test_a_ward_manager_starts_a_project_builds_the_team_and_scores_it(
    page: Page, world: factories.World
) -> None:
    manager, ward = world.users["ward_manager"], world.wards["a1"]
    today = timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    sign_in_as(page, manager)

    visit(page, "/projects/", "projects-empty")
    expect(heading(page)).to_have_text("Quality-improvement projects")
    expect(page.get_by_text("There are no projects on your wards yet.")).to_be_visible()

    page.get_by_role("button", name="Start a project").click()
    expect(heading(page)).to_have_text("Start a quality-improvement project")
    check_accessibility(page, "project-new")
    page.get_by_label("Project title").fill("Fewer restraints on " + ward.name)
    page.get_by_role("button", name="Start the project").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Say what problem the project is trying to solve")
    expect(summary).to_contain_text("Select at least one ward")
    expect(page).to_have_title(re.compile(r"^Error: Start a quality-improvement project"))
    check_accessibility(page, "project-new-errors")
    assert not QiProject.objects.exists()

    page.get_by_label("What problem is the project trying to solve?").fill("Restraint rose over the winter.")
    page.get_by_label(ward.name, exact=True).check()
    page.get_by_label("The aim's measure").select_option(
        label="Restrictive interventions per 1,000 occupied bed days"
    )
    page.get_by_label("First month of the baseline").fill(
        (last_month - dt.timedelta(days=330)).replace(day=1).isoformat()
    )
    page.get_by_label("Last month of the baseline").fill(last_month.replace(day=1).isoformat())
    page.get_by_label("By how much, in per cent").fill("25")
    page.get_by_label("Aim to be met by").fill((today + dt.timedelta(days=365)).isoformat())
    page.get_by_role("group", name="Process measures").get_by_label(
        "Share of incidents with a patient debrief held", exact=True
    ).check()
    page.get_by_role("group", name="Balancing measures").get_by_label(
        "Incidents in which a member of staff was injured"
    ).check()
    page.get_by_role("button", name="Start the project").click()

    expect(page.get_by_role("status")).to_contain_text("You are its lead")
    expect(heading(page)).to_have_text(f"Fewer restraints on {ward.name}")
    expect(
        page.get_by_text(re.compile(r"^Reduce restrictive interventions per 1,000 occupied bed days on"))
    ).to_be_visible()
    charts_drawn(page, 3)
    expect(page.locator("figure.rrp-chart").first).to_contain_text("Safewards started")
    check_accessibility(page, "project-page")

    page.get_by_role("link", name="Change the team").click()
    page.get_by_label("Or the name of someone without an account").fill("Alex Rivers")
    page.get_by_label("Expert by experience").check()
    page.get_by_role("button", name="Add to the team").click()
    expect(page.get_by_role("status")).to_contain_text("Alex Rivers added to the team")
    expect(page.get_by_role("table", name="Team members")).to_contain_text("No RRP account")
    check_accessibility(page, "project-team")

    page.get_by_role("link", name=re.compile("Back to")).click()
    page.get_by_role("link", name="Score the project's progress").click()
    check_accessibility(page, "project-score")
    page.get_by_role("radio", name=re.compile(r"2\.5 Changes tested, but no improvement")).check()
    page.get_by_role("button", name="Record the score").click()
    expect(page.get_by_role("status")).to_contain_text("Progress score 2.5")
    expect(page.locator("#progress + p")).to_contain_text("2.5 Changes tested, but no improvement")
    project = QiProject.objects.get()
    assert project.scores.get().tenths == 25
    assert project.team.filter(name="Alex Rivers", team_role="expert_by_experience").exists()


def test_a_ramp_of_pdsa_cycles_is_planned_studied_and_shown_on_the_charts(
    page: Page, world: factories.World
) -> None:
    from rrp.improvement import diagram_services, project_services

    manager, ward = world.users["ward_manager"], world.wards["a1"]
    # The shipped package (a migration's rows; a browser test's database is emptied between tests).
    diagram_services.ensure_starter_package()
    today = timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    project = project_services.project_create(
        data=project_services.ProjectInput(
            wards=[ward],
            title="Safer evenings",
            problem="Most restraints happen after 6pm.",
            aim_measure_slug="restrictive-interventions-per-1000-obd",
            baseline_start=(last_month - dt.timedelta(days=330)).replace(day=1),
            baseline_end=last_month,
            aim_change_percent=25,
            aim_by=today + dt.timedelta(days=365),
            starts_on=today - dt.timedelta(days=100),
        ),
        by=manager,
    )
    sign_in_as(page, manager)
    visit(page, f"/reports/projects/{project.pk}/", "project-no-cycles")
    page.get_by_role("link", name="Plan a PDSA cycle").click()
    expect(heading(page)).to_have_text("Plan a PDSA cycle")
    check_accessibility(page, "pdsa-new")
    page.get_by_role("button", name="Plan the cycle").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a short title for the charts")
    check_accessibility(page, "pdsa-new-errors")

    page.get_by_label("Short title").fill("Evening huddle")
    page.get_by_label("Plan: what question does this test answer?").fill(
        "Does a 6pm huddle spot rising tension?"
    )
    page.get_by_label("Plan: what do you predict will happen?").fill("Two risks named each evening.")
    page.get_by_label("Plan: who will do what, when and where?").fill("Nurse in charge, one week, at 6pm.")
    page.get_by_label("Plan: what will you measure or observe?").fill("Risks named; restraints after 6pm.")
    page.get_by_label("The test starts").fill((today - dt.timedelta(days=60)).isoformat())
    # The first change idea from the package (issue 14 'done when': two ideas from the package).
    page.get_by_label("The change idea tested (optional)").select_option(label="Safety huddles")
    page.get_by_role("button", name="Plan the cycle").click()
    expect(page.get_by_role("status")).to_contain_text("PDSA 1: Evening huddle planned")
    expect(page.get_by_role("main")).to_contain_text("Safety huddles")
    expect(heading(page)).to_have_text("PDSA 1: Evening huddle")
    charts_drawn(page, 1)
    expect(page.locator("figure.rrp-chart").first).to_contain_text("PDSA 1: Evening huddle")
    check_accessibility(page, "pdsa-page")

    page.get_by_role("link", name="Update the cycle").click()
    page.get_by_label("Do: what happened?").fill("Held on six of seven evenings.")
    page.get_by_label("Study: what did the results show against the prediction?", exact=False).fill(
        "Risks were named; restraints after 6pm fell from 5 to 2."
    )
    page.get_by_label("Adapt: change it and test again").check()
    page.get_by_role("button", name="Save the cycle").click()
    expect(page.get_by_role("status")).to_contain_text("saved")
    expect(page.get_by_text("Stage: Act")).to_be_visible()

    page.get_by_role("link", name="Plan the next test in this ramp").click()
    expect(heading(page)).to_have_text("Plan the next test after PDSA 1: Evening huddle")
    page.get_by_label("Short title").fill("Evening huddle, every day")
    page.get_by_label("Plan: what question does this test answer?").fill("Does it hold at weekends?")
    page.get_by_label("Plan: what do you predict will happen?").fill("Weekend restraints fall too.")
    page.get_by_label("Plan: who will do what, when and where?").fill("Every nurse in charge, two weeks.")
    page.get_by_label("Plan: what will you measure or observe?").fill("Restraints after 6pm, by day.")
    page.get_by_label("The test starts").fill((today - dt.timedelta(days=40)).isoformat())
    page.get_by_role("button", name="Plan the cycle").click()
    expect(page.get_by_role("heading", name="The ramp")).to_be_visible()
    expect(page.get_by_role("link", name="PDSA 1: Evening huddle")).to_be_visible()

    page.get_by_role("link", name="Safer evenings", exact=True).click()
    table = page.get_by_role("table", name=re.compile("PDSA cycles"))
    expect(table).to_contain_text("PDSA 2: Evening huddle, every day")
    expect(table).to_contain_text("Act: Adapt")
    expect(page.locator("figure.rrp-chart").first).to_contain_text("PDSA 2: Evening huddle, every day")
    check_accessibility(page, "project-with-cycles")

    # The third test of the ramp, and a second idea from the package tested on its own.
    page.get_by_role("link", name="PDSA 2: Evening huddle, every day").first.click()
    page.get_by_role("link", name="Plan the next test in this ramp").click()
    page.get_by_label("Short title").fill("Huddle at every handover")
    page.get_by_label("Plan: what question does this test answer?").fill("Does it work on nights too?")
    page.get_by_label("Plan: what do you predict will happen?").fill("Night restraints fall too.")
    page.get_by_label("Plan: who will do what, when and where?").fill("Every shift's nurse in charge.")
    page.get_by_label("Plan: what will you measure or observe?").fill("Restraints by shift.")
    page.get_by_label("The test starts").fill((today - dt.timedelta(days=38)).isoformat())
    page.get_by_role("button", name="Plan the cycle").click()
    expect(page.get_by_role("heading", name="The ramp")).to_be_visible()
    page.get_by_role("link", name="Safer evenings", exact=True).click()
    page.get_by_role("link", name="Plan a PDSA cycle").click()
    page.get_by_label("Short title").fill("Calm-down box")
    page.get_by_label("Plan: what question does this test answer?").fill("Do patients use a calm-down box?")
    page.get_by_label("Plan: what do you predict will happen?").fill("Fewer holds in the evening.")
    page.get_by_label("Plan: who will do what, when and where?").fill("OT and the patients, two weeks.")
    page.get_by_label("Plan: what will you measure or observe?").fill("Uses of the box; holds.")
    page.get_by_label("The test starts").fill((today - dt.timedelta(days=50)).isoformat())
    page.get_by_label("The change idea tested (optional)").select_option(label="Safewards: calm down methods")
    page.get_by_role("button", name="Plan the cycle").click()
    expect(page.get_by_role("status")).to_contain_text("PDSA 4: Calm-down box planned")

    # The cycles are the ward's events: on the ward huddle's charts too, not only the project's.
    visit(page, f"/reports/wards/{ward.pk}/huddle/", "huddle-with-cycles")
    huddle_chart = page.locator("figure.rrp-chart").first
    for cycle in ("PDSA 1: Evening huddle", "PDSA 3: Huddle at every handover", "PDSA 4: Calm-down box"):
        expect(huddle_chart).to_contain_text(cycle)


def test_a_driver_diagram_is_drawn_without_javascript_and_the_change_package_read(
    page: Page, world: factories.World
) -> None:
    from rrp.improvement import diagram_services, project_services

    manager, ward = world.users["ward_manager"], world.wards["a1"]
    diagram_services.ensure_starter_package()
    today = timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    project = project_services.project_create(
        data=project_services.ProjectInput(
            wards=[ward],
            title="Safer evenings",
            problem="Most restraints happen after 6pm.",
            aim_measure_slug="restrictive-interventions-per-1000-obd",
            baseline_start=(last_month - dt.timedelta(days=330)).replace(day=1),
            baseline_end=last_month,
            aim_change_percent=25,
            aim_by=today + dt.timedelta(days=365),
            starts_on=today - dt.timedelta(days=100),
        ),
        by=manager,
    )
    sign_in_as(page, manager)
    visit(page, "/change-ideas/", "change-package")
    expect(page.get_by_role("heading", name="Safewards: talk down")).to_be_visible()
    page.get_by_role("link", name="debrief", exact=True).click()
    expect(page.get_by_role("heading", name="Post-incident debrief with the patient")).to_be_visible()
    expect(page.get_by_role("heading", name="Safewards: talk down")).to_have_count(0)
    check_accessibility(page, "change-package-debrief")

    visit(page, f"/reports/projects/{project.pk}/", "project-no-diagram")
    page.get_by_role("link", name="Draw the driver diagram").click()
    expect(heading(page)).to_have_text("Driver diagram")
    check_accessibility(page, "diagram-empty")
    outline = page.get_by_label("The driver diagram as an outline")
    outline.fill("* Safety huddles\n")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Line 1 is a change idea")
    check_accessibility(page, "diagram-error")
    outline.fill(
        "Staff notice rising tension early\n- Daily huddle names the patients at risk\n  * Safety huddles\n"
        "Patients shape their own care\n- Plans in their own words\n  * Advance statements on de-escalation\n"
    )
    page.get_by_label("What changed in your theory? (optional)").fill("First theory")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_role("status")).to_contain_text("version 1")
    primary = page.get_by_role("list", name="Primary drivers")
    expect(primary).to_contain_text("Staff notice rising tension early")
    expect(
        page.get_by_role("list", name="Change ideas for Daily huddle names the patients at risk")
    ).to_contain_text("Safety huddles")
    check_accessibility(page, "diagram-version-1")
    outline.fill(outline.input_value() + "- Bad news is anticipated\n")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_role("heading", name="Version 2 (the latest)")).to_be_visible()
    page.get_by_role("link", name="Version 1").click()
    expect(page.get_by_role("heading", name="Version 1", exact=True)).to_be_visible()
    expect(
        page.get_by_role("list", name="Secondary drivers of Staff notice rising tension early")
    ).not_to_contain_text("Bad news")
    check_accessibility(page, "diagram-old-version")
