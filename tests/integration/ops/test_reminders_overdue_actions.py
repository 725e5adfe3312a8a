"""Overdue recommendation actions by email (issue 17, decision 0083): the recommendations of independent
reviews and C(E)TRs reach their owners through the reminders' outbox on their first day overdue and every
seventh day after: the provider's own to the staff who record segregation on the ward, the commissioners'
to the commissioning ICB's commissioners; each as the person chose, by number and never by name or the
recommendation's words, with a link to the page that records its status; every send audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rrp.core.models import AuditEvent
from rrp.ops import reminders
from rrp.ops.models import ReminderKind
from rrp.ops.schedule import SCHEDULE
from rrp.ops.services import reminder_preferences_set
from rrp.segregation.oversight import cetr_record, independent_review_record, recommendation_status_set
from rrp.segregation.pseudonyms import pseudonym
from tests import factories
from tests.integration.ops.test_reminders import (  # noqa: F401 - the SMTP server fixture, shared
    patient_identifiers,
    sent_to,
    smtp_sink,
)
from tests.integration.segregation.conftest import lts  # noqa: F401 - the long-term segregation episode
from tests.integration.segregation.test_oversight_reviews import PANEL

D = dt.timedelta(days=1)
NOW = timezone.now()


def today() -> dt.date:
    return timezone.localdate(NOW)


@pytest.fixture
def people(world):
    """Ward a1's nurse and ICB 1's commissioner with email addresses, and ICB 2's commissioner (who does
    not commission provider A)."""
    other_icb = factories.user(role="commissioner", commissioner=world.commissioners[1])
    for user, address in (
        (world.users["ward_staff"], "nurse@example.nhs.uk"),
        (world.users["commissioner"], "icb1@example.nhs.uk"),
        (other_icb, "icb2@example.nhs.uk"),
    ):
        user.email = address
        user.save(update_fields=["email"])
    return world.users


def review_with(lts, by, patient, *due: tuple[str, dt.date]):  # noqa: F811 - the fixture, passed in
    """An independent review of the episode with one recommendation per (owner, due date); its text names
    the person, as panels' words often do."""
    return independent_review_record(
        episode=lts,
        by=by,
        held_on=today() - 30 * D,
        panel=PANEL,
        person_views="Wants to go home",
        family_views="Agrees",
        findings="Stalled",
        recommendations=[
            {"text": f"Find {patient.given_name} a placement", "owner": owner, "due_on": due_on}
            for owner, due_on in due
        ],
    )


@pytest.mark.django_db
def test_overdue_actions_reach_each_owner_by_email_without_a_name(
    smtp_sink,  # noqa: F811 - the shared fixture
    people,
    lts,  # noqa: F811 - the shared fixture
    patient,
):
    review = review_with(
        lts, people["ward_staff"], patient, ("provider", today() - D), ("commissioner", today() - D)
    )
    ours, theirs = review.recommendations.order_by("number")
    [job] = [job for job in SCHEDULE if job.name == "follow-up-reminders"]
    assert {ReminderKind.OVERDUE_ACTIONS, ReminderKind.ICB_ACTIONS} <= set(job.kwargs["kinds"])
    slot = NOW.replace(hour=8, minute=0, second=0, microsecond=0)

    outcome = job.task.call(
        kinds=[ReminderKind.OVERDUE_ACTIONS, ReminderKind.ICB_ACTIONS], slot=slot.isoformat()
    )

    # Ward staff (the only one on a1 with an email who records segregation) and ICB 1; not ICB 2.
    assert outcome == {"created": 2, "sent": 2, "failed": 0}
    sent = sent_to(smtp_sink)
    assert set(sent) == {"nurse@example.nhs.uk", "icb1@example.nhs.uk"}
    staff_body = sent["nurse@example.nhs.uk"].get_payload(decode=True).decode()
    assert (
        f"Recommendation 1 of Independent review of segregation {review.pk}: not yet assessed, due "
        in staff_body
    )
    assert "overdue by 1 day" in staff_body
    assert f"https://rrp.example.nhs.uk/segregation/recommendations/{ours.pk}/status/" in staff_body
    assert f"recommendations/{theirs.pk}/" not in staff_body  # the ICB's action is the ICB's to hear of
    icb_body = sent["icb1@example.nhs.uk"].get_payload(decode=True).decode()
    assert f"Recommendation 2 of Independent review of segregation {review.pk}, person " in icb_body
    assert pseudonym(patient.pk) in icb_body
    assert f"https://rrp.example.nhs.uk/segregation/oversight/recommendations/{theirs.pk}/status/" in icb_body
    assert "1 overdue recommendation action on" in sent["icb1@example.nhs.uk"]["Subject"]
    for message in sent.values():
        text = message.get_payload(decode=True).decode() + message["Subject"]
        assert "placement" not in text  # the recommendation's words may name the person
        for identifier in patient_identifiers(patient):
            assert identifier not in text
    events = AuditEvent.objects.filter(record_type="ops.Reminder")
    assert {(e.detail["reminder"], e.detail["to_user_id"], e.detail["outcome"]) for e in events} == {
        ("overdue_actions", people["ward_staff"].pk, "sent"),
        ("icb_actions", people["commissioner"].pk, "sent"),
    }
    # The same slot built again sends nothing twice.
    assert (
        reminders.build(
            reminders.notices_for([ReminderKind.OVERDUE_ACTIONS], now=NOW, slot=slot), slot=slot, now=NOW
        )
        == 0
    )


@pytest.mark.django_db
def test_reminded_on_the_first_day_overdue_and_weekly_after_until_achieved(
    people,
    lts,  # noqa: F811 - the shared fixture
    patient,
):
    review = review_with(
        lts,
        people["ward_staff"],
        patient,
        ("provider", today() - 2 * D),  # reminded yesterday; not again until a week after
        ("provider", today() - 8 * D),  # a week after its first day overdue
        ("provider", today() - 15 * D),  # and the week after
        ("provider", today()),  # due today: not overdue yet
        ("provider", today() - 8 * D),  # achieved: never reminded
    )
    done = review.recommendations.get(number=5)
    recommendation_status_set(
        recommendation=done, by=people["ward_staff"], status="achieved", evidence="Done", base_version=1
    )
    [notice] = reminders.overdue_action_notices(NOW)[ReminderKind.OVERDUE_ACTIONS]
    assert [line.split(":")[0] for line in notice.lines] == [
        f"Recommendation 3 of Independent review of segregation {review.pk}",
        f"Recommendation 2 of Independent review of segregation {review.pk}",
    ]
    assert "overdue by 15 days" in notice.lines[0] and "overdue by 8 days" in notice.lines[1]
    assert notice.subject == f"2 overdue recommendation actions on {lts.ward.name}"
    assert reminders.overdue_action_notices(NOW)[ReminderKind.ICB_ACTIONS] == []


@pytest.mark.django_db
def test_a_ctr_action_reaches_the_ward_of_the_persons_latest_stay(people, patient, world):
    patient.autism = "Y"
    patient.save(update_fields=["autism"])
    review = cetr_record(
        patient=patient,
        by=people["ward_staff"],
        held_on=today() - 5 * D,
        panel=PANEL,
        person_views="I want to live near my sister",
        family_views="Sister agrees",
        findings="A community placement is needed",
        recommendations=[{"text": "Sensory assessment", "owner": "provider", "due_on": today() - D}],
    )
    [notice] = reminders.overdue_action_notices(NOW)[ReminderKind.OVERDUE_ACTIONS]
    assert notice.ward == world.wards["a1"]
    assert notice.lines[0].startswith(f"Recommendation 1 of Care and Treatment Review (CTR) {review.pk}:")
    assert reminders.recipients(notice) == [people["ward_staff"]]


@pytest.mark.django_db
def test_each_owner_may_turn_it_off_and_only_owners_may_choose_it(
    people,
    lts,  # noqa: F811 - the shared fixture
    patient,
):
    nurse, commissioner = people["ward_staff"], people["commissioner"]
    assert ReminderKind.OVERDUE_ACTIONS in reminders.kinds_available(nurse)
    assert ReminderKind.ICB_ACTIONS not in reminders.kinds_available(nurse)
    assert ReminderKind.ICB_ACTIONS in reminders.kinds_available(commissioner)
    assert ReminderKind.OVERDUE_ACTIONS not in reminders.kinds_available(commissioner)
    assert ReminderKind.ICB_ACTIONS not in reminders.kinds_available(people["regulator"])
    review_with(lts, nurse, patient, ("provider", today() - D), ("commissioner", today() - D))
    notices = reminders.overdue_action_notices(NOW)
    [staff_notice], [icb_notice] = notices[ReminderKind.OVERDUE_ACTIONS], notices[ReminderKind.ICB_ACTIONS]
    assert reminders.recipients(staff_notice) == [nurse]
    assert reminders.recipients(icb_notice) == [commissioner]
    reminder_preferences_set(user=nurse, kinds=[ReminderKind.REVIEWS])
    reminder_preferences_set(user=commissioner, kinds=[ReminderKind.LTS_ENTRY])
    assert reminders.recipients(staff_notice) == []
    assert reminders.recipients(icb_notice) == []
