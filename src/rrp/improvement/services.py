"""Recording and withdrawing events, rebase decisions and aims: validated, scoped and audited.

Keyword arguments only, the acting user as ``by``; one transaction each with its audit row inside, so a
failed audit write saves nothing. Bad input raises ``ValidationError`` naming each field. Who may is
``accounts.permissions.has_permission``: ``CHART_EVENT_RECORD`` on the ward for events and rebases
(ward managers and governance), ``AIM_SET`` on the provider for its aims (governance); anyone else gets
``PermissionDenied``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.improvement.collaborative_services import may_lead
from rrp.improvement.models import (
    ChartRebase,
    EventKind,
    ImprovementAim,
    ReasonRedaction,
    WardEvent,
    WardEventRedaction,
    Withdrawal,
)
from rrp.measures.catalogue import all_measures
from rrp.organisations.models import Collaborative, Provider, Ward
from rrp.people.validation import nhs_number_display, nhs_numbers_in

Errors = dict[str, list[str]]
LABEL_LIMIT = 60


def _check(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _no_nhs_number(errors: Errors, field: str, text: str) -> None:
    """Events, rebase reasons and withdrawals are read outside the ward (commissioners see them), so an NHS
    number written in them is refused on its field. Names cannot be found this way; the forms warn."""
    for number in nhs_numbers_in(text):
        errors.setdefault(field, []).append(
            f"Remove the NHS number {nhs_number_display(number)}: this text is read outside the ward, by "
            "commissioners, so do not write patients' names or NHS numbers here"
        )


def _date_not_future(errors: Errors, field: str, value: dt.date | None, today: dt.date) -> None:
    if value is None:
        errors.setdefault(field, []).append("Enter a date")
    elif value > today:
        errors.setdefault(field, []).append("The date cannot be in the future")


@transaction.atomic
def ward_event_record(
    *, ward: Ward, happened_on: dt.date | None, label: str, kind: str, description: str = "", by: User
) -> WardEvent:
    """Record a dated event on a ward; it appears on every chart of the ward from now on."""
    if not has_permission(by, Permission.CHART_EVENT_RECORD, ward=ward):
        raise PermissionDenied
    errors: Errors = {}
    _date_not_future(errors, "happened_on", happened_on, timezone.localdate())
    label = (label or "").strip()
    if not label:
        errors.setdefault("label", []).append("Enter a short label for the chart")
    elif len(label) > LABEL_LIMIT:
        errors.setdefault("label", []).append(f"The label must be {LABEL_LIMIT} characters or fewer")
    if kind not in EventKind.values:
        errors.setdefault("kind", []).append("Select what kind of event this was")
    _no_nhs_number(errors, "label", label)
    _no_nhs_number(errors, "description", description)
    _check(errors)
    event = WardEvent.objects.create(
        ward=ward,
        happened_on=happened_on,
        label=label,
        kind=kind,
        description=(description or "").strip(),
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    audit_record(actor=by, action=AuditAction.CREATE, record=event, provider_id=ward.provider_id)
    return event


@transaction.atomic
def chart_rebase_record(
    *, ward: Ward, measure_slug: str, rebase_on: dt.date | None, reason: str, by: User
) -> ChartRebase:
    """Record the decision to start new limits on the ward's chart of one measure from a date."""
    if not has_permission(by, Permission.CHART_EVENT_RECORD, ward=ward):
        raise PermissionDenied
    errors: Errors = {}
    if measure_slug not in all_measures():
        errors.setdefault("measure_slug", []).append("Select a measure")
    _date_not_future(errors, "rebase_on", rebase_on, timezone.localdate())
    if not (reason or "").strip():
        errors.setdefault("reason", []).append(
            "Say why the process has changed (for example the change idea now embedded in practice)"
        )
    _no_nhs_number(errors, "reason", reason)
    _check(errors)
    rebase = ChartRebase.objects.create(
        ward=ward,
        measure_slug=measure_slug,
        rebase_on=rebase_on,
        reason=reason.strip(),
        decided_by=by,
        decided_at=timezone.now(),
    )
    audit_record(actor=by, action=AuditAction.CREATE, record=rebase, provider_id=ward.provider_id)
    return rebase


@transaction.atomic
def improvement_aim_record(
    *,
    measure_slug: str,
    statement: str,
    baseline_start: dt.date | None,
    baseline_end: dt.date | None,
    reduction_percent: int | None,
    aim_date: dt.date | None,
    by: User,
    provider: Provider | None = None,
    collaborative: Collaborative | None = None,
) -> ImprovementAim:
    """Record a reduction aim for a provider (by its governance) or a collaborative (by its lead, on the
    collaborative's page, or by the service's administrators)."""
    if (provider is None) == (collaborative is None):
        raise ValueError("an aim is for exactly one provider or one collaborative")
    if provider is not None and not has_permission(by, Permission.AIM_SET, provider=provider):
        raise PermissionDenied
    if collaborative is not None and not _may_set_collaborative_aims(by, collaborative):
        raise PermissionDenied
    errors: Errors = {}
    if measure_slug not in all_measures():
        errors.setdefault("measure_slug", []).append("Select a measure")
    if not (statement or "").strip():
        errors.setdefault("statement", []).append("Enter the aim in words")
    if baseline_start is None:
        errors.setdefault("baseline_start", []).append("Enter the first day of the baseline period")
    if baseline_end is None:
        errors.setdefault("baseline_end", []).append("Enter the last day of the baseline period")
    elif baseline_start is not None and baseline_end < baseline_start:
        errors.setdefault("baseline_end", []).append("The baseline must end after it starts")
    if reduction_percent is None or not 1 <= reduction_percent <= 100:
        errors.setdefault("reduction_percent", []).append("Enter a reduction from 1 to 100 per cent")
    if aim_date is None:
        errors.setdefault("aim_date", []).append("Enter the date the aim should be met by")
    elif baseline_end is not None and aim_date <= baseline_end:
        errors.setdefault("aim_date", []).append("The aim date must be after the baseline period")
    _check(errors)
    aim = ImprovementAim.objects.create(
        provider=provider,
        collaborative=collaborative,
        measure_slug=measure_slug,
        statement=statement.strip(),
        baseline_start=baseline_start,
        baseline_end=baseline_end,
        reduction_percent=reduction_percent,
        aim_date=aim_date,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    audit_record(
        actor=by, action=AuditAction.CREATE, record=aim, provider_id=provider.pk if provider else None
    )
    return aim


def _may_set_collaborative_aims(by: User, collaborative: Collaborative) -> bool:
    return may_lead(by, collaborative) or has_permission(by, Permission.ORGANISATION_MANAGE)


Withdrawable = WardEvent | ChartRebase | ImprovementAim


def _withdraw_permission(item: Withdrawable) -> tuple[Permission, dict[str, Ward | Provider]]:
    """Whoever may record the thing may withdraw it: the ward's chart managers an event or a rebase, the
    provider's governance a provider aim. (A collaborative's aim is withdrawn by its lead or an
    administrator: ``withdraw`` checks that itself.)"""
    if isinstance(item, ImprovementAim):
        return Permission.AIM_SET, {"provider": item.provider}
    return Permission.CHART_EVENT_RECORD, {"ward": item.ward}


@transaction.atomic
def withdraw(*, item: Withdrawable, reason: str, by: User) -> Withdrawal:
    """Withdraw an event, a rebase or an aim recorded by mistake. The row stays (append-only), marked
    withdrawn; charts, the board and the collaborative view leave it out from then on."""
    if isinstance(item, ImprovementAim) and item.collaborative_id is not None:
        if not _may_set_collaborative_aims(by, item.collaborative):
            raise PermissionDenied
    else:
        permission, context = _withdraw_permission(item)
        if not has_permission(by, permission, **context):
            raise PermissionDenied
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Say why this is being withdrawn"]})
    errors: Errors = {}
    _no_nhs_number(errors, "reason", reason)
    _check(errors)
    if Withdrawal.objects.filter(**{_withdrawal_field(item): item}).exists():
        raise ValidationError({"reason": ["This has already been withdrawn"]})
    withdrawal = Withdrawal.objects.create(
        **{_withdrawal_field(item): item}, reason=reason.strip(), withdrawn_by=by, withdrawn_at=timezone.now()
    )
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=item,
        provider_id=item.provider_id if isinstance(item, ImprovementAim) else item.ward.provider_id,
        detail={"withdrawn": True, "reason": reason.strip()},
    )
    return withdrawal


def _withdrawal_field(item: Withdrawable) -> str:
    if isinstance(item, ImprovementAim):
        return "aim"
    return "event" if isinstance(item, WardEvent) else "rebase"


@transaction.atomic
def ward_event_redact(
    *, event: WardEvent, label: str, description: str, reason: str, by: User
) -> WardEventRedaction:
    """Show an event with new text from now on, without the patient's name or NHS number its text held.

    Append-only: a new ``WardEventRedaction`` row, never a change to the event's, which keeps the original
    (its audited history). The audit row says a redaction was made and which, never the text, so the
    original is not copied anywhere it could be read again. Governance only (``WARD_EVENT_REDACT``)."""
    if not has_permission(by, Permission.WARD_EVENT_REDACT, ward=event.ward):
        raise PermissionDenied
    errors: Errors = {}
    label = (label or "").strip()
    description = (description or "").strip()
    if not label:
        errors.setdefault("label", []).append("Enter the label the chart should show")
    elif len(label) > LABEL_LIMIT:
        errors.setdefault("label", []).append(f"The label must be {LABEL_LIMIT} characters or fewer")
    _no_nhs_number(errors, "label", label)
    _no_nhs_number(errors, "description", description)
    if not (reason or "").strip():
        errors.setdefault("reason", []).append("Say why the text is being redacted")
    _check(errors)
    redaction = WardEventRedaction.objects.create(
        event=event,
        label=label,
        description=description,
        reason=reason.strip(),
        redacted_by=by,
        redacted_at=timezone.now(),
    )
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=event,
        record_label=f"Ward event {event.pk} redacted",
        provider_id=event.ward.provider_id,
        detail={"redacted": True, "redaction_id": redaction.pk},
    )
    return redaction


Redactable = ChartRebase | Withdrawal


def _redactable_ward(item: Redactable) -> Ward:
    """The ward whose events page shows the reason; an aim's withdrawal has none (aims are read on the
    provider's own board pages, by its governance, not outside the provider)."""
    if isinstance(item, ChartRebase):
        return item.ward
    if item.event_id is not None:
        return item.event.ward
    if item.rebase_id is not None:
        return item.rebase.ward
    raise ValueError(
        "only the reason of a ward's rebase decision or of a withdrawn event or rebase is redacted"
    )


@transaction.atomic
def reason_redact(*, item: Redactable, text: str, reason: str, by: User) -> ReasonRedaction:
    """Show a rebase decision's reason, or a withdrawal's, with new text from now on, without the patient's
    name or NHS number it held (issue 13, item 7), as ``ward_event_redact`` does for an event's text.

    Append-only: a new ``ReasonRedaction`` row, never a change to the rebase's or withdrawal's, which keeps
    the original (its audited history). The audit row names the redaction, never the text. Governance only
    (``WARD_EVENT_REDACT`` on the ward)."""
    ward = _redactable_ward(item)
    if not has_permission(by, Permission.WARD_EVENT_REDACT, ward=ward):
        raise PermissionDenied
    errors: Errors = {}
    text = (text or "").strip()
    if not text:
        errors.setdefault("text", []).append("Enter the reason the page should show")
    _no_nhs_number(errors, "text", text)
    if not (reason or "").strip():
        errors.setdefault("reason", []).append("Say why the text is being redacted")
    _check(errors)
    is_rebase = isinstance(item, ChartRebase)
    redaction = ReasonRedaction.objects.create(
        rebase=item if is_rebase else None,
        withdrawal=None if is_rebase else item,
        text=text,
        reason=reason.strip(),
        redacted_by=by,
        redacted_at=timezone.now(),
    )
    noun = "Chart rebase decision" if is_rebase else "Withdrawal"
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=item,
        record_label=f"{noun} {item.pk}: reason redacted",
        provider_id=ward.provider_id,
        detail={"redacted": True, "reason_redaction_id": redaction.pk},
    )
    return redaction
