"""The commissioners' alert (issue 17, item 3): someone entering long-term segregation at a provider an
ICB commissions reaches that ICB's commissioner users by email through the reminders' outbox, by
episode number and pseudonym, never by name; other ICBs hear nothing; every send is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rrp.core.models import AuditEvent
from rrp.ops import reminders
from rrp.ops.models import ReminderKind
from rrp.ops.schedule import SCHEDULE
from rrp.ops.services import reminder_preferences_set
from rrp.segregation.pseudonyms import pseudonym
from rrp.segregation.services import episode_start
from tests import factories
from tests.integration.ops.test_reminders import (  # noqa: F401 - the SMTP server fixture, shared
    patient_identifiers,
    sent_to,
    smtp_sink,
)
from tests.integration.segregation.episode_data import lts_kwargs


@pytest.fixture
def commissioners(world):
    """ICB 1 commissions provider A (ward a1); ICB 2 does not."""
    ours = world.users["commissioner"]
    theirs = factories.user(role="commissioner", commissioner=world.commissioners[1])
    for user, address in ((ours, "icb1@example.nhs.uk"), (theirs, "icb2@example.nhs.uk")):
        user.email = address
        user.save(update_fields=["email"])
    return ours, theirs


@pytest.fixture
def lts_now(world, roster):
    """Ward a1's patient put in long-term segregation, recorded now."""
    return episode_start(
        ward=world.wards["a1"],
        patient=world.patients["a1"],
        by=world.users["ward_staff"],
        started_at=timezone.now() - dt.timedelta(hours=2),
        authorised_by=roster["doctor"],
        **lts_kwargs(),
    )


def next_slot() -> dt.datetime:
    return timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)


@pytest.mark.django_db
def test_entering_lts_reaches_the_commissioning_icb_by_email_without_a_name(
    smtp_sink,  # noqa: F811 - the shared fixture
    commissioners,
    lts_now,
    world,
):
    slot = next_slot()
    [job] = [job for job in SCHEDULE if job.name == "reminders"]
    assert ReminderKind.LTS_ENTRY in job.kwargs["kinds"]
    outcome = job.task.call(kinds=[ReminderKind.LTS_ENTRY], slot=slot.isoformat())
    assert outcome == {"created": 1, "sent": 1, "failed": 0}

    [(to, message)] = sent_to(smtp_sink).items()
    assert to == "icb1@example.nhs.uk"  # not ICB 2, which does not commission the provider
    body = message.get_payload(decode=True).decode()
    assert (
        f"Episode {lts_now.pk}: person {pseudonym(lts_now.patient_id)} entered long-term segregation" in body
    )
    assert "https://rrp.example.nhs.uk/segregation/oversight/" in body
    for identifier in patient_identifiers(world.patients["a1"]):
        assert identifier not in body and identifier not in message["Subject"]
    event = AuditEvent.objects.get(record_type="ops.Reminder")
    assert (event.detail["reminder"], event.detail["outcome"]) == ("lts_entry", "sent")
    assert event.detail["to_user_id"] == commissioners[0].pk

    # The next hour's slot does not repeat it.
    assert reminders.lts_entry_notices(slot + dt.timedelta(hours=1)) == []


@pytest.mark.django_db
def test_a_commissioner_may_turn_it_off_and_ward_staff_never_get_it(commissioners, lts_now, world):
    ours, _ = commissioners
    assert ReminderKind.LTS_ENTRY in reminders.kinds_available(ours)
    assert ReminderKind.LTS_ENTRY not in reminders.kinds_available(world.users["ward_staff"])
    [notice] = reminders.lts_entry_notices(next_slot())
    assert reminders.recipients(notice) == [ours]
    reminder_preferences_set(user=ours, kinds=[])
    assert reminders.recipients(notice) == []
