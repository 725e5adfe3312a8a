"""Reading seclusion and segregation episodes, always through the reader's scope, auditing each view.

`episode_states` turns episodes into what the pages, API and daily command show: the latest version,
every review's due time and whether it is overdue (from `schedules`, with the provider's rules).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import patient_wards_for, providers_for
from rrp.core.formatting import iso_month
from rrp.core.models import AuditAction
from rrp.core.services import audit_list, audit_record
from rrp.force.codes import INTERVENTION_CATEGORY, ForceCategory
from rrp.force.models import InterventionRecord
from rrp.force.selectors import RtOverdue, incident_list_for_user, rt_observations_overdue
from rrp.organisations.models import Provider, Ward
from rrp.people.codes import YesNoUnknown
from rrp.people.models import Patient, StaffMember, WardStay
from rrp.people.selectors import (
    PatientRecordList,
    PatientRecordRow,
    patient_get_for,
    patient_search,
    patients_for,
)
from rrp.segregation import schedules
from rrp.segregation.codes import MHSDS_INTERVENTION_TYPE, RULE_LABELS, EpisodeKind, ReviewKind
from rrp.segregation.models import RULE_FIELDS, Episode, EpisodeVersion, Observation, Review, ReviewRules
from rrp.segregation.oversight_selectors import PlanState, end_plans
from rrp.segregation.pseudonyms import pseudonym

INDEPENDENT_REVIEWS = frozenset(
    {ReviewKind.INDEPENDENT_MDT, ReviewKind.EXTERNAL_INDEPENDENT, ReviewKind.ICETR}
)


@dataclass
class EpisodeState:
    """An episode as the pages show it: its latest version, reviews, what is due and what is overdue."""

    episode: Episode
    version: EpisodeVersion
    reviews: list[Review]
    observations: list[Observation]
    due: list[schedules.Due]
    observation_due: schedules.Due | None
    timeliness: list[schedules.Timeliness] = field(default_factory=list)
    #: Every review and the observations against the Code of Practice timers, to the end or now: what
    #: was missed stays on the record after the episode ends.
    checks: schedules.CheckRecord | None = None

    @property
    def active(self) -> bool:
        return self.version.ended_at is None

    @property
    def next_due(self) -> schedules.Due | None:
        return self.due[0] if self.due else None

    @property
    def overdue(self) -> list[schedules.Due]:
        return [d for d in self.due if d.overdue]

    @property
    def late_reviews(self) -> int:
        return sum(1 for t in self.timeliness if t.late)

    @property
    def independent_reviews(self) -> list[Review]:
        return [r for r in self.reviews if r.kind in INDEPENDENT_REVIEWS]

    def duration(self, now: dt.datetime) -> dt.timedelta:
        end = self.version.ended_at or now
        return end - self.version.started_at


def facts(episode: Episode, version: EpisodeVersion | Any) -> schedules.EpisodeFacts:
    """The schedule's facts of an episode from its latest version (a model or a row with the same
    started_at, ended_at and authorised_by_doctor)."""
    patient = episode.patient
    return schedules.EpisodeFacts(
        kind=episode.kind,
        started_at=version.started_at,
        ended_at=version.ended_at,
        started_by_doctor=version.authorised_by_doctor,
        needs_icetr=YesNoUnknown.YES in (patient.learning_disability, patient.autism),
    )


def _rules_by_provider(provider_ids: Iterable[int]) -> dict[int, schedules.Rules]:
    rows = ReviewRules.objects.filter(provider_id__in=set(provider_ids))
    found = {row.provider_id: row.as_rules() for row in rows}
    return defaultdict(lambda: schedules.DEFAULT_RULES, found)


def episode_states(episodes: Iterable[Episode], *, now: dt.datetime | None = None) -> list[EpisodeState]:
    """Each episode with its latest version and schedule at `now`, in a fixed number of queries."""
    now = now or timezone.now()
    episodes = list(episodes)
    if not episodes:
        return []
    ids = [e.pk for e in episodes]
    latest: dict[int, EpisodeVersion] = {}
    for version in (
        EpisodeVersion.objects.filter(episode_id__in=ids).select_related("incident").order_by("number")
    ):
        latest[version.episode_id] = version
    reviews: dict[int, list[Review]] = defaultdict(list)
    for review in Review.objects.filter(episode_id__in=ids).order_by("at", "id"):
        reviews[review.episode_id].append(review)
    observations: dict[int, list[Observation]] = defaultdict(list)
    for observation in Observation.objects.filter(episode_id__in=ids).order_by("at", "id"):
        observations[observation.episode_id].append(observation)
    rules = _rules_by_provider(e.provider_id for e in episodes)
    periods = _seclusion_periods({e.patient_id for e in episodes if e.kind == EpisodeKind.SECLUSION})
    states = []
    for episode in episodes:
        version = latest[episode.pk]
        episode._latest_version = version
        episode_facts = facts(episode, version)
        review_facts = [schedules.ReviewFact(r.kind, r.at) for r in reviews[episode.pk]]
        provider_rules = rules[episode.provider_id]
        others = [p for eid, p in periods.get(episode.patient_id, []) if eid != episode.pk]
        states.append(
            EpisodeState(
                episode=episode,
                version=version,
                reviews=reviews[episode.pk],
                observations=observations[episode.pk],
                due=schedules.reviews_due(
                    episode=episode_facts,
                    reviews=review_facts,
                    rules=provider_rules,
                    now=now,
                    seclusion_periods=others,
                ),
                observation_due=schedules.observation_due(
                    episode=episode_facts,
                    observations=[o.at for o in observations[episode.pk]],
                    rules=provider_rules,
                    now=now,
                ),
                timeliness=schedules.review_timeliness(
                    episode=episode_facts, reviews=review_facts, rules=provider_rules
                ),
                checks=schedules.check_record(
                    episode=episode_facts,
                    reviews=review_facts,
                    observations=[o.at for o in observations[episode.pk]],
                    rules=provider_rules,
                    now=now,
                    seclusion_periods=others,
                ),
            )
        )
    return states


def reviews_overdue(
    episodes: Iterable[Episode], *, now: dt.datetime | None = None
) -> list[tuple[Episode, list[schedules.Due]]]:
    """Each episode with its reviews, and its observation in seclusion, overdue at `now`, by the same
    timers as ``episode_states`` but read as plain rows: no review, observation or version objects and no
    timeliness. For pages that show only what is overdue (the ward huddle): a long segregation holds
    hundreds of reviews, and building them was most of the huddle's episode look-up. An observation
    overdue is a ``Due`` of kind ``observation`` (the huddle's overdue count left observations out,
    issue 13). The episodes need their patient (``select_related``)."""
    now = now or timezone.now()
    episodes = list(episodes)
    if not episodes:
        return []
    ids = [e.pk for e in episodes]
    latest = {  # rows with the version fields ``facts`` reads; the highest number wins
        row.episode_id: row
        for row in EpisodeVersion.objects.filter(episode_id__in=ids)
        .order_by("number")
        .values_list("episode_id", "started_at", "ended_at", "authorised_by_doctor", named=True)
    }
    reviews: dict[int, list[schedules.ReviewFact]] = defaultdict(list)
    for episode_id, kind, at in (
        Review.objects.filter(episode_id__in=ids).order_by("at", "id").values_list("episode_id", "kind", "at")
    ):
        reviews[episode_id].append(schedules.ReviewFact(kind, at))
    last_observed = dict(
        Observation.objects.filter(episode_id__in=ids)
        .order_by()
        .values("episode_id")
        .annotate(last=Max("at"))
        .values_list("episode_id", "last")
    )
    rules = _rules_by_provider(e.provider_id for e in episodes)
    periods = _seclusion_periods({e.patient_id for e in episodes if e.kind == EpisodeKind.SECLUSION})
    out = []
    for episode in episodes:
        episode_facts = facts(episode, latest[episode.pk])
        due = schedules.reviews_due(
            episode=episode_facts,
            reviews=reviews[episode.pk],
            rules=rules[episode.provider_id],
            now=now,
            seclusion_periods=[p for eid, p in periods.get(episode.patient_id, []) if eid != episode.pk],
        )
        last = last_observed.get(episode.pk)
        observation = schedules.observation_due(
            episode=episode_facts,
            observations=[last] if last else [],
            rules=rules[episode.provider_id],
            now=now,
        )
        if observation is not None:
            due.append(observation)
        out.append((episode, [d for d in due if d.overdue]))
    return out


# --- For ward views (the huddle): counts and times, never a person. ----------------------------------
# Not scoped or audited: the caller chose the ward from ``accounts.scope`` and shows no patient.


def last_seclusion_started(ward_id: int, *, before: dt.datetime) -> dt.datetime | None:
    """When the last seclusion episode on the ward started (by its latest version), before ``before``."""
    return (
        Episode.objects.filter(ward_id=ward_id, kind=EpisodeKind.SECLUSION)
        .with_current()
        .filter(current_started_at__lt=before)
        .aggregate(last=Max("current_started_at"))["last"]
    )


def ward_episodes_now(
    ward_id: int, *, now: dt.datetime | None = None
) -> list[tuple[Episode, list[schedules.Due]]]:
    """Every episode under way on the ward, each with its reviews overdue at ``now`` (``reviews_overdue``:
    the Code of Practice timers of ``schedules``, as `rrp reviews due`)."""
    return reviews_overdue(
        Episode.objects.filter(ward_id=ward_id).active().select_related("patient"), now=now
    )


#: How long after an episode ended the ward and provider views still show what it missed.
ENDED_RECENTLY_DAYS = 30


def ended_with_missed_checks(
    episodes: QuerySet[Episode], *, since: dt.datetime, now: dt.datetime | None = None
) -> list[EpisodeState]:
    """The episodes among ``episodes`` that ended from ``since`` with a review or observation missed
    against the Code of Practice timers (``schedules.check_record``), latest ended first: what an ended
    episode missed stays visible on the ward huddle and the provider page after it ends. The caller
    scopes ``episodes`` (and audits when it names patients)."""
    if "current_ended_at" not in episodes.query.annotations:
        episodes = episodes.with_current()
    ended = list(episodes.filter(current_ended_at__gte=since).select_related("patient", "ward", "provider"))
    states = [s for s in episode_states(ended, now=now) if s.checks is not None and s.checks.anything_missed]
    return sorted(states, key=lambda s: s.version.ended_at, reverse=True)


@dataclass(frozen=True)
class SafetyCheckFigures:
    """Counts of the safety checks owed across some of a provider's wards, for the board (no patient
    named): reviews and seclusion observations overdue now, episodes that ended in the last
    ``ENDED_RECENTLY_DAYS`` days with one missed, and incidents whose observations after rapid
    tranquillisation given in those days are overdue. The provider page lists each."""

    checks_overdue: int
    episodes_ended_with_missed: int
    rt_incidents_overdue: int

    def lines(self) -> list[tuple[str, int]]:
        """Each count with its words, as the board's page, PDF pack and CSV all print them."""
        return [
            ("Seclusion and segregation reviews and observations overdue", self.checks_overdue),
            (
                f"Episodes ended with a review or observation missed, last {ENDED_RECENTLY_DAYS} days",
                self.episodes_ended_with_missed,
            ),
            ("Incidents with observations after rapid tranquillisation overdue", self.rt_incidents_overdue),
        ]


def safety_check_figures(
    provider: Provider, wards: QuerySet[Ward], *, now: dt.datetime | None = None
) -> SafetyCheckFigures:
    """The provider's ``SafetyCheckFigures`` over these wards (the caller scoped them): what the ward
    huddle shows for one ward, counted for the board, so a missed check is seen from the provider too
    (issue 13 item 4). Not audited: counts only."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=ENDED_RECENTLY_DAYS)
    episodes = Episode.objects.filter(provider=provider, ward__in=wards)
    active = episode_states(list(episodes.active().select_related("patient")), now=now)
    overdue = sum(
        len(s.overdue) + int(s.observation_due is not None and s.observation_due.overdue) for s in active
    )
    missed = ended_with_missed_checks(episodes, since=since, now=now)
    # The wards as a subquery, not a list: the board reads the reader's scope once (test_scope_queries).
    rt = rt_observations_overdue(wards.values_list("pk", flat=True), since=since, now=now)
    return SafetyCheckFigures(
        checks_overdue=overdue, episodes_ended_with_missed=len(missed), rt_incidents_overdue=len(rt)
    )


def ended_reviews_on_time(
    *, ward_ids: Sequence[int], kinds: Iterable[str], since: dt.datetime, until: dt.datetime
) -> list[tuple[int, dt.datetime, bool]]:
    """Each episode of these kinds on these wards that ended in [since, until), as (ward, ended at,
    whether every review that fell due was done by its due time: ``CheckRecord.reviews_on_time``), for
    the "reviews on time" measure. Counts only: not scoped or audited, the caller chose the wards.

    Read as plain rows (the episodes with their latest version's times, their reviews, the providers'
    rules and the patients' seclusion periods: four queries) and judged by ``schedules.check_record``
    alone, as ``episode_states`` would judge them: building every version, review and observation as a
    model cost most of the 650 ms it took for 50 wards and two years (docs/performance.md)."""
    latest = EpisodeVersion.objects.filter(episode=OuterRef("pk")).order_by("-number")
    episodes = list(
        Episode.objects.filter(ward_id__in=list(ward_ids), kind__in=list(kinds))
        .with_current()
        .annotate(current_by_doctor=Subquery(latest.values("authorised_by_doctor")[:1]))
        .filter(current_ended_at__gte=since, current_ended_at__lt=until)
        .values_list(
            "pk",
            "ward_id",
            "provider_id",
            "patient_id",
            "kind",
            "current_started_at",
            "current_ended_at",
            "current_by_doctor",
            "patient__learning_disability",
            "patient__autism",
            named=True,
        )
    )
    if not episodes:
        return []
    reviews: dict[int, list[schedules.ReviewFact]] = defaultdict(list)
    for episode_id, kind, at in (
        Review.objects.filter(episode_id__in=[e.pk for e in episodes])
        .order_by("at", "id")
        .values_list("episode_id", "kind", "at")
    ):
        reviews[episode_id].append(schedules.ReviewFact(kind, at))
    rules = _rules_by_provider(e.provider_id for e in episodes)
    periods = _seclusion_periods({e.patient_id for e in episodes if e.kind == EpisodeKind.SECLUSION})
    out = []
    for e in episodes:
        checks = schedules.check_record(
            episode=schedules.EpisodeFacts(
                kind=e.kind,
                started_at=e.current_started_at,
                ended_at=e.current_ended_at,
                started_by_doctor=e.current_by_doctor,
                needs_icetr=YesNoUnknown.YES in (e.patient__learning_disability, e.patient__autism),
            ),
            reviews=reviews[e.pk],
            rules=rules[e.provider_id],
            now=until,
            seclusion_periods=[p for eid, p in periods.get(e.patient_id, []) if eid != e.pk],
        )
        out.append((e.ward_id, e.current_ended_at, checks.reviews_on_time))
    return out


def ward_ended_with_missed_checks(
    ward_id: int, *, now: dt.datetime | None = None, days: int = ENDED_RECENTLY_DAYS
) -> list[EpisodeState]:
    """``ended_with_missed_checks`` of one ward's episodes that ended in the last ``days`` days (for the
    huddle, which shows counts and names no patient; not audited)."""
    now = now or timezone.now()
    return ended_with_missed_checks(
        Episode.objects.filter(ward_id=ward_id), since=now - dt.timedelta(days=days), now=now
    )


def _seclusion_periods(patient_ids: set[int]) -> dict[int, list[tuple[int, schedules.Period]]]:
    """Every seclusion period of these patients (by their episodes' latest versions)."""
    result: dict[int, list[tuple[int, schedules.Period]]] = defaultdict(list)
    if not patient_ids:
        return result
    episodes = Episode.objects.filter(patient_id__in=patient_ids, kind=EpisodeKind.SECLUSION).with_current()
    for e in episodes.values("pk", "patient_id", "current_started_at", "current_ended_at"):
        period = schedules.Period(e["current_started_at"], e["current_ended_at"])
        result[e["patient_id"]].append((e["pk"], period))
    return result


PATIENT_PAGE_EPISODES = 20


def episodes_of_patient(user: User, patient: Patient, identity_ids: list[int]) -> PatientRecordList:
    """The person's seclusion and segregation episodes the user may see, latest first, for their page
    (registered with people): those of any of their identities, each merged one named. Not audited here:
    the patient page's view is."""
    episodes = episodes_for(user).filter(patient_id__in=identity_ids).order_by("-current_started_at", "-pk")
    shown = list(episodes[:PATIENT_PAGE_EPISODES])
    rows = [
        PatientRecordRow(
            text=f"{episode.get_kind_display()}, {episode.ward.name}, from "
            f"{timezone.localtime(episode.current_started_at):%d %b %Y}"
            + (
                ""
                if episode.current_ended_at is None
                else f" to {timezone.localtime(episode.current_ended_at):%d %b %Y}"
            ),
            href=reverse("segregation:episode", args=[episode.pk]),
            merged_identity="" if episode.patient_id == patient.pk else episode.patient.local_identifier,
        )
        for episode in shown
    ]
    total = len(shown) if len(shown) < PATIENT_PAGE_EPISODES else episodes.count()
    return PatientRecordList(
        heading="Seclusion and segregation",
        rows=rows,
        empty="No seclusion or segregation recorded that you may see.",
        total=total,
    )


def episodes_for(user: User) -> QuerySet[Episode]:
    """Episodes on the wards whose patients the user may see (not audited: the caller audits)."""
    return (
        Episode.objects.filter(ward__in=patient_wards_for(user))
        .with_current()
        .select_related("ward", "patient", "provider")
    )


def _audit_list(user: User, episodes: Sequence[Episode], label: str, *, provider_id, request) -> None:
    if episodes:
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            record_type="segregation.Episode",
            record_label=f"{label} ({len(episodes)} shown)"[:200],
            provider_id=provider_id,
            request=request,
            detail={
                "episode_ids": [e.pk for e in episodes],
                "patient_ids": sorted({e.patient_id for e in episodes}),
            },
        )


def active_for_ward(
    user: User, ward: Ward, *, now: dt.datetime | None = None, request: HttpRequest | None = None
) -> list[EpisodeState]:
    """Active episodes on a ward, soonest review first; audited as one view of the list."""
    episodes = list(episodes_for(user).active().filter(ward=ward))
    _audit_list(
        user, episodes, f"Active episodes on {ward.name}", provider_id=ward.provider_id, request=request
    )
    return _by_next_due(episode_states(episodes, now=now))


def active_for_provider(
    user: User, provider: Provider, *, now: dt.datetime | None = None, request: HttpRequest | None = None
) -> list[EpisodeState]:
    """Every active episode of the provider the user may see, soonest review first; audited."""
    episodes = list(episodes_for(user).active().filter(provider=provider))
    _audit_list(
        user, episodes, f"Active episodes at {provider.name}", provider_id=provider.pk, request=request
    )
    return _by_next_due(episode_states(episodes, now=now))


def ended_with_missed_for_provider(
    user: User,
    provider: Provider,
    *,
    now: dt.datetime | None = None,
    days: int = ENDED_RECENTLY_DAYS,
    request: HttpRequest | None = None,
) -> list[EpisodeState]:
    """The provider's episodes the user may see that ended in the last ``days`` days with a review or an
    observation missed (``ended_with_missed_checks``); audited as one view of the list."""
    now = now or timezone.now()
    states = ended_with_missed_checks(
        episodes_for(user).filter(provider=provider), since=now - dt.timedelta(days=days), now=now
    )
    _audit_list(
        user,
        [s.episode for s in states],
        f"Episodes ended with checks missed at {provider.name}",
        provider_id=provider.pk,
        request=request,
    )
    return states


def rt_overdue_for_provider(
    user: User, provider: Provider, *, now: dt.datetime | None = None, days: int = ENDED_RECENTLY_DAYS
) -> list[tuple[RtOverdue, str]]:
    """Incidents on the provider's wards whose patients the user may see, with observations after rapid
    tranquillisation overdue (``force.selectors.rt_observations_overdue``, given in the last ``days``
    days), each with its ward's name. Names no patient: each row links to the incident's page, which
    checks and audits access."""
    now = now or timezone.now()
    wards = dict(patient_wards_for(user).filter(provider=provider).values_list("pk", "name"))
    overdue = rt_observations_overdue(list(wards), since=now - dt.timedelta(days=days), now=now)
    return [(r, wards[r.ward_id]) for r in overdue]


def _by_next_due(states: list[EpisodeState]) -> list[EpisodeState]:
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(states, key=lambda s: (s.next_due.due_at if s.next_due else far, s.episode.pk))


def episode_get_for(
    user: User, episode_id: int, *, request: HttpRequest | None = None
) -> EpisodeState | None:
    """One episode if in scope, with its schedule, auditing the view; None if not (the caller answers 404)."""
    episode = episodes_for(user).filter(pk=episode_id).first()
    if episode is None:
        return None
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        record=episode,
        patient_id=episode.patient_id,
        provider_id=episode.provider_id,
        request=request,
    )
    return episode_states([episode])[0]


def episode_versions(episode: Episode) -> list[EpisodeVersion]:
    """Every version, oldest first (the caller got the episode through `episode_get_for`)."""
    return list(episode.versions.select_related("recorded_by", "incident").order_by("number"))


def providers_with_episodes_for(user: User) -> QuerySet[Provider]:
    return providers_for(user).order_by("name")


def ward_for(user: User, ward_id: int) -> Ward | None:
    return patient_wards_for(user).select_related("provider").filter(pk=ward_id).first()


def provider_for(user: User, provider_id: int) -> Provider | None:
    """A provider whose patients the user may see (ward roles: their own)."""
    if not has_permission(user, Permission.PATIENT_VIEW):
        return None
    return providers_for(user).filter(pk=provider_id).first()


def staff_for_ward(user: User, ward: Ward):
    """Staff of the ward's provider, to pick reviewers and observers from."""

    if not has_permission(user, Permission.PATIENT_VIEW, ward=ward):
        return StaffMember.objects.none()
    return StaffMember.objects.filter(provider_id=ward.provider_id).order_by("family_name", "given_name")


@dataclass(frozen=True)
class PatientChoice:
    """A patient offered on the episode form, told apart from namesakes by NHS number, date of birth and
    the ward they are on now."""

    patient: Patient
    ward_name: str


def patient_choices(
    user: User, ward: Ward, *, query: str = "", chosen: str = "", request: HttpRequest | None = None
) -> list[PatientChoice]:
    """The patients to offer for an episode on `ward`: those on it now, or (with `query`) up to 50 of the
    ward's patients found by name, NHS number or local identifier, plus the one already chosen; each with
    the ward they are on now. Audited as one view of the names shown."""
    allowed = patients_for_ward(user, ward)
    now = timezone.now()
    if query:
        found = patient_search(user, query).values("pk")
        patients = list(allowed.filter(pk__in=found)[:50])
    else:
        patients = list(
            allowed.filter(pk__in=WardStay.objects.on_ward_at(ward, now).values("patient_id")).distinct()
        )
    if chosen.isdigit() and all(str(p.pk) != chosen for p in patients):
        patients += list(allowed.filter(pk=int(chosen)))
    stays = (
        WardStay.objects.filter(patient__in=patients, started_at__lte=now)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now))
        .select_related("ward")
        .order_by("started_at")
    )
    ward_now = {stay.patient_id: stay.ward.name for stay in stays}
    if patients:
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            record_type="people.Patient",
            record_label=f"Patients offered for a seclusion or segregation episode ({len(patients)})",
            provider_id=ward.provider_id,
            request=request,
            detail={"patient_ids": [p.pk for p in patients]},
        )
    return [PatientChoice(p, ward_now.get(p.pk, "")) for p in patients]


def patients_for_ward(user: User, ward: Ward) -> QuerySet[Patient]:

    return (
        patients_for(user)
        .filter(ward_stays__ward=ward, ward_stays__cancelled_at__isnull=True)
        .distinct()
        .order_by("family_name", "given_name")
    )


# --- LTS register -----------------------------------------------------------------------------------


@dataclass
class RegisterRow:
    """One person in long-term segregation, for governance (named) or commissioners (pseudonymised)."""

    state: EpisodeState
    label: str
    since: dt.datetime
    days: int
    total_days_in_lts: int
    reviews_done: int
    past_episodes: list[EpisodeState]
    #: The latest plan to end it (None: none written yet) and the days since its last step was taken,
    #: or since segregation began when none has been (issue 17, item 5).
    plan: PlanState | None = None
    days_since_last_step: int = 0


def _register(states: list[EpisodeState], history: list[EpisodeState], now, label_for) -> list[RegisterRow]:
    plans = end_plans(s.episode.pk for s in states)
    today = timezone.localdate(now)
    past: dict[int, list[EpisodeState]] = defaultdict(list)
    for state in history:
        past[state.episode.patient_id].append(state)
    rows = []
    for state in states:
        earlier = [s for s in past[state.episode.patient_id] if s.episode.pk != state.episode.pk]
        total = state.duration(now) + sum((s.duration(now) for s in earlier), dt.timedelta(0))
        rows.append(
            RegisterRow(
                state=state,
                label=label_for(state.episode.patient),
                since=state.version.started_at,
                days=state.duration(now).days,
                total_days_in_lts=total.days,
                reviews_done=len(state.reviews),
                past_episodes=sorted(earlier, key=lambda s: s.version.started_at, reverse=True),
                plan=plans.get(state.episode.pk),
                days_since_last_step=_days_since_last_step(plans.get(state.episode.pk), state, now, today),
            )
        )
    return sorted(rows, key=lambda r: r.since)


def _days_since_last_step(
    plan: PlanState | None, state: EpisodeState, now: dt.datetime, today: dt.date
) -> int:
    """Calendar days since the plan's last step was done (a step is done on a date); with no step done
    yet, the same count as the row's days in segregation, so the register never shows someone 119 days in
    LTS and 120 days without a step (calendar days and whole 24-hour days part across a clock change)."""
    if plan is not None and plan.last_done_on is not None:
        return (today - plan.last_done_on).days
    return state.duration(now).days


def lts_register(
    user: User, provider: Provider, *, now: dt.datetime | None = None, request: HttpRequest | None = None
) -> list[RegisterRow]:
    """Everyone in long-term segregation at the provider now, longest first, with their past episodes."""
    now = now or timezone.now()
    lts = episodes_for(user).filter(provider=provider, kind=EpisodeKind.LONG_TERM_SEGREGATION)
    active = list(lts.filter(current_ended_at__isnull=True))
    history = list(lts.filter(patient_id__in=[e.patient_id for e in active]))
    _audit_list(user, history, f"LTS register for {provider.name}", provider_id=provider.pk, request=request)
    states = {s.episode.pk: s for s in episode_states(history, now=now)}
    return _register(
        [states[e.pk] for e in active],
        list(states.values()),
        now,
        lambda p: f"{p.given_name} {p.family_name}",
    )


def lts_register_pseudonymised(
    user: User, *, now: dt.datetime | None = None, request: HttpRequest | None = None
) -> dict[Provider, list[RegisterRow]]:
    """The LTS register of every provider a commissioner commissions, with no names or NHS numbers."""
    if not has_permission(user, Permission.COMMISSIONED_LTS_REGISTER_VIEW):
        return {}
    now = now or timezone.now()
    providers = list(providers_for(user).order_by("name"))
    lts = (
        Episode.objects.filter(provider__in=providers, kind=EpisodeKind.LONG_TERM_SEGREGATION)
        .with_current()
        .select_related("ward", "patient", "provider")
    )
    active = list(lts.filter(current_ended_at__isnull=True))
    history = list(lts.filter(patient_id__in=[e.patient_id for e in active]))
    audit_list(
        actor=user,
        records=history,
        record_type="segregation.Episode",
        label=f"Pseudonymised LTS register ({len(active)} people)",
        request=request,
        detail=lambda group: {"episode_ids": [e.pk for e in group], "pseudonymised": True},
    )
    states = {s.episode.pk: s for s in episode_states(history, now=now)}
    rows = _register([states[e.pk] for e in active], list(states.values()), now, lambda p: pseudonym(p.pk))
    by_provider: dict[Provider, list[RegisterRow]] = {p: [] for p in providers}
    for row in rows:
        by_provider[row.state.episode.provider].append(row)
    return by_provider


# --- Patient summary --------------------------------------------------------------------------------


@dataclass
class PatientSummary:
    patient: Patient
    states: list[EpisodeState]
    seclusion_hours: float
    lts_days: int
    restraints_during_segregation: int
    by_month: list[tuple[str, int, float, int]]


def patient_summary(
    user: User, patient_id: int, *, now: dt.datetime | None = None, request: HttpRequest | None = None
) -> PatientSummary | None:
    """A patient's episodes over time, for their care team: hours secluded, days in LTS and restraint
    during segregation, overall and per month. None if the patient is out of scope."""

    now = now or timezone.now()
    patient = patient_get_for(user, patient_id, request=request)
    if patient is None:
        return None
    episodes = list(episodes_for(user).filter(patient=patient).order_by("current_started_at"))
    states = episode_states(episodes, now=now)
    seclusion = sum(
        (s.duration(now) for s in states if s.episode.kind == EpisodeKind.SECLUSION), dt.timedelta(0)
    )
    lts = [s for s in states if s.episode.kind == EpisodeKind.LONG_TERM_SEGREGATION]
    physical = [code for code, cat in INTERVENTION_CATEGORY.items() if cat == ForceCategory.PHYSICAL]
    # Restraint recorded in the current version of each incident now about the patient (decision 0021).
    restraint_times = list(
        InterventionRecord.objects.current()
        .not_voided()
        .filter(
            version__patient=patient,
            type_code__in=physical,
            version__incident__ward__in=patient_wards_for(user),
        )
        .values_list("started_at", flat=True)
    )
    during = sum(
        1
        for at in restraint_times
        if any(s.version.started_at <= at <= (s.version.ended_at or now) for s in lts)
    )
    months: dict[str, list] = {}
    for s in states:
        key = iso_month(s.version.started_at)
        row = months.setdefault(key, [0, 0.0, 0])
        if s.episode.kind == EpisodeKind.SECLUSION:
            row[0] += 1
            row[1] += s.duration(now).total_seconds() / 3600
        else:
            row[2] += 1
    return PatientSummary(
        patient=patient,
        states=states,
        seclusion_hours=round(seclusion.total_seconds() / 3600, 1),
        lts_days=sum((s.duration(now) for s in lts), dt.timedelta(0)).days,
        restraints_during_segregation=during,
        by_month=[(k, v[0], round(v[1], 1), v[2]) for k, v in sorted(months.items())],
    )


# --- Daily command ----------------------------------------------------------------------------------


def due_by_ward(*, now: dt.datetime | None = None, within: dt.timedelta = dt.timedelta(hours=24)):
    """For the daily command (run by the system, not a user): per ward, the active episodes with a
    review overdue or due within `within`, and those reviews. Wards with nothing due are left out."""
    now = now or timezone.now()
    episodes = Episode.objects.active().select_related("ward", "ward__provider", "patient", "provider")
    wards: dict[Ward, list[tuple[EpisodeState, list[schedules.Due]]]] = defaultdict(list)
    for state in episode_states(episodes, now=now):
        due = [d for d in state.due if d.due_at <= now + within]
        if due:
            wards[state.episode.ward].append((state, due))
    return sorted(wards.items(), key=lambda item: (item[0].provider.name, item[0].name))


def recent_incidents_for(user: User, ward: Ward, patient_id: int, *, hours: int = 24) -> list:
    """The patient's use-of-force incidents on the ward recorded in the last `hours`, newest first: the
    ones an episode started now most likely followed, offered on the episode form so that the episode is
    linked to its incident (one event, one record)."""
    since = timezone.now() - dt.timedelta(hours=hours)
    return list(
        incident_list_for_user(user)
        .with_current_version(current_patient_id="patient_id")
        .filter(ward=ward, current_patient_id=patient_id, created_at__gte=since)[:5]
    )


def incident_for(user: User, incident_id: int):
    """A use-of-force incident on the user's wards, to link an episode to (None if out of scope)."""

    return incident_list_for_user(user).filter(pk=incident_id).first()


# --- For measures and extracts -----------------------------------------------------------------------


@dataclass(frozen=True)
class InterventionSpan:
    """An episode as an MHSDS restrictive intervention: type 05 (seclusion) or 06 (segregation)."""

    episode_id: int
    ward_id: int
    patient_id: int
    type_code: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    incident_id: int | None


def intervention_spans(
    *, ward_ids: Iterable[int], since: dt.datetime, until: dt.datetime
) -> list[InterventionSpan]:
    """Every episode on these wards under way at any time in [since, until), as MHSDS intervention type
    05 or 06, from its latest version. Not scoped or audited: for measures and extracts, which count
    and never show a person. `incident_id` lets a caller that also counts the force app's intervention
    records skip an episode whose incident already records the same type (see docs/segregation.md)."""
    from django.db.models import Exists, Q

    # Read from the latest versions themselves, as plain rows: one join and one anti-join instead of three
    # correlated subqueries per episode (evaluated again in the filter), and no model instances; at
    # national size (668 wards) 1.5 s -> a fraction of that.
    newer = EpisodeVersion.objects.filter(episode_id=OuterRef("episode_id"), number__gt=OuterRef("number"))
    rows = (
        EpisodeVersion.objects.filter(episode__ward_id__in=list(ward_ids))
        .filter(~Exists(newer))
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=since), started_at__lt=until)
        .order_by("started_at", "episode_id")
        .values_list(
            "episode_id",
            "episode__ward_id",
            "episode__patient_id",
            "episode__kind",
            "started_at",
            "ended_at",
            "incident_id",
        )
    )
    return [
        InterventionSpan(
            episode_id=episode_id,
            ward_id=ward_id,
            patient_id=patient_id,
            type_code=MHSDS_INTERVENTION_TYPE[kind],
            started_at=started_at,
            ended_at=ended_at,
            incident_id=incident_id,
        )
        for episode_id, ward_id, patient_id, kind, started_at, ended_at, incident_id in rows
    ]


def review_rule_labels() -> dict[str, str]:
    """Each review rule's name and what it means, in the order of the rules."""

    return {name: RULE_LABELS[name] for name in RULE_FIELDS}
