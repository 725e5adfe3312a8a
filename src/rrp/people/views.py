"""Patient list and patient pages, scoped to the reader and audited."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rrp.accounts.permissions import has_permission, permission_required, require_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import providers_for
from rrp.core.concurrency import StaleVersion
from rrp.core.http import FORM_METHODS
from rrp.core.services import audit_list
from rrp.organisations.models import Ward
from rrp.people import feeds as services_feeds
from rrp.people import selectors, services
from rrp.people.adt import held_retry
from rrp.people.forms import PatientMergeForm, RightsInformationForm, SupportPlanForm, VoiceCheckForm
from rrp.people.models import Patient


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
    patient = selectors.patient_get_for(request.user, patient_id, request=request, merged_through_kept=True)
    if patient is None:
        raise Http404
    stays = patient.ward_stays.select_related("ward").order_by("-started_at")[:50]
    identities = selectors.patient_identities(patient)
    # New records go on the record kept, never on an identity merged into it.
    may_write = (
        has_permission(request.user, Permission.PATIENT_SUPPORT_RECORD) and patient.merged_into_id is None
    )
    return render(
        request,
        "people/patient_detail.jinja",
        {
            "patient": patient,
            "stays": stays,
            # Identities merged into this record: their stays moved here; what was recorded under them
            # stays on them and is listed here with theirs (decision 0053).
            "merged_from": selectors.merged_identities(identities),
            "records": selectors.patient_records(request.user, patient, identities),
            "plan": selectors.support_plan_current(patient),
            "merged_plans": selectors.merged_support_plans(identities),
            "reviews": selectors.plan_reviews_open(patient),
            "rights": selectors.rights_information_of(patient, identities),
            "may_write": may_write,
            "may_merge": has_permission(
                request.user, Permission.PATIENT_FEED_MANAGE, provider=patient.provider
            ),
            "today": timezone.localdate(),
        },
    )


def _patient(request: HttpRequest, patient_id: int) -> Patient:
    patient = selectors.patient_get_for(request.user, patient_id, request=request)
    if patient is None:
        raise Http404
    return patient


@require_safe
@permission_required(Permission.PATIENT_VIEW)
def support_plan(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's current support plan, with its review date and every earlier version. A merged
    identity's plan is read from the record kept's page too (decision 0082)."""
    patient = selectors.patient_get_for(request.user, patient_id, request=request, merged_through_kept=True)
    if patient is None:
        raise Http404
    versions = selectors.support_plan_versions(patient)
    if versions:
        selectors.support_plan_audit_view(request.user, versions[0], request=request)
    return render(
        request,
        "people/support_plan.jinja",
        {
            "patient": patient,
            "plan": versions[0] if versions else None,
            "versions": versions,
            "reviews": selectors.plan_reviews_open(patient),
            "today": timezone.localdate(),
            "may_write": has_permission(request.user, Permission.PATIENT_SUPPORT_RECORD)
            and patient.merged_into_id is None,
        },
    )


@require_http_methods(FORM_METHODS)
@permission_required(Permission.PATIENT_SUPPORT_RECORD)
def support_plan_change(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Write the first plan, or revise or review the current one (a new version, with a reason)."""
    patient = _patient(request, patient_id)
    current = selectors.support_plan_current(patient)
    if current is not None and request.method == "GET":
        selectors.support_plan_audit_view(request.user, current, request=request, where="plan change page")
    posted = request.POST if request.method == "POST" else None
    form = SupportPlanForm(posted, initial=SupportPlanForm.initial_from(current))
    base = current.number if current else 0
    if posted is not None and posted.get("base_version", "").strip().isdigit():
        base = int(posted["base_version"])
    general: list[str] = []
    status = 200
    if posted is not None and form.is_valid():
        try:
            services.support_plan_record(
                patient=patient,
                by=request.user,
                base_version=base,
                change_reason=form.cleaned_data.get("change_reason") or "",
                request=request,
                **form.content(),
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as problem:
            for name, problems in problem.message_dict.items():
                for message in problems:
                    if name in form.fields:
                        form.add_error(name, message)
                    else:
                        general.append(message)
        except StaleVersion as stale:
            general.append(str(stale))
            base = stale.current
            status = 409
        else:
            messages.success(request, "Support plan saved.")
            return redirect("people:support-plan", patient_id=patient.pk)
    errors = [{"text": message, "href": "#plan-form"} for message in general] + [
        {"text": str(message), "href": f"#{form[name].auto_id}"}
        for name, problems in form.errors.items()
        if name in form.fields
        for message in problems
    ]
    if errors and status == 200:
        status = 400
    return render(
        request,
        "people/support_plan_change.jinja",
        {
            "patient": patient,
            "plan": current,
            "form": form,
            "errors": errors,
            "base_version": base,
            "reviews": selectors.plan_reviews_open(patient),
        },
        status=status,
    )


@require_http_methods(FORM_METHODS)
@permission_required(Permission.PATIENT_SUPPORT_RECORD)
def rights_information_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Record that information about the use of force was given (Use of Force Act s4), or why not."""
    patient = _patient(request, patient_id)
    posted = request.POST if request.method == "POST" else None
    form = RightsInformationForm(
        posted,
        initial={
            "given_date": timezone.localdate().isoformat(),
            "occasion": "admission",
            "recipient": "patient",
        },
    )
    if posted is not None and form.is_valid():
        try:
            services.rights_information_record(
                patient=patient, by=request.user, request=request, **form.content()
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as problem:
            target = {"given_at": "given_date"}
            for name, problems in problem.message_dict.items():
                for message in problems:
                    form.add_error(
                        target.get(name, name) if target.get(name, name) in form.fields else None, message
                    )
        else:
            messages.success(request, "Information about the use of force recorded.")
            return redirect("people:patient-detail", patient_id=patient.pk)
    errors = [
        {"text": str(message), "href": f"#{form[name].auto_id}" if name in form.fields else "#rights-form"}
        for name, problems in form.errors.items()
        for message in problems
    ]
    return render(
        request,
        "people/rights_information_add.jinja",
        {"patient": patient, "form": form, "errors": errors},
        status=400 if errors else 200,
    )


def _voice_ward(request: HttpRequest, ward_id: int) -> Ward:
    """The ward if the user may collect its weekly check (their own ward's tablet), else 404."""
    ward = selectors.ward_for_voice(request.user, ward_id)
    if ward is None:
        raise Http404
    require_permission(request.user, Permission.PATIENT_SUPPORT_RECORD, ward=ward)
    return ward


@require_http_methods(FORM_METHODS)
@permission_required(Permission.PATIENT_SUPPORT_RECORD)
def voice_check(request: HttpRequest, ward_id: int, easy_read: bool = False) -> HttpResponse:
    """The weekly check on the ward's tablet (issue 15 item 3), in standard or easy read words."""
    ward = _voice_ward(request, ward_id)
    posted = request.POST if request.method == "POST" else None
    form = VoiceCheckForm(posted)
    if easy_read:
        form.easy_read()
    if posted is not None and form.is_valid():
        data = form.cleaned_data
        try:
            services.voice_check_record(
                ward=ward,
                by=request.user,
                felt_safe=data.get("felt_safe") or "",
                respected=data.get("respected") or "",
                comment=data.get("comment") or "",
                with_support=bool(data.get("with_support")),
                easy_read=easy_read,
                request=request,
            )
        except ValidationError as problem:
            for name, problems in problem.message_dict.items():
                for message in problems:
                    form.add_error(name if name in form.fields else None, message)
        else:
            return redirect("people:voice-thanks", ward_id=ward.pk)
    errors = [
        {"text": str(message), "href": f"#{form[name].auto_id}" if name in form.fields else "#voice-form"}
        for name, problems in form.errors.items()
        for message in problems
    ]
    return render(
        request,
        "people/voice_check.jinja",
        {"ward": ward, "form": form, "errors": errors, "easy_read": easy_read},
        status=400 if errors else 200,
    )


@require_safe
@permission_required(Permission.PATIENT_SUPPORT_RECORD)
def voice_thanks(request: HttpRequest, ward_id: int) -> HttpResponse:
    ward = _voice_ward(request, ward_id)
    return render(request, "people/voice_thanks.jinja", {"ward": ward})


@require_safe
@permission_required(Permission.HUDDLE_VIEW)
def voice_comments(request: HttpRequest, ward_id: int) -> HttpResponse:
    """What patients wrote in the weekly check in the last eight weeks: for the ward team only."""
    ward = selectors.ward_for_voice(request.user, ward_id)
    if ward is None:
        raise Http404
    require_permission(request.user, Permission.PATIENT_VIEW, ward=ward)
    return render(
        request,
        "people/voice_comments.jinja",
        {"ward": ward, "checks": selectors.voice_comments(request.user, ward, request=request)},
    )


@require_safe
@permission_required(Permission.PATIENT_FEED_MANAGE)
def feed_held(request: HttpRequest) -> HttpResponse:
    """The patient administration feed's held messages (out of order, an unknown ward, ...), each with the
    reason, for the information team and governance: none is dropped, and each is applied again when what it
    waits for arrives, or when someone presses "Try again" after putting the cause right."""
    page = Paginator(selectors.held_messages_for(request.user), 50).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    audit_list(
        actor=request.user,
        records=shown,
        record_type="people.FeedMessage",
        label="Held patient administration messages",
        request=request,
        detail=lambda group: {"control_ids": [m.control_id for m in group]},
    )
    return render(
        request,
        "people/feed_held.jinja",
        {"page": page, "held": shown, "summary": selectors.feed_summary_for(request.user)},
    )


@require_POST
@permission_required(Permission.PATIENT_FEED_MANAGE)
def feed_retry(request: HttpRequest) -> HttpResponse:
    """Apply the held messages of the user's providers again, now that a ward was added or a message
    arrived; say how many were applied and how many still wait."""
    released = 0
    for provider in providers_for(request.user):
        released += len(held_retry(provider=provider, by=request.user, request=request))
    waiting = selectors.held_messages_for(request.user).count()
    messages.success(request, f"{released} held message(s) applied; {waiting} still held.")
    return redirect("people:feed-held")


@require_http_methods(FORM_METHODS)
@permission_required(Permission.PATIENT_FEED_MANAGE)
def patient_merge_view(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Merge this patient's record into another record of the same person (as the patient administration
    system's A40 does): the spells and stays move to the record kept, and this one is kept, marked merged,
    with its incidents, plans and audit trail."""
    patient = _patient(request, patient_id)
    require_permission(request.user, Permission.PATIENT_FEED_MANAGE, provider=patient.provider)
    form = PatientMergeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        surviving = (
            selectors.patients_for(request.user)
            .filter(provider=patient.provider, local_identifier=form.cleaned_data["surviving"].strip())
            .first()
        )
        if patient.merged_into_id is not None:
            form.add_error(None, "This record has already been merged into another")
        elif surviving is None:
            form.add_error("surviving", "No other patient of this provider has that local identifier")
        elif surviving.pk == patient.pk:
            form.add_error("surviving", "Enter the identifier of the other record, not this one")
        elif surviving.merged_into_id is not None:
            form.add_error(
                "surviving", "That record has itself been merged: enter the record it was merged into"
            )
        else:
            services_feeds.patient_merge(
                prior=patient,
                surviving=surviving,
                by=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
            messages.success(request, f"Record {patient.local_identifier} merged into this one.")
            return redirect("people:patient-detail", patient_id=surviving.pk)
    errors = [
        {"text": str(message), "href": f"#{form[name].auto_id}" if name in form.fields else "#merge-form"}
        for name, problems in form.errors.items()
        for message in problems
    ]
    return render(
        request,
        "people/patient_merge.jinja",
        {"patient": patient, "form": form, "errors": errors},
        status=400 if errors else 200,
    )
