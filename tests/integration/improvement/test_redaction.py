"""Identifiers in ward events, which commissioners read outside the provider (issue 13, item 7): the
recording form warns, an NHS number (one that passes the modulus 11 check) is refused on its field, and
governance redacts identifiers already written by adding a redaction (a new row: the original stays in the
append-only event and its audit trail, and is never shown again on a page, a chart or the audit log)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from rrp.core.models import AppendOnlyError, AuditAction, AuditEvent
from rrp.improvement import selectors, services
from rrp.improvement.models import WardEventRedaction
from rrp.people.validation import nhs_numbers_in
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)
NAMED = "Restraint of Jo Bloggs 943 476 5919"


def _named_event(world):
    """An event written before the check existed (straight into the table, as an old row would be)."""
    from rrp.improvement.models import WardEvent

    return WardEvent.objects.create(
        ward=world.wards["a1"],
        happened_on=YESTERDAY,
        label="Jo Bloggs restrained",
        kind="other",
        description=NAMED,
        recorded_by=world.users["ward_manager"],
        recorded_at=timezone.now(),
    )


def test_nhs_numbers_are_found_only_when_the_check_digit_is_right():
    assert nhs_numbers_in("seen 943 476 5919 and 9434765918 and 943-476-5870") == ["9434765919", "9434765870"]
    assert nhs_numbers_in("phone 01632 960 001, ward 12345678901") == []


def test_recording_an_event_with_an_nhs_number_is_refused_on_the_field(world):
    with pytest.raises(ValidationError) as raised:
        services.ward_event_record(
            ward=world.wards["a1"],
            happened_on=YESTERDAY,
            label="Restraint review",
            kind="other",
            description=NAMED,
            by=world.users["ward_manager"],
        )
    assert "Remove the NHS number 943 476 5919" in raised.value.message_dict["description"][0]


def test_the_event_form_warns_that_commissioners_read_it(world):
    html = signed_in_client(world.users["ward_manager"]).get(
        reverse("improvement:ward-events", args=[world.wards["a1"].pk])
    )
    assert (
        "Commissioners outside the provider read this: do not write patients&#39; names or NHS numbers here"
        in (html.content.decode())
    )


def test_governance_redacts_and_the_original_is_never_shown_again(world):
    event = _named_event(world)
    governance = world.users["provider_governance"]
    redaction = services.ward_event_redact(
        event=event,
        label="Restraint on the ward",
        description="Restraint of [name removed] [NHS number removed]",
        reason="Patient named in a ward event",
        by=governance,
    )
    assert redaction.event == event
    event.refresh_from_db()
    assert event.label == "Jo Bloggs restrained", "the original row is kept, append-only"
    with pytest.raises(AppendOnlyError):
        redaction.save()

    marker = selectors.events_by_ward([world.wards["a1"].pk])[world.wards["a1"].pk][0]
    assert marker.label == "Restraint on the ward"
    for role in ("commissioner", "ward_manager", "provider_governance"):
        page = signed_in_client(world.users[role]).get(
            reverse("improvement:ward-events", args=[world.wards["a1"].pk])
        )
        html = page.content.decode()
        assert "Restraint on the ward" in html
        assert "Bloggs" not in html and "943 476 5919" not in html, role
    audit_html = signed_in_client(governance).get("/audit/").content.decode()
    assert "Bloggs" not in audit_html
    audit = AuditEvent.objects.get(record_type="improvement.WardEvent", action=AuditAction.CHANGE)
    assert audit.detail == {"redacted": True, "redaction_id": redaction.pk}
    assert "Bloggs" not in str(audit.detail) and "Bloggs" not in audit.record_label


def test_a_redaction_must_remove_the_nhs_number_and_give_a_reason(world):
    event = _named_event(world)
    with pytest.raises(ValidationError) as raised:
        services.ward_event_redact(
            event=event,
            label="Restraint",
            description=NAMED,
            reason="",
            by=world.users["provider_governance"],
        )
    errors = raised.value.message_dict
    assert "Remove the NHS number 943 476 5919" in errors["description"][0]
    assert errors["reason"] == ["Say why the text is being redacted"]
    assert not WardEventRedaction.objects.exists()


@pytest.mark.parametrize("role", ["ward_manager", "commissioner", "system_admin"])
def test_only_governance_may_redact(world, role):
    event = _named_event(world)
    with pytest.raises(PermissionDenied):
        services.ward_event_redact(
            event=event, label="Restraint", description="", reason="named", by=world.users[role]
        )
    url = reverse("improvement:event-redact", args=[world.wards["a1"].pk, event.pk])
    assert signed_in_client(world.users[role]).get(url).status_code in (403, 404)


def test_the_redaction_page_offers_the_nhs_number_it_found(world):
    event = _named_event(world)
    client = signed_in_client(world.users["provider_governance"])
    url = reverse("improvement:event-redact", args=[world.wards["a1"].pk, event.pk])
    html = client.get(url).content.decode()
    assert "943 476 5919" in html and "looks like an NHS number" in html
    assert "Restraint of Jo Bloggs [NHS number removed]" in html, (
        "the NHS number is taken out of the proposal"
    )

    response = client.post(
        url,
        {
            "label": "Restraint on the ward",
            "description": "Restraint of a patient",
            "reason": "Patient named",
        },
    )
    assert response.status_code == 302
    assert WardEventRedaction.objects.get().description == "Restraint of a patient"
