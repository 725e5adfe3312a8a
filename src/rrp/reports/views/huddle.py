"""Pages of the reports app: huddle. Views only authorise, call the reports services and render."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_safe

from rrp.accounts.permissions import permission_required
from rrp.accounts.roles import Permission
from rrp.act.prone import prone_counts, ward_prone_reviews
from rrp.act.training import ward_compliance
from rrp.measures.series import Period
from rrp.reports import huddle as huddles


@require_safe
@permission_required(Permission.HUDDLE_VIEW)
def huddle_index(request: HttpRequest) -> HttpResponse:
    """The user's wards, each opening its huddle; a user with one ward goes straight to it."""
    rows = huddles.huddle_index(request.user, today=timezone.localdate())
    if len(rows) == 1:
        return redirect("reports:ward-huddle", ward_id=rows[0].ward.pk)
    return render(request, "reports/huddle_index.jinja", {"rows": rows})


@require_safe
@permission_required(Permission.HUDDLE_VIEW)
def ward_huddle(request: HttpRequest, ward_id: int) -> HttpResponse:
    """One ward's huddle: charts by month (default) or week, the work waiting, and reporting health."""
    ward = huddles.huddle_ward_for(request.user, ward_id)
    if ward is None:
        raise Http404
    chosen = request.GET.get("period", Period.MONTH.value)
    if chosen not in (Period.MONTH.value, Period.WEEK.value):
        return render(
            request,
            "reports/ward_huddle.jinja",
            {"ward": ward, "huddle": None, "period_error": "Choose monthly or weekly charts"},
            status=400,
        )
    today = timezone.localdate()
    huddle = huddles.ward_huddle(ward, user=request.user, today=today, period=chosen)
    [training] = ward_compliance([ward], day=today)
    prone = prone_counts(ward_prone_reviews(ward, today=today))
    return render(
        request,
        "reports/ward_huddle.jinja",
        {"ward": ward, "huddle": huddle, "period_error": "", "training": training, "prone": prone},
    )


urlpatterns: list[URLPattern] = [
    path("huddle/", huddle_index, name="huddle-index"),
    path("wards/<id:ward_id>/huddle/", ward_huddle, name="ward-huddle"),
]
"""The reports' pages; each view module lists its own routes (one per view, so each can be found by name)."""
