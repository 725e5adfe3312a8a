"""Oversight pages (issue 17): recording an independent review of segregation with its recommendations,
the review's page, updating a recommendation's status with evidence, and the provider's recommendations
by status with the overdue ones first. Views only authorise, call selectors or services, and render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from rrp.accounts.permissions import permission_required, require_permission
from rrp.accounts.roles import Permission
from rrp.core.forms import apply_errors, form_page
from rrp.core.http import FORM_METHODS
from rrp.people.selectors import patient_get_for
from rrp.segregation import cetr, defacto, oversight, presenters
from rrp.segregation import oversight_selectors as selectors
from rrp.segregation.codes import ActionOwner, EpisodeKind
from rrp.segregation.forms import (
    CetrForm,
    CommissionerVisitForm,
    DeFactoDecisionForm,
    EndPlanForm,
    IndependentReviewForm,
    NamedAccessForm,
    RecommendationStatusForm,
    ReviewTextForm,
    RevokeForm,
)
from rrp.segregation.views import _episode, _provider


@require_http_methods(FORM_METHODS)
def independent_review_new(request: HttpRequest, episode_id: int) -> HttpResponse:
    state = _episode(request, episode_id)
    require_permission(request.user, Permission.SEGREGATION_RECORD, ward=state.episode.ward)
    if state.episode.kind != EpisodeKind.LONG_TERM_SEGREGATION:
        raise Http404
    form = IndependentReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = oversight.independent_review_record(
                episode=state.episode,
                by=request.user,
                held_on=data["held_on"],
                panel=form.panel(),
                person_views=data["person_views"],
                family_views=data["family_views"],
                findings=data["findings"],
                recommendations=form.recommendations(),
                decision=data["decision"],
                request=request,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Independent review recorded.")
            return redirect("segregation:independent-review", review_id=review.pk)
    return render(
        request,
        "segregation/independent_review_new.jinja",
        {"state": state, "episode": state.episode, "form": form},
        status=400 if form.errors else 200,
    )


@require_safe
def independent_review_page(request: HttpRequest, review_id: int) -> HttpResponse:
    require_permission(request.user, Permission.PATIENT_VIEW)
    record = selectors.independent_review_get_for(request.user, review_id, request=request)
    if record is None:
        raise Http404
    return render(
        request,
        "segregation/independent_review.jinja",
        {
            "record": record,
            "review": record.review,
            "episode": record.review.episode,
            "rows": presenters.recommendation_rows(record.recommendations),
        },
    )


@require_http_methods(FORM_METHODS)
def review_text_correct(request: HttpRequest, review_id: int) -> HttpResponse:
    """Correct a review's own text: a new version with the reason, the earlier ones kept."""
    require_permission(request.user, Permission.SEGREGATION_RECORD)
    record = selectors.independent_review_get_for(request.user, review_id, request=request)
    if record is None:
        raise Http404
    if not oversight.may_record_about_review(request.user, record.review):
        raise PermissionDenied
    text = record.text
    initial = {
        "person_views": text.person_views,
        "family_views": text.family_views,
        "findings": text.findings,
        "base_version": record.text_version,
    }
    form = ReviewTextForm(request.POST or None, initial=initial)

    def save() -> None:
        data = form.cleaned_data
        oversight.review_text_correct(
            review=record.review,
            by=request.user,
            person_views=data["person_views"],
            family_views=data["family_views"],
            findings=data["findings"],
            change_reason=data["change_reason"],
            base_version=data["base_version"],
            request=request,
        )

    return form_page(
        request,
        form,
        save=save,
        done=lambda _: redirect("segregation:independent-review", review_id=record.review.pk),
        template="segregation/review_text_correct.jinja",
        context={"review": record.review, "form": form},
        message="Review corrected.",
        stale=lambda _: (
            "Someone else corrected this review while you were editing it, so your correction was not saved. "
            "Check its text on the review, then save again to add yours."
        ),
        rebind=ReviewTextForm,
    )


@require_http_methods(FORM_METHODS)
def recommendation_status(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    """Record where a recommendation stands, with the evidence: a new update, the earlier kept."""
    require_permission(request.user, Permission.SEGREGATION_RECORD)
    state = selectors.recommendation_get_for(request.user, recommendation_id, request=request)
    if state is None:
        raise Http404
    review = state.recommendation.independent_review
    if not oversight.may_record_about_review(request.user, review):
        raise PermissionDenied
    form = RecommendationStatusForm(request.POST or None, initial={"base_version": state.version})
    save = _status_saver(request, form, state)

    return form_page(
        request,
        form,
        save=save,
        done=lambda _: redirect("segregation:independent-review", review_id=review.pk),
        template="segregation/recommendation_status.jinja",
        context={
            "state": state,
            "review": review,
            "row": presenters.recommendation_rows([state])[0],
            "form": form,
        },
        message="Recommendation updated.",
        stale=lambda _: (
            "Someone else updated this recommendation while you were editing it, so your update was not saved. "
            "Check its latest status on the review, then save again to add yours."
        ),
        rebind=RecommendationStatusForm,
    )


def _status_saver(request: HttpRequest, form: RecommendationStatusForm, state: Any) -> Callable[[], None]:
    """The save step of both recommendation-status pages (the provider's and the commissioner's): one
    append-only status update from the form, checked against the version the form showed."""

    def save() -> None:
        data = form.cleaned_data
        oversight.recommendation_status_set(
            recommendation=state.recommendation,
            by=request.user,
            status=data["status"],
            evidence=data["evidence"],
            base_version=data["base_version"],
            request=request,
        )

    return save


def _owner(request: HttpRequest) -> str | None:
    """The owner the list is narrowed to (``?owner=provider`` or ``commissioner``); None for everyone's,
    as for any other value."""
    owner = request.GET.get("owner", "")
    return owner if owner in ActionOwner.values else None


@require_safe
def provider_recommendations(request: HttpRequest, provider_id: int) -> HttpResponse:
    """The provider's recommendations from independent reviews, by status, overdue first; only the
    provider's own or only its commissioners' with ``?owner=``."""
    require_permission(request.user, Permission.PATIENT_VIEW)
    provider = _provider(request, provider_id)
    owner = _owner(request)
    states = selectors.recommendations_for_provider(request.user, provider, owner=owner, request=request)
    return render(
        request,
        "segregation/provider_recommendations.jinja",
        {
            "provider": provider,
            "rows": presenters.recommendation_rows(states),
            "counts": presenters.status_counts(states),
            "owners": presenters.owner_filter(owner, request.path),
        },
    )


@require_http_methods(FORM_METHODS)
def end_plan(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Write or change the plan to end a person's segregation: a new version, the earlier kept."""
    state = _episode(request, episode_id)
    require_permission(request.user, Permission.SEGREGATION_RECORD, ward=state.episode.ward)
    if state.episode.kind != EpisodeKind.LONG_TERM_SEGREGATION:
        raise Http404
    history = selectors.end_plan_history(state.episode)
    current = history[0] if history else None
    initial: dict = {"base_version": current.version.number if current else 0}
    if current:
        initial["aim"] = current.version.aim
        for i, step in enumerate(current.steps, start=1):
            initial |= {f"step_{i}_text": step.text, f"step_{i}_planned_on": step.planned_on}
            initial[f"step_{i}_done_on"] = step.done_on
    form = EndPlanForm(request.POST or None, initial=initial)

    def save() -> None:
        data = form.cleaned_data
        oversight.end_plan_set(
            episode=state.episode,
            by=request.user,
            aim=data["aim"],
            steps=form.steps(),
            change_reason=data["change_reason"],
            base_version=data["base_version"],
            request=request,
        )

    return form_page(
        request,
        form,
        save=save,
        done=lambda _: redirect("segregation:episode", episode_id=state.episode.pk),
        template="segregation/end_plan.jinja",
        context={"state": state, "episode": state.episode, "form": form, "current": current},
        message="Plan to end segregation saved.",
        stale=lambda refused: (
            f"Someone else changed this plan (version {refused.current}) while you were editing it, so your "
            "change was not saved. Check the plan on the episode, then save again to add yours on top."
        ),
        rebind=EndPlanForm,
    )


# --- Commissioners' named access (issue 17, item 3) ----------------------------------------------------


@require_http_methods(FORM_METHODS)
def named_access(request: HttpRequest, provider_id: int) -> HttpResponse:
    """The provider's named-access grants, and granting one (its governance only)."""
    require_permission(request.user, Permission.NAMED_ACCESS_GRANT)
    provider = _provider(request, provider_id)
    require_permission(request.user, Permission.NAMED_ACCESS_GRANT, provider=provider)
    form = NamedAccessForm(request.POST or None)
    form.set_choices(
        selectors.case_managers_for(request.user, provider).select_related("commissioner"),
        selectors.people_in_lts_at(request.user, provider),
    )
    if request.method == "POST" and form.is_valid():
        user, patient = form.chosen()
        data = form.cleaned_data
        try:
            oversight.named_access_grant(
                provider=provider,
                by=request.user,
                user=user,
                patient=patient,
                lawful_basis=data["lawful_basis"],
                basis_detail=data["basis_detail"],
                ends_on=data["ends_on"],
                request=request,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Named access granted.")
            return redirect("segregation:named-access", provider_id=provider.pk)
    return render(
        request,
        "segregation/named_access.jinja",
        {
            "provider": provider,
            "form": form,
            "grants": presenters.grant_rows(selectors.grants_for_provider(request.user, provider)),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(FORM_METHODS)
def named_access_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    require_permission(request.user, Permission.NAMED_ACCESS_GRANT)
    grant = selectors.grant_for(request.user, grant_id)
    if grant is None:
        raise Http404
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            oversight.named_access_revoke(
                grant=grant, by=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Named access revoked.")
            return redirect("segregation:named-access", provider_id=grant.provider_id)
    return render(
        request,
        "segregation/named_access_revoke.jinja",
        {"grant": grant, "row": presenters.grant_rows([grant])[0], "form": form},
        status=400 if form.errors else 200,
    )


@require_safe
@permission_required(Permission.COMMISSIONED_LTS_REGISTER_VIEW)
def commissioner_oversight(request: HttpRequest) -> HttpResponse:
    """A commissioner's start: who entered long-term segregation recently (the alert), the people they
    have named access to, and links to the register and recommendations."""
    return render(
        request,
        "segregation/commissioner_oversight.jinja",
        {
            "entries": presenters.entry_rows(
                selectors.lts_entries_for_commissioner(request.user, request=request)
            ),
            "alert_days": selectors.ALERT_DAYS,
            "overdue": presenters.overdue_by_owner(
                selectors.overdue_recommendations_for_commissioner(request.user),
                reverse("segregation:commissioner-recommendations"),
                first=ActionOwner.COMMISSIONER,
            ),
            "named": presenters.named_rows(selectors.named_people_for(request.user, request=request)),
        },
    )


@require_safe
@permission_required(Permission.NAMED_ACCESS_VIEW)
def named_person(request: HttpRequest, patient_id: int) -> HttpResponse:
    """One person by name, for a case manager with a grant in force (404 without one)."""
    person = selectors.named_person_for(request.user, patient_id, request=request)
    if person is None:
        raise Http404
    return render(
        request,
        "segregation/named_person.jinja",
        {
            "person": person,
            "patient": person.patient,
            "grant": presenters.grant_rows([person.grant])[0],
            "episodes": presenters.named_episode_rows(person),
            "reviews": person.reviews,
            "visits": person.visits,
            "recommendations": presenters.recommendation_rows(
                [r for record in person.reviews for r in record.recommendations]
            ),
        },
    )


@require_http_methods(FORM_METHODS)
@permission_required(Permission.NAMED_ACCESS_VIEW)
def commissioner_visit_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    """A case manager records a visit to a person they have named access to (404 without a grant)."""
    grant = selectors.active_grant_for(request.user, patient_id)
    if grant is None:
        raise Http404
    form = CommissionerVisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            oversight.commissioner_visit_record(
                patient_id=patient_id,
                by=request.user,
                visited_on=form.cleaned_data["visited_on"],
                notes=form.cleaned_data["notes"],
                request=request,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Visit recorded.")
            return redirect("segregation:named-person", patient_id=patient_id)
    return render(
        request,
        "segregation/commissioner_visit_new.jinja",
        {"patient": grant.patient, "form": form},
        status=400 if form.errors else 200,
    )


@require_safe
@permission_required(Permission.COMMISSIONED_LTS_REGISTER_VIEW)
def commissioner_recommendations(request: HttpRequest) -> HttpResponse:
    """The ICB's view of recommendations at the providers it commissions, by status, overdue first; only
    the commissioners' own or only the providers' with ``?owner=``."""
    owner = _owner(request)
    rows = selectors.recommendations_for_commissioner(request.user, owner=owner, request=request)
    return render(
        request,
        "segregation/commissioner_recommendations.jinja",
        {
            "rows": presenters.commissioned_recommendation_rows(rows),
            "counts": presenters.status_counts([r.state for r in rows]),
            "owners": presenters.owner_filter(owner, request.path),
        },
    )


@require_http_methods(FORM_METHODS)
@permission_required(Permission.COMMISSIONER_ACTION_RECORD)
def commissioner_recommendation_status(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    """A commissioner records where an action commissioners own stands, with the evidence (decision 0076):
    404 outside the providers their ICB commissions, 403 for the provider's own actions; the person by
    pseudonym unless they hold a grant."""
    found = selectors.commissioned_recommendation_get_for(request.user, recommendation_id, request=request)
    if found is None:
        raise Http404
    state = found.state
    if not oversight.may_update_recommendation(request.user, state.recommendation):
        raise PermissionDenied
    form = RecommendationStatusForm(request.POST or None, initial={"base_version": state.version})
    save = _status_saver(request, form, state)

    return form_page(
        request,
        form,
        save=save,
        done=lambda _: redirect(f"{reverse('segregation:commissioner-recommendations')}?owner=commissioner"),
        template="segregation/commissioner_recommendation_status.jinja",
        context={
            "row": presenters.commissioned_recommendation_rows([found])[0],
            "history": presenters.commissioned_history(found),
            "form": form,
        },
        message="Recommendation updated.",
        stale=lambda _: (
            "Someone else updated this recommendation while you were editing it, so your update was not saved. "
            "Check its latest status below, then save again to add yours."
        ),
        rebind=RecommendationStatusForm,
    )


# --- Possible de-facto segregation (issue 17, item 4) --------------------------------------------------


@require_safe
def possible_segregation(request: HttpRequest, provider_id: int) -> HttpResponse:
    """People who may be segregated without an episode recorded, open ones first."""
    require_permission(request.user, Permission.PATIENT_VIEW)
    provider = _provider(request, provider_id)
    found = selectors.possible_segregation_for(request.user, provider, request=request)
    return render(
        request,
        "segregation/possible_segregation.jinja",
        {
            "provider": provider,
            "rows": presenters.possible_rows(found),
            "rules": presenters.defacto_rules(),
            "lookback": defacto.LOOKBACK_DAYS,
        },
    )


@require_http_methods(FORM_METHODS)
def defacto_decision(request: HttpRequest, provider_id: int, patient_id: int) -> HttpResponse:
    """Record a decision, with reasons, about one flagged person."""
    require_permission(request.user, Permission.SEGREGATION_RECORD)
    provider = _provider(request, provider_id)
    patient = patient_get_for(request.user, patient_id, request=request)
    if patient is None or patient.provider_id != provider.pk:
        raise Http404
    found = selectors.possible_segregation_of(request.user, provider, patient)
    row = presenters.possible_rows([found])[0] if found else None
    form = DeFactoDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            oversight.defacto_decision_record(
                provider=provider,
                patient=patient,
                by=request.user,
                flags="; ".join(row["flags"]) if row else "No flag at the time of the decision",
                outcome=form.cleaned_data["outcome"],
                reasons=form.cleaned_data["reasons"],
                request=request,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("segregation:possible-segregation", provider_id=provider.pk)
    return render(
        request,
        "segregation/defacto_decision.jinja",
        {
            "provider": provider,
            "patient": patient,
            "row": row,
            "form": form,
            "history": selectors.decisions_for_patient(provider, patient),
        },
        status=400 if form.errors else 200,
    )


# --- Care (Education) and Treatment Reviews (issue 17, items 1 and 2) ----------------------------------


@require_http_methods(FORM_METHODS)
def cetr_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Record a C(E)TR of an inpatient with a learning disability or autism, with its recommendations."""
    require_permission(request.user, Permission.SEGREGATION_RECORD)
    patient = patient_get_for(request.user, patient_id, request=request)
    if patient is None:
        raise Http404
    if not oversight.may_record_about(request.user, patient):
        raise PermissionDenied
    form = CetrForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = oversight.cetr_record(
                patient=patient,
                by=request.user,
                held_on=data["held_on"],
                panel=form.panel(),
                person_views=data["person_views"],
                family_views=data["family_views"],
                findings=data["findings"],
                recommendations=form.recommendations(),
                request=request,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "C(E)TR recorded.")
            return redirect("segregation:independent-review", review_id=review.pk)
    return render(
        request,
        "segregation/cetr_new.jinja",
        {"patient": patient, "form": form},
        status=400 if form.errors else 200,
    )


@require_safe
def cetr_schedule(request: HttpRequest, provider_id: int) -> HttpResponse:
    """The provider's C(E)TR schedule: every inpatient with a learning disability or autism, overdue
    first, then due soon, then later."""
    require_permission(request.user, Permission.PATIENT_VIEW)
    provider = _provider(request, provider_id)
    schedule = selectors.cetr_schedule_for(request.user, provider, request=request)
    return render(
        request,
        "segregation/cetr_schedule.jinja",
        {
            "provider": provider,
            "schedule": schedule,
            "overdue": presenters.cetr_rows(schedule.overdue),
            "due_soon": presenters.cetr_rows(schedule.due_soon),
            "later": presenters.cetr_rows(schedule.later),
            "groups": cetr.GROUP_LABELS,
            "post_admission_days": cetr.POST_ADMISSION_DAYS,
            "due_soon_days": cetr.DUE_SOON_DAYS,
        },
    )
