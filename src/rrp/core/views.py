"""Home, about, health and the audit log pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from rrp.accounts.roles import Permission
from rrp.accounts.scope import providers_for, wards_for
from rrp.core.forms import AuditSearchForm
from rrp.core.selectors import audit_events_for


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "core/home.jinja",
        {
            "ward_count": wards_for(user).count(),
            "providers": providers_for(user)[:20],
            "can_see_patients": user.has_role_permission(Permission.PATIENT_VIEW),
            "can_audit": user.has_role_permission(Permission.AUDIT_VIEW),
        },
    )


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.jinja")


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: answers 200 when the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def audit_log(request: HttpRequest) -> HttpResponse:
    if not request.user.has_role_permission(Permission.AUDIT_VIEW):
        raise PermissionDenied
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events = audit_events_for(request.user, **{k: v for k, v in filters.items() if v not in (None, "")})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "core/audit_log.jinja", {"form": form, "page": page}, status=status)
