"""The seclusion and segregation API: the same selectors, services, validation and scope as the pages.

Mounted at /api/segregation/ (rrp.api.api). Reads start from `segregation.selectors` (an id out of
scope answers 404); writes call `segregation.services`, whose ValidationError becomes a problem+json
422 naming each field. Read-only roles get 403 for writes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission, require_permission
from rrp.accounts.roles import Permission
from rrp.api.problems import problem_responses
from rrp.api.schemas import BodyIn
from rrp.core.validation.schemas import Id, declared_types
from rrp.segregation import schedules, selectors, services
from rrp.segregation.codes import EpisodeKind, due_label
from rrp.segregation.models import EpisodeVersion, Review

# Request fields carry the rules of the model fields they are stored in (decision 0013): text within its
# declared length and without control characters, ids within 64 bits, times of events from 1900 to
# tomorrow read from ISO 8601 text only.
EV = declared_types(EpisodeVersion)
RV = declared_types(Review)

# Each operation keeps the OpenAPI operationId it was published with when this router lived in
# rrp.segregation.api (ninja derives the id from the module), so clients generated from the document
# are not broken by the move (decision 0011).
router = Router(tags=["Seclusion and segregation"])


class DueOut(Schema):
    kind: str
    label: str
    due_at: dt.datetime
    last_at: dt.datetime | None
    overdue: bool
    minutes_overdue: int


class ReviewOut(Schema):
    id: int
    kind: str
    at: dt.datetime
    reviewer_name: str
    reviewer_role: str
    second_reviewer_name: str
    outcome: str
    decision: str


class ChecksOut(Schema):
    """The episode's reviews and observations against the Code of Practice timers, to its end or now
    (issue 13: what was missed stays on the record after the episode ends)."""

    reviews_on_time: bool = Field(description="Every review that fell due was done by its due time")
    reviews_late: int
    reviews_missed: int
    observations_missed: int | None = Field(description="Seclusion only (null for long-term segregation)")


class EpisodeOut(Schema):
    id: int
    kind: str
    mhsds_intervention_type: str
    ward_id: int
    ward_code: str
    patient_id: int
    started_at: dt.datetime
    ended_at: dt.datetime | None
    place: str
    authorised_by_name: str
    reason: str
    end_plan: str
    incident_id: int | None
    mdt_decision: str
    commissioner_representative: str
    version: int
    next_due: DueOut | None
    due: list[DueOut]
    overdue: list[DueOut]
    checks: ChecksOut | None


class EpisodeDetailOut(EpisodeOut):
    reviews: list[ReviewOut]


class OverdueOut(Schema):
    episode_id: int
    kind: str
    ward_id: int
    patient_id: int
    review: DueOut


class EpisodeIn(BodyIn):
    ward_id: Id
    patient_id: Id
    kind: str
    started_at: EV.started_at
    place: EV.place = ""
    reason: EV.reason = ""
    end_plan: EV.end_plan = ""
    authorised_by_id: Id | None = None
    authorised_by_name: EV.authorised_by_name = ""
    authorised_by_doctor: bool = False
    incident_id: Id | None = None
    mdt_decision: EV.mdt_decision = ""
    mdt_decided_at: EV.mdt_decided_at | None = None
    commissioner_representative: EV.commissioner_representative = ""


class ReviewIn(BodyIn):
    kind: str
    at: RV.at
    outcome: RV.outcome = ""
    decision: str = ""
    reviewer_id: Id | None = None
    reviewer_name: RV.reviewer_name = ""
    reviewer_role: RV.reviewer_role = ""
    second_reviewer_id: Id | None = None


class ActiveFilters(Schema):
    ward_id: Id | None = None
    provider_id: Id | None = None


def _user(request: HttpRequest) -> User:
    return request.auth


READ_ONLY = "Your role can read episodes but not record them."


def _renamed(error: ValidationError, names: dict[str, str]) -> ValidationError:
    """The service's field names as the API's payload names them (reviewer -> reviewer_id)."""
    return ValidationError({names.get(k, k): v for k, v in error.message_dict.items()})


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A time without an offset is UK local time, as on the forms."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _due(item: schedules.Due) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "label": due_label(item.kind),
        "due_at": item.due_at,
        "last_at": item.last_at,
        "overdue": item.overdue,
        "minutes_overdue": item.minutes_overdue,
    }


def _episode(state: selectors.EpisodeState) -> dict[str, Any]:
    e, v = state.episode, state.version
    return {
        "id": e.pk,
        "kind": e.kind,
        "mhsds_intervention_type": e.mhsds_intervention_type,
        "ward_id": e.ward_id,
        "ward_code": e.ward.code,
        "patient_id": e.patient_id,
        "started_at": v.started_at,
        "ended_at": v.ended_at,
        "place": v.place,
        "authorised_by_name": v.authorised_by_name,
        "reason": v.reason,
        "end_plan": v.end_plan,
        "incident_id": v.incident_id,
        "mdt_decision": v.mdt_decision,
        "commissioner_representative": v.commissioner_representative,
        "version": v.number,
        "next_due": _due(state.next_due) if state.next_due else None,
        "due": [_due(d) for d in state.due],
        "overdue": [_due(d) for d in state.overdue],
        "checks": None
        if state.checks is None
        else {
            "reviews_on_time": state.checks.reviews_on_time,
            "reviews_late": state.checks.reviews_late,
            "reviews_missed": state.checks.reviews_missed,
            "observations_missed": None
            if state.checks.observations is None
            else state.checks.observations_missed,
        },
    }


def _detail(state: selectors.EpisodeState) -> dict[str, Any]:
    return {
        **_episode(state),
        "reviews": [
            {
                "id": r.pk,
                "kind": r.kind,
                "at": r.at,
                "reviewer_name": r.reviewer_name,
                "reviewer_role": r.reviewer_role,
                "second_reviewer_name": r.second_reviewer_name,
                "outcome": r.outcome,
                "decision": r.decision,
            }
            for r in state.reviews
        ],
    }


def _active(user: User, filters: ActiveFilters, request: HttpRequest) -> list[selectors.EpisodeState]:
    if filters.ward_id is not None:
        ward = selectors.ward_for(user, filters.ward_id)
        if ward is None:
            raise Http404("No ward you can see has this id.")
        return selectors.active_for_ward(user, ward, request=request)
    providers = (
        [selectors.provider_for(user, filters.provider_id)]
        if filters.provider_id is not None
        else list(selectors.providers_with_episodes_for(user))
        if has_permission(user, Permission.PATIENT_VIEW)
        else []
    )
    if providers == [None]:
        raise Http404("No provider you can see has this id.")
    return [s for p in providers for s in selectors.active_for_provider(user, p, request=request)]


@router.get(
    "/episodes/active",
    response={200: list[EpisodeOut], **problem_responses(401, 404)},
    summary="Active episodes with their reviews due",
    operation_id="rrp_segregation_api_active_episodes",
)
def active_episodes(request: HttpRequest, filters: Query[ActiveFilters]) -> list[dict[str, Any]]:
    """Every active seclusion and long-term segregation episode you may see (or those of one `ward_id`
    or `provider_id`), soonest review first, each with every review due and those overdue."""
    return [_episode(s) for s in _active(_user(request), filters, request)]


@router.get(
    "/reviews/overdue",
    response={200: list[OverdueOut], **problem_responses(401, 404)},
    summary="Overdue reviews",
    operation_id="rrp_segregation_api_overdue_reviews",
)
def overdue_reviews(request: HttpRequest, filters: Query[ActiveFilters]) -> list[dict[str, Any]]:
    """Every overdue review of an active episode you may see, longest overdue first."""
    rows = [
        {
            "episode_id": s.episode.pk,
            "kind": s.episode.kind,
            "ward_id": s.episode.ward_id,
            "patient_id": s.episode.patient_id,
            "review": _due(d),
        }
        for s in _active(_user(request), filters, request)
        for d in s.overdue
    ]
    return sorted(rows, key=lambda r: -r["review"]["minutes_overdue"])


@router.get(
    "/episodes/{episode_id}",
    response={200: EpisodeDetailOut, **problem_responses(401, 404)},
    summary="One episode",
    operation_id="rrp_segregation_api_get_episode",
)
def get_episode(request: HttpRequest, episode_id: Id) -> dict[str, Any]:
    """An episode with its latest version, reviews and schedule (audited)."""
    state = selectors.episode_get_for(_user(request), episode_id, request=request)
    if state is None:
        raise Http404("No episode you can see has this id.")
    return _detail(state)


@router.post(
    "/episodes",
    response={201: EpisodeDetailOut, **problem_responses(401, 403, 404, 422)},
    summary="Record an episode",
    operation_id="rrp_segregation_api_create_episode",
)
def create_episode(request: HttpRequest, payload: EpisodeIn) -> Status:
    """Record a seclusion or long-term segregation episode. Refused with each field named: an end before
    the start, an overlap with another episode of the same kind for the patient, LTS without its
    multidisciplinary decision or commissioner's representative."""
    user = _user(request)
    require_permission(user, Permission.SEGREGATION_RECORD, denied=READ_ONLY)
    ward = selectors.ward_for(user, payload.ward_id)
    if ward is None:
        raise Http404("No ward you can see has this id.")
    patient = selectors.patients_for_ward(user, ward).filter(pk=payload.patient_id).first()
    errors: dict[str, list[str]] = {}
    if patient is None:
        errors["patient_id"] = ["No patient of this ward has this id"]
    if payload.kind not in EpisodeKind.values:
        errors["kind"] = ["Choose seclusion or long_term_segregation"]
    staff = {s.pk: s for s in selectors.staff_for_ward(user, ward)}
    authoriser = None
    if payload.authorised_by_id is not None:
        authoriser = staff.get(payload.authorised_by_id)
        if authoriser is None:
            errors["authorised_by_id"] = ["No member of staff of the ward's provider has this id"]
    incident = None
    if payload.incident_id is not None:
        incident = selectors.incident_for(user, payload.incident_id)
        if incident is None:
            errors["incident_id"] = ["No incident you can see has this id"]
    if errors:
        raise ValidationError(errors)
    try:
        episode = services.episode_start(
            ward=ward,
            patient=patient,
            kind=payload.kind,
            by=user,
            started_at=_aware(payload.started_at),
            place=payload.place,
            reason=payload.reason,
            end_plan=payload.end_plan,
            authorised_by=authoriser,
            authorised_by_name=payload.authorised_by_name,
            authorised_by_doctor=payload.authorised_by_doctor,
            incident=incident,
            mdt_decision=payload.mdt_decision,
            mdt_decided_at=_aware(payload.mdt_decided_at),
            commissioner_representative=payload.commissioner_representative,
            request=request,
        )
    except ValidationError as error:
        raise _renamed(error, {"authorised_by": "authorised_by_id", "incident": "incident_id"}) from error
    return Status(201, _detail(selectors.episode_states([episode])[0]))


@router.post(
    "/episodes/{episode_id}/reviews",
    response={201: EpisodeDetailOut, **problem_responses(401, 403, 404, 422)},
    summary="Record a review",
    operation_id="rrp_segregation_api_create_review",
)
def create_review(request: HttpRequest, episode_id: Id, payload: ReviewIn) -> Status:
    """Record a review of an episode. Refused with each field named: a time before the episode began,
    a reviewer without the role (medical: a doctor; nursing: two registered nurses), no outcome or
    decision. Returns the episode with its schedule updated."""
    user = _user(request)
    require_permission(user, Permission.SEGREGATION_RECORD, denied=READ_ONLY)
    episode = selectors.episodes_for(user).filter(pk=episode_id).first()
    if episode is None:
        raise Http404("No episode you can see has this id.")
    staff = {s.pk: s for s in selectors.staff_for_ward(user, episode.ward)}
    errors: dict[str, list[str]] = {}
    found = {}
    for name in ("reviewer_id", "second_reviewer_id"):
        value = getattr(payload, name)
        if value is not None:
            found[name] = staff.get(value)
            if found[name] is None:
                errors[name] = ["No member of staff of the ward's provider has this id"]
    if errors:
        raise ValidationError(errors)
    try:
        services.review_record(
            episode=episode,
            kind=payload.kind,
            at=_aware(payload.at),
            by=user,
            outcome=payload.outcome,
            decision=payload.decision,
            reviewer=found.get("reviewer_id"),
            reviewer_name=payload.reviewer_name,
            reviewer_role=payload.reviewer_role,
            second_reviewer=found.get("second_reviewer_id"),
            request=request,
        )
    except ValidationError as error:
        raise _renamed(error, {"reviewer": "reviewer_id", "second_reviewer": "second_reviewer_id"}) from error
    return Status(201, _detail(selectors.episode_states([episode])[0]))
