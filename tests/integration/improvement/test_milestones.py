"""A project's milestones (issue 14, item 1): dated labels that are markers on the project's own charts
beside its PDSA cycles (not on every chart of its wards), refused on their field when wrong with nothing
saved, recorded and withdrawn only by those who run the project, withdrawn ones kept in the list but off
the charts, every change audited."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from rrp.core.models import AuditEvent
from rrp.improvement import project_services
from rrp.improvement.models import ProjectMilestone
from rrp.improvement.selectors import events_by_ward
from rrp.reports.project import project_charts
from tests.helpers import signed_in_client
from tests.integration.improvement.test_projects import figures, started  # noqa: F401 - shared fixture

pytestmark = pytest.mark.django_db

JUNE = dt.date(2025, 6, 10)


def keys(project, user) -> list[str]:
    _aim, charts = project_charts(project, user=user, today=timezone.localdate())
    return charts[0].panel.key


def test_a_milestone_is_a_marker_on_the_projects_charts_until_withdrawn(figures):  # noqa: F811
    project = started(figures)
    manager = figures.users["ward_manager"]
    milestone = project_services.milestone_record(
        project=project,
        reached_on=JUNE,
        label="Huddle card on every shift",
        note="All three teams.",
        by=manager,
    )
    assert "1. Milestone: Huddle card on every shift (Jun 2025)" in keys(project, figures.users["ward_staff"])
    # The project's, not the ward's: the huddle and the board do not carry it.
    ward_labels = [e.label for e in events_by_ward([figures.wards["a1"].pk]).get(figures.wards["a1"].pk, [])]
    assert "Milestone: Huddle card on every shift" not in ward_labels

    with pytest.raises(ValidationError) as raised:
        project_services.milestone_withdraw(milestone=milestone, reason=" ", by=manager)
    assert raised.value.message_dict["reason"] == ["Say why this milestone is being withdrawn"]
    project_services.milestone_withdraw(
        milestone=milestone, reason="Recorded on the wrong project.", by=manager
    )
    assert not any("Huddle card" in line for line in keys(project, manager))
    kept = ProjectMilestone.objects.get(pk=milestone.pk)
    assert kept.withdrawn_at is not None and kept.withdrawn_reason == "Recorded on the wrong project."
    with pytest.raises(ValidationError) as raised:
        project_services.milestone_withdraw(milestone=kept, reason="Again.", by=manager)
    assert raised.value.message_dict["reason"] == ["This milestone has already been withdrawn"]
    audit = AuditEvent.objects.filter(record_type="improvement.ProjectMilestone", record_id=str(milestone.pk))
    assert [a.action for a in audit.order_by("pk")] == ["create", "change"]


def test_bad_milestones_are_refused_on_their_field_and_only_those_running_the_project_record_them(figures):  # noqa: F811
    project = started(figures)
    manager = figures.users["ward_manager"]
    with pytest.raises(ValidationError) as raised:
        project_services.milestone_record(project=project, reached_on=None, label=" ", by=manager)
    errors = raised.value.message_dict
    assert errors["reached_on"] == ["Enter the date of the milestone"]
    assert errors["label"] == ["Enter the milestone, in a few words for the charts"]
    with pytest.raises(ValidationError) as raised:
        project_services.milestone_record(
            project=project,
            reached_on=dt.date(2025, 3, 31),
            label="x" * 61,
            note="Patient 943 476 5919",
            by=manager,
        )
    errors = raised.value.message_dict
    assert errors["reached_on"] == ["The date must be on or after the project started (1 April 2025)"]
    assert errors["label"] == ["The milestone must be 60 characters or fewer: it is printed on the charts"]
    assert "Remove the NHS number 943 476 5919" in errors["note"][0]
    with pytest.raises(PermissionDenied):
        project_services.milestone_record(
            project=project, reached_on=JUNE, label="Launch", by=figures.users["ward_staff"]
        )
    assert not ProjectMilestone.objects.exists()


def test_the_milestone_pages(figures):  # noqa: F811
    project = started(figures)
    manager = signed_in_client(figures.users["ward_manager"])
    url = reverse("improvement:project-milestones", args=[project.pk])
    assert signed_in_client(figures.users["ward_staff"]).get(url).status_code == 403
    assert manager.get(url).status_code == 200

    refused = manager.post(url, {"reached_on": "", "label": ""})
    assert refused.status_code == 400
    assert "Enter the date of the milestone" in html.unescape(refused.content.decode())
    assert (
        manager.post(url, {"reached_on": "2025-06-10", "label": "Huddle card on every shift"}).status_code
        == 302
    )
    milestone = ProjectMilestone.objects.get()
    page = manager.get(reverse("reports:qi-project", args=[project.pk])).content.decode()
    assert "10 June 2025: Huddle card on every shift" in html.unescape(page)

    withdraw = reverse("improvement:milestone-withdraw", args=[project.pk, milestone.pk])
    assert manager.post(withdraw, {"reason": ""}).status_code == 400
    assert manager.post(withdraw, {"reason": "Wrong project."}).status_code == 302
    listed = html.unescape(manager.get(url).content.decode())
    assert "<s>10 June 2025: Huddle card on every shift</s> (withdrawn: Wrong project.)" in listed
    page = manager.get(reverse("reports:qi-project", args=[project.pk])).content.decode()
    assert "No milestones recorded." in page
    other = started(figures, title="Another project")
    wrong = reverse("improvement:milestone-withdraw", args=[other.pk, milestone.pk])
    assert manager.get(wrong).status_code == 404
