"""Oversight pages (issue 17): recording an independent review of segregation with its recommendations,
the review's page, updating a recommendation's status with evidence, and the provider's recommendations
by status with the overdue ones first. Views only authorise, call selectors or services, and render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from rrp.accounts.permissions import require_permission
from rrp.accounts.roles import Permission
from rrp.core.concurrency import StaleVersion
from rrp.core.forms import apply_errors
from rrp.core.http import FORM_METHODS
from rrp.segregation import oversight, presenters
from rrp.segregation import oversight_selectors as selectors
from rrp.segregation.codes import EpisodeKind
from rrp.segregation.forms import EndPlanForm, IndependentReviewForm, RecommendationStatusForm
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
def recommendation_status(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    """Record where a recommendation stands, with the evidence: a new update, the earlier kept."""
    require_permission(request.user, Permission.SEGREGATION_RECORD)
    state = selectors.recommendation_get_for(request.user, recommendation_id, request=request)
    if state is None:
        raise Http404
    review = state.recommendation.independent_review
    require_permission(request.user, Permission.SEGREGATION_RECORD, ward=review.episode.ward)
    form = RecommendationStatusForm(request.POST or None, initial={"base_version": state.version})
    stale = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            oversight.recommendation_status_set(
                recommendation=state.recommendation,
                by=request.user,
                status=data["status"],
                evidence=data["evidence"],
                base_version=data["base_version"],
                request=request,
            )
        except StaleVersion as refused:
            stale = refused
            posted = request.POST.copy()
            posted["base_version"] = str(refused.current)
            form = RecommendationStatusForm(posted)
            form.is_valid()
            form.add_error(
                None,
                "Someone else updated this recommendation while you were editing it, so your update was not "
                "saved. Check its latest status on the review, then save again to add yours.",
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Recommendation updated.")
            return redirect("segregation:independent-review", review_id=review.pk)
    return render(
        request,
        "segregation/recommendation_status.jinja",
        {"state": state, "review": review, "row": presenters.recommendation_rows([state])[0], "form": form},
        status=409 if stale else 400 if form.errors else 200,
    )


@require_safe
def provider_recommendations(request: HttpRequest, provider_id: int) -> HttpResponse:
    """The provider's recommendations from independent reviews, by status, overdue first."""
    require_permission(request.user, Permission.PATIENT_VIEW)
    provider = _provider(request, provider_id)
    states = selectors.recommendations_for_provider(request.user, provider, request=request)
    return render(
        request,
        "segregation/provider_recommendations.jinja",
        {
            "provider": provider,
            "rows": presenters.recommendation_rows(states),
            "counts": presenters.status_counts(states),
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
    stale = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            oversight.end_plan_set(
                episode=state.episode,
                by=request.user,
                aim=data["aim"],
                steps=form.steps(),
                change_reason=data["change_reason"],
                base_version=data["base_version"],
                request=request,
            )
        except StaleVersion as refused:
            stale = refused
            posted = request.POST.copy()
            posted["base_version"] = str(refused.current)
            form = EndPlanForm(posted)
            form.is_valid()
            form.add_error(
                None,
                f"Someone else changed this plan (version {refused.current}) while you were editing it, so your "
                "change was not saved. Check the plan on the episode, then save again to add yours on top.",
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Plan to end segregation saved.")
            return redirect("segregation:episode", episode_id=state.episode.pk)
    return render(
        request,
        "segregation/end_plan.jinja",
        {"state": state, "episode": state.episode, "form": form, "current": current},
        status=409 if stale else 400 if form.errors else 200,
    )
