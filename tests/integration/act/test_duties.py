"""The responsible person (s2), delegations (s10) and the policy register (s3): append-only rows with
their history, recorded only by the provider's governance, refused naming the field, audited, seen by
everyone who sees the provider, and an overdue policy review flagged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from rrp.act.models import PolicyVersion, ResponsiblePersonAppointment
from rrp.act.selectors import duties_for
from rrp.act.services import delegation_record, policy_version_record, responsible_person_appoint
from rrp.core.models import AppendOnlyError, AuditAction, AuditEvent
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 6)


@pytest.fixture
def provider(world):
    return world.providers[0]


@pytest.fixture
def governance(world):
    return world.users["provider_governance"]


def policy(provider, by, **changes):
    values = {
        "title": "Reducing the use of force",
        "version_label": "3.0",
        "document_url": "https://www.example.nhs.uk/policies/use-of-force-v3.pdf",
        "approved_on": dt.date(2025, 4, 1),
        "review_due_on": dt.date(2026, 4, 1),
        "consulted": "Patients' council, carers' forum, staff side",
        "patients_consulted": True,
        "carers_consulted": True,
    }
    return policy_version_record(provider=provider, by=by, **{**values, **changes})


def test_appointments_keep_history_and_the_latest_in_post(provider, governance):
    first = responsible_person_appoint(
        provider=provider,
        by=governance,
        name="Dr A Smith",
        job_title="Director of Nursing",
        appointed_on=dt.date(2022, 3, 31),
    )
    second = responsible_person_appoint(
        provider=provider,
        by=governance,
        name="B Jones",
        job_title="Chief Nurse",
        appointed_on=dt.date(2025, 9, 1),
    )
    duties = duties_for(provider, today=TODAY)
    assert duties.responsible_person == second
    assert [(t.appointment, t.ended_on) for t in duties.terms] == [
        (second, None),
        (first, dt.date(2025, 8, 31)),
    ]
    # Before the second appointment took effect, the first was in post.
    assert duties_for(provider, today=dt.date(2025, 8, 31)).responsible_person == first
    with pytest.raises(AppendOnlyError):
        first.save()
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CREATE, record_type="act.ResponsiblePersonAppointment"
        ).count()
        == 2
    )


def test_appointment_refused_naming_each_field(provider, governance):
    responsible_person_appoint(
        provider=provider,
        by=governance,
        name="B Jones",
        job_title="Chief Nurse",
        appointed_on=dt.date(2025, 9, 1),
    )
    with pytest.raises(ValidationError) as refused:
        responsible_person_appoint(
            provider=provider, by=governance, name=" ", job_title="", appointed_on=dt.date(2024, 1, 1)
        )
    assert refused.value.message_dict == {
        "name": ["Enter the responsible person's name"],
        "job_title": ["Enter the responsible person's job title"],
        "appointed_on": ["The appointment cannot take effect before the latest one (01 September 2025)"],
    }
    assert ResponsiblePersonAppointment.objects.count() == 1


@pytest.mark.parametrize("role", ["ward_manager", "commissioner", "regulator", "system_admin"])
def test_only_the_providers_governance_records_duties(world, provider, role):
    with pytest.raises(ValidationError) as refused:
        responsible_person_appoint(
            provider=provider, by=world.users[role], name="X", job_title="Y", appointed_on=dt.date(2025, 1, 1)
        )
    assert "provider" in refused.value.message_dict
    assert not ResponsiblePersonAppointment.objects.exists()


def test_governance_of_another_provider_cannot_record(world, governance):
    with pytest.raises(ValidationError, match="cannot record this provider"):
        policy(world.providers[1], governance)


def test_policy_overdue_when_its_review_date_has_passed(provider, governance):
    duties = duties_for(provider, today=TODAY)
    assert duties.policy is None and duties.policy_overdue  # no policy at all is flagged too
    old = policy(provider, governance)
    duties = duties_for(provider, today=TODAY)
    assert duties.policy == old and duties.policy_overdue and duties.policy_days_overdue == 249
    new = policy(
        provider,
        governance,
        version_label="3.1",
        approved_on=dt.date(2026, 11, 1),
        review_due_on=dt.date(2027, 11, 1),
    )
    duties = duties_for(provider, today=TODAY)
    assert duties.policy == new and not duties.policy_overdue
    assert duties.policies == [new, old]


def test_policy_refused_naming_each_field(provider, governance):
    with pytest.raises(ValidationError) as refused:
        policy(
            provider,
            governance,
            title="",
            document_url="not a web address",
            consulted="",
            review_due_on=dt.date(2025, 4, 1),
        )
    errors = refused.value.message_dict
    assert errors["title"] == ["Enter the policy's title"]
    assert errors["consulted"] == ["Say who was consulted on this version"]
    assert errors["review_due_on"] == ["The next review must be due after the approval date"]
    assert "document_url" in errors
    assert not PolicyVersion.objects.exists()


def test_delegations_in_force_today(provider, governance):
    ended = delegation_record(
        provider=provider,
        by=governance,
        delegate_name="C Patel",
        delegate_job_title="Deputy Director",
        functions="Approving the policy's review",
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2024, 12, 31),
    )
    open_ended = delegation_record(
        provider=provider,
        by=governance,
        delegate_name="D Evans",
        delegate_job_title="Head of Patient Safety",
        functions="Overseeing the records of use of force",
        starts_on=dt.date(2025, 1, 1),
    )
    duties = duties_for(provider, today=TODAY)
    assert duties.delegations_current == [open_ended]
    assert duties.delegations == [open_ended, ended]
    with pytest.raises(ValidationError) as refused:
        delegation_record(
            provider=provider,
            by=governance,
            delegate_name="E",
            delegate_job_title="F",
            functions="",
            starts_on=dt.date(2025, 1, 2),
            ends_on=dt.date(2025, 1, 1),
        )
    assert refused.value.message_dict == {
        "functions": ["Say which functions are delegated"],
        "ends_on": ["The delegation cannot end before it starts"],
    }


def test_pages_seen_by_staff_recorded_by_governance(world, provider, governance):
    responsible_person_appoint(
        provider=provider,
        by=governance,
        name="B Jones",
        job_title="Chief Nurse",
        appointed_on=dt.date(2025, 9, 1),
    )
    client = signed_in_client(world.users["ward_staff"])
    page = client.get(f"/use-of-force-act/providers/{provider.pk}/")
    assert page.status_code == 200 and "B Jones" in page.text
    assert "Record an appointment" not in page.text
    assert client.get(f"/use-of-force-act/providers/{provider.pk}/responsible-person/new/").status_code == 403
    assert client.get(f"/use-of-force-act/providers/{world.providers[1].pk}/").status_code == 404
    client = signed_in_client(governance)
    answer = client.post(
        f"/use-of-force-act/providers/{provider.pk}/policy/new/",
        {
            "title": "Reducing the use of force",
            "version_label": "4",
            "document_url": "https://example.nhs.uk/p.pdf",
            "approved_on": "2026-11-01",
            "review_due_on": "2026-10-01",
            "consulted": "Patients' council",
        },
    )
    assert answer.status_code == 400
    assert "The next review must be due after the approval date" in answer.text
    assert not PolicyVersion.objects.exists()
