"""Reading patients, always through the reader's scope, and auditing each view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.scope import patient_filter_for, scope_of
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.organisations.models import Ward
from rrp.people.models import (
    Patient,
    RightsInformation,
    SupportPlanReviewRequest,
    SupportPlanVersion,
    VoiceCheck,
    WardStay,
)
from rrp.people.validation import normalise_nhs_number


def patients_for(user: User) -> QuerySet[Patient]:
    """Every patient the user may see by name (an empty queryset for roles that see none)."""
    return Patient.objects.filter(patient_filter_for(user)).distinct()


def patient_search(user: User, query: str) -> QuerySet[Patient]:
    """Patients in scope matching a name, NHS number or local identifier."""
    patients = patients_for(user)
    query = (query or "").strip()
    if not query:
        return patients.order_by("family_name", "given_name")
    digits = normalise_nhs_number(query)
    condition = Q(local_identifier__iexact=query)
    if digits.isdigit():
        condition |= Q(nhs_number__startswith=digits)
    for word in query.split():
        condition |= Q(family_name__istartswith=word) | Q(given_name__istartswith=word)
    return patients.filter(condition).order_by("family_name", "given_name")


def patient_get_for(user: User, patient_id: int, *, request: HttpRequest | None = None) -> Patient | None:
    """One patient if in scope, auditing the view; None if not (the caller answers 404)."""
    patient = patients_for(user).select_related("provider").filter(pk=patient_id).first()
    if patient is not None:
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            record=patient,
            patient_id=patient.pk,
            provider_id=patient.provider_id,
            request=request,
        )
    return patient


def wards_now(patient_ids: list[int]) -> dict[int, str]:
    """The name of the ward each of these patients is on now (left out if on none), in one query: shown
    beside a patient's name in pickers, to tell namesakes apart. Not audited: the caller shows the
    patients and audits that."""
    now = timezone.now()
    stays = (
        WardStay.objects.filter(patient_id__in=patient_ids, started_at__lte=now)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now))
        .select_related("ward")
        .order_by("started_at")
    )
    return {stay.patient_id: stay.ward.name for stay in stays}


def patients_on_ward_now(user: User, ward: Ward, *, request: HttpRequest | None = None) -> list[Patient]:
    """Patients with an open stay on the ward now, audited as one view of the list."""
    now = timezone.now()
    patients = list(
        patients_for(user)
        .filter(ward_stays__ward=ward, ward_stays__started_at__lte=now)
        .filter(Q(ward_stays__ended_at__isnull=True) | Q(ward_stays__ended_at__gt=now))
        .order_by("family_name", "given_name")
    )
    if patients:
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            record_type="people.Patient",
            record_label=f"Patients on {ward.name} now ({len(patients)})",
            provider_id=ward.provider_id,
            request=request,
            detail={"patient_ids": [p.pk for p in patients]},
        )
    return patients


def support_plan_current(patient: Patient) -> SupportPlanVersion | None:
    """The patient's current support plan (its latest version), or None. The caller has the patient
    from a scoped selector and audits what it shows (``support_plan_audit_view``)."""
    return (
        SupportPlanVersion.objects.filter(patient=patient)
        .select_related("recorded_by")
        .order_by("-number")
        .first()
    )


def support_plan_versions(patient: Patient) -> list[SupportPlanVersion]:
    """Every version of the patient's support plan, newest first."""
    return list(
        SupportPlanVersion.objects.filter(patient=patient).select_related("recorded_by").order_by("-number")
    )


def support_plan_audit_view(
    user: User, plan: SupportPlanVersion, *, request: HttpRequest | None = None, where: str = "plan page"
) -> None:
    """Audit that the user was shown this support plan (sensitive: the patient's own words)."""
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        record=plan,
        record_label=f"Support plan of patient {plan.patient_id}, version {plan.number}",
        patient_id=plan.patient_id,
        provider_id=plan.patient.provider_id,
        request=request,
        detail={"version": plan.number, "shown_on": where},
    )


def support_plan_for(
    user: User, patient: Patient, *, request: HttpRequest | None = None, where: str = "plan page"
) -> SupportPlanVersion | None:
    """The current plan of a patient the user may see by name, audited when there is one; None when
    there is no plan or the patient is outside the user's scope."""
    if not patients_for(user).filter(pk=patient.pk).exists():
        return None
    plan = support_plan_current(patient)
    if plan is not None:
        support_plan_audit_view(user, plan, request=request, where=where)
    return plan


def plan_reviews_open(patient: Patient) -> list[SupportPlanReviewRequest]:
    """Requests to review the patient's plan made after its current version was written (all of them
    when there is no plan yet), oldest first: the plan page lists them until the plan is revised."""
    plan = support_plan_current(patient)
    requests = SupportPlanReviewRequest.objects.filter(patient=patient).select_related("requested_by")
    if plan is not None:
        requests = requests.filter(requested_at__gt=plan.recorded_at)
    return list(requests.order_by("requested_at", "id"))


def rights_information_of(patient: Patient) -> list[RightsInformation]:
    """Every record of information about the use of force given to the patient (or refused), newest
    first. The caller has the patient from a scoped, audited selector."""
    return list(patient.rights_information.select_related("recorded_by").order_by("-given_at", "-id"))


RIGHTS_WITHIN = dt.timedelta(days=7)


def admissions_rights_recorded(
    *, ward_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> list[tuple[int, dt.datetime, bool]]:
    """Each admission to these wards from ``start`` to ``end`` (the first ward stay of a hospital spell),
    as (ward, admitted at, whether information about the use of force was recorded for the patient
    within 7 days: given, or refused or not possible with the reason). Aggregates for measures: the
    caller chooses the wards from the reader's scope; no patient leaves this function."""
    earlier = WardStay.objects.filter(spell_id=OuterRef("spell_id"), started_at__lt=OuterRef("started_at"))
    recorded = RightsInformation.objects.filter(
        spell_id=OuterRef("spell_id"),
        recipient="patient",
        given_at__lt=OuterRef("started_at") + RIGHTS_WITHIN,
    )
    rows = (
        WardStay.objects.filter(ward_id__in=list(ward_ids), started_at__gte=start, started_at__lt=end)
        .filter(~Exists(earlier))
        .annotate(recorded=Exists(recorded))
        .values_list("ward_id", "started_at", "recorded")
        .order_by()
    )
    return list(rows)


VOICE_COMMENT_WEEKS = 8


def voice_comments(user: User, ward: Ward, *, request: HttpRequest | None = None) -> list[VoiceCheck]:
    """The weekly check's comments on the ward in the last eight weeks, newest first, for the ward team
    (the caller checks the ward is theirs); audited as one view. Anonymous: no patient is linked."""
    since = timezone.now() - dt.timedelta(weeks=VOICE_COMMENT_WEEKS)
    checks = list(
        VoiceCheck.objects.filter(ward=ward, answered_at__gte=since)
        .exclude(comment="")
        .order_by("-answered_at")
    )
    if checks:
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            record_type="people.VoiceCheck",
            record_label=f"Weekly check comments on {ward.name} ({len(checks)})",
            provider_id=ward.provider_id,
            request=request,
        )
    return checks


def voice_answers(
    *, ward_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> list[tuple[int, dt.datetime, str, str]]:
    """Every weekly check answered on these wards from ``start`` to ``end`` as (ward, when, felt safe,
    respected): for the measures, which count them per ward and period. No patient, no comment."""
    return list(
        VoiceCheck.objects.filter(ward_id__in=list(ward_ids), answered_at__gte=start, answered_at__lt=end)
        .values_list("ward_id", "answered_at", "felt_safe", "respected")
        .order_by()
    )


def ward_for_voice(user: User, ward_id: int) -> Ward | None:
    """One of the user's wards (``accounts.scope``), or None: the weekly check's pages start here."""
    return scope_of(user).wards().select_related("provider").filter(pk=ward_id).first()
