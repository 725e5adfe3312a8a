"""Pages of the Act's duties: a provider's responsible person, delegations and policy, seen by everyone
who sees the provider, recorded by its governance team (``Permission.ACT_DUTIES_RECORD``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from rrp.accounts.permissions import has_permission, permission_required
from rrp.accounts.roles import Permission
from rrp.act import selectors, services, training
from rrp.act.forms import AppointmentForm, DelegationForm, PolicyVersionForm
from rrp.act.models import TrainingTopic
from rrp.core.forms import apply_errors
from rrp.core.http import FORM_METHODS
from rrp.organisations.models import Provider


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
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            service(provider=provider, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("act:provider", provider_id=provider.pk)
    return render(request, template, {"provider": provider, "form": form}, status=400 if form.errors else 200)


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
        },
    )
