"""Patient list and patient pages, scoped to the reader and audited."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from rrp.accounts.permissions import permission_required
from rrp.accounts.roles import Permission
from rrp.core.services import audit_list
from rrp.people import selectors


@require_safe
@permission_required(Permission.PATIENT_VIEW)
def patient_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    page = Paginator(selectors.patient_search(request.user, query).select_related("provider"), 25).get_page(
        request.GET.get("page")
    )
    shown = list(page.object_list)
    audit_list(
        actor=request.user,
        records=shown,
        record_type="people.Patient",
        label="Patient list" + (f" for '{query[:50]}'" if query else ""),
        request=request,
        detail=lambda group: {"patient_ids": [p.pk for p in group]},
    )
    return render(request, "people/patient_list.jinja", {"page": page, "patients": shown, "query": query})


@require_safe
@permission_required(Permission.PATIENT_VIEW)
def patient_detail(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = selectors.patient_get_for(request.user, patient_id, request=request)
    if patient is None:
        raise Http404
    stays = patient.ward_stays.select_related("ward").order_by("-started_at")[:50]
    return render(request, "people/patient_detail.jinja", {"patient": patient, "stays": stays})
