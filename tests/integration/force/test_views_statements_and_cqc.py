"""Staff statements (each involved member of staff adds their own) and the CQC notification task list."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from rrp.core.models import AuditEvent
from rrp.force.models import CqcNotificationTask, StaffStatement
from rrp.force.services import incident_amend, incident_record, statement_add
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse_on_roster(nurse, roster_nurse):
    """The signed-in nurse is Sam Nurse on the roster, who held the head in the complete incident."""
    roster_nurse.user = nurse
    roster_nurse.save(update_fields=["user"])
    return nurse


def test_statement_added_by_involved_staff(nurse_on_roster, complete_incident):
    client = signed_in_client(nurse_on_roster)
    page = client.get(f"/incidents/{complete_incident.pk}/").content.decode()
    assert "Add your statement" in page
    assert client.get(f"/incidents/{complete_incident.pk}/statements/new/").status_code == 200
    response = client.post(f"/incidents/{complete_incident.pk}/statements/new/", {"text": "I held the head."})
    assert response.status_code == 302
    statement = StaffStatement.objects.get()
    assert statement.name == "Sam Nurse, Staff nurse" and statement.author == nurse_on_roster
    assert AuditEvent.objects.filter(record_type="force.StaffStatement", action="create").exists()
    assert "I held the head." in client.get(f"/incidents/{complete_incident.pk}/").content.decode()


def test_statement_empty_is_named_and_saves_nothing(nurse_on_roster, complete_incident):
    response = signed_in_client(nurse_on_roster).post(
        f"/incidents/{complete_incident.pk}/statements/new/", {"text": "  "}
    )
    assert response.status_code == 400
    assert "Write your statement" in response.content.decode()
    assert StaffStatement.objects.count() == 0


def test_statement_refused_to_staff_not_named(world, complete_incident):
    manager = world.users["ward_manager"]
    client = signed_in_client(manager)
    assert "Add your statement" not in client.get(f"/incidents/{complete_incident.pk}/").content.decode()
    response = client.post(f"/incidents/{complete_incident.pk}/statements/new/", {"text": "Not me"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        statement_add(incident=complete_incident, by=manager, text="Not me")
    assert StaffStatement.objects.count() == 0


def test_statement_allowed_when_named_in_an_earlier_version_only(nurse_on_roster, complete_incident):
    incident_amend(incident=complete_incident, by=nurse_on_roster, reason="Wrong person", staff=[])
    statement_add(incident=complete_incident, by=nurse_on_roster, text="I was there first.")
    assert StaffStatement.objects.count() == 1


def test_statements_are_append_only(nurse_on_roster, complete_incident):
    statement = statement_add(incident=complete_incident, by=nurse_on_roster, text="First")
    statement.text = "Changed"
    with pytest.raises(Exception):  # noqa: B017 (AppendOnlyModel refuses; the type is the core's)
        statement.save()


@pytest.fixture
def police_incident(ward, patient, nurse):
    return incident_record(
        ward=ward, patient=patient, by=nurse, non_staff_involved=True, non_staff_types=["police"]
    )


def test_cqc_list_for_governance(world, police_incident):
    response = signed_in_client(world.users["provider_governance"]).get("/cqc-tasks/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Incident {police_incident.pk}" in body and "The police were involved" in body


@pytest.mark.parametrize("role", ["ward_staff", "ward_manager", "commissioner", "regulator"])
def test_cqc_list_refused_to_other_roles(world, role, police_incident):
    assert signed_in_client(world.users[role]).get("/cqc-tasks/").status_code == 403


def test_cqc_task_of_another_provider_is_404(world, police_incident):
    from rrp.accounts.roles import Role
    from tests import factories

    other = factories.user(role=Role.PROVIDER_GOVERNANCE, provider=world.providers[1])
    task = CqcNotificationTask.objects.get()
    assert signed_in_client(other).get(f"/cqc-tasks/{task.pk}/").status_code == 404


def test_cqc_complete_not_required_needs_a_note(world, police_incident):
    client = signed_in_client(world.users["provider_governance"])
    task = CqcNotificationTask.objects.get()
    response = client.post(f"/cqc-tasks/{task.pk}/", {"status": "not_required", "note": ""})
    assert response.status_code == 400
    assert "Say why no notification is needed" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "open"
    response = client.post(
        f"/cqc-tasks/{task.pk}/", {"status": "not_required", "note": "Reported to NHS England"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "not_required" and task.note == "Reported to NHS England"
    assert f"Incident {police_incident.pk}" not in client.get("/cqc-tasks/").content.decode()
    assert "Reported to NHS England" in client.get("/cqc-tasks/", {"show": "all"}).content.decode()


def test_cqc_complete_without_choice_is_named(world, police_incident):
    task = CqcNotificationTask.objects.get()
    response = signed_in_client(world.users["provider_governance"]).post(f"/cqc-tasks/{task.pk}/", {})
    assert response.status_code == 400
    assert "Choose notified or not required" in response.content.decode()
