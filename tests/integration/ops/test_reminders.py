"""Reminders (issue 19, item 3): what is due on a ward reaches the people who can act on it through a
real SMTP server (aiosmtpd, started here) or GOV.UK Notify's client (against a local HTTP server), never
naming the patient; each user's choices are honoured; every attempt is audited; failures are retried
and then shown to administrators."""

from __future__ import annotations

import datetime as dt
import email
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from rrp.core.models import AuditEvent
from rrp.force.models import CqcNotificationTask
from rrp.force.services import cqc_task_complete, incident_record, incident_void
from rrp.ops import reminders
from rrp.ops.models import Reminder, ReminderKind, ReminderStatus
from rrp.ops.schedule import SCHEDULE
from rrp.ops.services import reminder_preferences_set
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.force.incident_data import T0

RT = T0 + dt.timedelta(minutes=20)  # the rapid tranquillisation in the complete incident
NOW = RT + dt.timedelta(minutes=90)  # the first hour's observation is overdue, the second due


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """Keeps every message the SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.Message]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on the loopback, and Django's SMTP backend pointed at it."""
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.RRP_BASE_URL = "https://rrp.example.nhs.uk"
    yield sink
    controller.stop()


@pytest.fixture
def staff_with_email(world):
    for key in ("ward_staff", "ward_manager", "provider_governance", "regulator", "system_admin"):
        world.users[key].email = f"{key}@example.nhs.uk"
        world.users[key].save(update_fields=["email"])
    return world.users


def patient_identifiers(person) -> list[str]:
    return [v for v in (person.given_name, person.family_name, person.nhs_number) if v]


def sent_to(sink: Sink) -> dict[str, email.message.Message]:
    return {to: message for tos, message in sink.messages for to in tos}


@pytest.mark.django_db
def test_rt_observations_due_reach_the_ward_by_smtp_without_naming_the_patient(
    smtp_sink, staff_with_email, complete_incident, patient
):
    notices = reminders.rt_notices(NOW)
    assert [n.ward.pk for n in notices] == [complete_incident.ward_id]
    assert reminders.build(notices, slot=NOW, now=NOW) == 3  # ward staff, ward manager, governance
    assert reminders.deliver_due(NOW) == (3, 0)

    received = sent_to(smtp_sink)
    assert set(received) == {
        "ward_staff@example.nhs.uk",
        "ward_manager@example.nhs.uk",
        "provider_governance@example.nhs.uk",
    }
    message = received["ward_staff@example.nhs.uk"]
    body = message.get_payload(decode=True).decode()
    assert (
        message["Subject"]
        == f"RRP: Observations due after rapid tranquillisation on {complete_incident.ward.name}"
    )
    assert f"Incident {complete_incident.pk}: 2 hourly observations waiting (1 overdue)" in body
    assert f"https://rrp.example.nhs.uk/incidents/{complete_incident.pk}/" in body
    assert "https://rrp.example.nhs.uk/account/reminders/" in body
    for identifier in patient_identifiers(patient):
        assert identifier not in body and identifier not in message["Subject"]

    audited = AuditEvent.objects.filter(record_type="ops.Reminder")
    assert audited.count() == 3
    assert {e.detail["outcome"] for e in audited} == {"sent"}
    assert {e.provider_id for e in audited} == {complete_incident.provider_id}


@pytest.mark.django_db
def test_a_slot_is_built_once_however_often_the_task_runs(smtp_sink, staff_with_email, complete_incident):
    notices = reminders.rt_notices(NOW)
    assert reminders.build(notices, slot=NOW, now=NOW) == 3
    assert reminders.build(notices, slot=NOW, now=NOW) == 0
    assert Reminder.objects.count() == 3


@pytest.mark.django_db
def test_each_user_gets_only_what_they_chose(smtp_sink, staff_with_email, complete_incident):
    reminder_preferences_set(user=staff_with_email["ward_staff"], kinds=[ReminderKind.REVIEWS])
    reminders.build(reminders.rt_notices(NOW), slot=NOW, now=NOW)
    reminders.deliver_due(NOW)
    assert "ward_staff@example.nhs.uk" not in sent_to(smtp_sink)
    assert "ward_manager@example.nhs.uk" in sent_to(smtp_sink)


@pytest.mark.django_db
def test_statements_and_debriefs_outstanding(smtp_sink, staff_with_email, complete_incident, ward, patient):
    now = complete_incident.created_at + dt.timedelta(hours=1)
    [notice] = reminders.follow_up_notices(now, [ward])
    assert notice.kind == ReminderKind.FOLLOW_UP
    assert notice.lines[0] == "1 staff statements to write, on 1 incidents"
    reminders.build([notice], slot=now, now=now)
    reminders.deliver_due(now)
    body = sent_to(smtp_sink)["ward_manager@example.nhs.uk"].get_payload(decode=True).decode()
    assert f"https://rrp.example.nhs.uk/incidents/?ward={ward.pk}" in body
    for identifier in patient_identifiers(patient):
        assert identifier not in body


@pytest.mark.django_db
def test_seclusion_reviews_overdue(smtp_sink, staff_with_email, seclusion, started, patient):
    [notice] = reminders.reviews_notices(started + dt.timedelta(hours=3))
    assert notice.kind == ReminderKind.REVIEWS
    assert "overdue" in notice.subject
    assert all(f"Episode {seclusion.pk} (seclusion)" in line for line in notice.lines)
    assert any("OVERDUE" in line for line in notice.lines)
    reminders.build([notice], slot=started, now=started)
    assert Reminder.objects.filter(user=staff_with_email["ward_staff"]).exists()
    for identifier in patient_identifiers(patient):
        assert all(identifier not in r.body for r in Reminder.objects.all())


@pytest.mark.django_db
def test_a_failed_send_is_retried_with_growing_gaps_then_shown_to_administrators(
    settings, staff_with_email, complete_incident
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        free_port(),
        2,
    )  # nobody there
    reminder_preferences_set(user=staff_with_email["ward_manager"], kinds=[])
    reminder_preferences_set(user=staff_with_email["provider_governance"], kinds=[])
    reminders.build(reminders.rt_notices(NOW), slot=NOW, now=NOW)
    at = NOW
    gaps = []
    for _ in range(reminders.MAX_ATTEMPTS):
        assert reminders.deliver_due(at) == (0, 1)
        reminder = Reminder.objects.get()
        gaps.append(reminder.next_attempt_at - at)
        assert reminders.deliver_due(at) == (0, 0)  # not again before its next attempt
        at = reminder.next_attempt_at
    assert [g.total_seconds() / 60 for g in gaps[:-1]] == [5, 10, 20, 40]
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts) == (ReminderStatus.FAILED, 5)
    assert "ConnectionRefusedError" in reminder.last_error
    assert [e.detail["outcome"] for e in AuditEvent.objects.filter(record_type="ops.Reminder")] == [
        "failed"
    ] * 5

    page = signed_in_client(staff_with_email["system_admin"]).get("/ops/reminders/")
    assert page.status_code == 200
    assert "1 reminders not sent" in page.text and "ConnectionRefusedError" in page.text
    assert signed_in_client(staff_with_email["ward_staff"]).get("/ops/reminders/").status_code == 403


def uk(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=reminders.UK)


@pytest.fixture
def cqc_task(ward, patient, staff_with_email):
    """An open CQC task (serious injury and police), raised at 10:20 UK time on 17 November 2026."""
    incident = incident_record(
        ward=ward,
        patient=patient,
        by=staff_with_email["ward_staff"],
        patient_serious_injury=True,
        police_requested_at=T0,
    )
    task = CqcNotificationTask.objects.get(incident=incident)
    task.raised_at = uk(2026, 11, 17, 10, 20)
    task.save(update_fields=["raised_at"])
    return task


@pytest.mark.django_db
def test_a_new_cqc_task_reaches_its_providers_governance_by_smtp_within_the_hour(
    smtp_sink, staff_with_email, cqc_task, patient, world
):
    other_governance = factories.user(role="provider_governance", provider=world.providers[1])
    other_governance.email = "elsewhere@example.nhs.uk"
    other_governance.save(update_fields=["email"])
    # raised after the 10:00 slot, so not in it
    assert reminders.cqc_notices(uk(2026, 11, 17, 10, 30), uk(2026, 11, 17, 10, 0)) == []
    slot = uk(2026, 11, 17, 11, 0)
    [notice] = reminders.cqc_notices(slot, slot)
    assert notice.kind == ReminderKind.CQC and notice.ward == cqc_task.incident.ward
    assert reminders.build([notice], slot=slot, now=slot) == 1
    assert reminders.deliver_due(slot) == (1, 0)

    [(to, message)] = sent_to(smtp_sink).items()
    assert to == "provider_governance@example.nhs.uk"  # not ward staff, not another provider's governance
    assert message["Subject"] == f"RRP: New CQC notifications to make: 1 on {notice.ward.name}"
    body = message.get_payload(decode=True).decode()
    assert (
        f"Incident {cqc_task.incident_id}: the patient was seriously injured; the police were involved; raised "
        in body
    )
    assert f"https://rrp.example.nhs.uk/cqc-tasks/{cqc_task.pk}/" in body
    for identifier in patient_identifiers(patient):
        assert identifier not in body and identifier not in message["Subject"]
    event = AuditEvent.objects.get(record_type="ops.Reminder")
    assert (event.detail["reminder"], event.detail["outcome"]) == ("cqc", "sent")
    assert event.provider_id == cqc_task.provider_id

    assert reminders.cqc_notices(uk(2026, 11, 17, 12, 0), uk(2026, 11, 17, 12, 0)) == []  # not every hour


@pytest.mark.django_db
def test_an_open_cqc_task_is_repeated_at_eight_until_it_is_done(smtp_sink, staff_with_email, cqc_task):
    eight = uk(2026, 11, 18, 8, 0)
    [notice] = reminders.cqc_notices(eight, eight)
    assert notice.subject == f"CQC notifications still to make: 1 on {notice.ward.name}"
    cqc_task_complete(task=cqc_task, by=staff_with_email["provider_governance"], status="notified")
    assert reminders.cqc_notices(eight, eight) == []


@pytest.mark.django_db
def test_a_voided_incidents_cqc_task_is_not_reminded(staff_with_email, cqc_task):
    incident_void(
        incident=cqc_task.incident, by=staff_with_email["provider_governance"], reason="A test record"
    )
    assert reminders.cqc_notices(uk(2026, 11, 18, 8, 0), uk(2026, 11, 18, 8, 0)) == []


@pytest.mark.django_db
def test_the_hourly_scheduled_job_sends_the_cqc_reminder(smtp_sink, staff_with_email, cqc_task):
    [job] = [job for job in SCHEDULE if job.name == "reminders"]
    assert job.pass_slot and ReminderKind.CQC in job.kwargs["kinds"]
    outcome = job.task.call(**job.kwargs, slot=uk(2026, 11, 17, 11, 0).isoformat())
    assert outcome == {"created": 1, "sent": 1, "failed": 0}
    assert list(sent_to(smtp_sink)) == ["provider_governance@example.nhs.uk"]


class NotifyStub(BaseHTTPRequestHandler):
    received: list[tuple[str, dict, dict]] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        NotifyStub.received.append((self.path, dict(self.headers), body))
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": "00000000-0000-0000-0000-000000000001"}).encode())

    def log_message(self, *args):
        pass


@pytest.mark.django_db
def test_switched_to_gov_uk_notify_the_official_client_sends_the_reminder(
    settings, staff_with_email, complete_incident, patient
):
    server = HTTPServer(("127.0.0.1", 0), NotifyStub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    NotifyStub.received = []
    service, secret = "26785a09-ab16-4eb0-8407-a37497a57506", "3d844edf-8d35-48ac-975b-e847b4f122b0"
    settings.RRP_REMINDER_CHANNEL = "notify"
    settings.RRP_NOTIFY_API_KEY = f"rrp_test-{service}-{secret}"
    settings.RRP_NOTIFY_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
    settings.RRP_NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    reminder_preferences_set(user=staff_with_email["ward_manager"], kinds=[])
    reminder_preferences_set(user=staff_with_email["provider_governance"], kinds=[])
    try:
        reminders.build(reminders.rt_notices(NOW), slot=NOW, now=NOW)
        assert reminders.deliver_due(NOW) == (1, 0)
    finally:
        server.shutdown()
        server.server_close()
    [(path, headers, body)] = NotifyStub.received
    assert path == "/v2/notifications/email"
    assert headers["Authorization"].startswith("Bearer ")
    assert body["email_address"] == "ward_staff@example.nhs.uk"
    assert body["template_id"] == settings.RRP_NOTIFY_TEMPLATE_ID
    assert set(body["personalisation"]) == {"subject", "body"}
    for identifier in patient_identifiers(patient):
        assert identifier not in body["personalisation"]["body"]
    assert AuditEvent.objects.get(record_type="ops.Reminder").detail["channel"] == "notify"


@pytest.mark.django_db
def test_preferences_page_offers_only_what_the_role_acts_on_and_saves_the_choice(staff_with_email):
    client = signed_in_client(staff_with_email["ward_staff"])
    page = client.get("/account/reminders/")
    assert page.status_code == 200
    # Reviews, follow-up, observations after rapid tranquillisation, and the provider's overdue actions.
    assert page.text.count('name="kinds"') == 4
    assert 'value="overdue_actions"' in page.text and 'value="icb_actions"' not in page.text
    saved = client.post("/account/reminders/", {"kinds": ["reviews"]})
    assert saved.status_code == 302
    assert reminders.chosen_kinds(staff_with_email["ward_staff"]) == {"reviews"}
    assert AuditEvent.objects.filter(record_type="ops.ReminderPreference", action="change").count() == 1
    refused = client.post("/account/reminders/", {"kinds": ["nonsense"]})
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.text
    regulator = signed_in_client(staff_with_email["regulator"]).get("/account/reminders/")
    assert "sends you no reminders" in regulator.text


def test_preferences_need_sign_in():
    assert Client().get("/account/reminders/").status_code == 302
