"""The QI projects demo step (src/rrp/demo/steps/qi_projects.py, issue 14 item 8): ward 1's project with
its team, measures, PDSA ramp, driver diagram versions and score history; a provider-wide project; projects
on other member wards of the national collaborative; a change adopted only where the incident model gives
the ward a fall; every row valid by the models' own rules; and a second run replaces the first."""

from __future__ import annotations

import datetime as dt

import pytest

from rrp.demo.generate import demo_data_generate
from rrp.demo.registry import DemoOptions
from rrp.improvement import selectors
from rrp.improvement.models import (
    ChangeIdea,
    DriverDiagramVersion,
    PdsaCycle,
    ProgressScore,
    QiProject,
    TeamMember,
)
from rrp.improvement.project_services import baseline_of
from rrp.measures.catalogue import measure

SMALL = DemoOptions(providers=3, wards_per_provider=4, years=2, seed=5, end_date=dt.date(2025, 6, 30))


@pytest.fixture
def demo(db, settings):
    settings.DEMO_MODE = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo_data_generate(options=SMALL)


def test_demo_projects_with_team_ramp_diagram_scores_and_adoption(demo) -> None:
    project = QiProject.objects.get(wards=1, created_by__username="ward.manager")
    project.full_clean()
    roles = {m.team_role for m in TeamMember.objects.filter(project=project)}
    assert {"lead", "sponsor", "member", "expert_by_experience", "carer", "coach"} <= roles
    assert TeamMember.objects.get(project=project, team_role="lead").user.username == "ward.manager"
    # Co-production (issue 15 item 5): the demo's expert by experience is on the team, credited in the
    # log with the named expert and the carer, and has commented.
    expert = TeamMember.objects.get(project=project, user__username="expert.experience")
    assert expert.team_role == "expert_by_experience" and expert.user.role == "expert_by_experience"
    log = list(project.coproduction.all())
    assert log and all(e.people.exists() for e in log)
    assert project.coproduction.filter(people=expert).exists()
    assert project.comments.filter(written_by=expert.user).exists()
    # The baseline is the measure's own figure over the baseline months, not typed.
    assert project.baseline_value == pytest.approx(
        baseline_of(
            measure(project.aim_measure_slug),
            ward_ids=[1],
            since=project.baseline_start,
            until=project.baseline_end,
        )
    )
    assert {m.role for m in project.measures.all()} == {"outcome", "process", "balancing"}
    cycles = list(project.cycles.order_by("number"))
    assert len(cycles) >= 4
    for cycle in cycles:
        cycle.full_clean()
        assert cycle.change_idea is not None
        assert cycle.starts_on <= demo.last_day
    # The huddle ramp: three cycles chained, the third following the second.
    assert [c.previous_id for c in cycles[:3]] == [None, cycles[0].pk, cycles[1].pk]
    assert cycles[0].decision == "adapt" and cycles[0].stage == "Act"
    assert any(c.decision == "abandon" for c in cycles)
    # Each cycle is a marker on the ward's charts, read from the cycles' own table.
    labels = {e.label for e in selectors.events_by_ward([1])[1]}
    assert "PDSA 1: Huddle: one early shift, one week" in labels
    versions = list(DriverDiagramVersion.objects.filter(project=project).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].content != versions[1].content
    linked = [
        i["idea_id"] for p in versions[1].content["primary"] for s in p["secondary"] for i in s["ideas"]
    ]
    own = ChangeIdea.objects.get(provider_id=project.provider_id)
    assert own.pk in linked and None not in linked
    scores = list(ProgressScore.objects.filter(project=project).order_by("scored_on"))
    assert len(scores) >= 4 and scores[0].tenths == 10
    assert [s.tenths for s in scores] == sorted(s.tenths for s in scores)
    assert scores[-1].scored_on <= demo.last_day

    # Adoption follows the incident model: a member ward that adopts its change has fewer restrictive
    # interventions afterwards than in its baseline; one with no fall abandons it.
    from rrp.measures.catalogue import measure as m

    spread = list(QiProject.objects.filter(created_by__username="admin"))
    assert 2 <= len(spread) <= 6
    assert len({p.provider_id for p in QiProject.objects.all()}) >= 2
    adopted, not_adopted = [], []
    for project in spread:
        (ward,) = project.wards.all()
        last = project.cycles.order_by("-number").first()
        assert last.decision in ("adopt", "abandon")
        before = baseline_of(
            m(project.aim_measure_slug),
            ward_ids=[ward.pk],
            since=project.baseline_start,
            until=project.baseline_end,
        )
        since, until = project.starts_on + dt.timedelta(days=120), demo.last_day - dt.timedelta(days=31)
        if since >= until:
            continue
        after = baseline_of(m(project.aim_measure_slug), ward_ids=[ward.pk], since=since, until=until)
        (adopted if last.decision == "adopt" else not_adopted).append(after / before)
    assert all(ratio < 0.9 for ratio in adopted)

    # The provider-wide project, led by governance (the provider's QI lead), spans wards.
    project = QiProject.objects.get(created_by__username="governance")
    assert project.wards.count() >= 2
    cycles = list(project.cycles.order_by("number"))
    assert cycles and cycles[-1].previous_id == cycles[0].pk
    assert set(cycles[-1].wards.values_list("pk", flat=True)) <= set(
        project.wards.values_list("pk", flat=True)
    )


def test_second_run_replaces_the_first(demo) -> None:
    counts = (QiProject.objects.count(), PdsaCycle.objects.count(), ProgressScore.objects.count())
    ids = list(QiProject.objects.order_by("pk").values_list("pk", "title"))

    again = demo_data_generate(options=SMALL)

    assert (QiProject.objects.count(), PdsaCycle.objects.count(), ProgressScore.objects.count()) == counts
    assert list(QiProject.objects.order_by("pk").values_list("pk", "title")) == ids
    assert again.digest == demo.digest
    # Nothing made by the ORM afterwards collides with the assigned ids (PostgreSQL sequences moved on).
    project = QiProject.objects.get(pk=ids[0][0])
    assert PdsaCycle.objects.filter(project=project).exists()
