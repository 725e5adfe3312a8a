"""Pages of the Act's duties: a provider's responsible person, delegations and policy, seen by everyone
who sees the provider, recorded by its governance team (``Permission.ACT_DUTIES_RECORD``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from rrp.accounts.permissions import has_permission, permission_required
from rrp.accounts.roles import Permission
from rrp.accounts.scope import wards_for
from rrp.act import investigations, prone, selectors, services, training
from rrp.act.forms import (
    AppointmentForm,
    CourseForm,
    DelegationForm,
    InvestigationForm,
    PolicyVersionForm,
    ProneReviewerForm,
    ProneReviewForm,
)
from rrp.act.models import TrainingTopic
from rrp.core.concurrency import StaleVersion
from rrp.core.forms import apply_errors, form_page
from rrp.core.http import FORM_METHODS
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.force.selectors import incident_get_for
from rrp.organisations.models import Provider, Ward


def _provider(request: HttpRequest, provider_id: int) -> Provider:
    provider = selectors.providers_with_duties_for(request.user).filter(pk=provider_id).first()
    if provider is None:
        raise Http404
    return provider


@require_safe
@permission_required(Permission.WARD_VIEW)
def index(request: HttpRequest) -> HttpResponse:
    providers = list(selectors.providers_with_duties_for(request.user))
    if len(providers) == 1:
        return redirect("act:provider", provider_id=providers[0].pk)
    return render(request, "act/index.jinja", {"providers": providers})


@require_safe
@permission_required(Permission.WARD_VIEW)
def provider_page(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = _provider(request, provider_id)
    return render(
        request,
        "act/provider.jinja",
        {
            "provider": provider,
            "duties": selectors.duties_for(provider, today=timezone.localdate()),
            "can_record": has_permission(request.user, Permission.ACT_DUTIES_RECORD, provider=provider),
        },
    )


def _record_page(
    request: HttpRequest,
    provider_id: int,
    *,
    form_class: type[forms.Form],
    service: Callable[..., Any],
    template: str,
    done: str,
) -> HttpResponse:
    """A form that adds one row through `service`: 403 without the permission, errors on the form."""
    provider = _provider(request, provider_id)
    if not has_permission(request.user, Permission.ACT_DUTIES_RECORD, provider=provider):
        raise PermissionDenied
    form = form_class(request.POST, request.FILES) if request.method == "POST" else form_class()
    return form_page(
        request,
        form,
        save=lambda: service(provider=provider, by=request.user, request=request, **form.cleaned_data),
        done=lambda _: redirect("act:provider", provider_id=provider.pk),
        message=done,
        template=template,
        context={"provider": provider, "form": form},
    )


@require_http_methods(FORM_METHODS)
def appointment_new(request: HttpRequest, provider_id: int) -> HttpResponse:
    return _record_page(
        request,
        provider_id,
        form_class=AppointmentForm,
        service=services.responsible_person_appoint,
        template="act/appointment_new.jinja",
        done="Responsible person's appointment recorded.",
    )


@require_http_methods(FORM_METHODS)
def delegation_new(request: HttpRequest, provider_id: int) -> HttpResponse:
    return _record_page(
        request,
        provider_id,
        form_class=DelegationForm,
        service=services.delegation_record,
        template="act/delegation_new.jinja",
        done="Delegation recorded.",
    )


@require_safe
@permission_required(Permission.WARD_VIEW)
def policy_document(request: HttpRequest, version_id: int) -> FileResponse:
    """A policy version's uploaded PDF, for people signed in who see its provider (the page that links it);
    each download audited. Served by this view, never as a static file (decision 0063)."""
    version = selectors.policy_document_for(request.user, version_id)
    if version is None:
        raise Http404
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        record=version,
        provider_id=version.provider_id,
        request=request,
        detail={"export": "policy_document", "sha256": version.document_sha256},
    )
    return FileResponse(
        default_storage.open(version.document_file, "rb"),
        content_type="application/pdf",
        filename=version.document_name or "policy.pdf",
    )


@require_http_methods(FORM_METHODS)
def policy_new(request: HttpRequest, provider_id: int) -> HttpResponse:
    return _record_page(
        request,
        provider_id,
        form_class=PolicyVersionForm,
        service=services.policy_version_record,
        template="act/policy_new.jinja",
        done="Policy version recorded.",
    )


@require_safe
@permission_required(Permission.PATIENT_VIEW)
def training_page(request: HttpRequest, provider_id: int) -> HttpResponse:
    """The provider's courses and every member of staff's standing on each, with each ward's compliance.
    Staff names: for the roles that see people by name (the provider's own teams and the regulator)."""
    provider = _provider(request, provider_id)
    today = timezone.localdate()
    wards = selectors.wards_of(request.user, provider)
    # Governance and the regulator see every member of staff; ward teams the staff of their own wards.
    everyone = has_permission(request.user, Permission.ACT_DUTIES_RECORD, provider=provider)
    courses, rows = training.provider_training(provider, day=today, wards=None if everyone else wards)
    return render(
        request,
        "act/training.jinja",
        {
            "provider": provider,
            "today": today,
            "courses": courses,
            "rows": rows,
            "compliance": training.ward_compliance(wards, day=today),
            "topics": TrainingTopic.labels,
            "can_edit": everyone,
        },
    )


@require_safe
@permission_required(Permission.PATIENT_VIEW)
def investigations_page(request: HttpRequest, provider_id: int) -> HttpResponse:
    """The provider's investigations of deaths and serious injuries on the wards in the person's scope."""
    provider = _provider(request, provider_id)
    today = timezone.localdate()
    return render(
        request,
        "act/investigations.jinja",
        {
            "provider": provider,
            "rows": investigations.investigations_for(request.user, provider, today=today),
        },
    )


def _investigation(request: HttpRequest, investigation_id: int) -> investigations.InvestigationRow:
    row = investigations.investigation_get_for(
        request.user, investigation_id, today=timezone.localdate(), request=request
    )
    if row is None:
        raise Http404
    return row


@require_safe
@permission_required(Permission.PATIENT_VIEW)
def investigation_page(request: HttpRequest, investigation_id: int) -> HttpResponse:
    row = _investigation(request, investigation_id)
    provider = row.investigation.provider
    return render(
        request,
        "act/investigation.jinja",
        {
            "row": row,
            "provider": provider,
            "history": investigations.history(row.investigation),
            "can_record": not row.closed
            and has_permission(request.user, Permission.ACT_DUTIES_RECORD, provider=provider),
        },
    )


def _initial(row: investigations.InvestigationRow) -> dict[str, Any]:
    current = row.current
    initial: dict[str, Any] = {"base_version": row.version_number, "due_on": row.due_on}
    if current is None:
        return initial
    for name in (
        "lead_name",
        "lead_job_title",
        "learning_response",
        "family_involvement",
        "family_notes",
        "inquest_reference",
        "lfpse_reference",
        "other_references",
        "findings",
    ):
        initial[name] = getattr(current, name)
    for n, action in enumerate(current.actions):
        for key in ("action", "owner", "due_on", "done"):
            initial[f"actions-{n}-{key}"] = action.get(key)
    return initial


@require_http_methods(FORM_METHODS)
@permission_required(Permission.PATIENT_VIEW)
def investigation_edit(request: HttpRequest, investigation_id: int) -> HttpResponse:
    """Record the investigation as it stands now (its next version): the provider's governance only."""
    row = _investigation(request, investigation_id)
    provider = row.investigation.provider
    if row.closed or not has_permission(request.user, Permission.ACT_DUTIES_RECORD, provider=provider):
        raise PermissionDenied
    actions = len(row.current.actions) if row.current else 0
    form = InvestigationForm(
        request.POST if request.method == "POST" else None, initial=_initial(row), actions=actions
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            investigations.investigation_record(
                investigation=row.investigation, by=request.user, request=request, **form.service_values()
            )
        except StaleVersion as refused:
            posted = request.POST.copy()
            posted["base_version"] = str(refused.current)
            form = InvestigationForm(posted, actions=actions)
            form.is_valid()
            form.add_error(None, str(refused))
            status = 409
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Investigation recorded.")
            return redirect("act:investigation", investigation_id=row.investigation.pk)
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "act/investigation_edit.jinja",
        {"row": row, "provider": provider, "form": form},
        status=status,
    )


def _ward(request: HttpRequest, ward_id: int) -> Ward:
    ward = wards_for(request.user).filter(pk=ward_id).select_related("provider").first()
    if ward is None or not has_permission(request.user, Permission.INCIDENT_VIEW, ward=ward):
        raise Http404
    return ward


@require_safe
@permission_required(Permission.INCIDENT_VIEW)
def ward_prone_reviews(request: HttpRequest, ward_id: int) -> HttpResponse:
    """The ward's prone restraint reviews: overdue first, then waiting, then those completed lately."""
    ward = _ward(request, ward_id)
    rows = prone.ward_prone_reviews(ward, today=timezone.localdate())
    return render(
        request,
        "act/prone_reviews.jinja",
        {"ward": ward, "rows": rows, "counts": prone.prone_counts(rows), "days": prone.review_days()},
    )


@require_http_methods(FORM_METHODS)
@permission_required(Permission.INCIDENT_VIEW)
def prone_review_page(request: HttpRequest, incident_id: int) -> HttpResponse:
    """One incident's prone restraint review: name the reviewer, then answer the questions."""
    incident = incident_get_for(request.user, incident_id, request=request)
    if incident is None:
        raise Http404
    row = prone.prone_row(incident, today=timezone.localdate())
    if row is None:
        raise Http404
    can_review = has_permission(request.user, Permission.INCIDENT_REVIEW, ward=incident.ward)
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form") if posted else None
    if posted is not None and not can_review:
        raise PermissionDenied
    reviewer_form = ProneReviewerForm(posted if which == "reviewer" else None)
    review_form = ProneReviewForm(posted if which == "review" else None)
    form, service = (
        (reviewer_form, prone.reviewer_set) if which == "reviewer" else (review_form, prone.review_complete)
    )
    if posted is not None and form.is_valid():
        try:
            service(incident=incident, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, "Reviewer named." if which == "reviewer" else "Prone restraint review completed."
            )
            return redirect("act:prone-review", incident_id=incident.pk)
    return render(
        request,
        "act/prone_review.jinja",
        {
            "incident": incident,
            "row": row,
            "can_review": can_review,
            "reviewer_form": reviewer_form,
            "review_form": review_form,
            "minutes_hint": prone.minutes_prone(incident),
        },
        status=400 if (posted is not None and form.errors) else 200,
    )


@require_http_methods(FORM_METHODS)
def course_edit(request: HttpRequest, provider_id: int, course_id: int | None = None) -> HttpResponse:
    """Add a training course, or change one: the provider's governance only (403 for anyone else)."""
    provider = _provider(request, provider_id)
    if not has_permission(request.user, Permission.ACT_DUTIES_RECORD, provider=provider):
        raise PermissionDenied
    course = None
    if course_id is not None:
        course = selectors.course_of(provider, course_id)
        if course is None:
            raise Http404
    initial = (
        {name: getattr(course, name) for name in services.COURSE_FIELDS} if course else {"required": True}
    )
    form = CourseForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_save(
                provider=provider, by=request.user, course=course, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Course saved.")
            return redirect("act:training", provider_id=provider.pk)
    return render(
        request,
        "act/course_edit.jinja",
        {"provider": provider, "form": form, "course": course},
        status=400 if form.errors else 200,
    )
