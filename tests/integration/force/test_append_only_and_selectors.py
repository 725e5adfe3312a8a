"""Versions are never overwritten (ORM or raw SQL); reading is scoped and audited; history diffs."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from rrp.core.models import AppendOnlyError, AuditAction, AuditEvent
from rrp.force.models import (
    Incident,
    IncidentFlag,
    IncidentStatusChange,
    IncidentVersion,
    InterventionRecord,
    StaffInvolvement,
)
from rrp.force.selectors import cqc_tasks_for, incident_get_for, incident_history, incident_list_for_user
from rrp.force.services import incident_amend, incident_record
from tests import factories

APPEND_ONLY = [
    Incident,
    IncidentVersion,
    InterventionRecord,
    StaffInvolvement,
    IncidentStatusChange,
    IncidentFlag,
]


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m.__name__)
def test_append_only_row_cannot_be_saved_or_deleted_through_orm(complete_incident, model):
    row = model.objects.first()
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        model.objects.filter(pk=row.pk).update(id=row.pk)
    with pytest.raises(AppendOnlyError):
        model.objects.all().delete()


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m.__name__)
@pytest.mark.parametrize("statement", ["UPDATE {table} SET id = id", "DELETE FROM {table}"])
def test_append_only_row_cannot_be_changed_by_raw_sql(complete_incident, model, statement):
    before = model.objects.count()
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(table=model._meta.db_table))
    assert model.objects.count() == before > 0


def test_incident_version_outcome_stays_as_written_after_amendment(complete_incident, nurse):
    incident_amend(incident=complete_incident, by=nurse, reason="Clarify", outcome="Changed")
    assert IncidentVersion.objects.get(incident=complete_incident, number=1).outcome.startswith("Settled")


def test_incident_list_for_user_shows_own_ward_with_status(complete_incident, world):
    rows = list(incident_list_for_user(world.users["ward_manager"]))
    assert rows == [complete_incident] and rows[0].status == "draft"


def test_incident_list_for_user_of_another_provider_is_empty(complete_incident, world):
    outsider = factories.user(role="provider_governance", provider=world.providers[1])
    assert not incident_list_for_user(outsider).exists()
    for role in ("commissioner", "national_analyst", "system_admin"):
        assert not incident_list_for_user(world.users[role]).exists()


def test_incident_list_for_user_other_ward_same_provider_is_hidden(world, complete_incident):
    nurse_a2 = factories.user(role="ward_staff", provider=world.providers[0], wards=[world.wards["a2"]])
    other = incident_record(ward=world.wards["a2"], patient=world.patients["a2"], by=nurse_a2)
    assert list(incident_list_for_user(nurse_a2)) == [other]


def test_incident_get_for_audits_the_view(complete_incident, world):
    user = world.users["provider_governance"]
    assert incident_get_for(user, complete_incident.pk) == complete_incident
    event = AuditEvent.objects.get(action=AuditAction.VIEW, record_id=str(complete_incident.pk))
    assert event.actor_username == user.username and event.patient_id == complete_incident.patient_id


def test_incident_get_for_out_of_scope_returns_none_and_no_audit(complete_incident, world):
    outsider = factories.user(role="ward_staff", provider=world.providers[1], wards=[world.wards["b1"]])
    assert incident_get_for(outsider, complete_incident.pk) is None
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_incident_history_shows_what_changed(complete_incident, nurse):
    incident_amend(
        incident=complete_incident, by=nurse, reason="Clarify", outcome="Slept", debrief_staff_held=True
    )
    history = incident_history(complete_incident)
    assert [entry.version.number for entry in history] == [1, 2]
    assert [(c.field, c.after) for c in history[1].changes] == [
        ("outcome", "Slept"),
        ("debrief_staff_held", True),
    ]
    assert {"reason_code", "interventions", "staff"} <= {c.field for c in history[0].changes}


def test_cqc_tasks_for_only_governance_of_the_provider(ward, patient, nurse, world):
    incident_record(ward=ward, patient=patient, by=nurse, patient_died=True)
    assert cqc_tasks_for(world.users["provider_governance"]).count() == 1
    assert not cqc_tasks_for(world.users["ward_manager"]).exists()
    outsider = factories.user(role="provider_governance", provider=world.providers[1])
    assert not cqc_tasks_for(outsider).exists()


def test_incident_retention_ends_three_years_after_creation(complete_incident, settings):
    made = complete_incident.created_at.date()
    assert complete_incident.retention_ends_on() == made.replace(year=made.year + 3)
    settings.RECORD_RETENTION_YEARS = 8
    assert complete_incident.retention_ends_on().year == made.year + 8
