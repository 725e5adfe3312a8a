"""Provider and ward lists and bed days entry (a ward's own page, which shows its patients too, is in
web). Views only authorise, call selectors or services, and render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from rrp.accounts.permissions import has_permission, permission_required, require_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import wards_for
from rrp.core.formatting import month_year
from rrp.core.http import FORM_METHODS
from rrp.organisations import selectors, services
from rrp.organisations.forms import MonthlyBedDaysForm
from rrp.organisations.models import Ward


@require_safe
@permission_required(Permission.WARD_VIEW)
def provider_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "organisations/provider_list.jinja",
        {"providers": selectors.providers_with_ward_counts(request.user)},
    )


@require_safe
@permission_required(Permission.WARD_VIEW)
def ward_list(request: HttpRequest) -> HttpResponse:
    wards = wards_for(request.user).select_related("provider", "site").order_by("provider__name", "name")
    provider_id = request.GET.get("provider", "")
    if provider_id.isdigit():
        wards = wards.filter(provider_id=int(provider_id))
    return render(request, "organisations/ward_list.jinja", {"wards": wards})


def scoped_ward(request: HttpRequest, ward_id: int) -> Ward:
    """The ward if the user may see it: 403 without the permission, else 404, so guessed ids reveal nothing."""
    require_permission(request.user, Permission.WARD_VIEW)
    return get_object_or_404(wards_for(request.user).select_related("provider", "site"), pk=ward_id)


@require_http_methods(FORM_METHODS)
def ward_bed_days(request: HttpRequest, ward_id: int) -> HttpResponse:
    ward = scoped_ward(request, ward_id)
    if not has_permission(request.user, Permission.BED_DAYS_ENTER, ward=ward):
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
            messages.success(request, f"Bed days for {month_year(form.cleaned_data['month'])} saved.")
            return redirect("web:ward-detail", ward_id=ward.pk)
    status = 400 if form.errors else 200
    return render(request, "organisations/ward_bed_days.jinja", {"ward": ward, "form": form}, status=status)
