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
from django.http import HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission, Role
from rrp.core.concurrency import check_base_version
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.core.validation.declared import check_values
from rrp.organisations.models import Provider, Ward
from rrp.people.models import Patient
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
    DeFactoDecision,
    EndPlanStep,
    EndPlanVersion,
    Episode,
    IndependentReview,
    NamedAccessGrant,
    NamedAccessRevocation,
    PanelMember,
    Recommendation,
    RecommendationUpdate,
    Review,
)

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
    review = IndependentReview.objects.create(
        provider_id=episode.provider_id,
        patient_id=episode.patient_id,
        episode=episode,
        review=timer_review,
        kind=OversightReviewKind.INDEPENDENT_SEGREGATION,
        held_on=held_on,
        person_views=person_views,
        family_views=family_views,
        findings=findings,
        recorded_at=now,
        recorded_by=by,
    )
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
        patient_id=episode.patient_id,
        provider_id=episode.provider_id,
        request=request,
        detail={"episode": episode.pk, "recommendations": len(actions), "panel": len(members)},
    )
    return review


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
    evidence: a new update, the earlier ones kept. Refused with StaleVersion (409) when someone else
    updated it since `base_version` (decision 0018); naming the field when the status or evidence is
    missing."""
    recommendation = (
        # Lock only the recommendation: PostgreSQL refuses FOR UPDATE on the nullable side of the
        # outer join that the review's optional episode needs.
        Recommendation.objects.select_for_update(of=("self",))
        .select_related("independent_review__episode__ward")
        .get(pk=recommendation.pk)
    )
    review = recommendation.independent_review
    ward = review.episode.ward if review.episode else None
    if ward is None or not has_permission(by, Permission.SEGREGATION_RECORD, ward=ward):
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
    wards = Ward.objects.filter(provider=provider, ward_stays__patient=patient).distinct()
    if patient.provider_id != provider.pk or not any(
        has_permission(by, Permission.SEGREGATION_RECORD, ward=w) for w in wards
    ):
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
