"""Investigations (s9, issue 16 item 4): a death or serious injury opens one in the incident's
transaction; governance records it as append-only versions (refused naming the field, 409 on a stale
save, closure only with findings, sign-off and every action done, final once closed); scoped and audited;
open and overdue on the board."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rrp.accounts.roles import Role
from rrp.act.investigations import investigation_counts, investigation_record, investigations_for
from rrp.act.models import Investigation, InvestigationVersion
from rrp.core.concurrency import StaleVersion
from rrp.core.models import AppendOnlyError, AuditAction, AuditEvent
from rrp.force.services import incident_amend, incident_record
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.force.incident_data import complete_content, typical_interventions

pytestmark = pytest.mark.django_db


@pytest.fixture
def governance(world):
    return world.users["provider_governance"]


def harmed(world, **changes):
    return incident_record(
        ward=world.wards["a1"],
        patient=world.patients["a1"],
        by=world.users["ward_staff"],
        interventions=typical_interventions(),
        **{**complete_content(), "patient_serious_injury": True, **changes},
    )


def lead(investigation, by, base_version=0, **changes):
    values = {
        "lead_name": "Dr R Patel",
        "lead_job_title": "Consultant psychiatrist",
        "learning_response": "psii",
        "family_involvement": "involved",
        "due_on": timezone.localdate() + dt.timedelta(days=30),
        "findings": "",
        "actions": [],
    }
    return investigation_record(
        investigation=investigation, by=by, base_version=base_version, **{**values, **changes}
    )


def test_a_serious_injury_opens_one_investigation_and_an_uninjured_incident_none(world):
    plain = harmed(world, patient_serious_injury=False)
    assert not Investigation.objects.filter(incident=plain).exists()
    incident = harmed(world)
    investigation = Investigation.objects.get(incident=incident)
    assert investigation.reason == "serious_injury"
    assert investigation.due_on == timezone.localdate() + dt.timedelta(days=90)
    assert AuditEvent.objects.filter(record_type="act.Investigation", action=AuditAction.CREATE).count() == 1


def test_a_later_version_recording_a_death_opens_one_when_none_was(world):
    incident = harmed(world, patient_serious_injury=False)
    incident_amend(
        incident=incident,
        by=world.users["ward_staff"],
        reason="The patient died in hospital the next day",
        base_version=1,
        patient_died=True,
    )
    assert Investigation.objects.get(incident=incident).reason == "death"


def test_versions_refusals_stale_save_and_closure(world, governance):
    investigation = Investigation.objects.get(incident=harmed(world))
    with pytest.raises(ValidationError) as refused:
        lead(investigation, governance, lead_name="", learning_response="", due_on=None)
    assert set(refused.value.message_dict) >= {"lead_name", "learning_response", "due_on"}
    with pytest.raises(ValidationError) as refused:
        lead(investigation, world.users["ward_manager"])
    assert "provider" in refused.value.message_dict
    first = lead(investigation, governance)
    with pytest.raises(AppendOnlyError):
        first.save()
    # Someone else saved version 1 since this person opened version 0: nothing saved.
    with pytest.raises(StaleVersion):
        lead(investigation, governance, base_version=0, lead_name="Someone else")
    action = {"action": "Review the prone technique", "owner": "", "due_on": None, "done": False}
    with pytest.raises(ValidationError) as refused:
        lead(investigation, governance, base_version=1, actions=[action])
    assert set(refused.value.message_dict) == {"actions-0-owner", "actions-0-due_on"}
    today = timezone.localdate()
    action.update(owner="Ward manager", due_on=today)
    # Closing needs findings, a sign-off and every action done.
    with pytest.raises(ValidationError) as refused:
        lead(investigation, governance, base_version=1, actions=[action], closed_on=today)
    assert set(refused.value.message_dict) >= {"findings", "signed_off_by", "closed_on"}
    assert InvestigationVersion.objects.count() == 1
    action["done"] = True
    closed = lead(
        investigation,
        governance,
        base_version=1,
        actions=[action],
        findings="Restraint lasted too long; staff were not relieved",
        closed_on=today,
        signed_off_by="A Director, Director of Nursing",
    )
    assert closed.number == 2 and closed.actions[0]["due_on"] == today.isoformat()
    with pytest.raises(ValidationError) as refused:
        lead(investigation, governance, base_version=2)
    assert "closed_on" in refused.value.message_dict


def test_open_and_overdue_counts_on_the_board(world, governance):
    investigation = Investigation.objects.get(incident=harmed(world))
    lead(investigation, governance, due_on=timezone.localdate() - dt.timedelta(days=3))
    harmed(world)
    counts = investigation_counts(world.providers[0], today=timezone.localdate())
    assert (counts.open, counts.overdue, counts.closed) == (2, 1, 0)
    board = signed_in_client(governance).get(f"/reports/board/{world.providers[0].pk}/")
    assert 'id="investigations-summary"' in board.text and "1 overdue" in board.text


def test_pages_scope_audit_and_the_form(world, governance):
    investigation = Investigation.objects.get(incident=harmed(world))
    client = signed_in_client(governance)
    provider = world.providers[0]
    listing = client.get(f"/use-of-force-act/providers/{provider.pk}/investigations/")
    assert listing.status_code == 200 and "Not yet named" in listing.text
    page = client.get(f"/use-of-force-act/investigations/{investigation.pk}/")
    assert page.status_code == 200 and "No lead named yet" in page.text
    assert AuditEvent.objects.filter(record_type="act.Investigation", action=AuditAction.VIEW).exists()
    edit = f"/use-of-force-act/investigations/{investigation.pk}/edit/"
    refused = client.post(edit, {"base_version": "0", "lead_name": "", "due_on": "2099-01-01"})
    assert refused.status_code == 400 and "Enter who leads the investigation" in refused.text
    saved = client.post(
        edit,
        {
            "base_version": "0",
            "lead_name": "Dr R Patel",
            "lead_job_title": "Consultant",
            "learning_response": "aar",
            "family_involvement": "involved",
            "due_on": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
            "actions-0-action": "Refresher on holds",
            "actions-0-owner": "Ward manager",
            "actions-0-due_on": "2099-01-01",
        },
    )
    assert saved.status_code == 302, saved.text[saved.text.find("error-summary") :][:1500]
    assert InvestigationVersion.objects.get().actions[0]["owner"] == "Ward manager"
    stale = client.post(
        edit,
        {
            "base_version": "0",
            "lead_name": "Other",
            "lead_job_title": "Nurse",
            "learning_response": "aar",
            "family_involvement": "involved",
            "due_on": "2099-01-01",
        },
    )
    assert stale.status_code == 409 and InvestigationVersion.objects.count() == 1
    # Ward staff see their ward's investigation but cannot record it; the commissioner sees none.
    ward_staff = signed_in_client(world.users["ward_manager"])
    assert ward_staff.get(f"/use-of-force-act/investigations/{investigation.pk}/").status_code == 200
    assert ward_staff.get(edit).status_code == 403
    assert investigations_for(world.users["commissioner"], provider, today=timezone.localdate()) == []
    other_ward = factories.user(role=Role.WARD_STAFF, provider=provider, wards=[world.wards["a2"]])
    assert (
        signed_in_client(other_ward).get(f"/use-of-force-act/investigations/{investigation.pk}/").status_code
        == 404
    )
