"""The chart-your-own-data page (issue 20 item 4): any signed-in person pastes or uploads a CSV and gets
Making Data Count charts. Nothing is stored: the data comes with every request, a download re-posts the
same form, and no model, file or audit event holds it (decision 0057)."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from rrp.core.forms import apply_errors
from rrp.improvement import project_selectors, project_services
from rrp.reports.own_data import (
    MAX_BYTES,
    MAX_GROUPS,
    MAX_ROWS,
    MemoryOnlyUpload,
    OwnCharts,
    OwnDataForm,
    output_rows,
    own_charts,
    saved_options,
)
from rrp.reports.views.downloads import chart_picture_response, csv_download

TEMPLATE = "reports/own_data.jinja"
_DOWNLOAD = re.compile(r"(svg|png)-([0-9]{1,2})|csv")


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def own_data(request: HttpRequest) -> HttpResponse:
    """The form (GET), the charts (POST), or a download of them (POST with ``download``).

    Uploads are kept in memory only: the handler is set before anything reads the body, which is why
    CSRF is checked by :func:`_own_data` rather than by the middleware (Django's documented pattern)."""
    request.upload_handlers = [MemoryOnlyUpload(request)]
    return _own_data(request)


@csrf_protect
def _own_data(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, OwnDataForm())
    try:
        form = OwnDataForm(
            request.POST, request.FILES, file_too_large=getattr(request, "rrp_upload_too_large", False)
        )
    except RequestDataTooBig:
        form = OwnDataForm()
        form.add_error(
            None, f"The data is larger than the page can take: chart at most {MAX_ROWS:,} rows here"
        )
        return _page(request, form, status=400)
    if not form.is_valid():
        return _page(request, form, status=400)
    charts = own_charts(form.cleaned_data)
    if request.POST.get("save") == "1":
        return _save_to_project(request, form, charts)
    wanted = _DOWNLOAD.fullmatch(request.POST.get("download", ""))
    if wanted is None:
        return _page(request, form, charts=charts)
    if wanted.group(0) == "csv":
        header, rows = output_rows(charts)
        return csv_download(rows, header=header, filename="spc-chart.csv")
    index = int(wanted.group(2))
    if index >= len(charts.panels):
        return _page(request, form, charts=charts)
    kind = wanted.group(1)
    return chart_picture_response(charts.panels[index].spec, kind=kind, filename=f"spc-chart-{index + 1}")  # type: ignore[arg-type]


def _save_to_project(request: HttpRequest, form: OwnDataForm, charts: OwnCharts) -> HttpResponse:
    """Keep the charted series on a QI project the person runs (404 for a project outside their scope,
    403 for one they only read); the title is required, and said so on its field."""
    chosen = request.POST.get("save_to", "")
    project = project_selectors.project_for(request.user, int(chosen)) if chosen.isdigit() else None
    if project is None:
        raise Http404
    try:
        series = project_services.series_save(
            project=project,
            title=form.cleaned_data.get("title") or "",
            csv_text=form.cleaned_data["csv_text"],
            options=saved_options(form),
            by=request.user,
        )
    except ValidationError as error:
        apply_errors(form, error)
        return _page(request, form, charts=charts, status=400)
    messages.success(
        request, f"“{series.title}” saved to {project.title}: it is drawn on the project's page."
    )
    return redirect(reverse("reports:qi-project", args=[project.pk]) + "#series")


def _page(
    request: HttpRequest, form: OwnDataForm, *, charts: object = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        TEMPLATE,
        {
            "form": form,
            "charts": charts,
            "max_rows": MAX_ROWS,
            "max_groups": MAX_GROUPS,
            "max_megabytes": MAX_BYTES // 1_000_000,
            "projects": project_selectors.projects_to_manage(request.user) if charts else [],
        },
        status=status,
    )


urlpatterns: list[URLPattern] = [path("charts/own-data/", own_data, name="own-data")]
