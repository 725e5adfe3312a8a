"""A ward's measure values page (issue 20 item 2): enter a month's value of a measure counted outside
RRP's records (a week's, for a weekly measure; decision 0079), or correct one as a new version with a
reason; the last 12 months of each monthly measure and the last 12 weeks of each weekly one are listed.
Views only authorise, call selectors or services, and render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from rrp.accounts.permissions import has_permission, require_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import wards_for
from rrp.core.http import FORM_METHODS
from rrp.measures.forms import MeasureValueForm
from rrp.measures.models import MeasureValue, ValueRoute
from rrp.measures.values import (
    ValueConflict,
    ValueInput,
    current_values,
    parse_period,
    period_of,
    period_text,
    record_values,
    value_history,
    value_measures,
)
from rrp.organisations.models import Ward

MONTHS_LISTED = 12
WEEKS_LISTED = 12


def _ward(request: HttpRequest, ward_id: int) -> Ward:
    """The ward if the user may enter its values: 403 without the permission, 404 outside their scope."""
    require_permission(request.user, Permission.WARD_VIEW)
    ward = get_object_or_404(wards_for(request.user).select_related("provider"), pk=ward_id)
    if not has_permission(request.user, Permission.MEASURE_VALUES_ENTER, ward=ward):
        raise Http404
    return ward


def _months(today: dt.date) -> list[dt.date]:
    """The last ``MONTHS_LISTED`` ended months, newest first."""
    first, out = today.replace(day=1), []
    for _ in range(MONTHS_LISTED):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        out.append(first)
    return out


def _weeks(today: dt.date) -> list[dt.date]:
    """The Mondays of the last ``WEEKS_LISTED`` ended weeks, newest first."""
    this_week = today - dt.timedelta(days=today.weekday())
    return [this_week - dt.timedelta(weeks=n) for n in range(1, WEEKS_LISTED + 1)]


def _table(
    ward: Ward, periods: list[dt.date], *, weekly: bool
) -> list[tuple[object, list[tuple[dt.date, MeasureValue | None]]]]:
    """The monthly (or weekly) measures' current values on the ward over ``periods``: a query each."""
    rows = []
    for definition in value_measures().values():
        if definition.weekly != weekly:
            continue
        held = current_values(
            definition.slug,
            ward_ids=[ward.pk],
            first_month=periods[-1],
            last_month=periods[0],
            period=period_of(definition),
        )
        rows.append((definition, [(p, held.get((ward.pk, p))) for p in periods]))
    return rows


def _chosen(request: HttpRequest, today: dt.date) -> tuple[str, dt.date | None]:
    slug = request.GET.get("measure", "")
    definition = value_measures().get(slug)
    start, _ = parse_period(request.GET.get("month", ""), definition, today=today)
    return (slug if definition is not None else ""), start


@require_http_methods(FORM_METHODS)
def ward_values(request: HttpRequest, ward_id: int) -> HttpResponse:
    ward = _ward(request, ward_id)
    today = timezone.localdate()
    status = 200
    history: list[MeasureValue] = []
    if request.method == "POST":
        form = MeasureValueForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            definition = value_measures()[data["measure"]]
            period = period_of(definition)
            history = value_history(
                ward=ward, slug=definition.slug, period_start=data["month"], period=period
            )
            current = history[0] if history else None
            changed = current is None or (current.numerator, current.denominator) != (
                data["numerator"],
                data["denominator"],
            )
            base = data["base_version"] or 0
            if current is not None and changed and base == current.version and not data["reason"].strip():
                form.add_error("reason", "Enter the reason for the correction: a value is already saved")
            else:
                try:
                    record_values(
                        [
                            ValueInput(
                                ward,
                                definition,
                                data["month"],
                                data["numerator"],
                                data["denominator"],
                                reason=data["reason"],
                                base_version=base,
                            )
                        ],
                        by=request.user,
                        route=ValueRoute.ENTERED,
                        label=f"{definition.name}, {ward.name}, {period_text(data['month'], period)}",
                    )
                except ValueConflict as conflict:
                    form = _with_base(request, conflict.current)
                    form.is_valid()
                    form.add_error(None, str(conflict)[:1].upper() + str(conflict)[1:])
                    history = value_history(
                        ward=ward, slug=definition.slug, period_start=data["month"], period=period
                    )
                    status = 409
                else:
                    verb = "saved" if changed else "unchanged: it was already saved"
                    when = period_text(data["month"], period)
                    messages.success(request, f"{definition.name} for {when} {verb}.")
                    return redirect("measures:ward-values", ward_id=ward.pk)
    else:
        slug, month = _chosen(request, today)
        base = 0
        weekly = bool(slug) and value_measures()[slug].weekly
        if slug and month:
            history = value_history(
                ward=ward, slug=slug, period_start=month, period=period_of(value_measures()[slug])
            )
            base = history[0].version if history else 0
        current = history[0] if history else None
        form = MeasureValueForm(
            initial={
                "measure": slug,
                "month": (month.isoformat() if weekly else f"{month:%Y-%m}") if month else "",
                "numerator": current.numerator_text if current else "",
                "denominator": current.denominator_text if current else "",
                "base_version": base,
            }
        )
    if form.errors and status == 200:
        status = 400
    months, weeks = _months(today), _weeks(today)
    return render(
        request,
        "measures/ward_values.jinja",
        {
            "ward": ward,
            "form": form,
            "history": history,
            "months": months,
            "table": _table(ward, months, weekly=False),
            "weeks": weeks,
            "weekly_table": _table(ward, weeks, weekly=True),
        },
        status=status,
    )


def _with_base(request: HttpRequest, current: MeasureValue | None) -> MeasureValueForm:
    """The posted form again, its base version moved to the value now held, so that saving again after
    checking it is a deliberate correction of that value."""
    data = request.POST.copy()
    data["base_version"] = str(current.version if current else 0)
    return MeasureValueForm(data)
