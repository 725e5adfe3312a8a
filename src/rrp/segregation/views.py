"""Seclusion and segregation pages. Views only authorise (``accounts.permissions``), call selectors or
services, and render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from rrp.accounts.permissions import has_permission, permission_required, require_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import patient_wards_for
from rrp.core.forms import apply_errors, form_page
from rrp.core.http import FORM_METHODS
from rrp.segregation import oversight, oversight_selectors, presenters, selectors, services
from rrp.segregation.codes import REVIEWS_FOR_KIND, ActionOwner, EpisodeKind
from rrp.segregation.forms import (
    AmendForm,
    EndForm,
    EpisodeForm,
    ObservationForm,
    PatientFindForm,
    ReviewForm,
    review_rules_form_class,
)


@require_safe
@permission_required(Permission.WARD_VIEW)
def index(request: HttpRequest) -> HttpResponse:
    """Where to start: the user's wards and providers, or the commissioner's pseudonymised register."""
    user = request.user
    sees_patients = has_permission(user, Permission.PATIENT_VIEW)
    return render(
        request,
        "segregation/index.jinja",
        {
            "wards": patient_wards_for(user).select_related("provider").order_by("provider__name", "name")
            if sees_patients
            else [],
            "providers": selectors.providers_with_episodes_for(user) if sees_patients else [],
        },
    )


def _ward(request: HttpRequest, ward_id: int):
    require_permission(request.user, Permission.PATIENT_VIEW)
    ward = selectors.ward_for(request.user, ward_id)
    if ward is None:
        raise Http404
    return ward


def _provider(request: HttpRequest, provider_id: int):
    provider = selectors.provider_for(request.user, provider_id)
    if provider is None:
        raise Http404
    return provider


def _episode(request: HttpRequest, episode_id: int) -> selectors.EpisodeState:
    require_permission(request.user, Permission.PATIENT_VIEW)
    state = selectors.episode_get_for(request.user, episode_id, request=request)
    if state is None:
        raise Http404
    return state


@require_safe
def ward_page(request: HttpRequest, ward_id: int) -> HttpResponse:
    ward = _ward(request, ward_id)
    states = selectors.active_for_ward(request.user, ward, request=request)
    return render(
        request,
        "segregation/ward.jinja",
        {"ward": ward, "rows": presenters.active_rows(states)},
    )


@require_safe
def provider_page(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = _provider(request, provider_id)
    states = selectors.active_for_provider(request.user, provider, request=request)
    missed = selectors.ended_with_missed_for_provider(request.user, provider, request=request)
    rt = selectors.rt_overdue_for_provider(request.user, provider)
    return render(
        request,
        "segregation/provider.jinja",
        {
            "provider": provider,
            "rows": presenters.active_rows(states),
            "overdue": presenters.overdue_rows(states),
            "missed": presenters.missed_rows(missed),
            "rt": presenters.rt_rows(rt),
            "recent_days": selectors.ENDED_RECENTLY_DAYS,
            "recommendations_overdue": presenters.overdue_by_owner(
                oversight_selectors.overdue_recommendations_for_provider(request.user, provider),
                reverse("segregation:provider-recommendations", args=[provider.pk]),
                first=ActionOwner.PROVIDER,
            ),
        },
    )


@require_http_methods(FORM_METHODS)
def episode_new(request: HttpRequest, ward_id: int) -> HttpResponse:
    ward = _ward(request, ward_id)
    require_permission(request.user, Permission.SEGREGATION_RECORD)
    patient_id = (request.POST or request.GET).get("patient", "")
    recent = (
        selectors.recent_incidents_for(request.user, ward, int(patient_id))
        if patient_id.isdigit() and int(patient_id) < 2**63
        else []
    )
    asked = request.GET.get("incident", "")
    # An episode recorded from its incident (or started just after one) is offered that incident.
    offered = asked if asked.isdigit() else (str(recent[0].pk) if len(recent) == 1 else "")
    form = EpisodeForm(
        request.POST or None, initial={"patient": request.GET.get("patient", ""), "incident": offered}
    )
    form.set_patients(selectors.patients_for_ward(request.user, ward))
    find = PatientFindForm(request.GET or None)
    query = find.cleaned_data.get("q", "").strip() if find.is_bound and find.is_valid() else ""
    form.set_staff(selectors.staff_for_ward(request.user, ward))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        incident = None
        if data["incident"]:
            incident = selectors.incident_for(request.user, data["incident"])
            if incident is None:
                form.add_error("incident", "No incident with this number on your wards")
        if not form.errors:
            try:
                episode = services.episode_start(
                    ward=ward,
                    patient=form.patient_obj(),
                    kind=data["kind"],
                    by=request.user,
                    started_at=data["started_at"],
                    place=data["place"],
                    reason=data["reason"],
                    end_plan=data["end_plan"],
                    authorised_by=form.staff_member("authorised_by"),
                    incident=incident,
                    mdt_decision=data["mdt_decision"]
                    if data["kind"] == EpisodeKind.LONG_TERM_SEGREGATION
                    else "",
                    mdt_decided_at=data["started_at"]
                    if data["kind"] == EpisodeKind.LONG_TERM_SEGREGATION
                    else None,
                    commissioner_representative=data["commissioner_representative"]
                    if data["kind"] == EpisodeKind.LONG_TERM_SEGREGATION
                    else "",
                    request=request,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"{episode.get_kind_display()} recorded.")
                return redirect("segregation:episode", episode_id=episode.pk)
    status = 400 if form.errors else 200
    chosen = str(form["patient"].value() or "")
    choices = selectors.patient_choices(request.user, ward, query=query, chosen=chosen, request=request)
    return render(
        request,
        "segregation/episode_new.jinja",
        {
            "ward": ward,
            "form": form,
            "find": find,
            "query": query,
            "patient_items": presenters.patient_items(choices, chosen=chosen),
            "recent": recent,
        },
        status=status,
    )


@require_safe
def episode_page(request: HttpRequest, episode_id: int) -> HttpResponse:
    state = _episode(request, episode_id)
    lts = state.episode.kind == EpisodeKind.LONG_TERM_SEGREGATION
    plans = oversight_selectors.end_plan_history(state.episode) if lts else []
    return render(
        request,
        "segregation/episode.jinja",
        {
            "state": state,
            "episode": state.episode,
            "version": state.version,
            "due": presenters.due_rows(state),
            "reviews": presenters.review_rows(state),
            "missed": presenters.checks_missed_text(state.checks),
            "versions": selectors.episode_versions(state.episode),
            "independent_reviews": oversight_selectors.independent_reviews_for_episode(state.episode)
            if lts
            else [],
            "plans": plans,
            "late_steps": plans[0].late_steps(timezone.localdate()) if plans else [],
        },
    )


def _record(request: HttpRequest, episode_id: int, form_class, template: str, save, success: str, setup=None):
    state = _episode(request, episode_id)
    if not has_permission(request.user, Permission.SEGREGATION_RECORD) or not state.active:
        raise PermissionDenied
    form = form_class(request.POST or None)
    if hasattr(form, "set_staff"):
        form.set_staff(selectors.staff_for_ward(request.user, state.episode.ward))
    if setup:
        setup(form, state)
    if request.method == "POST" and form.is_valid():
        try:
            save(form, state)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("segregation:episode", episode_id=state.episode.pk)
    status = 400 if form.errors else 200
    return render(request, template, {"state": state, "episode": state.episode, "form": form}, status=status)


@require_http_methods(FORM_METHODS)
def review_new(request: HttpRequest, episode_id: int) -> HttpResponse:
    def setup(form, state):
        form.set_kinds(REVIEWS_FOR_KIND[state.episode.kind])
        if not form.is_bound:
            form.initial["kind"] = request.GET.get("kind", "")
            form.initial["at"] = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    def save(form, state):
        data = form.cleaned_data
        services.review_record(
            episode=state.episode,
            kind=data["kind"],
            at=data["at"],
            by=request.user,
            outcome=data["outcome"],
            decision=data["decision"],
            reviewer=form.staff_member("reviewer"),
            reviewer_name=data["reviewer_name"],
            reviewer_role=data["reviewer_role"],
            second_reviewer=form.staff_member("second_reviewer"),
            request=request,
        )

    return _record(
        request, episode_id, ReviewForm, "segregation/review_new.jinja", save, "Review recorded.", setup
    )


@require_http_methods(FORM_METHODS)
def observation_new(request: HttpRequest, episode_id: int) -> HttpResponse:
    def setup(form, state):
        if not form.is_bound:
            form.initial["at"] = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    def save(form, state):
        services.observation_record(
            episode=state.episode,
            at=form.cleaned_data["at"],
            by=request.user,
            note=form.cleaned_data["note"],
            observer=form.staff_member("observer"),
            request=request,
        )

    return _record(
        request,
        episode_id,
        ObservationForm,
        "segregation/observation_new.jinja",
        save,
        "Observation recorded.",
        setup,
    )


@require_http_methods(FORM_METHODS)
def episode_end(request: HttpRequest, episode_id: int) -> HttpResponse:
    def save(form, state):
        services.episode_end(
            episode=state.episode,
            by=request.user,
            ended_at=form.cleaned_data["ended_at"],
            end_reason=form.cleaned_data["end_reason"],
            request=request,
        )

    return _record(request, episode_id, EndForm, "segregation/episode_end.jinja", save, "Episode ended.")


@require_safe
def lts_register(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = _provider(request, provider_id)
    rows = selectors.lts_register(request.user, provider, request=request)
    return render(
        request,
        "segregation/lts_register.jinja",
        {"provider": provider, "rows": presenters.register_rows(rows)},
    )


@require_safe
@permission_required(Permission.COMMISSIONED_LTS_REGISTER_VIEW)
def lts_register_commissioner(request: HttpRequest) -> HttpResponse:
    by_provider = selectors.lts_register_pseudonymised(request.user, request=request)
    return render(
        request,
        "segregation/lts_register_pseudonymised.jinja",
        {"providers": [(p, presenters.register_rows(rows)) for p, rows in by_provider.items()]},
    )


@require_safe
@permission_required(Permission.PATIENT_VIEW)
def patient_summary(request: HttpRequest, patient_id: int) -> HttpResponse:
    summary = selectors.patient_summary(request.user, patient_id, request=request)
    if summary is None:
        raise Http404
    episode_ids = [s.episode.pk for s in summary.states]
    reviews = oversight_selectors.reviews_for_episodes(episode_ids)
    cetrs = oversight_selectors.cetrs_for_patient(summary.patient)
    lts_now = [s for s in summary.states if s.active and s.episode.kind == EpisodeKind.LONG_TERM_SEGREGATION]
    plans = oversight_selectors.end_plans(s.episode.pk for s in lts_now)
    return render(
        request,
        "segregation/patient.jinja",
        {
            "summary": summary,
            "patient": summary.patient,
            "rows": presenters.history_rows(summary.states),
            "reviews": reviews,
            "cetrs": cetrs,
            "visits": oversight_selectors.visits_for(summary.patient, summary.patient.provider_id),
            "can_record_cetr": oversight.may_record_about(request.user, summary.patient),
            "recommendations": presenters.recommendation_rows(
                [r for rec in [*reviews, *cetrs] for r in rec.recommendations]
            ),
            "lts_now": [(s, plans.get(s.episode.pk)) for s in lts_now],
        },
    )


@require_http_methods(FORM_METHODS)
def episode_amend(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Correct an episode's record: a new version with who, when and why; the old one is kept."""
    state = _episode(request, episode_id)
    require_permission(request.user, Permission.SEGREGATION_RECORD)
    v = state.version
    initial = {
        "started_at": timezone.localtime(v.started_at).strftime("%Y-%m-%dT%H:%M"),
        "place": v.place,
        "reason_text": v.reason,
        "end_plan": v.end_plan,
        "mdt_decision": v.mdt_decision,
        "commissioner_representative": v.commissioner_representative,
        "base_version": v.number,
    }
    form = AmendForm(request.POST or None, initial=initial)
    # The form calls the change's reason "reason" and the episode's own reason "reason_text".
    names = {"change_reason": "reason", "reason": "reason_text"}

    def save() -> None:
        data = form.cleaned_data
        services.episode_amend(
            episode=state.episode,
            by=request.user,
            change_reason=data["reason"],
            base_version=data["base_version"],
            request=request,
            started_at=data["started_at"],
            place=data["place"],
            reason=data["reason_text"],
            end_plan=data["end_plan"],
            mdt_decision=data["mdt_decision"],
            commissioner_representative=data["commissioner_representative"],
        )

    return form_page(
        request,
        form,
        save=save,
        done=lambda _: redirect("segregation:episode", episode_id=state.episode.pk),
        template="segregation/episode_amend.jinja",
        context={"state": state, "episode": state.episode, "form": form},
        message="Record corrected: a new version was added.",
        field_for=lambda name: target if (target := names.get(name, name)) in form.fields else None,
        stale=lambda refused: (
            f"Someone else corrected this record (version {refused.current}) while you were editing it, so your "
            "correction was not saved. Check the record, then save again to add yours on top."
        ),
        rebind=lambda posted: AmendForm(posted, initial=initial),
    )


@require_http_methods(FORM_METHODS)
def review_rules(request: HttpRequest, provider_id: int) -> HttpResponse:
    """The provider's review intervals: shown to everyone who sees the provider's episodes, changed by
    its governance team."""
    provider = _provider(request, provider_id)
    can_change = has_permission(request.user, Permission.REVIEW_RULES_SET, provider=provider)
    labels = selectors.review_rule_labels()
    current = services.rules_for(provider.pk)
    form_class = review_rules_form_class(labels)
    form = form_class(
        request.POST if request.method == "POST" and can_change else None,
        initial={name: getattr(current, name) for name in labels},
    )
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            changed = {k: v for k, v in form.cleaned_data.items() if v != getattr(current, k)}
            try:
                if changed:
                    services.review_rules_set(provider=provider, by=request.user, request=request, **changed)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"Review rules saved ({len(changed)} changed).")
                return redirect("segregation:review-rules", provider_id=provider.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "segregation/review_rules.jinja",
        {"provider": provider, "form": form, "can_change": can_change, "current": current, "labels": labels},
        status=status,
    )
