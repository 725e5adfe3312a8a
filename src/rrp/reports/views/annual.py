"""The annual statistics of the use of force (Use of Force Act s7): a provider's page for a financial
year, and the published figures as CSV and PDF for the trust's website.

Who: ``Permission.BOARD_REPORT_VIEW`` on the provider (403 without it, 404 outside scope). The page shows
the exact counts beside the published ones to those who may see figures unsuppressed; the downloads are
always the published (suppressed) figures, and are audited.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_safe

from rrp.accounts.permissions import sees_unsuppressed
from rrp.organisations.models import Provider
from rrp.reports.annual import compute, inspection
from rrp.reports.annual.periods import PeriodKind
from rrp.reports.board.exports import pack_charts
from rrp.reports.board.presenters import provider_panels
from rrp.reports.forms import InspectionPeriodForm
from rrp.reports.views.board import _export_audit, scoped_provider
from rrp.reports.views.downloads import csv_download

FIRST_YEAR = 2018  # the Act was passed in 2018; no unit holds statistics before


def _latest_complete_year() -> int:
    """The start year of the latest financial year that has ended (or, before its end, the one before)."""
    today = timezone.localdate()
    return today.year - 1 if today.month >= 4 else today.year - 2


def _year(request: HttpRequest, year: int | None = None) -> int:
    if year is None:
        raw = request.GET.get("year", "")
        if not raw:
            return _latest_complete_year()
        if not raw.isdigit():
            raise Http404
        year = int(raw)
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    return year


@require_safe
def annual_page(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = scoped_provider(request, provider_id)
    year = _year(request)
    stats = compute.annual_statistics(provider, year)
    latest = timezone.localdate().year
    return render(
        request,
        "reports/annual.jinja",
        {
            "stats": stats,
            "provider": provider,
            "exact": sees_unsuppressed(request.user, provider.pk),
            "years": [(y, compute.year_label(y)) for y in range(latest, FIRST_YEAR - 1, -1)],
        },
    )


@require_safe
def annual_csv(request: HttpRequest, provider_id: int, year: int) -> HttpResponse:
    provider = scoped_provider(request, provider_id)
    stats = compute.annual_statistics(provider, _year(request, year))
    rows = compute.csv_rows(stats)
    _export_audit(
        request,
        provider,
        f"Annual statistics CSV: {provider.name}, {stats.label}",
        {"export": "annual_statistics_csv", "year": stats.label, "rows": len(rows), "suppressed": True},
    )
    return csv_download(
        rows,
        header=compute.CSV_COLUMNS,
        filename=f"use-of-force-statistics-{provider.ods_code}-{stats.label}.csv",
    )


@require_safe
def annual_pdf(request: HttpRequest, provider_id: int, year: int) -> HttpResponse:
    import weasyprint

    provider = scoped_provider(request, provider_id)
    stats = compute.annual_statistics(provider, _year(request, year))
    html = render_to_string("reports/annual_print.jinja", {"stats": stats, "generated_at": timezone.now()})
    pdf = weasyprint.HTML(string=html, base_url=None).write_pdf()
    _export_audit(
        request,
        provider,
        f"Annual statistics PDF: {provider.name}, {stats.label}",
        {"export": "annual_statistics_pdf", "year": stats.label, "suppressed": True},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="use-of-force-statistics-{provider.ods_code}-{stats.label}.pdf"'
    )
    return response


urlpatterns: list[URLPattern] = [
    path("annual/<id:provider_id>/", annual_page, name="annual"),
    path("annual/<id:provider_id>/<int:year>.csv", annual_csv, name="annual-csv"),
    path("annual/<id:provider_id>/<int:year>.pdf", annual_pdf, name="annual-pdf"),
]


def _period_form(request: HttpRequest) -> InspectionPeriodForm:
    """The period asked for in the query string (none: the last 12 whole months, shown chosen), checked."""
    data = request.GET.copy()
    data.setdefault("period", PeriodKind.LAST_12_MONTHS.value)
    form = InspectionPeriodForm(data, today=timezone.localdate())
    form.is_valid()
    return form


def _pack(request: HttpRequest, provider: Provider, form: InspectionPeriodForm) -> inspection.InspectionPack:
    return inspection.inspection_pack(
        request.user, provider, period=form.cleaned_data["chosen"], today=timezone.localdate()
    )


def _refused(form: InspectionPeriodForm) -> HttpResponse:
    """A download asked for a period the page would refuse: 400, naming each field and its problem."""
    problems = "; ".join(f"{form.fields[name].label}: {' '.join(errs)}" for name, errs in form.errors.items())
    return HttpResponse(f"The period is not valid. {problems}", status=400, content_type="text/plain")


@require_safe
def inspection_page(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = scoped_provider(request, provider_id)
    form = _period_form(request)
    if form.errors:
        context = {"pack": None, "provider": provider, "form": form, "panels": [], "query": ""}
        return render(request, "reports/inspection.jinja", context, status=400)
    pack = _pack(request, provider, form)
    return render(
        request,
        "reports/inspection.jinja",
        {
            "pack": pack,
            "provider": provider,
            "form": form,
            "panels": provider_panels(pack.board),
            "query": request.GET.urlencode(),
        },
    )


@require_safe
def inspection_csv(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = scoped_provider(request, provider_id)
    form = _period_form(request)
    if form.errors:
        return _refused(form)
    pack = _pack(request, provider, form)
    rows = inspection.csv_rows(pack)
    _export_audit(
        request,
        pack.provider,
        f"CQC inspection pack CSV: {pack.provider.name}, {pack.period.label}",
        {"export": "inspection_pack_csv", "rows": len(rows), "period": pack.period.label},
    )
    return csv_download(
        rows, header=inspection.CSV_COLUMNS, filename=f"cqc-inspection-pack-{pack.provider.ods_code}.csv"
    )


@require_safe
def inspection_pdf(request: HttpRequest, provider_id: int) -> HttpResponse:
    import weasyprint

    provider = scoped_provider(request, provider_id)
    form = _period_form(request)
    if form.errors:
        return _refused(form)
    pack = _pack(request, provider, form)
    html = render_to_string(
        "reports/inspection_print.jinja",
        {"pack": pack, "charts": pack_charts(pack.board), "generated_at": timezone.now()},
    )
    pdf = weasyprint.HTML(string=html, base_url=None).write_pdf()
    _export_audit(
        request,
        pack.provider,
        f"CQC inspection pack PDF: {pack.provider.name}, {pack.period.label}",
        {"export": "inspection_pack_pdf", "period": pack.period.label},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="cqc-inspection-pack-{pack.provider.ods_code}.pdf"'
    )
    return response


urlpatterns += [
    path("inspection/<id:provider_id>/", inspection_page, name="inspection"),
    path("inspection/<id:provider_id>/pack.csv", inspection_csv, name="inspection-csv"),
    path("inspection/<id:provider_id>/pack.pdf", inspection_pdf, name="inspection-pdf"),
]
