"""Reading oversight records (issue 17): independent reviews and their recommendations, always through
the reader's scope (the wards whose patients they see), auditing every view that names a person.

A recommendation's status is its latest `RecommendationUpdate`; it is overdue when its due date has
passed and it is not achieved (partly achieved is still overdue: the action is not done).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission, Role
from rrp.accounts.scope import patient_wards_for, providers_for
from rrp.core.models import AuditAction
from rrp.core.services import audit_list, audit_record
from rrp.force.codes import InterventionType
from rrp.force.models import InterventionRecord
from rrp.organisations.models import Provider
from rrp.people.codes import YesNoUnknown
from rrp.people.models import Patient, WardStay
from rrp.people.selectors import patients_for
from rrp.segregation import cetr, defacto
from rrp.segregation.codes import CETR_KINDS, ActionOwner, ActionStatus, EpisodeKind
from rrp.segregation.models import (
    CommissionerVisit,
    DeFactoDecision,
    EndPlanStep,
    EndPlanVersion,
    Episode,
    IndependentReview,
    IndependentReviewText,
    NamedAccessGrant,
    PanelMember,
    Recommendation,
    RecommendationUpdate,
)
from rrp.segregation.pseudonyms import pseudonym


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
    """An independent review with its panel and its recommendations' states, and the corrections of its
    text, oldest first (its current text is the latest's, or the review's own)."""

    review: IndependentReview
    panel: list[PanelMember]
    recommendations: list[RecommendationState]
    corrections: list[IndependentReviewText] = field(default_factory=list)

    @property
    def text(self) -> IndependentReview | IndependentReviewText:
        return self.corrections[-1] if self.corrections else self.review

    @property
    def text_version(self) -> int:
        return self.corrections[-1].number if self.corrections else 1

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
    corrections: dict[int, list[IndependentReviewText]] = defaultdict(list)
    for correction in (
        IndependentReviewText.objects.filter(independent_review_id__in=ids)
        .select_related("recorded_by")
        .order_by("number")
    ):
        corrections[correction.independent_review_id].append(correction)
    return [ReviewRecord(r, panels[r.pk], by_review[r.pk], corrections[r.pk]) for r in reviews]


def _reviews_for(user: User) -> QuerySet[IndependentReview]:
    """Independent reviews of episodes on the wards whose patients the user sees, and C(E)TRs (which have
    no episode) of the patients the user sees (not audited)."""
    return IndependentReview.objects.filter(
        Q(episode__ward__in=patient_wards_for(user)) | Q(episode__isnull=True, patient__in=patients_for(user))
    ).select_related("episode", "episode__ward", "patient", "provider", "recorded_by")


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
    user: User,
    provider: Provider,
    *,
    owner: str | None = None,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> list[RecommendationState]:
    """Every recommendation of the provider's independent reviews the user may see (only those `owner`
    must act on, when given: an ``ActionOwner`` value): overdue first (the longest overdue first), then by
    status and due date. Audited as one view of the list."""
    found = Recommendation.objects.filter(independent_review__in=_reviews_for(user).filter(provider=provider))
    if owner:
        found = found.filter(owner=owner)
    recommendations = list(
        found.select_related(
            "independent_review", "independent_review__patient", "independent_review__episode__ward"
        ).order_by("due_on", "pk")
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


def _overdue_by_owner(recommendations: QuerySet[Recommendation], today: dt.date) -> dict[str, int]:
    """How many of these recommendations are overdue, by owner (every ``ActionOwner`` value a key)."""
    counts = dict.fromkeys(ActionOwner.values, 0)
    for state in recommendation_states(recommendations.filter(due_on__lt=today), today=today):
        counts[state.recommendation.owner] += state.overdue
    return counts


def overdue_recommendations_for_provider(
    user: User, provider: Provider, *, today: dt.date | None = None
) -> dict[str, int]:
    """How many recommendations of the provider's reviews and C(E)TRs the user may see are overdue, by
    owner, so the provider sees on its own page what it has not done, and what its commissioners have not
    (counts only, naming no one: not audited)."""
    today = today or timezone.localdate()
    return _overdue_by_owner(
        Recommendation.objects.filter(independent_review__in=_reviews_for(user).filter(provider=provider)),
        today,
    )


#: An overdue action is reminded of on its first day overdue, then every this many days while it stays so.
OVERDUE_REMINDER_EVERY_DAYS = 7


@dataclass(frozen=True)
class OverdueAction:
    """A recommendation overdue today, and the ward whose staff are reminded of it: its episode's ward, or
    for a C(E)TR (no episode) the ward of the person's latest stay at the provider."""

    state: RecommendationState
    ward_id: int


def overdue_actions_to_remind(today: dt.date) -> list[OverdueAction]:
    """Every recommendation (of any provider: for the reminders' schedule, not a person's page) that is
    overdue today and is on its first day overdue or a multiple of ``OVERDUE_REMINDER_EVERY_DAYS`` after it,
    so its owners are told when it falls overdue and weekly while it stays so, not every day. Oldest
    first. A C(E)TR of someone with no stay at the provider has no ward to remind and is left out."""
    recommendations = [
        r
        for r in Recommendation.objects.filter(due_on__lt=today)
        .select_related("independent_review__episode")
        .order_by("due_on", "pk")
        if (today - r.due_on).days % OVERDUE_REMINDER_EVERY_DAYS == 1
    ]
    states = [s for s in recommendation_states(recommendations, today=today) if s.overdue]
    wards: dict[tuple[int, int], int | None] = {}
    found = []
    for state in states:
        review = state.recommendation.independent_review
        if review.episode_id is not None:
            ward_id: int | None = review.episode.ward_id
        else:
            key = (review.patient_id, review.provider_id)
            if key not in wards:
                wards[key] = (
                    WardStay.objects.filter(
                        patient_id=review.patient_id, ward__provider_id=review.provider_id
                    )
                    .order_by("-started_at", "-pk")
                    .values_list("ward_id", flat=True)
                    .first()
                )
            ward_id = wards[key]
        if ward_id is not None:
            found.append(OverdueAction(state, ward_id))
    return found


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


# --- Commissioners' named access (issue 17, item 3) ----------------------------------------------------


def _active_grants(user: User, *, now: dt.datetime | None = None) -> QuerySet[NamedAccessGrant]:
    """The user's grants in force now: started, not past their last day (UK), not revoked, at a provider
    their ICB still commissions, and only while they hold ``NAMED_ACCESS_VIEW``."""
    if not has_permission(user, Permission.NAMED_ACCESS_VIEW):
        return NamedAccessGrant.objects.none()
    now = now or timezone.now()
    return NamedAccessGrant.objects.filter(
        user=user,
        starts_at__lte=now,
        ends_on__gte=timezone.localdate(now),
        revocation__isnull=True,
        provider__in=providers_for(user),
    ).select_related("patient", "provider")


def active_grant_for(user: User, patient_id: int) -> NamedAccessGrant | None:
    """The user's grant in force for this person that runs longest, or None (not audited)."""
    return _active_grants(user).filter(patient_id=patient_id).order_by("-ends_on", "-pk").first()


def visits_for(patient: Patient, provider_id: int) -> list[CommissionerVisit]:
    """Commissioners' visits to the person at the provider, latest first (the caller scoped the person)."""
    return list(
        CommissionerVisit.objects.filter(patient=patient, provider_id=provider_id)
        .select_related("recorded_by", "recorded_by__commissioner")
        .order_by("-visited_on", "-pk")
    )


def named_people_for(user: User, *, request: HttpRequest | None = None) -> list[NamedAccessGrant]:
    """The people the user has named access to now, with their grants (one row each: the grant ending
    last). Audited as one view of the names listed."""
    grants: dict[int, NamedAccessGrant] = {}
    for grant in _active_grants(user).order_by("ends_on"):
        grants[grant.patient_id] = grant
    found = sorted(grants.values(), key=lambda g: (g.provider.name, g.patient.family_name, g.patient_id))
    if found:
        audit_list(
            actor=user,
            records=[g.patient for g in found],
            record_type="people.Patient",
            label="People in segregation by named access",
            request=request,
            detail=lambda group: {"grant_ids": [g.pk for g in found if g.patient in group]},
        )
    return found


@dataclass
class NamedPerson:
    """What a case manager with a grant sees of one person: their episodes at the provider, independent
    reviews with recommendations, and the plan to end segregation of each episode under way."""

    grant: NamedAccessGrant
    patient: Patient
    episodes: list[Episode]
    reviews: list[ReviewRecord]
    plans: dict[int, PlanState]
    visits: list[CommissionerVisit]


def named_person_for(
    user: User, patient_id: int, *, request: HttpRequest | None = None
) -> NamedPerson | None:
    """One person by name if the user holds a grant in force for them, auditing the view with the grant
    it relied on; None otherwise (the caller answers 404: without a grant, no name)."""
    grant = active_grant_for(user, patient_id)
    if grant is None:
        return None
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        record=grant.patient,
        patient_id=grant.patient_id,
        provider_id=grant.provider_id,
        request=request,
        detail={"named_access_grant": grant.pk, "lawful_basis": grant.lawful_basis},
    )
    episodes = list(
        Episode.objects.filter(patient_id=patient_id, provider_id=grant.provider_id)
        .with_current()
        .select_related("ward")
        .order_by("-current_started_at")
    )
    reviews = review_records(
        IndependentReview.objects.filter(
            Q(episode__in=episodes)
            | Q(patient_id=patient_id, provider_id=grant.provider_id, kind__in=CETR_KINDS)
        )
        .select_related("patient", "episode")
        .order_by("-held_on")
    )
    return NamedPerson(
        grant,
        grant.patient,
        episodes,
        reviews,
        end_plans(e.pk for e in episodes),
        visits_for(grant.patient, grant.provider_id),
    )


def grants_for_provider(user: User, provider: Provider) -> list[NamedAccessGrant]:
    """Every grant at the provider, latest first, for its governance (who may grant and revoke)."""
    if not has_permission(user, Permission.NAMED_ACCESS_GRANT, provider=provider):
        return []
    return list(
        NamedAccessGrant.objects.filter(provider=provider)
        .select_related("patient", "user", "user__commissioner", "granted_by", "revocation")
        .order_by("-starts_at")
    )


def grant_for(user: User, grant_id: int) -> NamedAccessGrant | None:
    """One grant of a provider whose grants the user manages (None otherwise)."""
    grant = NamedAccessGrant.objects.filter(pk=grant_id).select_related("provider", "patient", "user").first()
    if grant is None or not has_permission(user, Permission.NAMED_ACCESS_GRANT, provider=grant.provider):
        return None
    return grant


def case_managers_for(user: User, provider: Provider) -> QuerySet[User]:
    """The commissioner users who may be granted access at the provider: active, of an ICB commissioning
    it (for its governance only)."""
    if not has_permission(user, Permission.NAMED_ACCESS_GRANT, provider=provider):
        return User.objects.none()
    return User.objects.filter(
        role=Role.COMMISSIONER, is_active=True, commissioner__in=provider.commissioners.all()
    ).order_by("last_name", "first_name", "username")


def people_in_lts_at(user: User, provider: Provider) -> list[Patient]:
    """The people in long-term segregation at the provider now, whose patients the user sees."""
    episodes = (
        Episode.objects.filter(
            provider=provider, kind=EpisodeKind.LONG_TERM_SEGREGATION, ward__in=patient_wards_for(user)
        )
        .active()
        .select_related("patient")
    )
    return sorted({e.patient for e in episodes}, key=lambda p: (p.family_name, p.given_name, p.pk))


#: How far back a commissioner is alerted to someone entering long-term segregation.
ALERT_DAYS = 28


@dataclass(frozen=True)
class LtsEntry:
    """Someone who entered long-term segregation recently at a provider the commissioner commissions:
    a pseudonym, or their name where the commissioner holds a grant for them."""

    provider: Provider
    ward_name: str
    started_at: dt.datetime
    label: str
    patient_id: int | None  # only with a grant


def lts_entries_for_commissioner(
    user: User, *, now: dt.datetime | None = None, days: int = ALERT_DAYS, request: HttpRequest | None = None
) -> list[LtsEntry]:
    """Everyone who entered long-term segregation in the last ``days`` days at the providers the user
    commissions, newest first: the commissioner's alert (issue 17, item 3). Pseudonymised unless the user
    holds a grant for the person; audited as one view."""
    if not has_permission(user, Permission.COMMISSIONED_LTS_REGISTER_VIEW):
        return []
    now = now or timezone.now()
    episodes = list(
        Episode.objects.filter(provider__in=providers_for(user), kind=EpisodeKind.LONG_TERM_SEGREGATION)
        .with_current()
        .filter(current_started_at__gte=now - dt.timedelta(days=days), current_started_at__lte=now)
        .select_related("provider", "ward", "patient")
        .order_by("-current_started_at")
    )
    granted = set(_active_grants(user, now=now).values_list("patient_id", flat=True))
    if episodes:
        audit_list(
            actor=user,
            records=episodes,
            record_type="segregation.Episode",
            label=f"Entered long-term segregation in the last {days} days",
            request=request,
            detail=lambda group: {"episode_ids": [e.pk for e in group], "named": sorted(granted)},
        )
    return [
        LtsEntry(
            provider=e.provider,
            ward_name=e.ward.name,
            started_at=e.current_started_at,
            label=e.patient.name if e.patient_id in granted else pseudonym(e.patient_id),
            patient_id=e.patient_id if e.patient_id in granted else None,
        )
        for e in episodes
    ]


@dataclass(frozen=True)
class CommissionedRecommendation:
    """A recommendation as a commissioner sees it without a grant: the person's pseudonym, the owner, due
    date and status; never the text, which may name the person."""

    provider: Provider
    label: str
    state: RecommendationState
    patient_id: int | None  # only with a grant


def recommendations_for_commissioner(
    user: User,
    *,
    owner: str | None = None,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> list[CommissionedRecommendation]:
    """Every recommendation of independent reviews at the providers the user commissions (only those
    `owner` must act on, when given), overdue first: the ICB's view of recommendations by status.
    Pseudonymised (no text) unless the user holds a grant for the person; audited as one view."""
    if not has_permission(user, Permission.COMMISSIONED_LTS_REGISTER_VIEW):
        return []
    found = Recommendation.objects.filter(independent_review__provider__in=providers_for(user))
    if owner:
        found = found.filter(owner=owner)
    recommendations = list(
        found.select_related(
            "independent_review", "independent_review__provider", "independent_review__patient"
        )
    )
    states = recommendation_states(recommendations, today=today)
    granted = set(_active_grants(user).values_list("patient_id", flat=True))
    audit_list(
        actor=user,
        records=states,
        record_type="segregation.Recommendation",
        label="Recommendations at commissioned providers",
        request=request,
        provider_of=lambda s: s.recommendation.independent_review.provider_id,
        detail=lambda group: {
            "recommendation_ids": [s.recommendation.pk for s in group],
            "named": sorted(granted),
        },
    )
    rows = [
        CommissionedRecommendation(
            provider=s.recommendation.independent_review.provider,
            label=pseudonym(s.recommendation.independent_review.patient_id),
            state=s,
            patient_id=s.recommendation.independent_review.patient_id
            if s.recommendation.independent_review.patient_id in granted
            else None,
        )
        for s in states
    ]
    return sorted(
        rows,
        key=lambda r: (
            r.provider.name,
            not r.state.overdue,
            -r.state.days_overdue,
            STATUS_ORDER.index(r.state.status),
            r.state.recommendation.due_on,
        ),
    )


def commissioned_recommendation_get_for(
    user: User, recommendation_id: int, *, request: HttpRequest | None = None
) -> CommissionedRecommendation | None:
    """One recommendation at a provider the user's ICB commissions, as the ICB sees it (pseudonymised
    unless the user holds a grant for the person), its view audited with the grant it relied on, if any;
    None outside the ICB's providers (the caller answers 404). For the commissioner recording the status
    of an action commissioners own (decision 0076)."""
    if not has_permission(user, Permission.COMMISSIONED_LTS_REGISTER_VIEW):
        return None
    recommendation = (
        Recommendation.objects.filter(
            pk=recommendation_id, independent_review__provider__in=providers_for(user)
        )
        .select_related("independent_review", "independent_review__provider", "independent_review__patient")
        .first()
    )
    if recommendation is None:
        return None
    review = recommendation.independent_review
    grant = active_grant_for(user, review.patient_id)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        record=recommendation,
        patient_id=review.patient_id,
        provider_id=review.provider_id,
        request=request,
        detail={"named_access_grant": grant.pk if grant else None},
    )
    return CommissionedRecommendation(
        provider=review.provider,
        label=pseudonym(review.patient_id),
        state=recommendation_states([recommendation])[0],
        patient_id=review.patient_id if grant else None,
    )


def overdue_recommendations_for_commissioner(user: User, *, today: dt.date | None = None) -> dict[str, int]:
    """How many recommendations at the providers the user commissions are overdue, by owner: the
    commissioner's own overdue actions on their start page (counts only, naming no one: not audited)."""
    if not has_permission(user, Permission.COMMISSIONED_LTS_REGISTER_VIEW):
        return dict.fromkeys(ActionOwner.values, 0)
    today = today or timezone.localdate()
    return _overdue_by_owner(
        Recommendation.objects.filter(independent_review__provider__in=providers_for(user)), today
    )


# --- Possible de-facto segregation (issue 17, item 4) --------------------------------------------------


@dataclass
class PossibleSegregation:
    """A person flagged as possibly segregated without an episode, with the latest decision about them.
    Open while no decision was made after the latest flag."""

    patient: Patient
    flags: list[defacto.Flag]
    decision: DeFactoDecision | None

    @property
    def open(self) -> bool:
        latest = max(f.at for f in self.flags)
        return self.decision is None or self.decision.decided_at < latest


def defacto_flags(
    *, provider_id: int, ward_ids: QuerySet | Iterable[int], now: dt.datetime
) -> list[defacto.Flag]:
    """The flags of the provider's patients on these wards at `now` (not scoped or audited: the caller
    chose the wards; counts for measures, names only through ``possible_segregation_for``)."""
    since = now - dt.timedelta(days=defacto.LOOKBACK_DAYS + 7)
    episodes = (
        Episode.objects.filter(provider_id=provider_id, ward__in=ward_ids)
        .with_current()
        .filter(Q(current_ended_at__isnull=True) | Q(current_ended_at__gte=since))
        .values_list("patient_id", "kind", "current_started_at", "current_ended_at")
    )
    seclusions, lts = [], []
    for patient_id, kind, started, ended in episodes:
        span = defacto.Span(patient_id, started, ended)
        (seclusions if kind == EpisodeKind.SECLUSION else lts).append(span)
    recorded = [
        defacto.Span(patient_id, started, ended)
        for patient_id, started, ended in InterventionRecord.objects.current()
        .not_voided()
        .filter(
            type_code=InterventionType.SEGREGATION,
            version__incident__provider_id=provider_id,
            version__incident__ward__in=ward_ids,
            started_at__gte=since,
        )
        .values_list("version__patient_id", "started_at", "ended_at")  # the current patient (decision 0021)
    ]
    # An LTS episode of the person anywhere at the provider covers a segregation recorded on an incident.
    patients = {s.patient_id for s in recorded}
    lts += [
        defacto.Span(patient_id, started, ended)
        for patient_id, started, ended in Episode.objects.filter(
            provider_id=provider_id, kind=EpisodeKind.LONG_TERM_SEGREGATION, patient_id__in=patients
        )
        .with_current()
        .values_list("patient_id", "current_started_at", "current_ended_at")
    ]
    return defacto.flags(seclusions=seclusions, lts_episodes=lts, segregation_recorded=recorded, now=now)


def possible_segregation_for(
    user: User, provider: Provider, *, now: dt.datetime | None = None, request: HttpRequest | None = None
) -> list[PossibleSegregation]:
    """Everyone at the provider, on the wards whose patients the user sees, flagged as possibly
    segregated without an episode (``defacto``), open ones first, each with the latest decision.
    Audited as one view of the people listed."""
    now = now or timezone.now()
    wards = patient_wards_for(user).filter(provider=provider)
    by_patient: dict[int, list[defacto.Flag]] = defaultdict(list)
    for flag in defacto_flags(provider_id=provider.pk, ward_ids=wards, now=now):
        by_patient[flag.patient_id].append(flag)
    if not by_patient:
        return []
    patients = {p.pk: p for p in Patient.objects.filter(pk__in=list(by_patient), provider=provider)}
    decisions: dict[int, DeFactoDecision] = {}
    for decision in DeFactoDecision.objects.filter(provider=provider, patient_id__in=list(patients)).order_by(
        "decided_at", "pk"
    ):
        decisions[decision.patient_id] = decision
    found = [
        PossibleSegregation(patients[pid], flags, decisions.get(pid))
        for pid, flags in by_patient.items()
        if pid in patients
    ]
    audit_list(
        actor=user,
        records=[p.patient for p in found],
        record_type="people.Patient",
        label=f"Possible segregation without an episode at {provider.name}",
        request=request,
        detail=lambda group: {"patient_ids": [p.pk for p in group]},
    )
    return sorted(found, key=lambda p: (not p.open, -max(f.at for f in p.flags).timestamp()))


def decisions_for_patient(provider: Provider, patient: Patient) -> list[DeFactoDecision]:
    """Every de-facto segregation decision about the person, latest first (the caller scoped them)."""
    return list(
        DeFactoDecision.objects.filter(provider=provider, patient=patient)
        .select_related("decided_by")
        .order_by("-decided_at", "-pk")
    )


def possible_segregation_of(
    user: User, provider: Provider, patient: Patient, *, now: dt.datetime | None = None
) -> PossibleSegregation | None:
    """One person's flags and latest decision (the caller got the patient through the scoped, audited
    ``people.selectors.patient_get_for``); None when nothing flags them."""
    wards = patient_wards_for(user).filter(provider=provider)
    flags = [
        f
        for f in defacto_flags(provider_id=provider.pk, ward_ids=wards, now=now or timezone.now())
        if f.patient_id == patient.pk
    ]
    if not flags:
        return None
    decisions = decisions_for_patient(provider, patient)
    return PossibleSegregation(patient, flags, decisions[0] if decisions else None)


# --- Care (Education) and Treatment Reviews (issue 17, items 1 and 2) ----------------------------------


def cetrs_for_patient(patient: Patient) -> list[ReviewRecord]:
    """The person's C(E)TRs, latest first (the caller got the patient through a scoped, audited
    selector)."""
    return review_records(
        IndependentReview.objects.filter(patient=patient, kind__in=CETR_KINDS)
        .select_related("patient", "recorded_by")
        .order_by("-held_on", "-pk")
    )


@dataclass(frozen=True)
class CetrDue:
    """An inpatient with a learning disability or autism and the next C(E)TR they need."""

    patient: Patient
    ward_name: str
    admitted_on: dt.date
    age: int
    group: str
    last_held_on: dt.date | None
    last_review_id: int | None
    due: cetr.Due
    today: dt.date

    @property
    def overdue(self) -> bool:
        return self.due.overdue(self.today)

    @property
    def days_overdue(self) -> int:
        return (self.today - self.due.due_on).days if self.overdue else 0

    @property
    def due_soon(self) -> bool:
        return self.due.due_soon(self.today)


@dataclass
class CetrSchedule:
    """Every inpatient at a provider who needs C(E)TRs, by when, and how many inpatients' records do not
    say whether they have a learning disability or autism (they cannot be scheduled until they do)."""

    rows: list[CetrDue]
    unknown: int

    @property
    def overdue(self) -> list[CetrDue]:
        return [r for r in self.rows if r.overdue]

    @property
    def due_soon(self) -> list[CetrDue]:
        return [r for r in self.rows if r.due_soon]

    @property
    def later(self) -> list[CetrDue]:
        return [r for r in self.rows if not r.overdue and not r.due_soon]


def _inpatient_stays(
    provider_id: int, wards: QuerySet, now: dt.datetime
) -> dict[int, tuple[WardStay, dt.datetime]]:
    """Each patient in hospital at the provider now, on one of these wards: their current ward stay and
    when their spell began."""
    stays = (
        WardStay.objects.filter(ward__in=wards, ward__provider_id=provider_id, started_at__lte=now)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now))
        .filter(Q(spell__discharged_at__isnull=True) | Q(spell__discharged_at__gt=now))
        .select_related("ward", "patient", "spell")
        .order_by("started_at")
    )
    return {s.patient_id: (s, s.spell.admitted_at) for s in stays}


def cetr_schedule_for(
    user: User, provider: Provider, *, now: dt.datetime | None = None, request: HttpRequest | None = None
) -> CetrSchedule:
    """The C(E)TR schedule of the provider's inpatients with a learning disability or autism on the wards
    whose patients the user sees (not only those in segregation): the next one due for each (``cetr``),
    overdue first. Audited as one view of the people listed."""
    rows, unknown = _cetr_rows(provider, patient_wards_for(user), now or timezone.now())
    if rows:
        audit_list(
            actor=user,
            records=[r.patient for r in rows],
            record_type="people.Patient",
            label=f"C(E)TR schedule at {provider.name}",
            request=request,
            detail=lambda group: {"patient_ids": [p.pk for p in group]},
        )
    rows.sort(key=lambda r: (r.due.due_on, r.patient.family_name, r.patient.pk))
    return CetrSchedule(rows, unknown)


def _has(patient: Patient, answer: str) -> bool:
    return answer in (patient.learning_disability, patient.autism)


def _cetr_rows(provider: Provider, wards: QuerySet, now: dt.datetime) -> tuple[list[CetrDue], int]:
    """The schedule's rows and the count of inpatients not known (not scoped or audited: the caller chose
    the wards)."""
    today = timezone.localdate(now)
    stays = _inpatient_stays(provider.pk, wards, now)
    eligible = {s.patient_id for s, _ in stays.values() if _has(s.patient, YesNoUnknown.YES)}
    unknown = sum(
        1 for s, _ in stays.values() if s.patient_id not in eligible and _has(s.patient, YesNoUnknown.UNKNOWN)
    )
    last: dict[int, IndependentReview] = {}
    for review in IndependentReview.objects.filter(
        patient_id__in=eligible, kind__in=CETR_KINDS, provider=provider
    ).order_by("held_on", "pk"):
        last[review.patient_id] = review
    rows = []
    for patient_id in eligible:
        stay, admitted_at = stays[patient_id]
        admitted_on = timezone.localtime(admitted_at).date()
        held = last.get(patient_id)
        held_on = held.held_on if held and held.held_on >= admitted_on else None
        age = stay.patient.age_on(today)
        group = cetr.group_for(age=age, specialism=stay.ward.specialism)
        rows.append(
            CetrDue(
                patient=stay.patient,
                ward_name=stay.ward.name,
                admitted_on=admitted_on,
                age=age,
                group=group,
                last_held_on=held_on,
                last_review_id=held.pk if held_on else None,
                due=cetr.next_due(admitted_on=admitted_on, last_held_on=held_on, group=group),
                today=today,
            )
        )
    return rows, unknown


# --- The board (issue 17, item 6) -----------------------------------------------------------------------


@dataclass(frozen=True)
class OversightFigures:
    """The provider board's figures on people in segregation, now: how many are in long-term segregation
    and for how long, and what is overdue about them (counts, no names)."""

    people_in_lts: int
    days_in_lts: list[int]
    external_reviews_overdue: int
    cetrs_overdue: int
    recommendations_overdue: int

    @property
    def longest_days(self) -> int | None:
        return max(self.days_in_lts) if self.days_in_lts else None

    @property
    def median_days(self) -> float | None:
        if not self.days_in_lts:
            return None
        ordered = sorted(self.days_in_lts)
        mid = len(ordered) // 2
        return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def oversight_figures(
    provider: Provider, wards: QuerySet, *, now: dt.datetime | None = None
) -> OversightFigures:
    """Counts for the board at `now` over these wards of the provider (the caller scoped them): people in
    long-term segregation and their days in it, external independent reviews overdue on the Code of
    Practice timers, C(E)TRs overdue, recommendations of reviews and C(E)TRs overdue. A fixed number of
    queries whatever the number of wards or people."""
    from rrp.segregation.selectors import episode_states

    now = now or timezone.now()
    today = timezone.localdate(now)
    lts = list(
        Episode.objects.filter(provider=provider, ward__in=wards, kind=EpisodeKind.LONG_TERM_SEGREGATION)
        .active()
        .select_related("ward", "patient")
    )
    states = episode_states(lts, now=now)
    days = [(today - timezone.localtime(s.version.started_at).date()).days for s in states]
    external = sum(1 for s in states for d in s.due if d.overdue and d.kind == "external_independent")
    rows, _ = _cetr_rows(provider, wards, now)
    reviews = IndependentReview.objects.filter(provider=provider).filter(
        Q(episode__ward__in=wards)
        | Q(
            episode__isnull=True,
            patient__ward_stays__ward__in=wards,
            patient__ward_stays__cancelled_at__isnull=True,
        )
    )
    states_r = recommendation_states(
        Recommendation.objects.filter(independent_review__in=reviews.values("pk")), today=today
    )
    return OversightFigures(
        people_in_lts=len({s.episode.patient_id for s in states}),
        days_in_lts=days,
        external_reviews_overdue=external,
        cetrs_overdue=sum(1 for r in rows if r.overdue),
        recommendations_overdue=sum(1 for r in states_r if r.overdue),
    )
