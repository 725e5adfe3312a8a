"""Reading patients, always through the reader's scope, and auditing each view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import patient_filter_for, scope_of
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.organisations.models import Ward
from rrp.organisations.selectors import period_of
from rrp.people.codes import VoiceAnswer
from rrp.people.models import (
    FeedMessage,
    FeedStatus,
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


def patient_get_for(
    user: User, patient_id: int, *, request: HttpRequest | None = None, merged_through_kept: bool = False
) -> Patient | None:
    """One patient if in scope, auditing the view; None if not (the caller answers 404).

    ``merged_through_kept``: also an identity merged into a record the user may see (however many merges
    deep, of the same provider), for the pages that read it (decision 0082). A ward's staff see a patient
    through their stays, and a merge moves the merged identity's stays to the record kept, so without this
    the link from the record kept to what was recorded under the other identity found nothing. The audit
    entry names the record kept it was reached through."""
    patient = patients_for(user).select_related("provider").filter(pk=patient_id).first()
    through: int | None = None
    if patient is None and merged_through_kept:
        merged = (
            Patient.objects.select_related("provider")
            .filter(pk=patient_id, merged_into__isnull=False)
            .first()
        )
        if merged is not None:
            kept = kept_record_id(merged)
            if patients_for(user).filter(pk=kept, provider_id=merged.provider_id).exists():
                patient, through = merged, kept
    if patient is not None:
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            record=patient,
            patient_id=patient.pk,
            provider_id=patient.provider_id,
            request=request,
            detail={"through_kept_record": through} if through is not None else None,
        )
    return patient


def kept_record_id(patient: Patient) -> int:
    """The id of the record a merged identity now belongs to, following merges to the end (its own id
    when it was never merged): one small query per merge."""
    kept, following, seen = patient.pk, patient.merged_into_id, {patient.pk}
    while following is not None and following not in seen:
        seen.add(following)
        kept = following
        following = Patient.objects.filter(pk=following).values_list("merged_into_id", flat=True).first()
    return kept


def patient_identities(patient: Patient) -> list[int]:
    """The patient's id, then those of every identity merged into it (by A40 or the merge page), however
    many merges deep: what was recorded under a merged identity stays on it (decision 0053) and is still
    this person's, so the record kept lists it. A few small queries, one per level of merges."""
    ids, level = [patient.pk], [patient.pk]
    while level:
        found = Patient.objects.filter(merged_into_id__in=level).values_list("pk", flat=True)
        level = [pk for pk in found if pk not in ids]
        ids += level
    return ids


def merged_identities(identity_ids: list[int]) -> list[Patient]:
    """The identities merged into a record (``patient_identities`` without the record itself), in the
    order they were merged."""
    if len(identity_ids) < 2:
        return []
    return list(Patient.objects.filter(pk__in=identity_ids[1:]).order_by("merged_at", "pk"))


@dataclass(frozen=True)
class PatientRecordRow:
    text: str
    href: str
    merged_identity: str = ""  # the local identifier it was recorded under, if a merged identity's


@dataclass(frozen=True)
class PatientRecordList:
    """One kind of record of the patient for their page (incidents, episodes), from an app above people."""

    heading: str
    rows: list[PatientRecordRow]
    empty: str
    more_href: str = ""
    more_text: str = ""
    total: int = 0  # how many there are in all (rows holds the latest few)


# Apps above people (force: incidents; segregation: episodes) register how to list a person's records for
# their page, given the reader and the ids of the person's identities; people never imports them
# (decision 0011). Each function scopes what it lists to the reader.
PatientRecords = Callable[[User, Patient, list[int]], PatientRecordList]
_patient_records: list[PatientRecords] = []


def register_patient_records(function: PatientRecords) -> PatientRecords:
    """Add ``function(user, patient, identity_ids) -> PatientRecordList`` to the patient page (once,
    however often it is registered); call it from the app's ``AppConfig.ready``."""
    if function not in _patient_records:
        _patient_records.append(function)
    return function


def patient_records(user: User, patient: Patient, identity_ids: list[int]) -> list[PatientRecordList]:
    """Every registered app's list of the patient's records, in the order they registered."""
    return [function(user, patient, identity_ids) for function in _patient_records]


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
        # Through the standing stays (a cancelled admission is not a patient on the ward), in one subquery
        # so that the start and the end are those of the same stay.
        .filter(pk__in=WardStay.objects.on_ward_at(ward, now).values("patient_id"))
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


def plan_versions_written(
    patient_ids: Sequence[int] | QuerySet, *, start: dt.datetime, end: dt.datetime
) -> dict[int, list[dt.datetime]]:
    """When these patients' support plan versions were written from ``start`` to ``end`` (first to
    last), keyed by patient, in one query: for the measure of plans reviewed after repeated restraint. Times only, never the plan; the
    caller chose the patients from the wards in the reader's scope and shows only counts."""
    written: dict[int, list[dt.datetime]] = {}
    rows = (
        SupportPlanVersion.objects.filter(
            patient_id__in=patient_ids, recorded_at__gte=start, recorded_at__lt=end
        )
        .values_list("patient_id", "recorded_at")
        .order_by("patient_id", "recorded_at")
    )
    for patient_id, recorded_at in rows:
        written.setdefault(patient_id, []).append(recorded_at)
    return written


def rights_information_of(patient: Patient, identity_ids: Sequence[int] = ()) -> list[RightsInformation]:
    """Every record of information about the use of force given to the patient (or refused), newest
    first, with those recorded under the identities merged into theirs when ``identity_ids`` lists them
    (``patient_identities``; decision 0082). The caller has the patient from a scoped, audited selector."""
    ids = list(identity_ids) or [patient.pk]
    return list(
        RightsInformation.objects.filter(patient_id__in=ids)
        .select_related("recorded_by", "patient")
        .order_by("-given_at", "-id")
    )


def merged_support_plans(identity_ids: Sequence[int]) -> list[tuple[Patient, SupportPlanVersion]]:
    """The current support plan of each identity merged into a record (``patient_identities`` without the
    record itself), oldest merge first, for the record kept to point to (decision 0082); identities with
    no plan are left out. Versions only: the plan's words are read on its own page, which audits them."""
    found = []
    for identity in merged_identities(list(identity_ids)):
        plan = support_plan_current(identity)
        if plan is not None:
            found.append((identity, plan))
    return found


RIGHTS_WITHIN = dt.timedelta(days=7)


def admissions_rights_recorded(
    *, ward_ids: Sequence[int], starts: Sequence[dt.date], boundaries: Sequence[dt.datetime], end: dt.datetime
) -> list[tuple[int, dt.date, int, int]]:
    """Admissions to these wards (the first ward stay of a hospital spell) per ward and period, as (ward,
    period start, admissions with information about the use of force recorded for the patient within 7
    days, all admissions): recorded means given, or refused or not possible with the reason. The periods
    are ``starts`` from their local-midnight ``boundaries`` to ``end``, grouped in the database (one
    query, a row per ward and period). Aggregates for measures: the caller chooses the wards from the
    reader's scope; no patient leaves this function."""
    earlier = WardStay.objects.filter(spell_id=OuterRef("spell_id"), started_at__lt=OuterRef("started_at"))
    recorded = RightsInformation.objects.filter(
        spell_id=OuterRef("spell_id"),
        recipient="patient",
        given_at__lt=OuterRef("started_at") + RIGHTS_WITHIN,
    )
    rows = (
        WardStay.objects.filter(ward_id__in=list(ward_ids), started_at__gte=boundaries[0], started_at__lt=end)
        .filter(~Exists(earlier))
        .annotate(recorded=Exists(recorded), period=period_of("started_at", starts, boundaries=boundaries))
        .values("ward_id", "period")
        .annotate(n=Count("id", filter=Q(recorded=True)), d=Count("id"))
        .values_list("ward_id", "period", "n", "d")
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
    *, ward_ids: Sequence[int], starts: Sequence[dt.date], boundaries: Sequence[dt.datetime], end: dt.datetime
) -> list[tuple[int, dt.date, int, int, int]]:
    """The weekly checks answered on these wards per ward and period, as (ward, period start, answers of
    "Yes, always" to felt safe, the same to treated with respect, all answers): for the measures. The
    periods are ``starts`` from their local-midnight ``boundaries`` to ``end``, grouped in the database
    (one query, a row per ward and period). No patient, no comment."""
    return list(
        VoiceCheck.objects.filter(
            ward_id__in=list(ward_ids), answered_at__gte=boundaries[0], answered_at__lt=end
        )
        .annotate(period=period_of("answered_at", starts, boundaries=boundaries))
        .values("ward_id", "period")
        .annotate(
            safe=Count("id", filter=Q(felt_safe=VoiceAnswer.ALWAYS)),
            respected=Count("id", filter=Q(respected=VoiceAnswer.ALWAYS)),
            d=Count("id"),
        )
        .values_list("ward_id", "period", "safe", "respected", "d")
        .order_by()
    )


def ward_for_voice(user: User, ward_id: int) -> Ward | None:
    """One of the user's wards (``accounts.scope``), or None: the weekly check's pages start here."""
    return scope_of(user).wards().select_related("provider").filter(pk=ward_id).first()


def held_messages_for(user: User) -> QuerySet[FeedMessage]:
    """The held ADT messages of the providers whose feed the user works, oldest event first. Not audited
    here: the page audits the list it shows."""
    if not has_permission(user, Permission.PATIENT_FEED_MANAGE):
        return FeedMessage.objects.none()
    providers = scope_of(user).provider_ids
    return (
        FeedMessage.objects.filter(provider_id__in=providers, status=FeedStatus.HELD)
        .select_related("provider")
        .order_by("event_at", "id")
    )


def feed_summary_for(user: User) -> list[dict[str, object]]:
    """Per provider in the user's feed scope: messages received, applied, held, and the last received."""
    if not has_permission(user, Permission.PATIENT_FEED_MANAGE):
        return []
    rows = (
        FeedMessage.objects.filter(provider_id__in=scope_of(user).provider_ids)
        .values("provider__name", "status")
        .annotate(count=Count("id"), last=Max("received_at"))
        .order_by("provider__name")
    )
    summary: dict[str, dict[str, object]] = {}
    for row in rows:
        entry = summary.setdefault(
            row["provider__name"], {"provider": row["provider__name"], "last": row["last"]}
        )
        entry[row["status"]] = row["count"]
        entry["last"] = max(entry["last"], row["last"])
    return list(summary.values())


def ward_stays_source(ward: Ward) -> dict[str, object]:
    """Where a ward's bed days from stays come from, for its page: the last HL7 ADT message received for
    its provider (the feed), and the last time any of its stays began or ended. Aggregates, no patient."""
    last_message = (
        FeedMessage.objects.filter(provider_id=ward.provider_id)
        .order_by("-received_at")
        .values_list("received_at", flat=True)
        .first()
    )
    stays = WardStay.objects.filter(ward=ward)
    return {
        "feed_last_received": last_message,
        "stays": stays.count(),
        "open_stays": stays.filter(ended_at__isnull=True).count(),
    }
