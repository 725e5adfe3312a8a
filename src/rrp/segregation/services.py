"""Writing seclusion and long-term segregation records: validated, scoped, versioned and audited.

Every function takes keyword arguments and the acting user as `by`, runs in one transaction and
writes its audit row inside it, so a failed audit write leaves nothing saved. Bad input raises
ValidationError naming each field; nothing is saved then either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.core.concurrency import check_base_version
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.core.times import local_month, to_the_minute
from rrp.figures.store import mark_changed
from rrp.force import services as force_services
from rrp.force.models import Incident, InterventionRecord
from rrp.organisations.models import Provider, Ward
from rrp.people.codes import StaffGroup
from rrp.people.models import Patient, StaffMember
from rrp.segregation import schedules
from rrp.segregation.codes import (
    AUTHORISER_STAFF_GROUPS,
    MHSDS_INTERVENTION_TYPE,
    REVIEWER_GROUPS,
    REVIEWS_FOR_KIND,
    EpisodeKind,
    ReviewDecision,
    ReviewKind,
)
from rrp.segregation.models import (
    CONTENT_FIELDS,
    RULE_FIELDS,
    Episode,
    EpisodeVersion,
    Observation,
    Review,
    ReviewRules,
)

Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _audit(
    *, by: User, action: AuditAction, episode: Episode, request: HttpRequest | None, **detail: Any
) -> None:
    audit_record(
        actor=by,
        action=action,
        record=episode,
        patient_id=episode.patient_id,
        provider_id=episode.provider_id,
        request=request,
        detail=detail,
    )


def _validate_content(  # noqa: C901  (a flat list of field checks, each adding its own message to the field)
    content: dict[str, Any], *, kind: str, ward: Ward, patient: Patient, errors: Errors
) -> None:
    started, ended = content.get("started_at"), content.get("ended_at")
    if started is None:
        _add(errors, "started_at", "Enter when the episode started")
    elif started > timezone.now() + dt.timedelta(minutes=5):
        _add(errors, "started_at", "The start cannot be in the future")
    if started and ended and ended < started:
        _add(errors, "ended_at", "The episode must end after it started")
    if ended and ended > timezone.now() + dt.timedelta(minutes=5):
        _add(errors, "ended_at", "The end cannot be in the future")
    if ended and not (content.get("end_reason") or "").strip():
        _add(errors, "end_reason", "Say why the episode ended")
    if not (content.get("place") or "").strip():
        _add(errors, "place", "Enter where: the seclusion room or LTS area")
    if not (content.get("reason") or "").strip():
        _add(errors, "reason", "Enter the reason for the episode")
    if not (content.get("end_plan") or "").strip():
        _add(errors, "end_plan", "Enter the care plan for ending the episode")
    authoriser = content.get("authorised_by")
    if authoriser is not None:
        if authoriser.provider_id != ward.provider_id:
            _add(errors, "authorised_by", "This member of staff does not work for the ward's provider")
        elif authoriser.staff_group not in AUTHORISER_STAFF_GROUPS:
            _add(
                errors,
                "authorised_by",
                f"{authoriser.name} ({authoriser.job_title}) cannot authorise it: choose a doctor, nurse or other qualified clinician",
            )
    elif not (content.get("authorised_by_name") or "").strip():
        _add(errors, "authorised_by", "Pick who authorised the episode or type their name")
    incident = content.get("incident")
    if incident is not None and incident.current_patient.pk != patient.pk:
        _add(errors, "incident", "This use-of-force incident is about another patient")
    if kind == EpisodeKind.LONG_TERM_SEGREGATION:
        if not (content.get("mdt_decision") or "").strip():
            _add(errors, "mdt_decision", "Record the multidisciplinary decision to segregate")
        if not (content.get("commissioner_representative") or "").strip():
            _add(errors, "commissioner_representative", "Name the commissioner's representative involved")


def _overlapping(
    *, patient: Patient, kind: str, started_at: dt.datetime, ended_at: dt.datetime | None, exclude=None
):
    """Another episode of the same kind for the patient whose time overlaps [started_at, ended_at)."""
    others = Episode.objects.filter(patient=patient, kind=kind).with_current()
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    overlap = Q(current_ended_at__isnull=True) | Q(current_ended_at__gt=started_at)
    if ended_at is not None:
        overlap &= Q(current_started_at__lt=ended_at)
    return others.filter(overlap).first()


def _normalise(content: dict[str, Any]) -> dict[str, Any]:
    content = dict(content)
    for name in ("started_at", "ended_at", "mdt_decided_at"):
        content[name] = to_the_minute(content.get(name))
    authoriser = content.get("authorised_by")
    if authoriser is not None:
        content["authorised_by_name"] = authoriser.name
        content["authorised_by_doctor"] = authoriser.staff_group == StaffGroup.MEDICAL
    for name in (
        "place",
        "authorised_by_name",
        "reason",
        "end_plan",
        "mdt_decision",
        "commissioner_representative",
        "end_reason",
    ):
        content[name] = (content.get(name) or "").strip()
    return content


def _reviews_figures_months(
    episode: Episode, spans: Sequence[tuple[dt.datetime, dt.datetime | None]]
) -> set[tuple[int, dt.date]]:
    """The (ward, UK month) cells whose stored "reviews on time" (``measures``: seclusions counted in
    the month they ended) an episode spanning ``spans`` (its times before and after a write) can change:
    its own end months, and for seclusion the end months of the patient's other seclusions whose
    independent MDT triggers count it (those that ended after it began and began within the provider's
    window, 48 hours by default, after it ended; one still under way reaches every later one)."""
    cells = {(episode.ward_id, local_month(ended)) for _, ended in spans if ended is not None}
    if episode.kind != EpisodeKind.SECLUSION:
        return cells
    window = dt.timedelta(minutes=rules_for(episode.provider_id).independent_mdt_window_minutes)
    others = (
        Episode.objects.filter(patient_id=episode.patient_id, kind=EpisodeKind.SECLUSION)
        .exclude(pk=episode.pk)
        .with_current()
        .filter(current_ended_at__isnull=False, current_ended_at__gt=min(start for start, _ in spans))
    )
    ends = [ended for _, ended in spans if ended is not None]
    if len(ends) == len(spans):
        others = others.filter(current_started_at__lt=max(ends) + window)
    return cells | {
        (ward_id, local_month(ended)) for ward_id, ended in others.values_list("ward_id", "current_ended_at")
    }


@transaction.atomic
def episode_start(
    *,
    ward: Ward,
    patient: Patient,
    kind: str,
    by: User,
    started_at: dt.datetime | None,
    place: str,
    reason: str,
    end_plan: str,
    authorised_by: StaffMember | None = None,
    authorised_by_name: str = "",
    authorised_by_doctor: bool = False,
    incident: Incident | None = None,
    mdt_decision: str = "",
    mdt_decided_at: dt.datetime | None = None,
    commissioner_representative: str = "",
    ended_at: dt.datetime | None = None,
    end_reason: str = "",
    request: HttpRequest | None = None,
) -> Episode:
    """Record a seclusion or long-term segregation episode (version 1).

    Refused, naming the field: a ward outside the user's scope, a patient of another provider or not
    seen on that ward, an end before the start, an episode overlapping another of the same kind for the
    patient, LTS without its multidisciplinary decision or commissioner's representative.
    """
    errors: Errors = {}
    if not has_permission(by, Permission.SEGREGATION_RECORD, ward=ward):
        _add(errors, "ward", "You cannot record episodes on this ward")
    if patient.provider_id != ward.provider_id:
        _add(errors, "patient", "This patient is not a patient of the ward's provider")
    if kind not in EpisodeKind.values:
        _add(errors, "kind", "Choose seclusion or long-term segregation")
    content = _normalise(
        {
            "started_at": started_at,
            "ended_at": ended_at,
            "place": place,
            "authorised_by": authorised_by,
            "authorised_by_name": authorised_by_name,
            "authorised_by_doctor": authorised_by_doctor,
            "reason": reason,
            "end_plan": end_plan,
            "incident": incident,
            "mdt_decision": mdt_decision,
            "mdt_decided_at": mdt_decided_at,
            "commissioner_representative": commissioner_representative,
            "end_reason": end_reason,
        }
    )
    _validate_content(content, kind=kind, ward=ward, patient=patient, errors=errors)
    if not errors:
        clash = _overlapping(
            patient=patient, kind=kind, started_at=content["started_at"], ended_at=content["ended_at"]
        )
        if clash is not None:
            _add(
                errors,
                "started_at",
                f"This overlaps another {EpisodeKind(kind).label.lower()} episode for the patient",
            )
    _raise(errors)

    now = timezone.now()
    episode = Episode.objects.create(
        provider_id=ward.provider_id, ward=ward, patient=patient, kind=kind, created_at=now, created_by=by
    )
    EpisodeVersion.objects.create(episode=episode, number=1, recorded_at=now, recorded_by=by, **content)
    mark_changed(
        {(ward.pk, local_month(content["started_at"]))}
        | _reviews_figures_months(episode, [(content["started_at"], content["ended_at"])])
    )
    _audit(by=by, action=AuditAction.CREATE, episode=episode, request=request, version=1, kind=kind)
    return episode


def _lock(episode: Episode) -> Episode:
    return Episode.objects.select_for_update().select_related("ward", "patient").get(pk=episode.pk)


@transaction.atomic
def episode_amend(
    *,
    episode: Episode,
    by: User,
    change_reason: str,
    base_version: int | None = None,
    request: HttpRequest | None = None,
    **changes: Any,
) -> EpisodeVersion:
    """Add a version with `changes` applied to the latest one, saying why (`change_reason`; `reason` is
    the episode's own reason, a content field). Ending an episode is an amendment that sets `ended_at`
    and `end_reason` (see `episode_end`). `base_version`, the version the person started from, is
    refused with StaleVersion if another has been saved since (decision 0018)."""
    episode = _lock(episode)
    if not has_permission(by, Permission.SEGREGATION_RECORD, ward=episode.ward):
        raise PermissionDenied("You cannot change episodes on this ward")
    latest_number = episode.versions.order_by("-number").values_list("number", flat=True).first()
    check_base_version(base=base_version, current=latest_number, what="episode")
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown episode fields: {', '.join(sorted(unknown))}")
    errors: Errors = {}
    if not (change_reason or "").strip():
        _add(errors, "change_reason", "Say why you are changing this record")
    previous = episode.versions.order_by("-number").first()
    content = previous.content()
    if "authorised_by_name" in changes and "authorised_by" not in changes:
        content["authorised_by"] = None
    content.update(changes)
    content = _normalise(content)
    _validate_content(content, kind=episode.kind, ward=episode.ward, patient=episode.patient, errors=errors)
    if not errors:
        clash = _overlapping(
            patient=episode.patient,
            kind=episode.kind,
            started_at=content["started_at"],
            ended_at=content["ended_at"],
            exclude=episode,
        )
        if clash is not None:
            _add(errors, "started_at", "This overlaps another episode of the same kind for the patient")
        first_review = episode.reviews.order_by("at").first()
        if first_review is not None and first_review.at < content["started_at"]:
            _add(errors, "started_at", "A review was recorded before this start time")
    _raise(errors)
    version = EpisodeVersion.objects.create(
        episode=episode,
        number=previous.number + 1,
        recorded_at=timezone.now(),
        recorded_by=by,
        change_reason=change_reason.strip(),
        **content,
    )
    # The stored figures of the months it started in, before and now (an episode counts where it starts),
    # and those whose reviews on time it can change (it counts where it ends; ending it is this write).
    mark_changed(
        {
            (episode.ward_id, local_month(previous.started_at)),
            (episode.ward_id, local_month(version.started_at)),
        }
        | _reviews_figures_months(
            episode, [(previous.started_at, previous.ended_at), (version.started_at, version.ended_at)]
        )
    )
    _audit(
        by=by,
        action=AuditAction.CHANGE,
        episode=episode,
        request=request,
        version=version.number,
        reason=version.change_reason,
        fields=sorted(changes),
    )
    return version


@transaction.atomic
def episode_end(
    *,
    episode: Episode,
    by: User,
    ended_at: dt.datetime | None,
    end_reason: str,
    request: HttpRequest | None = None,
) -> EpisodeVersion:
    """End an episode: a new version with the end time and why it ended."""
    errors: Errors = {}
    if ended_at is None:
        _add(errors, "ended_at", "Enter when the episode ended")
    latest = episode.versions.order_by("-number").first()
    if latest is not None and latest.ended_at is not None:
        _add(errors, "ended_at", "This episode has already ended")
    _raise(errors)
    return episode_amend(
        episode=episode,
        by=by,
        change_reason="Episode ended",
        ended_at=ended_at,
        end_reason=end_reason,
        request=request,
    )


def _check_reviewer(
    errors: Errors, field: str, staff: StaffMember | None, kind: str, episode: Episode
) -> None:
    allowed = REVIEWER_GROUPS[kind]
    if staff is None or allowed is None:
        return
    if staff.provider_id != episode.provider_id:
        _add(errors, field, "This member of staff does not work for the ward's provider")
    elif staff.staff_group not in allowed:
        label = ReviewKind(kind).label.lower()
        groups = " or ".join(sorted(StaffGroup(g).label.lower() for g in allowed))
        _add(
            errors,
            field,
            f"A {label} must be done by {groups} staff; {staff.name} is {StaffGroup(staff.staff_group).label.lower()}",
        )


@transaction.atomic
def review_record(  # noqa: C901  (the checks of each kind of review, each naming its field, before one audited write)
    *,
    episode: Episode,
    kind: str,
    at: dt.datetime | None,
    by: User,
    outcome: str,
    decision: str,
    reviewer: StaffMember | None = None,
    reviewer_name: str = "",
    reviewer_role: str = "",
    second_reviewer: StaffMember | None = None,
    second_reviewer_name: str = "",
    request: HttpRequest | None = None,
) -> Review:
    """Record a review of an episode. Refused, naming the field: a review kind that does not apply to
    this kind of episode, a time before the episode began or after it ended, a reviewer without the
    role (a medical review by a doctor, a nursing review by two registered nurses), no outcome or
    decision."""
    episode = _lock(episode)
    if not has_permission(by, Permission.SEGREGATION_RECORD, ward=episode.ward):
        raise PermissionDenied("You cannot record reviews on this ward")
    errors: Errors = {}
    if kind not in REVIEWS_FOR_KIND[episode.kind]:
        _add(errors, "kind", f"Choose a review that applies to {EpisodeKind(episode.kind).label.lower()}")
    at = to_the_minute(at)
    current = episode.versions.order_by("-number").first()
    if at is None:
        _add(errors, "at", "Enter when the review took place")
    else:
        if at < current.started_at:
            _add(errors, "at", "The review cannot be before the episode began")
        if current.ended_at is not None and at > current.ended_at:
            _add(errors, "at", "The review cannot be after the episode ended")
        if at > timezone.now() + dt.timedelta(minutes=5):
            _add(errors, "at", "The review cannot be in the future")
    if kind in REVIEWER_GROUPS:
        if reviewer is None and not reviewer_name.strip():
            _add(errors, "reviewer", "Pick the reviewer or type their name")
        if reviewer is None and REVIEWER_GROUPS[kind] is not None and reviewer_name.strip():
            _add(errors, "reviewer", "Pick the reviewer from the staff list, so their role can be checked")
        _check_reviewer(errors, "reviewer", reviewer, kind, episode)
        if kind == ReviewKind.NURSING:
            if second_reviewer is None:
                _add(errors, "second_reviewer", "A nursing review needs a second registered nurse")
            elif reviewer is not None and second_reviewer.pk == reviewer.pk:
                _add(errors, "second_reviewer", "The second nurse must be a different person")
            else:
                _check_reviewer(errors, "second_reviewer", second_reviewer, kind, episode)
    if not (outcome or "").strip():
        _add(errors, "outcome", "Enter the outcome of the review")
    if decision not in ReviewDecision.values:
        _add(errors, "decision", "Choose whether to continue or end the episode")
    _raise(errors)
    review = Review.objects.create(
        episode=episode,
        kind=kind,
        at=at,
        reviewer=reviewer,
        reviewer_name=reviewer.name if reviewer else reviewer_name.strip(),
        reviewer_role=reviewer.job_title if reviewer else reviewer_role.strip(),
        second_reviewer=second_reviewer,
        second_reviewer_name=second_reviewer.name if second_reviewer else second_reviewer_name.strip(),
        outcome=outcome.strip(),
        decision=decision,
        recorded_at=timezone.now(),
        recorded_by=by,
    )
    # A review recorded after the episode ended changes its reviews on time, stored for its end month.
    if current.ended_at is not None:
        mark_changed([(episode.ward_id, local_month(current.ended_at))])
    _audit(
        by=by, action=AuditAction.CREATE, episode=episode, request=request, review=review.pk, review_kind=kind
    )
    return review


@transaction.atomic
def observation_record(
    *,
    episode: Episode,
    at: dt.datetime | None,
    by: User,
    note: str,
    observer: StaffMember | None = None,
    observer_name: str = "",
    request: HttpRequest | None = None,
) -> Observation:
    """Record an observation during an episode (in seclusion, every 15 minutes by default)."""
    episode = _lock(episode)
    if not has_permission(by, Permission.SEGREGATION_RECORD, ward=episode.ward):
        raise PermissionDenied("You cannot record observations on this ward")
    errors: Errors = {}
    at = to_the_minute(at)
    current = episode.versions.order_by("-number").first()
    if at is None:
        _add(errors, "at", "Enter when the observation was made")
    elif at < current.started_at or (current.ended_at is not None and at > current.ended_at):
        _add(errors, "at", "The observation must be during the episode")
    if observer is None and not observer_name.strip():
        _add(errors, "observer", "Pick who observed or type their name")
    elif observer is not None and observer.provider_id != episode.provider_id:
        _add(errors, "observer", "This member of staff does not work for the ward's provider")
    if not (note or "").strip():
        _add(errors, "note", "Enter what was observed")
    _raise(errors)
    observation = Observation.objects.create(
        episode=episode,
        at=at,
        observer=observer,
        observer_name=observer.name if observer else observer_name.strip(),
        note=note.strip(),
        recorded_at=timezone.now(),
        recorded_by=by,
    )
    _audit(by=by, action=AuditAction.CREATE, episode=episode, request=request, observation=observation.pk)
    return observation


def rules_for(provider_id: int) -> schedules.Rules:
    """The provider's review rules, or the defaults when it has set none."""
    row = ReviewRules.objects.filter(provider_id=provider_id).first()
    return row.as_rules() if row else schedules.DEFAULT_RULES


@transaction.atomic
def review_rules_set(
    *, provider: Provider, by: User, request: HttpRequest | None = None, reason: str = "", **minutes: int
) -> ReviewRules:
    """Provider governance (or an administrator) sets the provider's review intervals (in minutes); audited
    with old and new, and with why when given (the administration pages require it)."""
    if not has_permission(by, Permission.REVIEW_RULES_SET, provider=provider):
        raise PermissionDenied(
            "Only the provider's governance team or administrators can change its review rules"
        )
    unknown = set(minutes) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown review rules: {', '.join(sorted(unknown))}")
    current = rules_for(provider.pk)
    values = {name: getattr(current, name) for name in RULE_FIELDS} | minutes
    errors: Errors = {}
    for name, value in values.items():
        minimum = 0 if name == "independent_mdt_within_minutes" else 1
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            _add(errors, name, f"Enter a whole number of minutes of at least {minimum}")
    _raise(errors)
    row, _created = ReviewRules.objects.update_or_create(
        provider=provider, defaults={**values, "changed_at": timezone.now(), "changed_by": by}
    )
    # Every ended episode's reviews on time is judged by these rules: each end month's stored figures.
    ended = (
        Episode.objects.filter(provider=provider)
        .with_current()
        .filter(current_ended_at__isnull=False)
        .values_list("ward_id", "current_ended_at")
    )
    mark_changed({(ward_id, local_month(ended_at)) for ward_id, ended_at in ended})
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=row,
        provider_id=provider.pk,
        request=request,
        detail={"from": {k: getattr(current, k) for k in minutes}, "to": minutes}
        | ({"reason": reason.strip()} if reason.strip() else {}),
    )
    return row


def figures_months_of_linked_episodes(incident_ids: Sequence[int]) -> set[tuple[int, dt.date]]:
    """The (ward, UK month) cells of every episode linked, in any version, to these incidents: an episode
    is not counted where its incident records its type, so writing the incident can change the
    episode's month (registered with force in ``SegregationConfig.ready``)."""
    linked = EpisodeVersion.objects.filter(incident_id__in=incident_ids).values_list(
        "episode__ward_id", "started_at"
    )
    return {(ward_id, local_month(started)) for ward_id, started in linked}


@dataclass
class EpisodeTypesReport:
    """What ``episode_types_migrate`` did or would do, by incident number (no patient named)."""

    linked: list[tuple[int, int]] = field(default_factory=list)  # (incident, episode) newly linked
    moved: list[int] = field(default_factory=list)  # incidents whose 05/06 rows a new version removed
    left: list[tuple[int, str]] = field(default_factory=list)  # (incident, why it was left as it is)


EPISODE_KIND_OF_TYPE = {code: kind for kind, code in MHSDS_INTERVENTION_TYPE.items()}
MATCH_WITHIN = dt.timedelta(hours=24)


@transaction.atomic
def episode_types_migrate(*, by: User, dry_run: bool = False) -> EpisodeTypesReport:
    """Move seclusion and segregation recorded as types of force (05, 06) on incidents made before
    issue 13 onto their episodes, so each event is one record (decision 0020). Idempotent: an incident is
    looked at only while its current version still records 05 or 06.

    For each incident of ``by``'s provider that counts (not voided) and whose current version records 05
    or 06: each such row needs an episode of its kind linked to the incident. One already linked is used;
    otherwise the one unlinked episode of the incident's current patient on its ward, of that kind,
    starting within a day of the row, is linked to it (an episode version with a reason). When every row
    has its episode and the incident records some other force, a new incident version leaves the 05/06
    rows out (its reason names the episodes). Anything else is left as it is and listed with why (no
    episode found: record it from the incident; or the incident records nothing else). Every write goes
    through the services, so each is a version with a reason, audited, its months marked stale.
    ``dry_run`` does the same and rolls it all back.
    """
    if not has_permission(by, Permission.CLOSED_INCIDENT_AMEND) or by.provider_id is None:
        raise PermissionDenied("Only provider governance can move seclusion and segregation onto episodes")
    report = EpisodeTypesReport()
    rows = (
        InterventionRecord.objects.current()
        .not_voided()
        .filter(type_code__in=list(EPISODE_KIND_OF_TYPE), version__incident__provider_id=by.provider_id)
        .values_list("version__incident_id", flat=True)
        .distinct()
    )
    for incident in Incident.objects.filter(pk__in=list(rows)).select_related("ward").order_by("pk"):
        version = incident.versions.order_by("-number").first()
        interventions = list(version.interventions.all())
        episodic = [i for i in interventions if i.type_code in EPISODE_KIND_OF_TYPE]
        others = [i for i in interventions if i.type_code not in EPISODE_KIND_OF_TYPE]
        linked = _episodes_linked_to(incident)
        found: list[Episode] = []
        missing = []
        for row in episodic:
            kind = EPISODE_KIND_OF_TYPE[row.type_code]
            episode = next((e for e in linked if e.kind == kind and e not in found), None)
            if episode is None:
                episode = _unlinked_episode_near(incident, kind=kind, at=row.started_at, taken=found)
                if episode is not None:
                    episode_amend(
                        episode=episode,
                        by=by,
                        change_reason=f"Linked to use-of-force incident {incident.pk}, which recorded it as a "
                        "type of force (decision 0020)",
                        incident=incident,
                    )
                    report.linked.append((incident.pk, episode.pk))
            if episode is None:
                missing.append(
                    f"{row.get_type_code_display().lower()} at {timezone.localtime(row.started_at):%d %b %Y %H:%M}"
                )
            else:
                found.append(episode)
        if missing:
            report.left.append(
                (incident.pk, f"no episode found for the {', '.join(missing)}: record it from the incident")
            )
            continue
        if not others:
            report.left.append((incident.pk, "it records no other force: kept as it is"))
            continue
        numbers = ", ".join(str(e.pk) for e in found)
        force_services.incident_amend(
            incident=incident,
            by=by,
            reason=f"Seclusion or segregation is recorded as episode {numbers}: removed as a type of force so "
            "that it is counted once (decision 0020)",
            interventions=[force_services.InterventionInput(*i.as_tuple()) for i in others],
            durations_confirmed=True,  # carried forward as they were recorded
        )
        report.moved.append(incident.pk)
    if dry_run:
        transaction.set_rollback(True)
    return report


def _episodes_linked_to(incident: Incident) -> list[Episode]:
    """Episodes whose current version links them to this incident."""
    episodes = Episode.objects.filter(versions__incident=incident).distinct().order_by("pk")
    return [e for e in episodes if e.versions.order_by("-number").first().incident_id == incident.pk]


def _unlinked_episode_near(
    incident: Incident, *, kind: str, at: dt.datetime, taken: list[Episode]
) -> Episode | None:
    """The one episode of the incident's patient on its ward, of this kind, linked to no incident and
    starting within a day of ``at`` (None when there is none, or more than one to choose from)."""
    candidates = [
        e
        for e in Episode.objects.filter(ward=incident.ward, patient=incident.current_patient, kind=kind)
        .with_current()
        .filter(current_started_at__gte=at - MATCH_WITHIN, current_started_at__lte=at + MATCH_WITHIN)
        .order_by("pk")
        if e not in taken and e.versions.order_by("-number").first().incident_id is None
    ]
    return candidates[0] if len(candidates) == 1 else None
