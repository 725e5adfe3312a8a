"""Pages of the reports app: the equity view (who is restrained), its chart and its CSV. Views only
authorise, call ``reports.equity`` and render.

Who: ``Permission.EQUITY_VIEW`` (ward managers, governance, commissioners, the regulator, national
analysts); anyone else gets 403. Which provider: from ``accounts.scope.providers_for``; which of its wards:
``accounts.scope.wards_for`` (a ward manager sees their own wards, an analyst their collaboratives' wards),
so a provider outside the person's scope, or with none of their wards, is a 404. Whether small numbers
are shown: ``accounts.permissions.sees_unsuppressed``.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_safe

from rrp.accounts.permissions import (
    has_permission,
    permission_required,
    require_permission,
    sees_unsuppressed,
)
from rrp.accounts.roles import Permission
from rrp.accounts.scope import providers_for, wards_for
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.organisations.models import Provider, Ward
from rrp.reports import equity as equity_data
from rrp.reports.equity.exports import equity_csv_rows
from rrp.reports.forms import EquityOptionsForm
from rrp.reports.views.downloads import csv_download


def scoped_provider_wards(request: HttpRequest, provider_id: int) -> tuple[Provider, list[Ward]]:
    """The provider and the person's wards of it: 403 without the permission, 404 if it is outside their
    scope or they have none."""
    require_permission(request.user, Permission.EQUITY_VIEW)
    provider = get_object_or_404(providers_for(request.user), pk=provider_id)
    wards = list(wards_for(request.user).filter(provider_id=provider.pk).order_by("name"))
    if not wards:
        raise Http404
    return provider, wards


def _providers(request: HttpRequest) -> list[Provider]:
    """The providers with at least one of the person's wards, in id order (stable pseudonyms)."""
    return list(
        providers_for(request.user).filter(wards__in=wards_for(request.user)).distinct().order_by("pk")
    )


@require_safe
@permission_required(Permission.EQUITY_VIEW)
def equity_index(request: HttpRequest) -> HttpResponse:
    providers = _providers(request)
    if len(providers) == 1:
        return redirect("reports:equity", provider_id=providers[0].pk)
    labels = equity_data.provider_labels(request.user, providers)
    rows = sorted(((labels[p.pk], p) for p in providers), key=lambda row: row[0])
    named = has_permission(request.user, Permission.PROVIDER_NAME_VIEW)
    return render(request, "reports/equity_index.jinja", {"rows": rows, "named": named})


def _options(request: HttpRequest) -> EquityOptionsForm:
    return EquityOptionsForm(request.GET or {})


def _report(
    request: HttpRequest, provider: Provider, wards: list[Ward], form: EquityOptionsForm
) -> equity_data.EquityReport:
    """The report for the page's options, suppressed unless the person is inside the provider."""
    options = form.cleaned_data
    references = {options["characteristic"]: options["reference"]} if options["reference"] else {}
    return equity_data.equity_report(
        ward_ids=[w.pk for w in wards],
        window=equity_data.equity_window(options["period"], today=timezone.localdate()),
        suppressed=not sees_unsuppressed(request.user, provider.pk),
        references=references,
    )


@require_safe
def equity(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider, wards = scoped_provider_wards(request, provider_id)
    form = _options(request)
    suppressed = not sees_unsuppressed(request.user, provider.pk)
    context = {
        "provider": provider,
        "provider_label": equity_data.provider_labels(request.user, _providers(request))[provider.pk],
        "wards": wards,
        "form": form,
        "suppressed": suppressed,
        "characteristics": equity_data.CHARACTERISTICS,
    }
    if not form.is_valid():
        asked = form.data.get("characteristic", "")
        characteristic = (
            equity_data.Characteristic(asked)
            if asked in equity_data.Characteristic
            else equity_data.Characteristic.ETHNICITY
        )
        context.update(characteristic=characteristic, period=form.data.get("period", ""), report=None)
        return render(request, "reports/equity.jinja", context, status=400)
    characteristic = form.cleaned_data["characteristic"]
    report = _report(request, provider, wards, form)
    table = report.tables[characteristic]
    return render(
        request,
        "reports/equity.jinja",
        {
            **context,
            "report": report,
            "characteristic": characteristic,
            "forest": equity_data.forest_panel(table),
            "over_time": equity_data.over_time_panel(report, characteristic),
            "period": form.cleaned_data["period"],
            "query": request.GET.urlencode(),
        },
    )


@require_safe
def equity_csv(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider, wards = scoped_provider_wards(request, provider_id)
    form = _options(request)
    if not form.is_valid():
        return HttpResponse("Bad options: " + "; ".join(form.errors.get("reference", [])), status=400)
    report = _report(request, provider, wards, form)
    # Figures by characteristic can be about very few people: every download is on the audit log.
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        record_type="reports.EquityReport",
        record_id=provider.pk,
        record_label=f"Equity figures, {report.window.label}",
        provider_id=provider.pk,
        request=request,
        detail={"wards": [w.pk for w in wards], "suppressed": report.suppressed},
    )
    header, *rows = equity_csv_rows(report)
    return csv_download(
        rows, header=header, filename=f"equity-provider-{provider.pk}-{report.window.since:%Y-%m}.csv"
    )


urlpatterns: list[URLPattern] = [
    path("equity/", equity_index, name="equity-index"),
    path("equity/<id:provider_id>/", equity, name="equity"),
    path("equity/<id:provider_id>/equity.csv", equity_csv, name="equity-csv"),
]
