"""Writing oversight records (issue 17): independent reviews of segregation, their panels, and their
recommendations as actions whose status is updated with evidence.

CQC's *Out of sight – who cares?* (October 2020; progress report March 2022) found independent reviews
of segregation held but their recommendations not acted on. So each recommendation is an action with
an owner (the provider or the commissioner), a due date and a status (achieved, partly achieved, not
achieved) that is only ever changed by a new update carrying its evidence; one not achieved after its
due date is overdue (`selectors_oversight`).

Like the other services: keyword arguments, the acting user as `by`, one transaction with the audit
row inside it, a ValidationError naming each field (`panel_2_role`, `recommendation_1_due_on`: the
names the page's fields have), nothing saved when refused. All four models are append-only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission, Role
from rrp.accounts.scope import providers_for
from rrp.core.concurrency import check_base_version
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.core.validation.declared import check_values
from rrp.organisations.models import Provider, Ward
from rrp.people.codes import YesNoUnknown
from rrp.people.models import HospitalSpell, Patient
from rrp.segregation.codes import (
    NAMED_ACCESS_MAX_DAYS,
    ActionOwner,
    ActionStatus,
    DeFactoOutcome,
    EpisodeKind,
    LawfulBasis,
    OversightReviewKind,
    PanelRole,
    ReviewDecision,
    ReviewKind,
)
from rrp.segregation.models import (
    CommissionerVisit,
    DeFactoDecision,
    EndPlanStep,
    EndPlanVersion,
    Episode,
    IndependentReview,
    IndependentReviewText,
    NamedAccessGrant,
    NamedAccessRevocation,
    PanelMember,
    Recommendation,
    RecommendationUpdate,
    Review,
)
from rrp.segregation.oversight_selectors import active_grant_for

Errors = dict[str, list[str]]

#: The roles every independent review panel must include (CQC, *Out of sight – who cares?*, 2020).
PANEL_REQUIRED: tuple[str, ...] = (PanelRole.INDEPENDENT_CLINICIAN, PanelRole.EXPERT_BY_EXPERIENCE)


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _text(value: Any) -> str:
    return (value or "").strip() if isinstance(value, str) else ""


def _check_panel(panel: Sequence[dict[str, Any]], errors: Errors) -> list[dict[str, str]]:
    members = []
    for i, row in enumerate(panel, start=1):
        name, role, organisation = (
            _text(row.get("name")),
            _text(row.get("role")),
            _text(row.get("organisation")),
        )
        if not (name or role or organisation):
            continue  # an empty row of the form
        if not name:
            _add(errors, f"panel_{i}_name", f"Enter the name of panel member {i}")
        if role not in PanelRole.values:
            _add(errors, f"panel_{i}_role", f"Choose the role of panel member {i}")
        check_values(PanelMember, {"name": name, "organisation": organisation}, errors, prefix=f"panel_{i}_")
        members.append({"name": name, "role": role, "organisation": organisation})
    roles = {m["role"] for m in members}
    missing = [PanelRole(r).label.lower() for r in PANEL_REQUIRED if r not in roles]
    if missing:
        _add(errors, "panel_1_name", f"The panel must include {' and '.join(f'an {m}' for m in missing)}")
    return members


def _check_recommendations(
    recommendations: Sequence[dict[str, Any]], held_on: dt.date | None, errors: Errors
) -> list[dict[str, Any]]:
    found = []
    for i, row in enumerate(recommendations, start=1):
        text, owner, due_on = _text(row.get("text")), _text(row.get("owner")), row.get("due_on")
        if not (text or owner or due_on):
            continue
        prefix = f"recommendation_{i}_"
        if not text:
            _add(errors, prefix + "text", f"Enter recommendation {i}")
        if owner not in ActionOwner.values:
            _add(
                errors,
                prefix + "owner",
                f"Choose who owns recommendation {i}: the provider or the commissioner",
            )
        if not isinstance(due_on, dt.date):
            _add(errors, prefix + "due_on", f"Enter the date recommendation {i} is due")
        elif held_on is not None and due_on < held_on:
            _add(errors, prefix + "due_on", f"Recommendation {i} cannot be due before the review was held")
        check_values(Recommendation, {"text": text}, errors, prefix=prefix)
        found.append({"text": text, "owner": owner, "due_on": due_on})
    return found


def _timer_review(
    *, episode: Episode, version, held_on: dt.date, members, findings: str, decision: str, by: User, now
) -> Review:
    """The Code of Practice timer of external reviews reads Review rows: an independent review is one. It
    is dated at noon UK time on the day held (a day, not a time, is recorded), kept within the episode,
    and named after the chair (or the independent clinician)."""
    chair = next((m for m in members if m["role"] == PanelRole.CHAIR), None) or next(
        m for m in members if m["role"] == PanelRole.INDEPENDENT_CLINICIAN
    )
    at = max(timezone.make_aware(dt.datetime.combine(held_on, dt.time(12))), version.started_at)
    if version.ended_at is not None:
        at = min(at, version.ended_at)
    return Review.objects.create(
        episode=episode,
        kind=ReviewKind.EXTERNAL_INDEPENDENT,
        at=min(at, now),
        reviewer_name=chair["name"],
        reviewer_role=", ".join(x for x in (PanelRole(chair["role"]).label, chair["organisation"]) if x),
        outcome=findings,
        decision=decision,
        recorded_at=now,
        recorded_by=by,
    )


@transaction.atomic
def independent_review_record(
    *,
    episode: Episode,
    by: User,
    held_on: dt.date | None,
    panel: Sequence[dict[str, Any]],
    person_views: str,
    family_views: str,
    findings: str,
    recommendations: Sequence[dict[str, Any]] = (),
    decision: str = ReviewDecision.CONTINUE,
    request: HttpRequest | None = None,
) -> IndependentReview:
    """Record an independent review of a person's long-term segregation with its panel, the person's and
    their family's or advocate's views, the findings and the recommendations (each an action, "not yet
    assessed"). It is also the episode's external independent review on the Code of Practice timers.

    Refused, naming the field: an episode that is not long-term segregation or outside the user's wards,
    a date in the future or before the segregation began, a panel without an independent clinician and an
    expert by experience, missing views or findings, a recommendation without its owner or due date."""
    episode = Episode.objects.select_for_update().select_related("ward", "patient").get(pk=episode.pk)
    if not has_permission(by, Permission.SEGREGATION_RECORD, ward=episode.ward):
        raise PermissionDenied("You cannot record reviews on this ward")
    errors: Errors = {}
    if episode.kind != EpisodeKind.LONG_TERM_SEGREGATION:
        _add(errors, "episode", "Independent reviews are of long-term segregation; this is seclusion")
    version = episode.versions.order_by("-number").first()
    today = timezone.localdate()
    if not isinstance(held_on, dt.date):
        _add(errors, "held_on", "Enter the date the review was held")
    elif held_on > today:
        _add(errors, "held_on", "The review date cannot be in the future")
    elif held_on < timezone.localtime(version.started_at).date():
        _add(errors, "held_on", "The review cannot be before the segregation began")
    members, person_views, family_views, findings, actions = _check_review(
        panel=panel,
        person_views=person_views,
        family_views=family_views,
        findings=findings,
        recommendations=recommendations,
        held_on=held_on,
        errors=errors,
    )
    if decision not in ReviewDecision.values:
        _add(errors, "decision", "Choose whether the panel advised continuing or ending segregation")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    timer_review = _timer_review(
        episode=episode,
        version=version,
        held_on=held_on,
        members=members,
        findings=findings,
        decision=decision,
        by=by,
        now=now,
    )
    return _write_review(
        provider_id=episode.provider_id,
        patient_id=episode.patient_id,
        episode=episode,
        review=timer_review,
        kind=OversightReviewKind.INDEPENDENT_SEGREGATION,
        held_on=held_on,
        person_views=person_views,
        family_views=family_views,
        findings=findings,
        members=members,
        actions=actions,
        by=by,
        now=now,
        request=request,
    )


def _check_review(
    *,
    panel: Sequence[dict[str, Any]],
    person_views: str,
    family_views: str,
    findings: str,
    recommendations: Sequence[dict[str, Any]],
    held_on: Any,
    errors: Errors,
) -> tuple[list[dict[str, str]], str, str, str, list[dict[str, Any]]]:
    """What every review with a panel and recommendations needs (an independent review of segregation
    and a C(E)TR alike): the panel with its required roles, the person's and their family's or advocate's
    views, the findings, each recommendation with its owner and due date."""
    members = _check_panel(panel, errors)
    person_views, family_views, findings = _text(person_views), _text(family_views), _text(findings)
    if not person_views:
        _add(errors, "person_views", "Record the person's own views, or why they could not give them")
    if not family_views:
        _add(errors, "family_views", "Record their family's or advocate's views, or why there are none")
    if not findings:
        _add(errors, "findings", "Enter what the panel found")
    check_values(
        IndependentReview,
        {"person_views": person_views, "family_views": family_views, "findings": findings},
        errors,
    )
    actions = _check_recommendations(
        recommendations, held_on if isinstance(held_on, dt.date) else None, errors
    )
    return members, person_views, family_views, findings, actions


def _write_review(
    *,
    members: list[dict[str, str]],
    actions: list[dict[str, Any]],
    by: User,
    now: dt.datetime,
    request: HttpRequest | None,
    **fields: Any,
) -> IndependentReview:
    """Write a review, its panel and its recommendations (each "not yet assessed"), and audit it."""
    review = IndependentReview.objects.create(**fields, recorded_at=now, recorded_by=by)
    PanelMember.objects.bulk_create(PanelMember(independent_review=review, **m) for m in members)
    for number, action in enumerate(actions, start=1):
        recommendation = Recommendation.objects.create(independent_review=review, number=number, **action)
        RecommendationUpdate.objects.create(
            recommendation=recommendation,
            number=1,
            status=ActionStatus.OPEN,
            recorded_at=now,
            recorded_by=by,
        )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record=review,
        patient_id=review.patient_id,
        provider_id=review.provider_id,
        request=request,
        detail={
            "episode": review.episode_id,
            "kind": review.kind,
            "recommendations": len(actions),
            "panel": len(members),
        },
    )
    return review


def _wards_of(patient: Patient) -> list[Ward]:
    """The wards of the patient's provider they have stayed on (where their records are kept)."""
    return list(
        Ward.objects.filter(
            provider_id=patient.provider_id,
            ward_stays__patient=patient,
            ward_stays__cancelled_at__isnull=True,
        ).distinct()
    )


def may_record_about(user: User, patient: Patient) -> bool:
    """Whether the user records segregation on a ward the patient has stayed on (the C(E)TRs and
    de-facto decisions about a person are not tied to one episode's ward)."""
    return any(has_permission(user, Permission.SEGREGATION_RECORD, ward=w) for w in _wards_of(patient))


@transaction.atomic
def cetr_record(
    *,
    patient: Patient,
    by: User,
    held_on: dt.date | None,
    panel: Sequence[dict[str, Any]],
    person_views: str,
    family_views: str,
    findings: str,
    recommendations: Sequence[dict[str, Any]] = (),
    request: HttpRequest | None = None,
) -> IndependentReview:
    """Record a Care (Education) and Treatment Review of an inpatient with a learning disability or
    autism: a CETR if they were under 18 on the day, a CTR otherwise. The same record as an independent
    review of segregation (panel, views, findings, recommendations as actions with owners, due dates and
    status) but of the person, not of an episode; the schedule (`cetr`) counts from it.

    Refused, naming the field: a person whose record says neither learning disability nor autism, a date
    in the future or outside a stay in hospital at the provider, and everything an independent review
    refuses (a panel without an independent clinician and an expert by experience, missing views or
    findings, a recommendation without its owner or due date)."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if not may_record_about(by, patient):
        raise PermissionDenied("You cannot record reviews about this person")
    errors: Errors = {}
    if YesNoUnknown.YES not in (patient.learning_disability, patient.autism):
        _add(
            errors,
            "patient",
            "C(E)TRs are for people with a learning disability or autistic people: this person's record "
            "says neither. Correct their record first if it is wrong",
        )
    if not isinstance(held_on, dt.date):
        _add(errors, "held_on", "Enter the date the C(E)TR was held")
    elif held_on > timezone.localdate():
        _add(errors, "held_on", "The C(E)TR date cannot be in the future")
    elif not _in_hospital_on(patient, held_on):
        _add(errors, "held_on", "The C(E)TR must be on a day the person was in hospital here")
    members, person_views, family_views, findings, actions = _check_review(
        panel=panel,
        person_views=person_views,
        family_views=family_views,
        findings=findings,
        recommendations=recommendations,
        held_on=held_on,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    kind = OversightReviewKind.CETR if patient.age_on(held_on) < 18 else OversightReviewKind.CTR
    return _write_review(
        provider_id=patient.provider_id,
        patient_id=patient.pk,
        episode=None,
        review=None,
        kind=kind,
        held_on=held_on,
        person_views=person_views,
        family_views=family_views,
        findings=findings,
        members=members,
        actions=actions,
        by=by,
        now=timezone.now(),
        request=request,
    )


def _in_hospital_on(patient: Patient, day: dt.date) -> bool:
    """Whether a hospital spell of the patient at their provider covers the day (UK dates)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = start + dt.timedelta(days=1)
    return (
        HospitalSpell.objects.filter(patient=patient, provider_id=patient.provider_id, admitted_at__lt=end)
        .filter(Q(discharged_at__isnull=True) | Q(discharged_at__gte=start))
        .exists()
    )


@transaction.atomic
def recommendation_status_set(
    *,
    recommendation: Recommendation,
    by: User,
    status: str,
    evidence: str,
    base_version: int | None,
    request: HttpRequest | None = None,
) -> RecommendationUpdate:
    """Record where a recommendation stands now (achieved, partly achieved or not achieved) with the
    evidence: a new update, the earlier ones kept. By those who record segregation about the review
    (either owner's action), or by a commissioner of an ICB commissioning the provider for an action
    commissioners own (decision 0076); PermissionDenied for anyone else. Refused with StaleVersion (409) when someone else
    updated it since `base_version` (decision 0018); naming the field when the status or evidence is
    missing."""
    recommendation = (
        # Lock only the recommendation: PostgreSQL refuses FOR UPDATE on the nullable side of the
        # outer join that the review's optional episode needs.
        Recommendation.objects.select_for_update(of=("self",))
        .select_related("independent_review__episode__ward", "independent_review__patient")
        .get(pk=recommendation.pk)
    )
    review = recommendation.independent_review
    if not may_update_recommendation(by, recommendation):
        raise PermissionDenied("You cannot update this recommendation")
    latest = recommendation.updates.order_by("-number").first()
    current = latest.number if latest else 0
    check_base_version(base=base_version, current=current, what="recommendation")
    errors: Errors = {}
    assessed = [s for s in ActionStatus.values if s != ActionStatus.OPEN]
    if status not in assessed:
        _add(errors, "status", "Choose achieved, partly achieved or not achieved")
    evidence = _text(evidence)
    if not evidence:
        _add(errors, "evidence", "Enter the evidence for this status")
    check_values(RecommendationUpdate, {"evidence": evidence}, errors)
    if errors:
        raise ValidationError(errors)
    update = RecommendationUpdate.objects.create(
        recommendation=recommendation,
        number=current + 1,
        status=status,
        evidence=evidence,
        recorded_at=timezone.now(),
        recorded_by=by,
    )
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=recommendation,
        patient_id=review.patient_id,
        provider_id=review.provider_id,
        request=request,
        detail={"review": review.pk, "status": status, "version": update.number},
    )
    return update


def may_update_recommendation(user: User, recommendation: Recommendation) -> bool:
    """Whether the user may record a recommendation's status: the provider's staff who record segregation
    about its review, whichever the owner (they keep the review's record whole, and the update says who
    recorded it); and a commissioner (``COMMISSIONER_ACTION_RECORD``) whose ICB commissions the provider,
    for an action commissioners own and only that (decision 0076)."""
    review = recommendation.independent_review
    if may_record_about_review(user, review):
        return True
    return (
        recommendation.owner == ActionOwner.COMMISSIONER
        and has_permission(user, Permission.COMMISSIONER_ACTION_RECORD)
        and providers_for(user).filter(pk=review.provider_id).exists()
    )


def may_record_about_review(user: User, review: IndependentReview) -> bool:
    """Whether the user may update a review's recommendations (or correct it): recording segregation on
    its episode's ward, or, for a C(E)TR (no episode), on a ward the person has stayed on."""
    if review.episode_id is not None:
        return has_permission(user, Permission.SEGREGATION_RECORD, ward=review.episode.ward)
    return may_record_about(user, review.patient)


@transaction.atomic
def review_text_correct(
    *,
    review: IndependentReview,
    by: User,
    person_views: str,
    family_views: str,
    findings: str,
    change_reason: str,
    base_version: int | None,
    request: HttpRequest | None = None,
) -> IndependentReviewText:
    """Correct a review's own text (the person's and their family's views, the findings) as a new
    version with the reason; the review and every earlier version are kept (issue 17, item 4). Refused
    with StaleVersion (409) when someone corrected it since `base_version` (decision 0018); naming the
    field when a text or the reason is missing, or nothing changed."""
    review = (
        IndependentReview.objects.select_for_update(of=("self",))
        .select_related("episode__ward", "patient")
        .get(pk=review.pk)
    )
    if not may_record_about_review(by, review):
        raise PermissionDenied("You cannot correct this review")
    latest = review.corrections.order_by("-number").first()
    current = latest.number if latest else 1
    check_base_version(base=base_version, current=current, what="review")
    errors: Errors = {}
    texts = {
        "person_views": _text(person_views),
        "family_views": _text(family_views),
        "findings": _text(findings),
    }
    messages = {
        "person_views": "Record the person's own views, or why they could not give them",
        "family_views": "Record their family's or advocate's views, or why there are none",
        "findings": "Enter what the panel found",
    }
    for name, value in texts.items():
        if not value:
            _add(errors, name, messages[name])
    change_reason = _text(change_reason)
    if not change_reason:
        _add(errors, "change_reason", "Say why the review's text is being corrected")
    was = latest or review
    if not errors and all(getattr(was, name) == value for name, value in texts.items()):
        _add(errors, "findings", "Nothing was changed: correct the text, or go back")
    check_values(IndependentReviewText, {**texts, "change_reason": change_reason}, errors)
    if errors:
        raise ValidationError(errors)
    correction = IndependentReviewText.objects.create(
        independent_review=review,
        number=current + 1,
        **texts,
        change_reason=change_reason,
        recorded_at=timezone.now(),
        recorded_by=by,
    )
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=review,
        patient_id=review.patient_id,
        provider_id=review.provider_id,
        request=request,
        detail={"text_version": correction.number},
    )
    return correction


# --- The plan to end segregation (issue 17, item 5) ---------------------------------------------------


def _check_steps(
    steps: Sequence[dict[str, Any]], *, began: dt.date, today: dt.date, errors: Errors
) -> list[dict[str, Any]]:
    found = []
    for i, row in enumerate(steps, start=1):
        text, planned_on, done_on = _text(row.get("text")), row.get("planned_on"), row.get("done_on")
        if not (text or planned_on or done_on):
            continue
        prefix = f"step_{i}_"
        if not text:
            _add(errors, prefix + "text", f"Enter what step {i} is")
        if not isinstance(planned_on, dt.date):
            _add(errors, prefix + "planned_on", f"Enter the date step {i} is planned for")
        if done_on is not None:
            if not isinstance(done_on, dt.date):
                _add(errors, prefix + "done_on", f"Enter the date step {i} was done as a real date")
            elif done_on > today:
                _add(errors, prefix + "done_on", f"Step {i} cannot be done in the future")
            elif done_on < began:
                _add(errors, prefix + "done_on", f"Step {i} cannot be done before the segregation began")
        check_values(EndPlanStep, {"text": text}, errors, prefix=prefix)
        found.append({"text": text, "planned_on": planned_on, "done_on": done_on})
    if not found:
        _add(errors, "step_1_text", "Enter at least one step towards ending segregation")
    return found


@transaction.atomic
def end_plan_set(
    *,
    episode: Episode,
    by: User,
    aim: str,
    steps: Sequence[dict[str, Any]],
    change_reason: str = "",
    base_version: int | None = None,
    request: HttpRequest | None = None,
) -> EndPlanVersion:
    """Write the plan to end a person's long-term segregation: its aim and its steps, each planned for a
    date and, once taken, done on a date. The first version needs no reason; every later one says why it
    changed, and is refused with StaleVersion (409) if someone else changed the plan since `base_version`
    (decision 0018). Refused, naming the field: not long-term segregation, an episode that has ended, no
    aim, no step, a step without its date, a step done in the future or before the segregation began."""
    episode = Episode.objects.select_for_update().select_related("ward").get(pk=episode.pk)
    if not has_permission(by, Permission.SEGREGATION_RECORD, ward=episode.ward):
        raise PermissionDenied("You cannot write plans on this ward")
    latest = episode.end_plan_versions.order_by("-number").first()
    current = latest.number if latest else 0
    check_base_version(base=base_version, current=current, what="plan")
    errors: Errors = {}
    version = episode.versions.order_by("-number").first()
    if episode.kind != EpisodeKind.LONG_TERM_SEGREGATION:
        _add(errors, "aim", "A plan to end segregation is for long-term segregation; this is seclusion")
    elif version.ended_at is not None:
        _add(errors, "aim", "This segregation has ended: its plan can no longer change")
    aim, change_reason = _text(aim), _text(change_reason)
    if not aim:
        _add(errors, "aim", "Enter what ending segregation looks like for this person")
    if current and not change_reason:
        _add(errors, "change_reason", "Say why the plan is changing")
    check_values(EndPlanVersion, {"aim": aim, "change_reason": change_reason}, errors)
    found = _check_steps(
        steps, began=timezone.localtime(version.started_at).date(), today=timezone.localdate(), errors=errors
    )
    if errors:
        raise ValidationError(errors)
    plan = EndPlanVersion.objects.create(
        episode=episode,
        number=current + 1,
        aim=aim,
        change_reason=change_reason if current else "",
        recorded_at=timezone.now(),
        recorded_by=by,
    )
    EndPlanStep.objects.bulk_create(
        EndPlanStep(plan=plan, number=n, **step) for n, step in enumerate(found, start=1)
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE if current == 0 else AuditAction.CHANGE,
        record=plan,
        patient_id=episode.patient_id,
        provider_id=episode.provider_id,
        request=request,
        detail={"episode": episode.pk, "version": plan.number, "steps": len(found)},
    )
    return plan


# --- Commissioners' named access (issue 17, item 3) ----------------------------------------------------


@transaction.atomic
def named_access_grant(
    *,
    provider: Provider,
    by: User,
    user: User | None,
    patient: Patient | None,
    lawful_basis: str,
    basis_detail: str,
    ends_on: dt.date | None,
    request: HttpRequest | None = None,
) -> NamedAccessGrant:
    """Provider governance grants a commissioner's case manager named access to one person in
    segregation at the provider, from now to `ends_on` (at most `NAMED_ACCESS_MAX_DAYS` ahead), on a
    recorded lawful basis. Refused, naming the field: someone who is not an active commissioner user of
    an ICB commissioning the provider, a person not in segregation at the provider now, no lawful basis or
    detail, a last day in the past or too far ahead."""
    if not has_permission(by, Permission.NAMED_ACCESS_GRANT, provider=provider):
        raise PermissionDenied("Only the provider's governance team can grant named access")
    errors: Errors = {}
    commissions = provider.commissioners.values_list("pk", flat=True)
    if (
        user is None
        or user.role != Role.COMMISSIONER
        or not user.is_active
        or user.commissioner_id not in set(commissions)
    ):
        _add(errors, "user", "Choose a case manager of an ICB that commissions this provider")
    in_segregation = (
        patient is not None
        and Episode.objects.filter(patient=patient, provider=provider, kind=EpisodeKind.LONG_TERM_SEGREGATION)
        .active()
        .exists()
    )
    if not in_segregation:
        _add(errors, "patient", "Choose a person in long-term segregation at this provider now")
    if lawful_basis not in LawfulBasis.values:
        _add(errors, "lawful_basis", "Choose the lawful basis for this access")
    basis_detail = _text(basis_detail)
    if not basis_detail:
        _add(errors, "basis_detail", "Say why the case manager needs to see this person by name")
    check_values(NamedAccessGrant, {"basis_detail": basis_detail}, errors)
    today = timezone.localdate()
    if not isinstance(ends_on, dt.date):
        _add(errors, "ends_on", "Enter the last day of access")
    elif ends_on < today:
        _add(errors, "ends_on", "The last day of access cannot be in the past")
    elif ends_on > today + dt.timedelta(days=NAMED_ACCESS_MAX_DAYS):
        _add(errors, "ends_on", f"Access can be granted for at most {NAMED_ACCESS_MAX_DAYS} days at a time")
    if errors:
        raise ValidationError(errors)
    grant = NamedAccessGrant.objects.create(
        user=user,
        patient=patient,
        provider=provider,
        lawful_basis=lawful_basis,
        basis_detail=basis_detail,
        starts_at=timezone.now(),
        ends_on=ends_on,
        granted_by=by,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record=grant,
        patient_id=patient.pk,
        provider_id=provider.pk,
        request=request,
        detail={"user": user.pk, "lawful_basis": lawful_basis, "ends_on": ends_on.isoformat()},
    )
    return grant


@transaction.atomic
def named_access_revoke(
    *, grant: NamedAccessGrant, by: User, reason: str, request: HttpRequest | None = None
) -> NamedAccessRevocation:
    """End a grant before its last day, saying why (the grant itself is kept)."""
    grant = NamedAccessGrant.objects.select_for_update().select_related("provider").get(pk=grant.pk)
    if not has_permission(by, Permission.NAMED_ACCESS_GRANT, provider=grant.provider):
        raise PermissionDenied("Only the provider's governance team can revoke named access")
    errors: Errors = {}
    reason = _text(reason)
    if not reason:
        _add(errors, "reason", "Say why access is ending")
    if NamedAccessRevocation.objects.filter(grant=grant).exists():
        _add(errors, "reason", "This access has already been revoked")
    check_values(NamedAccessRevocation, {"reason": reason}, errors)
    if errors:
        raise ValidationError(errors)
    revocation = NamedAccessRevocation.objects.create(
        grant=grant, revoked_at=timezone.now(), revoked_by=by, reason=reason
    )
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=grant,
        patient_id=grant.patient_id,
        provider_id=grant.provider_id,
        request=request,
        detail={"revoked": True},
    )
    return revocation


@transaction.atomic
def commissioner_visit_record(
    *,
    patient_id: int,
    by: User,
    visited_on: dt.date | None,
    notes: str,
    request: HttpRequest | None = None,
) -> CommissionerVisit:
    """A case manager records their visit to a person they have named access to now: the day and what
    they saw and heard. Kept with the grant it relied on, audited in the provider's log. Without a grant
    in force, PermissionDenied (the page answers 404). Refused, naming the field: no date, a date in the
    future or more than a grant's length ago, no notes."""
    grant = active_grant_for(by, patient_id)
    if grant is None:
        raise PermissionDenied("You have no named access to this person")
    errors: Errors = {}
    today = timezone.localdate()
    if not isinstance(visited_on, dt.date):
        _add(errors, "visited_on", "Enter the date of the visit")
    elif visited_on > today:
        _add(errors, "visited_on", "The visit cannot be in the future")
    elif visited_on < today - dt.timedelta(days=NAMED_ACCESS_MAX_DAYS):
        _add(errors, "visited_on", f"Record visits within {NAMED_ACCESS_MAX_DAYS} days of them")
    notes = _text(notes)
    if not notes:
        _add(errors, "notes", "Enter what you saw and heard on the visit")
    check_values(CommissionerVisit, {"notes": notes}, errors)
    if errors:
        raise ValidationError(errors)
    visit = CommissionerVisit.objects.create(
        provider_id=grant.provider_id,
        patient_id=grant.patient_id,
        grant=grant,
        visited_on=visited_on,
        notes=notes,
        recorded_at=timezone.now(),
        recorded_by=by,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record=visit,
        patient_id=grant.patient_id,
        provider_id=grant.provider_id,
        request=request,
        detail={"named_access_grant": grant.pk, "visited_on": visited_on.isoformat()},
    )
    return visit


# --- Possible de-facto segregation (issue 17, item 4) --------------------------------------------------


@transaction.atomic
def defacto_decision_record(
    *,
    provider: Provider,
    patient: Patient,
    by: User,
    flags: str,
    outcome: str,
    reasons: str,
    request: HttpRequest | None = None,
) -> DeFactoDecision:
    """Record what was decided about a person flagged as possibly segregated without an episode, and
    why; the flags shown are kept with it. Refused, naming the field: no outcome, no reasons, or "in
    long-term segregation" when no LTS episode of theirs is under way (record the episode first)."""
    if patient.provider_id != provider.pk or not may_record_about(by, patient):
        raise PermissionDenied("You cannot record decisions about this person")
    errors: Errors = {}
    if outcome not in DeFactoOutcome.values:
        _add(errors, "outcome", "Choose what was decided")
    reasons = _text(reasons)
    if not reasons:
        _add(errors, "reasons", "Give the reasons for the decision")
    check_values(DeFactoDecision, {"reasons": reasons, "flags": flags}, errors)
    if outcome == DeFactoOutcome.LTS_RECORDED and not (
        Episode.objects.filter(patient=patient, provider=provider, kind=EpisodeKind.LONG_TERM_SEGREGATION)
        .active()
        .exists()
    ):
        _add(errors, "outcome", "Record their long-term segregation episode first, then this decision")
    if errors:
        raise ValidationError(errors)
    decision = DeFactoDecision.objects.create(
        provider=provider,
        patient=patient,
        flags=flags,
        outcome=outcome,
        reasons=reasons,
        decided_at=timezone.now(),
        decided_by=by,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record=decision,
        patient_id=patient.pk,
        provider_id=provider.pk,
        request=request,
        detail={"outcome": outcome},
    )
    return decision
