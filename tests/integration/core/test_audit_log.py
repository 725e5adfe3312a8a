"""The audit log: written for every view and change of patient data, never changed or deleted, and a
failed audit write leaves nothing saved."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from rrp.core.models import AppendOnlyError, AuditAction, AuditEvent
from rrp.core.services import audit_record
from rrp.people.models import Patient
from rrp.people.services import patient_register
from tests.helpers import signed_in_client


def test_viewing_a_patient_writes_an_audit_event(world):
    user = world.users["ward_staff"]
    patient = world.patients["a1"]
    signed_in_client(user).get(f"/patients/{patient.pk}/", REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, patient_id=patient.pk).get()
    assert event.actor_username == user.username
    assert event.record_type == "people.Patient" and event.record_id == str(patient.pk)
    assert event.provider_id == patient.provider_id
    assert event.ip_address == "10.1.2.3"
    assert event.path == f"/patients/{patient.pk}/"


def test_patient_list_view_is_audited_with_the_ids_shown(world):
    signed_in_client(world.users["ward_manager"]).get("/patients/")
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, record_label__startswith="Patient list").get()
    assert set(event.detail["patient_ids"]) == {world.patients["a1"].pk, world.patients["a2"].pk}


def test_out_of_scope_guess_writes_no_view_event(world):
    signed_in_client(world.users["ward_staff"]).get(f"/patients/{world.patients['b1'].pk}/")
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, patient_id=world.patients["b1"].pk).exists()


def test_audit_event_cannot_be_changed_or_deleted_through_the_orm(world):
    event = audit_record(
        actor=world.users["regulator"], action=AuditAction.VIEW, record_type="x", record_id=1
    )
    event.record_id = "2"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(record_id="3")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).record_id == "1"


@pytest.mark.parametrize(
    "statement", ["UPDATE core_auditevent SET record_id = 'x'", "DELETE FROM core_auditevent"]
)
def test_audit_event_cannot_be_changed_by_raw_sql(world, statement):
    audit_record(actor=None, action=AuditAction.VIEW, record_type="x", record_id=1)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.filter(record_id="1").exists()


def test_nothing_is_saved_when_the_audit_write_fails(world):
    """A create whose audit row cannot be written must not leave the patient behind."""
    provider = world.providers[0]
    before = Patient.objects.count()
    failing_audit = mock.patch(
        "rrp.people.services.audit_record", side_effect=IntegrityError("audit unavailable")
    )
    with failing_audit, pytest.raises(IntegrityError):
        patient_register(
            provider=provider,
            local_identifier="NEW1",
            given_name="Ada",
            family_name="Example",
            date_of_birth=dt.date(1990, 5, 1),
            sex="2",
            nhs_number="9434765870",
            by=world.users["ward_staff"],
        )
    assert Patient.objects.count() == before


def test_patient_register_audits_the_create(world):
    patient = patient_register(
        provider=world.providers[0],
        local_identifier="NEW2",
        given_name="Bo",
        family_name="Example",
        date_of_birth=dt.date(1991, 5, 1),
        sex="1",
        nhs_number="943 476 5889",
        by=world.users["ward_manager"],
    )
    assert patient.nhs_number == "9434765889"
    event = AuditEvent.objects.get(action=AuditAction.CREATE, patient_id=patient.pk)
    assert event.actor_username == world.users["ward_manager"].username


def test_patient_register_names_each_bad_field(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as problem:
        patient_register(
            provider=world.providers[0],
            local_identifier="NEW3",
            given_name="Cy",
            family_name="Example",
            date_of_birth=dt.date(2999, 1, 1),
            sex="1",
            nhs_number="9434765918",
            primary_mental_disorder="schizophrenia",
            by=None,
        )
    fields = problem.value.message_dict
    assert "last digit does not match" in fields["nhs_number"][0]
    assert "ICD-10" in fields["primary_mental_disorder"][0]
    assert "past" in fields["date_of_birth"][0]


def test_audit_log_page_shows_only_own_provider_events(world):
    governance = world.users["provider_governance"]
    audit_record(
        actor=None,
        action=AuditAction.VIEW,
        record_type="people.Patient",
        record_id=1,
        provider_id=world.providers[0].pk,
        record_label="own-provider-event",
    )
    audit_record(
        actor=None,
        action=AuditAction.VIEW,
        record_type="people.Patient",
        record_id=2,
        provider_id=world.providers[2].pk,
        record_label="other-provider-event",
    )
    page = signed_in_client(governance).get("/audit/").content.decode()
    assert "own-provider-event" in page
    assert "other-provider-event" not in page


def test_audit_log_search_filters_and_reports_bad_dates(world):
    client = signed_in_client(world.users["provider_governance"])
    audit_record(
        actor=world.users["ward_staff"],
        action=AuditAction.VIEW,
        record_type="people.Patient",
        record_id=1,
        provider_id=world.providers[0].pk,
        record_label="by-ward-staff",
    )
    page = client.get("/audit/", {"username": world.users["ward_staff"].username}).content.decode()
    assert "by-ward-staff" in page
    bad = client.get("/audit/", {"since": "2025-05-02", "until": "2025-05-01"})
    assert bad.status_code == 400
    assert "The end date must be the same as or after the start date" in bad.content.decode()


def test_audit_log_search_reports_a_badly_typed_date(world):
    response = signed_in_client(world.users["provider_governance"]).get("/audit/", {"since": "1st May"})
    assert response.status_code == 400
    assert "Enter the start date as year-month-day" in response.content.decode()


def test_server_error_page_is_plain_and_helpful(client):
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in page
    assert "Anything you had saved is safe" in page
