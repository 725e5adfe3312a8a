"""Home, about, health, a ward's page, the audit log and the API tokens: the pages that bring the apps
together."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from rrp.accounts.permissions import has_permission, permission_required
from rrp.accounts.roles import Permission
from rrp.accounts.scope import collaboratives_for, providers_for, wards_for
from rrp.api.selectors import tokens_for_administration
from rrp.api.services import api_token_revoke
from rrp.organisations import selectors as organisations_selectors
from rrp.organisations.views import scoped_ward
from rrp.people.selectors import patients_on_ward_now, ward_stays_source
from rrp.web.audit_lines import audit_line
from rrp.web.forms import AuditSearchForm
from rrp.web.selectors import audit_events_for, audit_patients_by_id, audit_patients_matching


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in home page: a card for each place the user's role may open (and only those, so no card
    leads to a refusal: the national analyst reaches wards through their collaboratives, not the ward list)."""
    user = request.user
    return render(
        request,
        "web/home.jinja",
        {
            "ward_count": wards_for(user).count() if has_permission(user, Permission.WARD_VIEW) else 0,
            "collaborative_count": (
                collaboratives_for(user).count() if has_permission(user, Permission.COLLABORATIVE_VIEW) else 0
            ),
            "providers": providers_for(user)[:20],
        },
    )


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "web/about.jinja")


@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: answers 200 when the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_safe
def ward_detail(request: HttpRequest, ward_id: int) -> HttpResponse:
    """A ward's page: its details and bed days (organisations), the patients on it now (people) and links
    to its events, huddle and bed days; here because it brings those apps together (decision 0011)."""
    ward = scoped_ward(request, ward_id)
    can_see_patients = has_permission(request.user, Permission.PATIENT_VIEW, ward=ward)
    current_patients = []
    if can_see_patients:
        current_patients = patients_on_ward_now(request.user, ward, request=request)
    return render(
        request,
        "web/ward_detail.jinja",
        {
            "ward": ward,
            "months": organisations_selectors.ward_occupancy_summary(ward),
            "stays_source": ward_stays_source(ward),
            "can_see_patients": can_see_patients,
            "current_patients": current_patients,
        },
    )


@require_safe
@permission_required(Permission.AUDIT_VIEW)
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, newest first, searched by the form's filters. A search that cannot be run (a date
    that is not one, a patient not found) is answered on its field with no entries: showing the whole log
    instead would look like an answer to the question asked."""
    user = request.user
    patients_shown = has_permission(user, Permission.AUDIT_PATIENTS_VIEW)
    form = AuditSearchForm(request.GET or None, patients_allowed=patients_shown)
    page, lines, filters = None, [], {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        query = filters.pop("patient", "")
        if query:
            found = audit_patients_matching(user, query, request=request)
            if found:
                filters["patient_ids"] = [p.pk for p in found]
            else:
                form.add_error("patient", "No patient of your provider has that NHS number or name")
    if not form.errors:
        page = Paginator(audit_events_for(user, **filters), 50).get_page(request.GET.get("page"))
        patients = audit_patients_by_id(user, {e.patient_id for e in page if e.patient_id is not None})
        lines = [audit_line(e, patients_shown=patients_shown, patients=patients) for e in page]
    context = {"form": form, "page": page, "lines": lines, "patients_shown": patients_shown}
    return render(request, "web/audit_log.jinja", context, status=400 if form.errors else 200)


@require_safe
@permission_required(Permission.USER_MANAGE)
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Every API token (only a hash of each is held): who it acts as, what it is for, when it was made,
    last used and expires, and a button to revoke it. For administrators, who manage every account."""
    page = Paginator(tokens_for_administration(), 50).get_page(request.GET.get("page"))
    return render(request, "web/api_tokens.jinja", {"page": page, "now": timezone.now()})


@require_POST
@permission_required(Permission.USER_MANAGE)
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke a token at once (audited by ``api_token_revoke``); back to the list with what was done."""
    token = tokens_for_administration().filter(pk=token_id).first()
    if token is None:
        raise Http404("No API token has this id.")
    already = token.revoked_at is not None
    api_token_revoke(token=token, by=request.user)
    state = "was already revoked" if already else "is revoked: it gets 401 from now on"
    messages.success(request, f"Token {token.prefix}… for {token.user.get_username()} {state}.")
    return redirect(reverse("web:api-tokens"))
