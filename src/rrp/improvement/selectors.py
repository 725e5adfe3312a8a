"""Reading events, rebase decisions and aims for charts, in bulk for any number of wards."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from rrp.accounts.models import User
from rrp.accounts.scope import providers_for, wards_for
from rrp.charts import Event
from rrp.improvement.models import (
    ChartRebase,
    ImprovementAim,
    PdsaCycle,
    ReasonRedaction,
    WardEvent,
    WardEventRedaction,
    Withdrawal,
)
from rrp.organisations.models import Provider, Ward


def _shown(events: QuerySet[WardEvent]) -> QuerySet[WardEvent]:
    """Events with the text they are shown with: the latest redaction's (``WardEventRedaction``) where
    governance has redacted one, else their own. Every reader of an event's label or description goes
    through here (``shown_label``, ``shown_description``, ``redacted_at``), so a redacted original is never
    shown again on a page, a chart or an export."""
    latest = WardEventRedaction.objects.filter(event=OuterRef("pk")).order_by("-redacted_at", "-id")
    return events.annotate(
        shown_label=Coalesce(Subquery(latest.values("label")[:1]), F("label")),
        shown_description=Coalesce(Subquery(latest.values("description")[:1]), F("description")),
        redacted_at=Subquery(latest.values("redacted_at")[:1]),
        **_shown_withdrawal_reason(),
    )


def _latest_reason(**item: OuterRef) -> QuerySet[ReasonRedaction]:
    """The latest ``ReasonRedaction`` of one rebase or withdrawal (``rebase=`` or ``withdrawal=``)."""
    return ReasonRedaction.objects.filter(**item).order_by("-redacted_at", "-id")


def _shown_withdrawal_reason() -> dict[str, Coalesce | Subquery]:
    """Annotations for an event's or a rebase's withdrawal: the reason it is shown with (the latest
    redaction's text, else its own; None when not withdrawn) and when it was redacted."""
    latest = _latest_reason(withdrawal=OuterRef("withdrawal"))
    return {
        "shown_withdrawal_reason": Coalesce(Subquery(latest.values("text")[:1]), F("withdrawal__reason")),
        "withdrawal_redacted_at": Subquery(latest.values("redacted_at")[:1]),
    }


def _shown_rebases(rebases: QuerySet[ChartRebase]) -> QuerySet[ChartRebase]:
    """Rebase decisions with the reasons they are shown with, as ``_shown`` does for events: the latest
    ``ReasonRedaction``'s text where governance redacted one, else their own (``shown_reason``,
    ``reason_redacted_at``, and the same for their withdrawal). Every reader of a rebase's reason or its
    withdrawal's goes through here, so a redacted original is never shown again."""
    latest = _latest_reason(rebase=OuterRef("pk"))
    return rebases.annotate(
        shown_reason=Coalesce(Subquery(latest.values("text")[:1]), F("reason")),
        reason_redacted_at=Subquery(latest.values("redacted_at")[:1]),
        **_shown_withdrawal_reason(),
    )


def events_by_ward(ward_ids: Sequence[int]) -> dict[int, list[Event]]:
    """Every chart marker of the wards, in date order: their events (not withdrawn) and the PDSA cycles
    tested on them (not withdrawn, dated on their start, labelled "PDSA 3: title"). The one source of
    every chart's markers (decision 0025): a cycle is read from its own table, never copied into
    ``WardEvent``. Two queries for any number of wards."""
    ids = list(ward_ids)
    dated: list[tuple[object, int, int, int, str]] = []
    rows = (
        _shown(WardEvent.objects.filter(ward_id__in=ids, withdrawal__isnull=True))
        .order_by()
        .values_list("ward_id", "happened_on", "id", "shown_label")
    )
    dated += [(happened_on, 0, pk, ward_id, label) for ward_id, happened_on, pk, label in rows]
    cycles = PdsaCycle.wards.through.objects.filter(
        ward_id__in=ids, pdsacycle__withdrawn_at__isnull=True
    ).values_list("ward_id", "pdsacycle__starts_on", "pdsacycle__number", "pdsacycle__title")
    dated += [
        (starts_on, 1, number, ward_id, f"PDSA {number}: {title}")
        for ward_id, starts_on, number, title in cycles
    ]
    out: dict[int, list[Event]] = {}
    for day, _kind, _order, ward_id, label in sorted(dated, key=lambda row: row[:3]):
        out.setdefault(ward_id, []).append(Event(day, label))
    return out


def rebases_by_ward(ward_ids: Sequence[int], measure_slug: str) -> dict[int, list]:
    """Dates from which each ward's chart of this measure has new limits (recorded decisions only)."""
    return rebases_by_measure(ward_ids, [measure_slug])[measure_slug]


def rebases_by_measure(ward_ids: Sequence[int], measure_slugs: Sequence[str]) -> dict[str, dict[int, list]]:
    """``rebases_by_ward`` of several measures in one query, by slug (every slug asked for is a key): a
    page charting many measures (the board's nineteen) reads its rebases once, not once a measure."""
    out: dict[str, dict[int, list]] = {slug: {} for slug in measure_slugs}
    rows = (
        ChartRebase.objects.filter(
            ward_id__in=list(ward_ids), measure_slug__in=list(out), withdrawal__isnull=True
        )
        .order_by("rebase_on")
        .values_list("measure_slug", "ward_id", "rebase_on")
    )
    for slug, ward_id, rebase_on in rows:
        out[slug].setdefault(ward_id, []).append(rebase_on)
    return out


def ward_events(ward_id: int) -> list[WardEvent]:
    """Every event of one ward, withdrawn ones included (marked), newest first, for its events page."""
    return list(
        _shown(WardEvent.objects.filter(ward_id=ward_id))
        .select_related("recorded_by", "withdrawal")
        .order_by("-happened_on", "-id")
    )


def ward_rebases(ward_id: int) -> list[ChartRebase]:
    """Every rebase decision of one ward, withdrawn ones included (marked), by measure, newest first."""
    return list(
        _shown_rebases(ChartRebase.objects.filter(ward_id=ward_id))
        .select_related("decided_by", "withdrawal")
        .order_by("measure_slug", "-rebase_on")
    )


def aims_for_provider(provider_id: int) -> list[ImprovementAim]:
    """The provider's aims in force (withdrawn ones left out): what the board's targets and progress use."""
    return list(ImprovementAim.objects.filter(provider_id=provider_id, withdrawal__isnull=True))


def aims_for_collaborative(collaborative_id: int) -> list[ImprovementAim]:
    """The collaborative's aims in force (withdrawn ones left out), for the collaborative view."""
    return list(ImprovementAim.objects.filter(collaborative_id=collaborative_id, withdrawal__isnull=True))


def ward_for(user: User, ward_id: int) -> Ward | None:
    """The ward if it is in the user's scope (``accounts.scope.wards_for``), else None (the view's 404)."""
    return wards_for(user).select_related("provider", "site").filter(pk=ward_id).first()


def ward_event_for(user: User, ward: Ward, event_id: int) -> WardEvent | None:
    """One event of a ward in the user's scope, with its ward and any withdrawal."""
    return (
        _shown(WardEvent.objects.filter(ward__in=wards_for(user), ward=ward, pk=event_id))
        .select_related("ward", "withdrawal")
        .first()
    )


def ward_rebase_for(user: User, ward: Ward, rebase_id: int) -> ChartRebase | None:
    """One rebase decision of a ward in the user's scope, with its ward and any withdrawal."""
    return (
        _shown_rebases(ChartRebase.objects.filter(ward__in=wards_for(user), ward=ward, pk=rebase_id))
        .select_related("ward", "withdrawal")
        .first()
    )


def ward_withdrawal_for(user: User, ward: Ward, withdrawal_id: int) -> Withdrawal | None:
    """The withdrawal of one of a ward's events or rebase decisions, the ward in the user's scope, with the
    reason it is shown with (``shown_reason``, ``reason_redacted_at``); None (the view's 404) for another
    ward's, an aim's, or no such withdrawal."""
    latest = _latest_reason(withdrawal=OuterRef("pk"))
    return (
        Withdrawal.objects.filter(Q(event__ward=ward) | Q(rebase__ward=ward), pk=withdrawal_id)
        .filter(Q(event__ward__in=wards_for(user)) | Q(rebase__ward__in=wards_for(user)))
        .annotate(
            shown_reason=Coalesce(Subquery(latest.values("text")[:1]), F("reason")),
            reason_redacted_at=Subquery(latest.values("redacted_at")[:1]),
        )
        .select_related("event__ward", "rebase__ward")
        .first()
    )


def provider_aim_for(user: User, provider: Provider, aim_id: int) -> ImprovementAim | None:
    """One aim of a provider in the user's scope (``accounts.scope.providers_for``), with its provider and
    any withdrawal; None (the view's 404) for another provider's aim, a collaborative's, or no such aim."""
    return (
        ImprovementAim.objects.filter(provider__in=providers_for(user), provider=provider, pk=aim_id)
        .select_related("provider", "recorded_by", "withdrawal", "withdrawal__withdrawn_by")
        .first()
    )
