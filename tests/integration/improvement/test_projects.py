"""Quality-improvement projects (issue 14, item 1): the aim's baseline comes from the measure's own
figures, bad input is refused on its field with nothing saved, only those who may manage every ward of a
project change it, edits carry the version they started from, the team holds people without accounts, the
progress score is a dated, append-only history, and the pages are scoped like the wards they are on."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from rrp.accounts.roles import Role
from rrp.core.concurrency import StaleVersion
from rrp.core.models import AppendOnlyError, AuditAction, AuditEvent
from rrp.improvement import project_selectors, project_services, services
from rrp.improvement.models import ProgressScore, QiProject, TeamMember
from rrp.improvement.project_services import ProjectInput
from rrp.people.codes import VoiceAnswer
from rrp.people.models import VoiceCheck
from rrp.reports.project import project_charts
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.measures.series_data import at, bed_days, record

pytestmark = pytest.mark.django_db

MEASURE = "restrictive-interventions-per-1000-obd"
JAN, FEB, MAR = dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)


@pytest.fixture
def figures(world):
    """Ward a1: 3 restrictive interventions in January 2025 and 300 bed days a month; ward a2: no
    interventions and 300 bed days a month, January to March 2025."""
    for month in (JAN, FEB, MAR):
        bed_days(world.wards["a1"], month, 300)
        bed_days(world.wards["a2"], month, 300)
    record(world, "a1", ("01", at(dt.date(2025, 1, 10)), 5), ("09", at(dt.date(2025, 1, 12)), 5))
    record(world, "a1", ("01", at(dt.date(2025, 1, 20)), 5))
    return world


def project_input(world, **overrides) -> ProjectInput:
    values = {
        "wards": [world.wards["a1"]],
        "title": "Fewer restraints on Ward A1",
        "problem": "Restraint rose after the ward changed its patient group.",
        "aim_measure_slug": MEASURE,
        "baseline_start": JAN,
        "baseline_end": dt.date(2025, 3, 15),
        "aim_change_percent": 25,
        "aim_by": dt.date(2026, 9, 30),
        "starts_on": dt.date(2025, 4, 1),
        "measures": {"patient-debrief-held": "process", "staff-injuries": "balancing"},
    }
    return ProjectInput(**(values | overrides))


def started(world, **overrides) -> QiProject:
    return project_services.project_create(
        data=project_input(world, **overrides), by=world.users["ward_manager"]
    )


def test_the_aim_baseline_is_the_measures_own_figure_over_whole_months(figures):
    project = started(figures)
    assert project.baseline_start == JAN and project.baseline_end == dt.date(2025, 3, 31)
    assert project.baseline_value == pytest.approx(3 / 900 * 1000)
    aim = project_selectors.aim_of(project)
    assert aim.target == pytest.approx(3 / 900 * 1000 * 0.75)
    assert aim.statement == (
        f"Reduce restrictive interventions per 1,000 occupied bed days on {figures.wards['a1'].name} from "
        "3.33 (the baseline, Jan 2025 to Mar 2025) to 2.5 (25% lower) by 30 September 2026."
    )
    # Two wards pool: the same interventions over twice the bed days.
    both = started(figures, wards=[figures.wards["a1"], figures.wards["a2"]], title="Both wards")
    assert both.baseline_value == pytest.approx(3 / 1800 * 1000)
    assert [(d.slug, role) for d, role in project_selectors.measures_of(project)] == [
        (MEASURE, "outcome"),
        ("patient-debrief-held", "process"),
        ("staff-injuries", "balancing"),
    ]
    lead = TeamMember.objects.get(project=project)
    assert (lead.user, lead.team_role) == (figures.users["ward_manager"], "lead")
    audit = AuditEvent.objects.get(record_type="improvement.QiProject", record_id=str(project.pk))
    assert audit.action == AuditAction.CREATE


def test_bad_input_is_refused_on_each_field_and_nothing_is_saved(figures):
    this_month = timezone.localdate().replace(day=1)
    with pytest.raises(ValidationError) as raised:
        started(
            figures,
            title=" ",
            problem="",
            aim_measure_slug="days-between-seclusions",
            baseline_end=this_month,
            aim_change_percent=0,
            starts_on=None,
            measures={"no-such-measure": "process"},
        )
    errors = raised.value.message_dict
    assert errors["title"] == ["Enter the project's title"]
    assert errors["problem"] == ["Say what problem the project is trying to solve"]
    assert errors["aim_measure_slug"] == ["Select the measure the aim is about"]
    assert errors["baseline_end"] == ["The baseline must end with a whole month before this one"]
    assert errors["aim_change_percent"] == ["Enter a change from 1 to 100 per cent"]
    assert errors["starts_on"] == ["Enter the date the project starts"]
    assert "no-such-measure is not a measure" in errors["measures"][0]
    with pytest.raises(ValidationError) as raised:
        started(figures, baseline_start=dt.date(2024, 1, 1), baseline_end=dt.date(2024, 3, 1))
    assert raised.value.message_dict["baseline_start"][0].startswith(
        "There are no figures of Restrictive interventions per 1,000 occupied bed days on these wards"
    )
    with pytest.raises(ValidationError) as raised:
        started(figures, problem="Restraint of the patient 943 476 5919")
    assert "Remove the NHS number 943 476 5919" in raised.value.message_dict["problem"][0]
    assert not QiProject.objects.exists() and not TeamMember.objects.exists()


def test_only_those_who_manage_every_ward_may_start_or_change_a_project(figures):
    with pytest.raises(PermissionDenied):
        project_services.project_create(data=project_input(figures), by=figures.users["ward_staff"])
    with pytest.raises(PermissionDenied):  # a commissioner reads, never writes
        project_services.project_create(data=project_input(figures), by=figures.users["commissioner"])
    other = factories.user(
        role=Role.WARD_MANAGER, provider=figures.wards["b1"].provider, wards=[figures.wards["b1"]]
    )
    with pytest.raises(PermissionDenied):
        project_services.project_create(data=project_input(figures), by=other)
    project = started(figures)
    with pytest.raises(PermissionDenied):
        project_services.progress_score_record(
            project=project, tenths=20, scored_on=timezone.localdate(), by=figures.users["ward_staff"]
        )
    governance = figures.users["provider_governance"]
    assert project_selectors.may_manage(governance, project)
    assert not project_selectors.may_manage(figures.users["ward_staff"], project)


def test_a_change_from_an_old_version_is_refused_and_the_baseline_follows_the_months(figures):
    project = started(figures)
    manager = figures.users["ward_manager"]
    changed = project_services.project_update(
        project=project,
        data=project_input(figures, baseline_start=FEB, title="Fewer restraints, from February"),
        base_version=1,
        by=manager,
    )
    assert changed.version == 2
    assert changed.baseline_value == pytest.approx(0.0)  # no interventions in February and March
    audit = AuditEvent.objects.filter(action=AuditAction.CHANGE, record_id=str(project.pk)).get()
    assert set(audit.detail["changed"]) == {"title", "baseline_start"}
    with pytest.raises(StaleVersion):
        project_services.project_update(
            project=project, data=project_input(figures, title="Someone else's"), base_version=1, by=manager
        )
    assert QiProject.objects.get().title == "Fewer restraints, from February"


def test_the_team_holds_people_without_accounts_and_keeps_those_who_left(figures):
    project = started(figures)
    manager = figures.users["ward_manager"]
    expert = project_services.team_member_add(
        project=project, name="Alex Rivers", team_role="expert_by_experience", by=manager
    )
    assert expert.display_name == "Alex Rivers" and expert.user is None
    with pytest.raises(ValidationError) as raised:
        project_services.team_member_add(project=project, name="", team_role="member", by=manager)
    assert raised.value.message_dict["name"] == ["Enter the person's name, or choose someone with an account"]
    with pytest.raises(ValidationError) as raised:
        project_services.team_member_add(
            project=project, user=figures.users["commissioner"], team_role="member", by=manager
        )
    assert raised.value.message_dict["user"] == ["Choose someone from the project's own provider"]
    project_services.team_member_leave(member=expert, by=manager)
    assert TeamMember.objects.get(pk=expert.pk).left_on == timezone.localdate()
    assert [m.display_name for m in project_selectors.team(project)][-1] == "Alex Rivers"


def test_progress_scores_are_a_dated_append_only_history(figures):
    project = started(figures)
    manager = figures.users["ward_manager"]
    today = timezone.localdate()
    project_services.progress_score_record(
        project=project, tenths=15, scored_on=today - dt.timedelta(days=30), by=manager
    )
    latest = project_services.progress_score_record(
        project=project, tenths=25, scored_on=today, note="First PDSA", by=manager
    )
    assert [s.tenths for s in project_selectors.scores(project)] == [25, 15]
    assert (latest.score, latest.meaning) == (2.5, "Changes tested, but no improvement")
    with pytest.raises(ValidationError) as raised:
        project_services.progress_score_record(
            project=project, tenths=60, scored_on=today + dt.timedelta(days=1), by=manager
        )
    assert raised.value.message_dict == {
        "tenths": ["Select a score from 0.5 to 5.0"],
        "scored_on": ["The date cannot be in the future"],
    }
    latest.note = "changed"
    with pytest.raises(AppendOnlyError):
        latest.save()
    assert ProgressScore.objects.count() == 2


def test_the_project_page_draws_each_measure_with_the_aim_line_and_the_wards_events(figures):
    project = started(figures)
    services.ward_event_record(
        ward=figures.wards["a1"],
        happened_on=timezone.localdate() - dt.timedelta(days=40),
        label="Safewards started",
        kind="change_tested",
        by=figures.users["ward_manager"],
    )
    response = signed_in_client(figures.users["ward_staff"]).get(
        reverse("reports:qi-project", args=[project.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Reduce restrictive interventions per 1,000 occupied bed days" in page
    assert "Change the project" not in page  # ward staff read it only
    assert "Safewards started" in page
    _aim, charts = project_charts(project, user=figures.users["ward_staff"], today=timezone.localdate())
    aim_chart = charts[0].panel
    assert "with the aim line" in aim_chart.title
    targets = [row["target"] for row in aim_chart.spec["data"]["values"]]
    assert targets and targets == pytest.approx([3 / 900 * 1000 * 0.75] * len(targets))
    assert any("Safewards started" in line for line in aim_chart.key)
    assert [c.role for c in charts] == ["outcome", "process", "balancing"]


def test_the_weekly_check_on_a_project_is_exact_only_for_the_wards_team(figures):
    """Decision 0077: governance sees the project's chart of the weekly check suppressed."""
    for n, answer in enumerate([VoiceAnswer.ALWAYS, VoiceAnswer.ALWAYS, VoiceAnswer.NO]):
        VoiceCheck.objects.create(
            ward=figures.wards["a1"],
            answered_at=at(dt.date(2025, 2, 3 + n)),
            entered_by=figures.users["ward_staff"],
            felt_safe=answer,
            respected=answer,
        )
    project = started(figures, measures={"patients-felt-safe": "outcome"})
    today = timezone.localdate()

    def february(user) -> list[object]:
        _aim, charts = project_charts(project, user=user, today=today)
        panel = next(c.panel for c in charts if c.definition.slug == "patients-felt-safe")
        return [
            row["value"] for row in panel.spec["data"]["values"] if str(row["date"]).startswith("2025-02")
        ]

    assert february(figures.users["ward_manager"]) == [pytest.approx(200 / 3)]
    hidden = february(figures.users["provider_governance"])
    assert hidden and all(v is None or v != pytest.approx(200 / 3) for v in hidden), hidden


def test_projects_are_scoped_like_their_wards(figures):
    project = started(figures)
    page = reverse("reports:qi-project", args=[project.pk])
    assert signed_in_client(figures.users["commissioner"]).get(page).status_code == 200  # commissions A
    outsider = factories.user(role=Role.COMMISSIONER, commissioner=figures.commissioners[1])
    assert signed_in_client(outsider).get(page).status_code == 404
    assert (
        project.title
        not in signed_in_client(outsider).get(reverse("improvement:project-list")).content.decode()
    )
    assert signed_in_client(figures.users["national_analyst"]).get(page).status_code == 403
    edit = reverse("improvement:project-edit", args=[project.pk])
    assert signed_in_client(figures.users["ward_staff"]).post(edit, {}).status_code == 403
    assert signed_in_client(figures.users["commissioner"]).get(edit).status_code == 403


def test_the_edit_page_refuses_a_stale_save_with_409_and_keeps_what_was_typed(figures):
    project = started(figures)
    client = signed_in_client(figures.users["ward_manager"])
    form = {
        "title": "Typed after someone else saved",
        "problem": "Restraint rose.",
        "wards": [str(figures.wards["a1"].pk)],
        "aim_measure_slug": MEASURE,
        "baseline_start": "2025-01-01",
        "baseline_end": "2025-03-01",
        "aim_change_percent": "30",
        "aim_by": "2026-09-30",
        "starts_on": "2025-04-01",
        "status": "active",
        "base_version": "1",
    }
    project_services.project_update(
        project=project,
        data=project_input(figures, title="Saved first"),
        base_version=1,
        by=figures.users["provider_governance"],
    )
    response = client.post(reverse("improvement:project-edit", args=[project.pk]), form)
    assert response.status_code == 409
    assert "changed by someone else" in html.unescape(response.content.decode())
    assert "Typed after someone else saved" in html.unescape(response.content.decode())
    form["base_version"] = "2"
    response = client.post(reverse("improvement:project-edit", args=[project.pk]), form)
    assert response.status_code == 302
    assert QiProject.objects.get().aim_change_percent == 30


def test_the_new_project_page_says_what_is_wrong_on_each_field(figures):
    client = signed_in_client(figures.users["ward_manager"])
    response = client.post(reverse("improvement:project-new"), {"status": "planning"})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    for message in (
        "Enter the project's title",
        "Select at least one ward",
        "Select the measure the aim is about",
    ):
        assert message in page
    assert not QiProject.objects.exists()


# --- PDSA cycles (issue 14, item 4) ------------------------------------------------------------------


def cycle_input(world, **overrides) -> project_services.PdsaInput:
    values = {
        "wards": [world.wards["a1"]],
        "title": "Safety huddle at handover",
        "objective": "Will a five-minute huddle at handover spot the patients at risk?",
        "prediction": "Two risks a day are named, and fewer restraints follow in the evening.",
        "plan_details": "Nurse in charge, day shift, Mondays for two weeks, at the nurses' station.",
        "data_to_collect": "Risks named per huddle; restraints in the evening.",
        "starts_on": timezone.localdate() - dt.timedelta(days=45),
    }
    return project_services.PdsaInput(**(values | overrides))


def test_a_ramp_of_three_cycles_is_on_every_chart_of_its_wards_from_the_one_source(figures):
    from rrp.improvement.selectors import events_by_ward

    project = started(figures, wards=[figures.wards["a1"], figures.wards["a2"]])
    manager = figures.users["ward_manager"]
    first = project_services.pdsa_create(
        project=project,
        data=cycle_input(figures, starts_on=timezone.localdate() - dt.timedelta(days=100)),
        by=manager,
    )
    second = project_services.pdsa_create(
        project=project,
        data=cycle_input(
            figures,
            previous=first,
            title="Huddle on every shift",
            starts_on=timezone.localdate() - dt.timedelta(days=70),
        ),
        by=manager,
    )
    third = project_services.pdsa_create(
        project=project,
        data=cycle_input(
            figures,
            previous=second,
            title="Huddle on both wards",
            wards=[figures.wards["a1"], figures.wards["a2"]],
            starts_on=timezone.localdate() - dt.timedelta(days=40),
        ),
        by=manager,
    )
    assert [c.number for c in (first, second, third)] == [1, 2, 3]
    assert project_selectors.ramp_of(second) == [first, second, third]
    events = events_by_ward([figures.wards["a1"].pk, figures.wards["a2"].pk])
    assert [e.label for e in events[figures.wards["a1"].pk]] == [
        "PDSA 1: Safety huddle at handover",
        "PDSA 2: Huddle on every shift",
        "PDSA 3: Huddle on both wards",
    ]
    assert [e.label for e in events[figures.wards["a2"].pk]] == ["PDSA 3: Huddle on both wards"]
    # The huddle reads the same selector: the cycles are on the ward's charts there too.
    huddle = signed_in_client(figures.users["ward_staff"]).get(
        reverse("reports:ward-huddle", args=[figures.wards["a1"].pk])
    )
    assert "PDSA 2: Huddle on every shift" in html.unescape(huddle.content.decode())
    # Withdrawn, it leaves every chart; renamed, every chart shows the new name (there is no copy).
    project_services.pdsa_withdraw(cycle=first, reason="Recorded on the wrong project", by=manager)
    project_services.pdsa_update(
        cycle=second,
        data=cycle_input(figures, previous=first, title="Huddle every shift", starts_on=second.starts_on),
        base_version=1,
        by=manager,
    )
    assert [e.label for e in events_by_ward([figures.wards["a1"].pk])[figures.wards["a1"].pk]] == [
        "PDSA 2: Huddle every shift",
        "PDSA 3: Huddle on both wards",
    ]


def test_a_cycle_moves_from_plan_to_act_and_bad_input_is_refused_on_its_field(figures):
    project = started(figures)
    manager = figures.users["ward_manager"]
    with pytest.raises(ValidationError) as raised:
        project_services.pdsa_create(
            project=project,
            data=cycle_input(
                figures, title="", prediction=" ", wards=[figures.wards["b1"]], decision="adopt"
            ),
            by=manager,
        )
    errors = raised.value.message_dict
    assert errors["title"] == ["Enter a short title for the charts"]
    assert errors["prediction"] == ["Say what you predict will happen"]
    assert errors["wards"] == ["Select wards of the project"]
    assert errors["study"] == ["Write what the results showed against the prediction before deciding"]
    assert not project.cycles.exists()
    cycle = project_services.pdsa_create(project=project, data=cycle_input(figures), by=manager)
    assert cycle.stage == "Plan"
    done = project_services.pdsa_update(
        cycle=cycle,
        data=cycle_input(
            figures,
            what_happened="Held on 9 of 10 days.",
            study="Risks were named; evening restraints fell from 4 to 1.",
            decision="adapt",
            next_steps="Try it on every shift.",
        ),
        base_version=1,
        by=manager,
    )
    assert (done.stage, done.version) == ("Act", 2)
    audit = AuditEvent.objects.filter(record_type="improvement.PdsaCycle", action=AuditAction.CHANGE).get()
    assert set(audit.detail["changed"]) == {"what_happened", "study", "decision", "next_steps"}
    with pytest.raises(StaleVersion):
        project_services.pdsa_update(cycle=cycle, data=cycle_input(figures), base_version=1, by=manager)
    with pytest.raises(PermissionDenied):
        project_services.pdsa_create(
            project=project, data=cycle_input(figures), by=figures.users["ward_staff"]
        )


def test_the_cycle_pages(figures):
    project = started(figures)
    manager = signed_in_client(figures.users["ward_manager"])
    form = {
        "title": "Calm-down box",
        "wards": [str(figures.wards["a1"].pk)],
        "objective": "Will patients use a calm-down box when distressed?",
        "prediction": "Used twice a week; one restraint fewer a week.",
        "plan_details": "Night staff offer it for a week.",
        "data_to_collect": "Times used; restraints at night.",
        "starts_on": (timezone.localdate() - dt.timedelta(days=10)).isoformat(),
    }
    response = manager.post(reverse("improvement:pdsa-new", args=[project.pk]), {**form, "title": ""})
    assert response.status_code == 400
    assert "Enter a short title for the charts" in html.unescape(response.content.decode())
    response = manager.post(reverse("improvement:pdsa-new", args=[project.pk]), form)
    assert response.status_code == 302
    cycle = project.cycles.get()
    page = signed_in_client(figures.users["ward_staff"]).get(
        reverse("reports:qi-cycle", args=[project.pk, cycle.pk])
    )
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert "PDSA 1: Calm-down box" in text and "Update the cycle" not in text
    assert "The charts for the period" in text
    outsider = factories.user(role=Role.COMMISSIONER, commissioner=figures.commissioners[1])
    assert (
        signed_in_client(outsider).get(reverse("reports:qi-cycle", args=[project.pk, cycle.pk])).status_code
        == 404
    )
    edit = reverse("improvement:pdsa-edit", args=[project.pk, cycle.pk])
    assert signed_in_client(figures.users["ward_staff"]).get(edit).status_code == 403
    stale = manager.post(edit, {**form, "what_happened": "Used three times", "base_version": "0"})
    assert stale.status_code == 409
    saved = manager.post(edit, {**form, "what_happened": "Used three times", "base_version": "1"})
    assert saved.status_code == 302
    assert project.cycles.get().what_happened == "Used three times"
