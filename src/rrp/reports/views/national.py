"""Pages of the reports app: national. Views only authorise, call the reports services and render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_safe

from rrp.accounts.permissions import permission_required
from rrp.accounts.roles import Permission
from rrp.reports.national import BadMonth, national_benchmark


@require_safe
@permission_required(Permission.NATIONAL_BENCHMARK_VIEW)
def national_benchmark_view(request: HttpRequest) -> HttpResponse:
    provider = request.GET.get("provider", "").strip() or None
    try:
        page = national_benchmark(user=request.user, provider=provider, month=request.GET.get("month"))
    except BadMonth as problem:
        page = national_benchmark(user=request.user, provider=provider, month=None)
        return render(
            request,
            "reports/national.jinja",
            {"page": page, "month_error": str(problem), "page_has_errors": True},
            status=400,
        )
    if page.problem and page.provider_asked:
        # A provider name that is not published (typed into the address, or an old link) is bad input.
        return render(
            request,
            "reports/national.jinja",
            {"page": page, "month_error": None, "provider_error": page.problem, "page_has_errors": True},
            status=400,
        )
    return render(request, "reports/national.jinja", {"page": page, "month_error": None})


urlpatterns: list[URLPattern] = [
    path("national/", national_benchmark_view, name="national-benchmark"),
]
