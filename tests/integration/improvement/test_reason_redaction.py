"""Identifiers in rebase and withdrawal reasons (issue 13, item 7): both are shown on the ward's events page,
which commissioners read, so governance redacts a name or NHS number already written in them as it does an
event's text: a new ``ReasonRedaction`` row (the rebase and the withdrawal keep the original, append-only),
who, when and why, audited without the text, and no page shows the original again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from rrp.core.models import AppendOnlyError, AuditAction, AuditEvent
from rrp.improvement import services
from rrp.improvement.models import ChartRebase, ImprovementAim, ReasonRedaction, WardEvent, Withdrawal
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)
NAMED = "Jo Bloggs 943 476 5919 moved ward"


def _rebase(world, ward="a1", reason=NAMED) -> ChartRebase:
    """A rebase written before the NHS number check existed (straight into the table, as an old row)."""
    return ChartRebase.objects.create(
        ward=world.wards[ward],
        measure_slug="restrictive_interventions_per_1000_bed_days",
        rebase_on=YESTERDAY,
        reason=reason,
        decided_by=world.users["ward_manager"],
        decided_at=timezone.now(),
    )


def _withdrawn_event(world, ward="a1") -> Withdrawal:
    event = WardEvent.objects.create(
        ward=world.wards[ward],
        happened_on=YESTERDAY,
        label="Safewards started",
        kind="other",
        recorded_by=world.users["ward_manager"],
        recorded_at=timezone.now(),
    )
    return Withdrawal.objects.create(
        event=event, reason=NAMED, withdrawn_by=world.users["ward_manager"], withdrawn_at=timezone.now()
    )


def _events_page(world, role: str) -> str:
    url = reverse("improvement:ward-events", args=[world.wards["a1"].pk])
    return signed_in_client(world.users[role]).get(url).content.decode()


def test_a_redacted_rebase_reason_is_never_shown_again(world):
    rebase = _rebase(world)
    Withdrawal.objects.create(
        rebase=rebase, reason=NAMED, withdrawn_by=world.users["ward_manager"], withdrawn_at=timezone.now()
    )
    governance = world.users["provider_governance"]
    assert "Bloggs" in _events_page(world, "commissioner"), "shown before the redaction"

    redaction = services.reason_redact(
        item=rebase, text="A patient moved ward", reason="Patient named", by=governance
    )
    services.reason_redact(
        item=rebase.withdrawal, text="Recorded on the wrong ward", reason="Patient named", by=governance
    )

    rebase.refresh_from_db()
    assert rebase.reason == NAMED, "the original row is kept, append-only"
    with pytest.raises(AppendOnlyError):
        redaction.save()
    for role in ("commissioner", "ward_manager", "provider_governance"):
        html = _events_page(world, role)
        assert "A patient moved ward" in html and "Recorded on the wrong ward" in html, role
        assert "Reason redacted by governance" in html
        assert "Bloggs" not in html and "943 476 5919" not in html, role
    audit = AuditEvent.objects.get(record_type="improvement.ChartRebase", action=AuditAction.CHANGE)
    assert audit.detail == {"redacted": True, "reason_redaction_id": redaction.pk}
    assert "Bloggs" not in audit.record_label
    assert "Bloggs" not in signed_in_client(governance).get("/audit/").content.decode()


def test_the_latest_redaction_is_the_one_shown(world):
    withdrawal = _withdrawn_event(world)
    governance = world.users["provider_governance"]
    services.reason_redact(item=withdrawal, text="First try", reason="Named", by=governance)
    services.reason_redact(item=withdrawal, text="Withdrawn: recorded twice", reason="Named", by=governance)
    html = _events_page(world, "commissioner")
    assert "Withdrawn: recorded twice" in html
    assert "First try" not in html and "Bloggs" not in html


def test_the_rebase_withdraw_page_shows_the_redacted_reason(world):
    rebase = _rebase(world)
    services.reason_redact(
        item=rebase, text="A patient moved ward", reason="Named", by=world.users["provider_governance"]
    )
    url = reverse("improvement:rebase-withdraw", args=[world.wards["a1"].pk, rebase.pk])
    html = signed_in_client(world.users["ward_manager"]).get(url).content.decode()
    assert "A patient moved ward" in html and "Bloggs" not in html


def test_a_redaction_must_remove_the_nhs_number_and_give_a_reason(world):
    rebase = _rebase(world)
    with pytest.raises(ValidationError) as raised:
        services.reason_redact(item=rebase, text=NAMED, reason=" ", by=world.users["provider_governance"])
    errors = raised.value.message_dict
    assert "Remove the NHS number 943 476 5919" in errors["text"][0]
    assert errors["reason"] == ["Say why the text is being redacted"]
    with pytest.raises(ValidationError) as raised:
        services.reason_redact(item=rebase, text="", reason="Named", by=world.users["provider_governance"])
    assert raised.value.message_dict["text"] == ["Enter the reason the page should show"]
    assert not ReasonRedaction.objects.exists()


@pytest.mark.parametrize("role", ["ward_manager", "commissioner", "system_admin"])
def test_only_governance_may_redact_a_reason(world, role):
    rebase = _rebase(world)
    withdrawal = _withdrawn_event(world)
    for item in (rebase, withdrawal):
        with pytest.raises(PermissionDenied):
            services.reason_redact(item=item, text="Moved", reason="Named", by=world.users[role])
    client = signed_in_client(world.users[role])
    ward = world.wards["a1"].pk
    for url in (
        reverse("improvement:rebase-redact", args=[ward, rebase.pk]),
        reverse("improvement:withdrawal-redact", args=[ward, withdrawal.pk]),
    ):
        assert client.get(url).status_code in (403, 404)
        assert client.post(url, {"text": "Moved", "reason": "Named"}).status_code in (403, 404)
    assert not ReasonRedaction.objects.exists()
    if role != "system_admin":  # the administrator does not read wards' pages at all
        assert "/redact/" not in _events_page(world, role), "no redaction link is offered"


def test_another_providers_reasons_cannot_be_redacted(world):
    """Provider A's governance: a rebase of provider B's ward is out of scope (service 403, page 404), and a
    withdrawal asked for through the wrong ward's address is a 404."""
    rebase = _rebase(world, ward="b1")
    governance = world.users["provider_governance"]
    with pytest.raises(PermissionDenied):
        services.reason_redact(item=rebase, text="Moved", reason="Named", by=governance)
    client = signed_in_client(governance)
    assert (
        client.get(reverse("improvement:rebase-redact", args=[world.wards["b1"].pk, rebase.pk])).status_code
        == 404
    )
    withdrawal = _withdrawn_event(world, ward="a2")
    url = reverse("improvement:withdrawal-redact", args=[world.wards["a1"].pk, withdrawal.pk])
    assert client.get(url).status_code == 404


def test_an_aims_withdrawal_is_not_a_wards_reason(world):
    aim = ImprovementAim.objects.create(
        provider=world.providers[0],
        measure_slug="restrictive_interventions_per_1000_bed_days",
        statement="Fewer",
        baseline_start=dt.date(2025, 1, 1),
        baseline_end=dt.date(2025, 12, 31),
        reduction_percent=25,
        aim_date=dt.date(2027, 1, 1),
        recorded_by=world.users["provider_governance"],
        recorded_at=timezone.now(),
    )
    withdrawal = Withdrawal.objects.create(
        aim=aim,
        reason="Mistake",
        withdrawn_by=world.users["provider_governance"],
        withdrawn_at=timezone.now(),
    )
    with pytest.raises(ValueError):
        services.reason_redact(
            item=withdrawal, text="Moved", reason="Named", by=world.users["provider_governance"]
        )


def test_the_redaction_page_offers_the_nhs_number_it_found_and_saves(world):
    withdrawal = _withdrawn_event(world)
    client = signed_in_client(world.users["provider_governance"])
    url = reverse("improvement:withdrawal-redact", args=[world.wards["a1"].pk, withdrawal.pk])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "943 476 5919" in html and "looks like an NHS number" in html
    assert "Jo Bloggs [NHS number removed] moved ward" in html, "the NHS number is taken out of the proposal"
    assert "withdrawal of the event of" in html

    refused = client.post(url, {"text": NAMED, "reason": "Patient named"})
    assert refused.status_code == 400
    assert "Remove the NHS number 943 476 5919" in refused.content.decode()
    refused = client.post(url, {"text": "Moved", "reason": ""})
    assert refused.status_code == 400
    assert "Say why the text is being redacted" in refused.content.decode()
    assert not ReasonRedaction.objects.exists()

    saved = client.post(url, {"text": "Withdrawn: a patient moved ward", "reason": "Patient named"})
    assert saved.status_code == 302
    redaction = ReasonRedaction.objects.get()
    assert (redaction.withdrawal, redaction.text, redaction.redacted_by) == (
        withdrawal,
        "Withdrawn: a patient moved ward",
        world.users["provider_governance"],
    )
