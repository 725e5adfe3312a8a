"""Events and rebase decisions of a ward, and a provider's improvement aims. Views only authorise, call
selectors or services, and render.

Anyone who may see the ward (``Permission.WARD_VIEW``, ``accounts.scope.wards_for``) reads its events and
rebases; a ward outside their scope is a 404. Only those who may manage the ward's charts
(``Permission.CHART_EVENT_RECORD`` on the ward: ward managers and governance) record or withdraw them;
anyone else posting gets a 403.

A provider's aims are set and withdrawn by its governance (``Permission.AIM_SET`` on the provider) and
shown on its board report (``reports``), where these pages return to; a provider outside the person's scope
is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from rrp.accounts.permissions import has_permission, require_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import providers_for
from rrp.core.formatting import long_date
from rrp.core.forms import apply_errors
from rrp.core.http import FORM_METHODS
from rrp.improvement import selectors, services
from rrp.improvement.forms import (
    AimForm,
    ChartRebaseForm,
    ReasonRedactForm,
    WardEventForm,
    WardEventRedactForm,
    WithdrawForm,
)
from rrp.improvement.models import ChartRebase, Withdrawal
from rrp.measures.catalogue import all_measures
from rrp.organisations.models import Provider, Ward
from rrp.people.validation import nhs_number_display, nhs_numbers_in, without_nhs_numbers


def _ward(request: HttpRequest, ward_id: int) -> Ward:
    require_permission(request.user, Permission.WARD_VIEW)
    ward = selectors.ward_for(request.user, ward_id)
    if ward is None:
        raise Http404
    return ward


def _managed_ward(request: HttpRequest, ward_id: int) -> Ward:
    ward = _ward(request, ward_id)
    require_permission(request.user, Permission.CHART_EVENT_RECORD, ward=ward)
    return ward


@require_http_methods(FORM_METHODS)
def ward_events(request: HttpRequest, ward_id: int) -> HttpResponse:
    """The ward's events and rebase decisions (withdrawn ones marked), and the form to record an event."""
    ward = _ward(request, ward_id)
    can_manage = has_permission(request.user, Permission.CHART_EVENT_RECORD, ward=ward)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form = WardEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.ward_event_record(
                ward=ward,
                happened_on=data["happened_on"],
                label=data["label"],
                kind=data["kind"],
                description=data["description"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, f"Event \u201c{event.label}\u201d recorded: it is now on the ward's charts."
            )
            return redirect("improvement:ward-events", ward_id=ward.pk)
    status = 400 if form.errors else 200
    measures = all_measures()
    return render(
        request,
        "improvement/ward_events.jinja",
        {
            "ward": ward,
            "events": selectors.ward_events(ward.pk),
            "rebases": selectors.ward_rebases(ward.pk),
            "measure_names": {slug: definition.name for slug, definition in measures.items()},
            "can_manage": can_manage,
            "can_redact": has_permission(request.user, Permission.WARD_EVENT_REDACT, ward=ward),
            "form": form,
        },
        status=status,
    )


@require_http_methods(FORM_METHODS)
def rebase_new(request: HttpRequest, ward_id: int) -> HttpResponse:
    """Record a decision to start new limits on one measure's chart of the ward, with the reason."""
    ward = _managed_ward(request, ward_id)
    form = ChartRebaseForm(request.POST or None, initial={"measure_slug": request.GET.get("measure", "")})
    form.set_measures(all_measures())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.chart_rebase_record(
                ward=ward,
                measure_slug=data["measure_slug"],
                rebase_on=data["rebase_on"],
                reason=data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Rebase decision recorded: the chart has new limits from that date.")
            return redirect("improvement:ward-events", ward_id=ward.pk)
    status = 400 if form.errors else 200
    return render(request, "improvement/rebase_new.jinja", {"ward": ward, "form": form}, status=status)


def _withdraw(request: HttpRequest, ward: Ward, item, what: str) -> HttpResponse:
    if item is None:
        raise Http404
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw(item=item, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"The {what} is withdrawn: it stays in the list, marked withdrawn.")
            return redirect("improvement:ward-events", ward_id=ward.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "improvement/withdraw.jinja",
        {
            "ward": ward,
            "item": item,
            "what": what,
            "measure_name": _measure_name(getattr(item, "measure_slug", "")),
            "form": form,
        },
        status=status,
    )


def _measure_name(slug: str) -> str:
    definition = all_measures().get(slug)
    return definition.name if definition else slug


@require_http_methods(FORM_METHODS)
def event_withdraw(request: HttpRequest, ward_id: int, event_id: int) -> HttpResponse:
    ward = _managed_ward(request, ward_id)
    return _withdraw(request, ward, selectors.ward_event_for(request.user, ward, event_id), "event")


@require_http_methods(FORM_METHODS)
def event_redact(request: HttpRequest, ward_id: int, event_id: int) -> HttpResponse:
    """Governance takes a patient's name or NHS number out of an event's text (issue 13, item 7). The form
    starts from the text shown now with every NHS number it finds (modulus 11 checked) taken out, and says
    which it found: a hint, since names cannot be found this way and the person decides."""
    ward = _ward(request, ward_id)
    require_permission(request.user, Permission.WARD_EVENT_REDACT, ward=ward)
    event = selectors.ward_event_for(request.user, ward, event_id)
    if event is None:
        raise Http404
    found = [nhs_number_display(n) for n in nhs_numbers_in(f"{event.shown_label}\n{event.shown_description}")]
    initial = {
        "label": without_nhs_numbers(event.shown_label),
        "description": without_nhs_numbers(event.shown_description),
    }
    form = WardEventRedactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.ward_event_redact(event=event, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, "The event's text is redacted: it is shown with the new text from now on."
            )
            return redirect("improvement:ward-events", ward_id=ward.pk)
    status = 400 if form.errors else 200
    context = {"ward": ward, "event": event, "found": found, "form": form}
    return render(request, "improvement/event_redact.jinja", context, status=status)


@require_http_methods(FORM_METHODS)
def rebase_withdraw(request: HttpRequest, ward_id: int, rebase_id: int) -> HttpResponse:
    ward = _managed_ward(request, ward_id)
    return _withdraw(
        request, ward, selectors.ward_rebase_for(request.user, ward, rebase_id), "rebase decision"
    )


def _reason_redact(
    request: HttpRequest, ward: Ward, item: ChartRebase | Withdrawal | None, what: str
) -> HttpResponse:
    """Governance takes a patient's name or NHS number out of a rebase's or a withdrawal's reason (issue
    13, item 7), as ``event_redact`` does for an event: the form starts from the reason shown now with every
    NHS number found taken out, and says which it found."""
    if item is None:
        raise Http404
    found = [nhs_number_display(n) for n in nhs_numbers_in(item.shown_reason)]
    form = ReasonRedactForm(request.POST or None, initial={"text": without_nhs_numbers(item.shown_reason)})
    if request.method == "POST" and form.is_valid():
        try:
            services.reason_redact(item=item, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"The {what} is redacted: it is shown with the new text from now on.")
            return redirect("improvement:ward-events", ward_id=ward.pk)
    status = 400 if form.errors else 200
    context = {"ward": ward, "what": what, "subject": _redacted_subject(item), "found": found, "form": form}
    return render(request, "improvement/reason_redact.jinja", context, status=status)


def _redacted_subject(item: ChartRebase | Withdrawal) -> str:
    """What the reason belongs to, in words that hold none of the free text (an event's label may be the
    very text being redacted): "rebase of <measure> from <date>", "withdrawal of the event of <date>"."""
    if isinstance(item, Withdrawal):
        if item.event_id is not None:
            return f"withdrawal of the event of {long_date(item.event.happened_on)}"
        return f"withdrawal of the {_redacted_subject(item.rebase)}"
    return f"rebase of {_measure_name(item.measure_slug)} from {long_date(item.rebase_on)}"


def _redacting_ward(request: HttpRequest, ward_id: int) -> Ward:
    ward = _ward(request, ward_id)
    require_permission(request.user, Permission.WARD_EVENT_REDACT, ward=ward)
    return ward


@require_http_methods(FORM_METHODS)
def rebase_redact(request: HttpRequest, ward_id: int, rebase_id: int) -> HttpResponse:
    """Redact the reason of one of the ward's rebase decisions."""
    ward = _redacting_ward(request, ward_id)
    rebase = selectors.ward_rebase_for(request.user, ward, rebase_id)
    return _reason_redact(request, ward, rebase, "rebase decision's reason")


@require_http_methods(FORM_METHODS)
def withdrawal_redact(request: HttpRequest, ward_id: int, withdrawal_id: int) -> HttpResponse:
    """Redact the reason an event or a rebase decision of the ward was withdrawn."""
    ward = _redacting_ward(request, ward_id)
    withdrawal = selectors.ward_withdrawal_for(request.user, ward, withdrawal_id)
    return _reason_redact(request, ward, withdrawal, "withdrawal's reason")


# --- A provider's improvement aims (shown on its board report) ----------------------------------------


def _aims_provider(request: HttpRequest, provider_id: int) -> Provider:
    """The provider if the person may read its board report (where its aims show) and set its aims: 403
    without the permissions, 404 outside their scope."""
    require_permission(request.user, Permission.BOARD_REPORT_VIEW)
    provider = get_object_or_404(providers_for(request.user), pk=provider_id)
    require_permission(request.user, Permission.AIM_SET, provider=provider)
    return provider


@require_http_methods(FORM_METHODS)
def provider_aim_new(request: HttpRequest, provider_id: int) -> HttpResponse:
    """Record a reduction aim for the provider: its target then shows on the board."""
    provider = _aims_provider(request, provider_id)
    form = AimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.improvement_aim_record(
                provider=provider,
                by=request.user,
                **{**form.cleaned_data, "statement": form.cleaned_data["statement"] or ""},
            )
        except ValidationError as problem:
            apply_errors(form, problem)
        else:
            messages.success(request, "Aim recorded. Its target now shows on the board.")
            return redirect("reports:board", provider_id=provider.pk)
    status = 400 if form.errors else 200
    return render(
        request, "improvement/provider_aim_new.jinja", {"provider": provider, "form": form}, status=status
    )


@require_http_methods(FORM_METHODS)
def provider_aim_withdraw(request: HttpRequest, provider_id: int, aim_id: int) -> HttpResponse:
    """Withdraw a provider aim recorded by mistake, with a reason: it stops setting targets and showing
    progress on the board. As for events: 404 outside scope or for another provider's aim, 403 for those
    who may not set the provider's aims."""
    provider = _aims_provider(request, provider_id)
    aim = selectors.provider_aim_for(request.user, provider, aim_id)
    if aim is None:
        raise Http404
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw(item=aim, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as problem:
            apply_errors(form, problem)
        else:
            messages.success(
                request, f"Aim \u201c{aim.statement}\u201d withdrawn: it no longer sets targets on the board."
            )
            return redirect("reports:board", provider_id=provider.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "improvement/provider_aim_withdraw.jinja",
        {"provider": provider, "aim": aim, "measure_name": _measure_name(aim.measure_slug), "form": form},
        status=status,
    )
