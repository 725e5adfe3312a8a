"""Co-production (issue 15 item 5, decision 0071): an expert by experience on a project's team reads the
project and its wards as a commissioner does (figures suppressed, never a patient identifier), comments
and is credited in the project's co-production log; nobody off the team does either; bad input is refused
on its field with nothing saved; every entry and comment is audited and append-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from rrp.accounts.permissions import sees_unsuppressed
from rrp.core.models import AppendOnlyError, AuditAction, AuditEvent
from rrp.improvement import coproduction_services as services
from rrp.improvement import project_selectors
from rrp.improvement.models import (
    CoproductionEntry,
    ProjectComment,
    QiProject,
    TeamMember,
    TeamRole,
)
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db

NHS_NUMBER = "9434765919"


@pytest.fixture
def project(world) -> QiProject:
    """A project on ward a1, run by its ward manager, with the expert by experience, a named carer and
    ward staff on its team."""
    now = timezone.now()
    project = QiProject.objects.create(
        provider=world.providers[0],
        title="Calmer evenings",
        problem="Restraint peaks in the evening.",
        aim_measure_slug="restrictive-interventions-per-1000-obd",
        baseline_start=dt.date(2025, 1, 1),
        baseline_end=dt.date(2025, 3, 31),
        baseline_value=3.0,
        aim_change_percent=25,
        aim_by=dt.date(2026, 9, 30),
        starts_on=dt.date(2025, 4, 1),
        created_by=world.users["ward_manager"],
        created_at=now,
        updated_at=now,
    )
    project.wards.set([world.wards["a1"]])
    for user, role in (
        (world.users["expert_by_experience"], TeamRole.EXPERT_BY_EXPERIENCE),
        (world.users["ward_staff"], TeamRole.MEMBER),
    ):
        TeamMember.objects.create(project=project, user=user, team_role=role, joined_on=dt.date(2025, 4, 1))
    TeamMember.objects.create(
        project=project, name="Pat Carer", team_role=TeamRole.CARER, joined_on=dt.date(2025, 4, 1)
    )
    return project


def member(project: QiProject, role: str) -> TeamMember:
    return project.team.filter(team_role=role).first()


def entry_values(project: QiProject, **overrides) -> dict:
    values = {
        "happened_on": dt.date(2025, 5, 2),
        "people": [member(project, TeamRole.EXPERT_BY_EXPERIENCE), member(project, TeamRole.CARER)],
        "how": "co_designed",
        "decision": "The huddle card",
        "what_changed": "A line on what helps each person feel safe",
        "recognition": "paid",
    }
    return values | overrides


def test_expert_on_the_team_records_coproduction_credited_and_audited(world, project):
    expert = world.users["expert_by_experience"]

    entry = services.coproduction_record(project=project, by=expert, **entry_values(project))

    assert {m.display_name for m in entry.people.all()} == {
        expert.get_full_name() or expert.username,
        "Pat Carer",
    }
    event = AuditEvent.objects.get(record_type="improvement.CoproductionEntry", record_id=str(entry.pk))
    assert event.action == AuditAction.CREATE and event.provider_id == project.provider_id
    assert event.detail["people"] == 2
    with pytest.raises(AppendOnlyError), transaction.atomic():
        entry.what_changed = "Rewritten"
        entry.save()


def test_expert_comments_and_everyone_who_reads_the_project_sees_it(world, project):
    comment = services.project_comment_add(
        project=project, by=world.users["expert_by_experience"], text="  Evenings are the worst.  "
    )
    assert comment.text == "Evenings are the worst."
    assert AuditEvent.objects.filter(
        record_type="improvement.ProjectComment", record_id=str(comment.pk)
    ).exists()
    page = signed_in_client(world.users["commissioner"]).get(
        reverse("improvement:coproduction", args=[project.pk])
    )
    assert page.status_code == 200 and "Evenings are the worst." in page.content.decode()
    assert "Add the comment" not in page.content.decode()  # a commissioner reads, never writes


def test_who_may_contribute(world, project):
    assert services.may_contribute(world.users["expert_by_experience"], project)
    assert services.may_contribute(world.users["ward_staff"], project)  # on the team
    assert services.may_contribute(world.users["ward_manager"], project)  # runs it, not on the team
    assert services.may_contribute(world.users["provider_governance"], project)
    for role in ("commissioner", "regulator", "national_analyst", "collaborative_lead", "system_admin"):
        assert not services.may_contribute(world.users[role], project), role
    # Leaving the team ends it, and so does the project's wards leaving their reach.
    member(project, TeamRole.EXPERT_BY_EXPERIENCE).__class__.objects.filter(
        project=project, user=world.users["expert_by_experience"]
    ).update(left_on=dt.date(2025, 6, 1))
    assert not services.may_contribute(world.users["expert_by_experience"], project)
    with pytest.raises(PermissionDenied):
        services.project_comment_add(project=project, by=world.users["expert_by_experience"], text="Hello")
    with pytest.raises(PermissionDenied):
        services.coproduction_record(project=project, by=world.users["commissioner"], **entry_values(project))
    assert not ProjectComment.objects.exists() and not CoproductionEntry.objects.exists()


def test_expert_off_the_team_does_not_see_the_project(world, project):
    TeamMember.objects.filter(user=world.users["expert_by_experience"]).delete()
    client = signed_in_client(world.users["expert_by_experience"])
    assert project_selectors.project_for(world.users["expert_by_experience"], project.pk) is None
    assert client.get(reverse("improvement:coproduction", args=[project.pk])).status_code == 404
    assert client.get(reverse("reports:qi-project", args=[project.pk])).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"happened_on": None}, "happened_on"),
        ({"happened_on": timezone.localdate() + dt.timedelta(days=1)}, "happened_on"),
        ({"happened_on": dt.date(2025, 3, 1)}, "happened_on"),  # before the project started
        ({"people": []}, "people"),
        ("staff", "people"),  # a member of staff is not credited as lived experience
        ({"how": "guessed"}, "how"),
        ({"recognition": ""}, "recognition"),
        ({"decision": "  "}, "decision"),
        ({"what_changed": ""}, "what_changed"),
        ({"decision": f"Asked patient {NHS_NUMBER} about it"}, "decision"),
    ],
)
def test_bad_coproduction_entry_refused_on_its_field_nothing_saved(world, project, overrides, field):
    if overrides == "staff":
        overrides = {"people": [member(project, TeamRole.MEMBER)]}
    with pytest.raises(ValidationError) as refused:
        services.coproduction_record(
            project=project, by=world.users["ward_manager"], **entry_values(project, **overrides)
        )
    assert field in refused.value.message_dict
    assert not CoproductionEntry.objects.exists()


@pytest.mark.parametrize("text", ["", "x" * (services.COMMENT_LIMIT + 1), f"About {NHS_NUMBER}"])
def test_bad_comment_refused_naming_the_field(world, project, text):
    with pytest.raises(ValidationError) as refused:
        services.project_comment_add(project=project, by=world.users["expert_by_experience"], text=text)
    assert "text" in refused.value.message_dict
    assert not ProjectComment.objects.exists()


def test_expert_reads_the_project_suppressed_and_no_patient(world, project):
    expert = world.users["expert_by_experience"]
    client = signed_in_client(expert)

    page = client.get(reverse("reports:qi-project", args=[project.pk]))

    assert page.status_code == 200
    assert reverse("improvement:coproduction", args=[project.pk]) in page.content.decode()
    assert not sees_unsuppressed(expert, project.provider_id)
    for patient in world.patients.values():
        assert patient.family_name not in client.get(f"/wards/{world.wards['a1'].pk}/").content.decode()
    for path in (f"/patients/{world.patients['a1'].pk}/", "/patients/", "/incidents/"):
        assert client.get(path).status_code in (403, 404), path
    assert client.get(reverse("reports:ward-huddle", args=[world.wards["a1"].pk])).status_code == 403


def test_the_pages_record_an_entry_and_a_comment(world, project):
    client = signed_in_client(world.users["expert_by_experience"])
    new = reverse("improvement:coproduction-new", args=[project.pk])
    assert client.get(new).status_code == 200
    expert = member(project, TeamRole.EXPERT_BY_EXPERIENCE)

    refused = client.post(new, {"happened_on": "2025-05-02", "people": [str(expert.pk)]})
    saved = client.post(
        new,
        {
            "happened_on": "2025-05-02",
            "people": [str(expert.pk)],
            "how": "reviewed_data",
            "decision": "The evening chart",
            "what_changed": "Calm-down boxes tested in the evening",
            "recognition": "voucher",
        },
    )
    commented = client.post(reverse("improvement:comment-new", args=[project.pk]), {"text": "Thank you"})
    empty = client.post(reverse("improvement:comment-new", args=[project.pk]), {"text": ""})

    assert refused.status_code == 400 and "Choose how they took part" in refused.content.decode()
    assert saved.status_code == 302 and commented.status_code == 302
    assert empty.status_code == 400 and "Enter your comment" in empty.content.decode()
    log = client.get(reverse("improvement:coproduction", args=[project.pk])).content.decode()
    assert "Calm-down boxes tested in the evening" in log and "Thank you" in log and "Given a voucher" in log
    other = signed_in_client(world.users["commissioner"])
    assert other.get(new).status_code == 403
    assert other.post(reverse("improvement:comment-new", args=[project.pk]), {"text": "x"}).status_code == 403
