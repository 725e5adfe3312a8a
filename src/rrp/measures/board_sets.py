"""A provider's chosen measures for the board's integrated summary (issue 20 item 5, decision 0055): one
variation and assurance table across outcome, process, balancing and data quality measures, as NHS
England's integrated performance reports have. Governance chooses the set on a page; each choice is a
new append-only version and audited.

Only measures the board can read without computing them from the records are offered: those kept in the
stored monthly figures and those entered or imported per ward (docs/performance.md keeps the board under
its 1 s target that way). Interval measures (g and t charts) have no provider total and are left out."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from rrp.accounts.models import User
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.measures.catalogue import MeasureDefinition, MeasureKind, all_measures
from rrp.measures.models import BoardMeasureSet
from rrp.measures.series import stored_definitions
from rrp.organisations.models import Provider
from rrp.spc import Chart

KIND_ORDER = (MeasureKind.OUTCOME, MeasureKind.PROCESS, MeasureKind.BALANCING, MeasureKind.DATA_QUALITY)


def integrated_choices() -> list[MeasureDefinition]:
    """The measures a provider may put in its integrated summary, by kind and name."""
    stored = stored_definitions()
    out = [
        d
        for d in all_measures().values()
        if (d.slug in stored or d.from_values) and d.default_chart not in (Chart.G, Chart.T)
    ]
    return sorted(out, key=lambda d: (KIND_ORDER.index(d.kind), d.name))


def current_set(provider_id: int) -> BoardMeasureSet | None:
    """The provider's latest choice, or None if it has not chosen (one query)."""
    return BoardMeasureSet.objects.filter(provider_id=provider_id).order_by("-version").first()


def chosen_measures(provider_id: int) -> list[MeasureDefinition]:
    """The provider's chosen measures, in the order of kinds (a measure since taken out of the catalogue,
    or no longer readable from stored figures, is left out)."""
    chosen = current_set(provider_id)
    if chosen is None:
        return []
    offered = {d.slug: d for d in integrated_choices()}
    picked = [offered[s] for s in chosen.slugs if s in offered]
    return sorted(picked, key=lambda d: (KIND_ORDER.index(d.kind), d.name))


class StaleChoice(Exception):
    """Someone chose the provider's set since this person opened the page (decision 0018)."""


@transaction.atomic
def board_set_choose(
    *, provider: Provider, slugs: Sequence[str], by: User, base_version: int
) -> BoardMeasureSet:
    """Record the provider's chosen measures as a new version (the caller checked the permission); a
    slug not offered raises ValueError naming it, a stale ``base_version`` StaleChoice."""
    offered = {d.slug for d in integrated_choices()}
    unknown = [s for s in slugs if s not in offered]
    if unknown:
        raise ValueError(f"not a measure the board can show: {', '.join(unknown)}")
    held = current_set(provider.pk)
    if (held.version if held else 0) != base_version:
        raise StaleChoice
    try:
        with transaction.atomic():
            chosen = BoardMeasureSet.objects.create(
                provider=provider,
                slugs=list(dict.fromkeys(slugs)),
                version=base_version + 1,
                chosen_by=by,
                chosen_at=timezone.now(),
            )
    except IntegrityError:
        raise StaleChoice from None
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=chosen,
        record_label=f"Integrated board summary of {provider.name}: {len(chosen.slugs)} measures"[:200],
        provider_id=provider.pk,
        detail={"slugs": chosen.slugs, "version": chosen.version},
    )
    return chosen
