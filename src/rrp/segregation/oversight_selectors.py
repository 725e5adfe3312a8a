"""Reading oversight records (issue 17): independent reviews and their recommendations, always through
the reader's scope (the wards whose patients they see), auditing every view that names a person.

A recommendation's status is its latest `RecommendationUpdate`; it is overdue when its due date has
passed and it is not achieved (partly achieved is still overdue: the action is not done).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.scope import patient_wards_for
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.organisations.models import Provider
from rrp.segregation.codes import ActionStatus
from rrp.segregation.models import (
    EndPlanStep,
    EndPlanVersion,
    Episode,
    IndependentReview,
    PanelMember,
    Recommendation,
    RecommendationUpdate,
)


@dataclass
class RecommendationState:
    """A recommendation with where it stands now and its history of updates, oldest first."""

    recommendation: Recommendation
    updates: list[RecommendationUpdate]
    today: dt.date

    @property
    def latest(self) -> RecommendationUpdate:
        return self.updates[-1]

    @property
    def status(self) -> str:
        return self.latest.status

    @property
    def version(self) -> int:
        return self.latest.number

    @property
    def overdue(self) -> bool:
        return self.status != ActionStatus.ACHIEVED and self.recommendation.due_on < self.today

    @property
    def days_overdue(self) -> int:
        return (self.today - self.recommendation.due_on).days if self.overdue else 0


@dataclass
class ReviewRecord:
    """An independent review with its panel and its recommendations' states."""

    review: IndependentReview
    panel: list[PanelMember]
    recommendations: list[RecommendationState]

    @property
    def overdue(self) -> list[RecommendationState]:
        return [r for r in self.recommendations if r.overdue]


def recommendation_states(
    recommendations: Iterable[Recommendation], *, today: dt.date | None = None
) -> list[RecommendationState]:
    """Each recommendation with its updates, in two queries."""
    today = today or timezone.localdate()
    recommendations = list(recommendations)
    updates: dict[int, list[RecommendationUpdate]] = defaultdict(list)
    for update in RecommendationUpdate.objects.filter(
        recommendation_id__in=[r.pk for r in recommendations]
    ).select_related("recorded_by"):
        updates[update.recommendation_id].append(update)
    return [
        RecommendationState(r, sorted(updates[r.pk], key=lambda u: u.number), today)
        for r in recommendations
        if updates[r.pk]
    ]


def review_records(
    reviews: Iterable[IndependentReview], *, today: dt.date | None = None
) -> list[ReviewRecord]:
    """Reviews with their panels and recommendations, in a fixed number of queries (the caller scoped
    and audited them)."""
    reviews = list(reviews)
    ids = [r.pk for r in reviews]
    panels: dict[int, list[PanelMember]] = defaultdict(list)
    for member in PanelMember.objects.filter(independent_review_id__in=ids):
        panels[member.independent_review_id].append(member)
    by_review: dict[int, list[RecommendationState]] = defaultdict(list)
    recommendations = Recommendation.objects.filter(independent_review_id__in=ids).order_by(
        "independent_review_id", "number"
    )
    for state in recommendation_states(recommendations, today=today):
        by_review[state.recommendation.independent_review_id].append(state)
    return [ReviewRecord(r, panels[r.pk], by_review[r.pk]) for r in reviews]


def _reviews_for(user: User) -> QuerySet[IndependentReview]:
    """Independent reviews of episodes on the wards whose patients the user sees (not audited)."""
    return IndependentReview.objects.filter(episode__ward__in=patient_wards_for(user)).select_related(
        "episode", "episode__ward", "patient", "provider", "recorded_by"
    )


def independent_reviews_for_episode(episode: Episode) -> list[ReviewRecord]:
    """The episode's independent reviews, latest first (the caller got the episode through
    ``selectors.episode_get_for``, which scoped and audited it)."""
    return review_records(
        IndependentReview.objects.filter(episode=episode)
        .select_related("recorded_by")
        .order_by("-held_on", "-pk")
    )


def independent_review_get_for(
    user: User, review_id: int, *, request: HttpRequest | None = None
) -> ReviewRecord | None:
    """One independent review if in the user's scope, audited; None if not (the caller answers 404)."""
    review = _reviews_for(user).filter(pk=review_id).first()
    if review is None:
        return None
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        record=review,
        patient_id=review.patient_id,
        provider_id=review.provider_id,
        request=request,
    )
    return review_records([review])[0]


def recommendation_get_for(
    user: User, recommendation_id: int, *, request: HttpRequest | None = None
) -> RecommendationState | None:
    """One recommendation if its review is in the user's scope, audited; None if not."""
    recommendation = (
        Recommendation.objects.filter(pk=recommendation_id, independent_review__in=_reviews_for(user))
        .select_related("independent_review", "independent_review__patient", "independent_review__episode")
        .first()
    )
    if recommendation is None:
        return None
    review = recommendation.independent_review
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        record=recommendation,
        patient_id=review.patient_id,
        provider_id=review.provider_id,
        request=request,
    )
    return recommendation_states([recommendation])[0]


STATUS_ORDER = (ActionStatus.OPEN, ActionStatus.NOT_ACHIEVED, ActionStatus.PARTLY, ActionStatus.ACHIEVED)


def recommendations_for_provider(
    user: User, provider: Provider, *, today: dt.date | None = None, request: HttpRequest | None = None
) -> list[RecommendationState]:
    """Every recommendation of the provider's independent reviews the user may see: overdue first (the
    longest overdue first), then by status and due date. Audited as one view of the list."""
    recommendations = list(
        Recommendation.objects.filter(independent_review__in=_reviews_for(user).filter(provider=provider))
        .select_related(
            "independent_review", "independent_review__patient", "independent_review__episode__ward"
        )
        .order_by("due_on", "pk")
    )
    states = recommendation_states(recommendations, today=today)
    if states:
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            record_type="segregation.Recommendation",
            record_label=f"Recommendations of independent reviews at {provider.name} ({len(states)} shown)"[
                :200
            ],
            provider_id=provider.pk,
            request=request,
            detail={
                "recommendation_ids": [s.recommendation.pk for s in states],
                "patient_ids": sorted({s.recommendation.independent_review.patient_id for s in states}),
            },
        )
    return sorted(
        states,
        key=lambda s: (not s.overdue, -s.days_overdue, STATUS_ORDER.index(s.status), s.recommendation.due_on),
    )


# --- The plan to end segregation (issue 17, item 5) ---------------------------------------------------


@dataclass
class PlanState:
    """The latest version of a plan to end segregation, its steps, and how it is moving."""

    version: EndPlanVersion
    steps: list[EndPlanStep]

    @property
    def last_done_on(self) -> dt.date | None:
        """When the last step towards ending segregation was taken (None: no step yet)."""
        done = [s.done_on for s in self.steps if s.done_on is not None]
        return max(done) if done else None

    @property
    def next_step(self) -> EndPlanStep | None:
        """The step not yet done that is planned soonest."""
        waiting = [s for s in self.steps if s.done_on is None]
        return min(waiting, key=lambda s: (s.planned_on, s.number)) if waiting else None

    def days_since_last_step(self, *, began: dt.date, today: dt.date) -> int:
        """Days since the last step was done, or since segregation began when none has been."""
        return (today - (self.last_done_on or began)).days

    def late_steps(self, today: dt.date) -> list[EndPlanStep]:
        return [s for s in self.steps if s.done_on is None and s.planned_on < today]


def end_plans(episode_ids: Iterable[int]) -> dict[int, PlanState]:
    """The latest plan of each of these episodes that has one, in two queries (the caller scoped the
    episodes and audited the view)."""
    latest: dict[int, EndPlanVersion] = {}
    for version in EndPlanVersion.objects.filter(episode_id__in=list(episode_ids)).order_by("number"):
        latest[version.episode_id] = version
    steps: dict[int, list[EndPlanStep]] = defaultdict(list)
    for step in EndPlanStep.objects.filter(plan__in=list(latest.values())).order_by("number"):
        steps[step.plan_id].append(step)
    return {episode_id: PlanState(v, steps[v.pk]) for episode_id, v in latest.items()}


def end_plan_history(episode: Episode) -> list[PlanState]:
    """Every version of the episode's plan, latest first (the caller got the episode through
    ``selectors.episode_get_for``)."""
    versions = list(episode.end_plan_versions.select_related("recorded_by").order_by("-number"))
    steps: dict[int, list[EndPlanStep]] = defaultdict(list)
    for step in EndPlanStep.objects.filter(plan__in=versions).order_by("number"):
        steps[step.plan_id].append(step)
    return [PlanState(v, steps[v.pk]) for v in versions]


def reviews_for_episodes(episode_ids: Iterable[int]) -> list[ReviewRecord]:
    """The independent reviews of these episodes, latest first, for a person's summary (the caller got
    the episodes through the scoped, audited ``selectors.patient_summary``)."""
    return review_records(
        IndependentReview.objects.filter(episode_id__in=list(episode_ids))
        .select_related("patient", "episode")
        .order_by("-held_on", "-pk")
    )
