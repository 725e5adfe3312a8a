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
from rrp.people.models import Patient
from rrp.segregation import defacto
from rrp.segregation.codes import ActionStatus, EpisodeKind
from rrp.segregation.models import (
    DeFactoDecision,
    EndPlanStep,
    EndPlanVersion,
    Episode,
    IndependentReview,
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


def named_person_for(
    user: User, patient_id: int, *, request: HttpRequest | None = None
) -> NamedPerson | None:
    """One person by name if the user holds a grant in force for them, auditing the view with the grant
    it relied on; None otherwise (the caller answers 404: without a grant, no name)."""
    grant = _active_grants(user).filter(patient_id=patient_id).order_by("-ends_on").first()
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
        IndependentReview.objects.filter(episode__in=episodes)
        .select_related("patient", "episode")
        .order_by("-held_on")
    )
    return NamedPerson(grant, grant.patient, episodes, reviews, end_plans(e.pk for e in episodes))


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
    user: User, *, today: dt.date | None = None, request: HttpRequest | None = None
) -> list[CommissionedRecommendation]:
    """Every recommendation of independent reviews at the providers the user commissions, overdue first:
    the ICB's view of recommendations by status. Pseudonymised (no text) unless the user holds a grant for
    the person; audited as one view."""
    if not has_permission(user, Permission.COMMISSIONED_LTS_REGISTER_VIEW):
        return []
    recommendations = list(
        Recommendation.objects.filter(independent_review__provider__in=providers_for(user)).select_related(
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
