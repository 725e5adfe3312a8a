"""Amending, submitting, reviewing, sending back and closing incidents."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from rrp.core.models import AuditAction, AuditEvent
from rrp.force.codes import IncidentStatus
from rrp.force.models import CqcNotificationTask, IncidentStatusChange, IncidentVersion
from rrp.force.services import (
    InterventionInput,
    StaffInput,
    cqc_task_complete,
    incident_amend,
    incident_close,
    incident_record,
    incident_review,
    incident_send_back,
    incident_submit,
)
from tests import factories
from tests.integration.force.incident_data import (
    T0,
    closing_review,
    complete_content,
    every_follow_up_skipped,
)


def _reviewed(incident, nurse, manager):
    incident_submit(incident=incident, by=nurse)
    incident_review(incident=incident, by=manager)


# Amending


def test_incident_amend_adds_version_and_keeps_the_old(complete_incident, nurse):
    version = incident_amend(
        incident=complete_incident, by=nurse, reason="Outcome clarified", outcome="Slept"
    )
    assert version.number == 2 and version.change_reason == "Outcome clarified"
    first = complete_incident.versions.get(number=1)
    assert first.outcome == "Settled in own room; no injuries" and version.outcome == "Slept"
    assert version.reason_code == first.reason_code  # carried forward


def test_incident_amend_carries_interventions_and_staff_forward(complete_incident, nurse):
    version = incident_amend(incident=complete_incident, by=nurse, reason="Typo", outcome="Settled")
    first = complete_incident.versions.get(number=1)
    assert [i.as_tuple() for i in version.interventions.all()] == [
        i.as_tuple() for i in first.interventions.all()
    ]
    assert [s.as_tuple() for s in version.staff.order_by("id")] == [
        s.as_tuple() for s in first.staff.order_by("id")
    ]


def test_incident_amend_replaces_interventions_when_given(complete_incident, nurse):
    version = incident_amend(
        incident=complete_incident,
        by=nurse,
        reason="Only supine",
        interventions=[InterventionInput("09", T0, T0)],
    )
    assert [i.type_code for i in version.interventions.all()] == ["09"]
    assert complete_incident.versions.get(number=1).interventions.count() == 3


def test_incident_amend_audits_reason_and_fields(complete_incident, nurse):
    incident_amend(incident=complete_incident, by=nurse, reason="Outcome clarified", outcome="Slept")
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, record_id=str(complete_incident.pk))
    assert event.detail == {"version": 2, "reason": "Outcome clarified", "fields": ["outcome"]}


def test_incident_amend_without_reason_refused(complete_incident, nurse):
    with pytest.raises(ValidationError) as problem:
        incident_amend(incident=complete_incident, by=nurse, reason="  ", outcome="Slept")
    assert list(problem.value.message_dict) == ["reason"]
    assert complete_incident.versions.count() == 1


def test_incident_amend_bad_values_refused_naming_fields(complete_incident, nurse, world):
    stranger = factories.user(role="ward_staff", provider=world.providers[1])
    from rrp.people.models import StaffMember

    other = StaffMember.objects.create(
        provider=world.providers[1],
        given_name="Kim",
        family_name="Other",
        job_title="RMN",
        staff_group="nursing",
    )
    with pytest.raises(ValidationError) as problem:
        incident_amend(
            incident=complete_incident,
            by=nurse,
            reason="Fix",
            reason_code="00",
            ended_at=T0.replace(year=T0.year - 1),
            interventions=[InterventionInput("03", T0)],
            staff=[StaffInput(part="head", staff_member=other)],
        )
    assert set(problem.value.message_dict) == {
        "reason_code",
        "ended_at",
        "interventions[0].type_code",
        "staff[0].staff_member",
    }
    assert stranger.pk and complete_incident.versions.count() == 1


def test_incident_amend_out_of_scope_user_refused(complete_incident, world):
    with pytest.raises(PermissionDenied):
        incident_amend(incident=complete_incident, by=world.users["regulator"], reason="x", outcome="y")
    outsider = factories.user(role="provider_governance", provider=world.providers[1])
    with pytest.raises(PermissionDenied):
        incident_amend(incident=complete_incident, by=outsider, reason="x", outcome="y")


def test_incident_amend_closed_incident_refused_for_ward_staff(complete_incident, nurse, world):
    manager = world.users["ward_manager"]
    _reviewed(complete_incident, nurse, manager)
    incident_close(
        incident=complete_incident, by=manager, review=closing_review(), skipped=every_follow_up_skipped()
    )
    with pytest.raises(ValidationError) as problem:
        incident_amend(incident=complete_incident, by=manager, reason="Late detail", outcome="Slept")
    assert list(problem.value.message_dict) == ["status"]


def test_incident_amend_closed_incident_allowed_for_governance(complete_incident, nurse, world):
    manager = world.users["ward_manager"]
    _reviewed(complete_incident, nurse, manager)
    incident_close(
        incident=complete_incident, by=manager, review=closing_review(), skipped=every_follow_up_skipped()
    )
    version = incident_amend(
        incident=complete_incident,
        by=world.users["provider_governance"],
        reason="Coroner query",
        outcome="Slept",
    )
    assert version.number == 2 and complete_incident.status == IncidentStatus.CLOSED


def test_incident_amend_new_trigger_raises_one_more_task(complete_incident, nurse):
    incident_amend(incident=complete_incident, by=nurse, reason="Injury found", patient_serious_injury=True)
    incident_amend(incident=complete_incident, by=nurse, reason="Police called", police_requested_at=T0)
    incident_amend(incident=complete_incident, by=nurse, reason="Wording", outcome="Hospital")
    assert [t.reasons for t in CqcNotificationTask.objects.order_by("id")] == [["serious_injury"], ["police"]]


def test_incident_amend_nothing_saved_when_audit_write_fails(complete_incident, nurse):
    with (
        mock.patch("rrp.force.services.audit_record", side_effect=IntegrityError("down")),
        pytest.raises(IntegrityError),
    ):
        incident_amend(incident=complete_incident, by=nurse, reason="Died", patient_died=True)
    assert complete_incident.versions.count() == 1
    assert not CqcNotificationTask.objects.exists()


# Submitting and reviewing


def test_incident_submit_complete_incident_is_submitted(complete_incident, nurse):
    change = incident_submit(incident=complete_incident, by=nurse)
    assert (change.from_status, change.to_status, change.by) == ("draft", "submitted", nurse)
    assert complete_incident.status == IncidentStatus.SUBMITTED
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE, detail__to_status="submitted").count() == 1


def test_incident_submit_blocked_naming_missing_items(world, ward, nurse):
    no_nhs_number = world.patients["a1"]
    draft_incident = incident_record(ward=ward, patient=no_nhs_number, by=nurse, how_force_used="Held")
    with pytest.raises(ValidationError) as problem:
        incident_submit(incident=draft_incident, by=nurse)
    missing = problem.value.message_dict["statutory_items"]
    assert "(a) Reason for the use of force" in missing and "(g) Patient's NHS number" in missing
    assert "(f) How force was used" not in missing
    assert draft_incident.status == IncidentStatus.DRAFT


def test_incident_submit_after_amendment_fills_gaps(ward, patient, nurse, roster_nurse):
    from tests.integration.force.incident_data import two_staff, typical_interventions

    incident = incident_record(ward=ward, patient=patient, by=nurse, how_force_used="Held")
    incident_amend(
        incident=incident,
        by=nurse,
        reason="Finished the record",
        interventions=typical_interventions(),
        staff=two_staff(roster_nurse),
        **complete_content(),
    )
    incident_submit(incident=incident, by=nurse)
    assert incident.status == IncidentStatus.SUBMITTED


def test_incident_submit_twice_refused(complete_incident, nurse):
    incident_submit(incident=complete_incident, by=nurse)
    with pytest.raises(ValidationError) as problem:
        incident_submit(incident=complete_incident, by=nurse)
    assert list(problem.value.message_dict) == ["status"]


def test_incident_submit_nothing_saved_when_audit_write_fails(complete_incident, nurse):
    with (
        mock.patch("rrp.force.services.audit_record", side_effect=IntegrityError("down")),
        pytest.raises(IntegrityError),
    ):
        incident_submit(incident=complete_incident, by=nurse)
    assert complete_incident.status == IncidentStatus.DRAFT
    assert complete_incident.status_changes.count() == 1


def test_incident_review_by_ward_manager(complete_incident, nurse, world):
    incident_submit(incident=complete_incident, by=nurse)
    change = incident_review(incident=complete_incident, by=world.users["ward_manager"], note="Good record")
    assert change.to_status == "reviewed" and complete_incident.status == IncidentStatus.REVIEWED


def test_incident_review_by_ward_staff_refused(complete_incident, nurse):
    incident_submit(incident=complete_incident, by=nurse)
    with pytest.raises(PermissionDenied):
        incident_review(incident=complete_incident, by=nurse)


def test_incident_review_of_draft_refused(complete_incident, world):
    with pytest.raises(ValidationError):
        incident_review(incident=complete_incident, by=world.users["ward_manager"])


def test_incident_review_by_governance_of_another_provider_refused(complete_incident, nurse, world):
    incident_submit(incident=complete_incident, by=nurse)
    outsider = factories.user(role="provider_governance", provider=world.providers[1])
    with pytest.raises(PermissionDenied):
        incident_review(incident=complete_incident, by=outsider)


def test_incident_send_back_with_request_then_resubmit(complete_incident, nurse, world):
    incident_submit(incident=complete_incident, by=nurse)
    change = incident_send_back(
        incident=complete_incident, by=world.users["provider_governance"], request_text="Add the debrief"
    )
    assert change.note == "Add the debrief" and complete_incident.status == IncidentStatus.SENT_BACK
    incident_amend(incident=complete_incident, by=nurse, reason="Debrief added", debrief_patient_held=True)
    incident_submit(incident=complete_incident, by=nurse)
    assert complete_incident.status == IncidentStatus.SUBMITTED


def test_incident_send_back_without_request_refused(complete_incident, nurse, world):
    incident_submit(incident=complete_incident, by=nurse)
    with pytest.raises(ValidationError) as problem:
        incident_send_back(incident=complete_incident, by=world.users["ward_manager"], request_text=" ")
    assert list(problem.value.message_dict) == ["request_text"]


def test_incident_close_reviewed_incident(complete_incident, nurse, world):
    manager = world.users["ward_manager"]
    _reviewed(complete_incident, nurse, manager)
    incident_close(
        incident=complete_incident, by=manager, review=closing_review(), skipped=every_follow_up_skipped()
    )
    statuses = list(
        IncidentStatusChange.objects.filter(incident=complete_incident).values_list("to_status", flat=True)
    )
    assert statuses == ["draft", "submitted", "reviewed", "closed"]


def test_incident_close_unreviewed_refused(complete_incident, nurse, world):
    incident_submit(incident=complete_incident, by=nurse)
    with pytest.raises(ValidationError):
        incident_close(
            incident=complete_incident,
            by=world.users["ward_manager"],
            review=closing_review(),
            skipped=every_follow_up_skipped(),
        )


def test_incident_versions_numbered_without_gaps(complete_incident, nurse):
    for n in range(3):
        incident_amend(incident=complete_incident, by=nurse, reason=f"Edit {n}", outcome=f"Outcome {n}")
    assert list(
        IncidentVersion.objects.filter(incident=complete_incident).values_list("number", flat=True)
    ) == [
        1,
        2,
        3,
        4,
    ]


# CQC notification tasks


def _task(ward, patient, nurse):
    incident_record(ward=ward, patient=patient, by=nurse, patient_died=True)
    return CqcNotificationTask.objects.get()


def test_cqc_task_complete_by_governance_is_audited(ward, patient, nurse, world):
    governance = world.users["provider_governance"]
    task = cqc_task_complete(
        task=_task(ward, patient, nurse), by=governance, status="notified", note="Ref 123"
    )
    assert (task.status, task.completed_by, task.note) == ("notified", governance, "Ref 123")
    event = AuditEvent.objects.get(record_type="force.CqcNotificationTask")
    assert event.detail == {"status": "notified", "note": "Ref 123"} and event.patient_id == patient.pk


def test_cqc_task_complete_by_ward_manager_refused(ward, patient, nurse, world):
    with pytest.raises(PermissionDenied):
        cqc_task_complete(task=_task(ward, patient, nurse), by=world.users["ward_manager"], status="notified")


def test_cqc_task_complete_not_required_needs_a_note(ward, patient, nurse, world):
    with pytest.raises(ValidationError) as problem:
        cqc_task_complete(
            task=_task(ward, patient, nurse), by=world.users["provider_governance"], status="not_required"
        )
    assert list(problem.value.message_dict) == ["note"]


def test_cqc_task_complete_twice_refused(ward, patient, nurse, world):
    governance = world.users["provider_governance"]
    task = cqc_task_complete(task=_task(ward, patient, nurse), by=governance, status="notified")
    with pytest.raises(ValidationError) as problem:
        cqc_task_complete(task=task, by=governance, status="notified")
    assert list(problem.value.message_dict) == ["status"]


def test_cqc_task_complete_nothing_saved_when_audit_write_fails(ward, patient, nurse, world):
    task = _task(ward, patient, nurse)
    with (
        mock.patch("rrp.force.services.audit_record", side_effect=IntegrityError("down")),
        pytest.raises(IntegrityError),
    ):
        cqc_task_complete(task=task, by=world.users["provider_governance"], status="notified")
    task.refresh_from_db()
    assert task.status == "open" and task.completed_by is None
