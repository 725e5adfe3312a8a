"""incident_record: scope, validation, versioning, snapshot, audit and triggers."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from rrp.core.models import AuditAction, AuditEvent
from rrp.force.codes import IncidentStatus
from rrp.force.models import (
    CqcNotificationTask,
    Incident,
    IncidentFlag,
    IncidentVersion,
    InterventionRecord,
    StaffInvolvement,
)
from rrp.force.services import InterventionInput, StaffInput, incident_record
from rrp.people.models import StaffMember
from tests import factories
from tests.integration.force.incident_data import T0, complete_content, two_staff, typical_interventions


def test_incident_record_creates_draft_version_one(complete_incident, nurse):
    version = complete_incident.versions.get()
    assert version.number == 1 and version.recorded_by == nurse and version.change_reason == ""
    assert complete_incident.status == IncidentStatus.DRAFT
    assert complete_incident.provider_id == complete_incident.ward.provider_id
    assert [i.type_code for i in version.interventions.all()] == ["01", "09", "14"]


def test_incident_record_copies_staff_name_and_job_title_from_roster(complete_incident, roster_nurse):
    rows = list(complete_incident.versions.get().staff.order_by("id"))
    assert (rows[0].staff_member, rows[0].name, rows[0].job_title) == (
        roster_nurse,
        "Sam Nurse",
        "Staff nurse",
    )
    assert (rows[1].staff_member, rows[1].name) == (None, "Alex Agency")


def test_incident_record_keeps_patient_characteristics_as_they_were(complete_incident, patient):
    patient.ethnic_category = "A"
    patient.save()
    snapshot = complete_incident.versions.get().patient_snapshot
    assert snapshot["ethnic_category"] == "M" and snapshot["primary_mental_disorder"] == "F20.0"
    assert {"learning_disability", "autism", "age", "religion"} <= set(snapshot)


def test_incident_record_audits_the_create(complete_incident, nurse, patient):
    event = AuditEvent.objects.get(action=AuditAction.CREATE, record_type="force.Incident")
    assert event.record_id == str(complete_incident.pk)
    assert event.actor_username == nurse.username
    assert event.patient_id == patient.pk and event.provider_id == patient.provider_id


def test_incident_record_truncates_times_to_the_minute(ward, patient, nurse):
    start = T0.replace(second=42, microsecond=5)
    incident = incident_record(
        ward=ward, patient=patient, by=nurse, interventions=[InterventionInput("01", start, start)]
    )
    row = InterventionRecord.objects.get(version__incident=incident)
    assert row.started_at == T0 and row.duration_minutes == 0


def test_incident_record_draft_may_be_almost_empty(ward, patient, nurse):
    incident = incident_record(ward=ward, patient=patient, by=nurse)
    assert incident.versions.count() == 1


def test_incident_record_nothing_saved_when_audit_write_fails(ward, patient, nurse, roster_nurse):
    failing = mock.patch("rrp.force.services.audit_record", side_effect=IntegrityError("audit unavailable"))
    with failing, pytest.raises(IntegrityError):
        incident_record(
            ward=ward,
            patient=patient,
            by=nurse,
            interventions=typical_interventions(),
            staff=two_staff(roster_nurse),
            **complete_content() | {"patient_died": True},
        )
    for model in (
        Incident,
        IncidentVersion,
        InterventionRecord,
        StaffInvolvement,
        CqcNotificationTask,
        IncidentFlag,
    ):
        assert model.objects.count() == 0, model


@pytest.mark.parametrize("role", ["commissioner", "national_analyst", "system_admin", "regulator"])
def test_incident_record_refused_for_roles_that_cannot_record(world, ward, patient, role):
    with pytest.raises(ValidationError) as problem:
        incident_record(ward=ward, patient=patient, by=world.users[role])
    assert "ward" in problem.value.message_dict
    assert Incident.objects.count() == 0


def test_incident_record_ward_outside_users_wards_refused(world, nurse):
    other_ward = world.wards["a2"]  # same provider, not one of the nurse's wards
    with pytest.raises(ValidationError) as problem:
        incident_record(ward=other_ward, patient=world.patients["a2"], by=nurse)
    assert list(problem.value.message_dict) == ["ward"]


def test_incident_record_user_of_another_provider_refused(world, ward, patient):
    outsider = factories.user(role="ward_staff", provider=world.providers[1], wards=[world.wards["b1"]])
    with pytest.raises(ValidationError) as problem:
        incident_record(ward=ward, patient=patient, by=outsider)
    assert "ward" in problem.value.message_dict


def test_incident_record_patient_of_another_provider_refused(world, ward, nurse):
    with pytest.raises(ValidationError) as problem:
        incident_record(ward=ward, patient=world.patients["b1"], by=nurse)
    assert list(problem.value.message_dict) == ["patient"]


def test_incident_record_staff_of_another_provider_refused(world, ward, patient, nurse):
    stranger = StaffMember.objects.create(
        provider=world.providers[1],
        given_name="Kim",
        family_name="Other",
        job_title="Nurse",
        staff_group="nursing",
    )
    with pytest.raises(ValidationError) as problem:
        incident_record(
            ward=ward, patient=patient, by=nurse, staff=[StaffInput(part="head", staff_member=stranger)]
        )
    assert list(problem.value.message_dict) == ["staff[0].staff_member"]
    assert Incident.objects.count() == 0


def test_incident_record_names_each_bad_field(ward, patient, nurse):
    with pytest.raises(ValidationError) as problem:
        incident_record(
            ward=ward,
            patient=patient,
            by=nurse,
            reason_code="42",
            deescalation=["shouting"],
            non_staff_types=["bystander"],
            occurred_at=T0,
            ended_at=T0 - dt.timedelta(minutes=1),
            police_requested_at=T0,
            police_arrived_at=T0 - dt.timedelta(minutes=5),
            interventions=[
                InterventionInput("02", T0, T0),
                InterventionInput("99", T0, T0),
                InterventionInput("01", T0, T0 - dt.timedelta(minutes=1)),
                InterventionInput("09", None),
            ],
            staff=[StaffInput(part="juggling"), StaffInput(part="head", name="  ")],
        )
    fields = problem.value.message_dict
    assert set(fields) == {
        "reason_code",
        "deescalation",
        "non_staff_types",
        "ended_at",
        "police_arrived_at",
        "interventions[0].type_code",
        "interventions[1].type_code",
        "interventions[2].ended_at",
        "interventions[3].started_at",
        "staff[0].part",
        "staff[0].name",
        "staff[1].name",
    }
    assert "no longer a valid" in fields["interventions[0].type_code"][0]
    assert Incident.objects.count() == 0


def test_incident_record_unknown_field_is_a_programming_error(ward, patient, nurse):
    with pytest.raises(TypeError):
        incident_record(ward=ward, patient=patient, by=nurse, colour="blue")


def test_incident_record_negligible_force_refused_when_exemption_off(ward, patient, nurse):
    with pytest.raises(ValidationError) as problem:
        incident_record(ward=ward, patient=patient, by=nurse, negligible_force=True)
    assert set(problem.value.message_dict) == {"negligible_force", "negligible_force_justification"}


def test_incident_record_negligible_force_allowed_with_justification_when_on(settings, ward, patient, nurse):
    settings.RRP_FORCE_NEGLIGIBLE_EXEMPTION = True
    incident = incident_record(
        ward=ward,
        patient=patient,
        by=nurse,
        negligible_force=True,
        negligible_force_justification="Hand on arm",
    )
    assert incident.versions.get().negligible_force is True


def test_incident_record_same_source_id_twice_refused(ward, patient, nurse):
    incident_record(ward=ward, patient=patient, by=nurse, source_system="datix", source_id="W123")
    with pytest.raises(IntegrityError):
        incident_record(ward=ward, patient=patient, by=nurse, source_system="datix", source_id="W123")


@pytest.mark.parametrize(
    ("content", "reasons"),
    [
        ({"patient_died": True}, ["death"]),
        ({"patient_serious_injury": True}, ["serious_injury"]),
        ({"police_requested_at": T0}, ["police"]),
        ({"non_staff_involved": True, "non_staff_types": ["police"]}, ["police"]),
        ({"abuse_alleged": True}, ["abuse_allegation"]),
    ],
)
def test_incident_record_trigger_raises_cqc_task(ward, patient, nurse, content, reasons):
    incident = incident_record(ward=ward, patient=patient, by=nurse, **content)
    task = CqcNotificationTask.objects.get(incident=incident)
    assert task.reasons == reasons and task.status == "open"
    assert (
        task.provider == ward.provider and task.regulation == "Regulation 18" and task.due == "Without delay"
    )


def test_incident_record_no_trigger_raises_no_task(complete_incident):
    assert not CqcNotificationTask.objects.exists()


def test_incident_record_prone_and_rapid_tranquillisation_raise_flags(complete_incident):
    flags = {flag.kind: flag.detail for flag in complete_incident.flags.all()}
    # And late: the typical incident (March 2026) is recorded when the test runs, long after it.
    assert set(flags) == {"prone_review", "rt_monitoring", "late_record"}
    assert (
        flags["rt_monitoring"]["interval_minutes"] == 60
        and flags["rt_monitoring"]["standard"] == "NICE QS154"
    )
