"""Provider and ward pages. Views only authorise, call selectors or services, and render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from rrp.accounts.roles import Permission
from rrp.accounts.scope import patient_wards_for, wards_for
from rrp.organisations import selectors, services
from rrp.organisations.forms import MonthlyBedDaysForm
from rrp.organisations.models import Ward


def require(request: HttpRequest, permission: Permission) -> None:
    if not request.user.has_role_permission(permission):
        raise PermissionDenied


def provider_list(request: HttpRequest) -> HttpResponse:
    require(request, Permission.WARD_VIEW)
    return render(
        request,
        "organisations/provider_list.jinja",
        {"providers": selectors.providers_with_ward_counts(request.user)},
    )


def ward_list(request: HttpRequest) -> HttpResponse:
    require(request, Permission.WARD_VIEW)
    wards = wards_for(request.user).select_related("provider", "site").order_by("provider__name", "name")
    provider_id = request.GET.get("provider", "")
    if provider_id.isdigit():
        wards = wards.filter(provider_id=int(provider_id))
    return render(request, "organisations/ward_list.jinja", {"wards": wards})


def scoped_ward(request: HttpRequest, ward_id: int) -> Ward:
    """The ward if the user may see it; 404 otherwise, so guessed ids reveal nothing."""
    require(request, Permission.WARD_VIEW)
    return get_object_or_404(wards_for(request.user).select_related("provider", "site"), pk=ward_id)


def ward_detail(request: HttpRequest, ward_id: int) -> HttpResponse:
    ward = scoped_ward(request, ward_id)
    can_see_patients = patient_wards_for(request.user).filter(pk=ward.pk).exists()
    current_patients = []
    if can_see_patients:
        from rrp.people.selectors import patients_on_ward_now

        current_patients = patients_on_ward_now(request.user, ward, request=request)
    return render(
        request,
        "organisations/ward_detail.jinja",
        {
            "ward": ward,
            "months": selectors.ward_occupancy_summary(ward),
            "can_enter_bed_days": request.user.has_role_permission(Permission.BED_DAYS_ENTER),
            "can_see_patients": can_see_patients,
            "current_patients": current_patients,
        },
    )


def ward_bed_days(request: HttpRequest, ward_id: int) -> HttpResponse:
    ward = scoped_ward(request, ward_id)
    if not request.user.has_role_permission(Permission.BED_DAYS_ENTER):
        raise Http404
    form = MonthlyBedDaysForm(request.POST or None, initial={"month": request.GET.get("month", "")})
    if request.method == "POST" and form.is_valid():
        try:
            services.monthly_bed_days_record(
                ward=ward,
                month=form.cleaned_data["month"],
                bed_days=form.cleaned_data["bed_days"],
                by=request.user,
            )
        except services.BedDaysInvalid as problem:
            form.add_error(problem.field if problem.field in form.fields else "bed_days", str(problem))
        else:
            messages.success(request, f"Bed days for {form.cleaned_data['month']:%B %Y} saved.")
            return redirect("organisations:ward-detail", ward_id=ward.pk)
    status = 400 if form.errors else 200
    return render(request, "organisations/ward_bed_days.jinja", {"ward": ward, "form": form}, status=status)
