"""The prone restraint review (issue 16 item 5): force flags every incident with prone restraint for
review (``IncidentFlagKind.PRONE_REVIEW``); here the ward names a reviewer and the reviewer answers the
questions (why prone, how long, could it have been avoided, the learning). A review is due
``RRP_PRONE_REVIEW_DAYS`` (7) days after the flag was raised: RRP's default, which a provider can change;
neither the Act nor its guidance sets a number of days. The ward huddle shows those overdue.

Who: the people who review the ward's incidents (``INCIDENT_REVIEW`` on the incident's ward). Both the
reviewer named and the review are append-only rows, audited with the patient.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.act.models import Avoidable, ProneReview, ProneReviewer
from rrp.core.formatting import long_date
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.core.validation.declared import check_values
from rrp.force.closure import ProneReviewStatus
from rrp.force.codes import IncidentFlagKind, InterventionType
from rrp.force.models import Incident, IncidentFlag, IncidentVoid, InterventionRecord
from rrp.force.services import current_patient_id
from rrp.organisations.models import Ward

DEFAULT_REVIEW_DAYS = 7
Errors = dict[str, list[str]]


def review_days() -> int:
    return max(1, int(getattr(settings, "RRP_PRONE_REVIEW_DAYS", DEFAULT_REVIEW_DAYS)))


@dataclass(frozen=True)
class ProneRow:
    """One incident's prone restraint review as it stands on ``today``."""

    incident: Incident
    flagged_on: dt.date
    due_on: dt.date
    reviewer: ProneReviewer | None
    review: ProneReview | None
    today: dt.date

    @property
    def completed(self) -> bool:
        return self.review is not None

    @property
    def overdue(self) -> bool:
        return not self.completed and self.due_on < self.today

    @property
    def state(self) -> str:
        if self.completed:
            return "completed"
        if self.overdue:
            return "overdue"
        return "with_reviewer" if self.reviewer else "no_reviewer"


def _rows(flags: list[IncidentFlag], today: dt.date) -> list[ProneRow]:
    ids = [f.incident_id for f in flags]
    reviewers: dict[int, ProneReviewer] = {}
    for reviewer in ProneReviewer.objects.filter(incident_id__in=ids).order_by("named_at", "id"):
        reviewers[reviewer.incident_id] = reviewer
    reviews = {r.incident_id: r for r in ProneReview.objects.filter(incident_id__in=ids)}
    days = dt.timedelta(days=review_days())
    rows = []
    for flag in flags:
        flagged = timezone.localdate(flag.raised_at)
        rows.append(
            ProneRow(
                flag.incident,
                flagged,
                flagged + days,
                reviewers.get(flag.incident_id),
                reviews.get(flag.incident_id),
                today,
            )
        )
    return rows


def _flags(incidents) -> list[IncidentFlag]:
    return list(
        IncidentFlag.objects.filter(kind=IncidentFlagKind.PRONE_REVIEW, incident__in=incidents)
        .filter(~Exists(IncidentVoid.objects.filter(incident_id=OuterRef("incident_id"))))
        .select_related("incident__ward")
        .order_by("raised_at", "id")
    )


def ward_prone_reviews(ward: Ward, *, today: dt.date, completed_days: int = 90) -> list[ProneRow]:
    """The ward's prone restraint reviews: every one not completed, and those completed in the last
    ``completed_days`` days; overdue first, then by due date. The caller checked the ward's scope."""
    rows = _rows(_flags(Incident.objects.filter(ward=ward)), today)
    since = timezone.now() - dt.timedelta(days=completed_days)
    rows = [r for r in rows if not r.completed or r.review.completed_at >= since]
    return sorted(rows, key=lambda r: (r.completed, not r.overdue, r.due_on, r.incident.pk))


@dataclass(frozen=True)
class ProneCounts:
    waiting: int
    overdue: int
    no_reviewer: int


def prone_counts(rows: list[ProneRow]) -> ProneCounts:
    return ProneCounts(
        waiting=sum(1 for r in rows if not r.completed),
        overdue=sum(1 for r in rows if r.overdue),
        no_reviewer=sum(1 for r in rows if not r.completed and r.reviewer is None),
    )


def prone_row(incident: Incident, *, today: dt.date) -> ProneRow | None:
    """The incident's review (None if it has no prone restraint flag). The caller checked its scope."""
    rows = _rows(_flags(Incident.objects.filter(pk=incident.pk)), today)
    return rows[0] if rows else None


def minutes_prone(incident: Incident) -> int:
    """The minutes of prone restraint the incident's current version records (a hint for the reviewer)."""
    total = 0
    for started, ended in (
        InterventionRecord.objects.current()
        .filter(version__incident=incident, type_code=InterventionType.PRONE, ended_at__isnull=False)
        .values_list("started_at", "ended_at")
    ):
        total += int((ended - started).total_seconds() // 60)
    return total


def _may_review(by: User, incident: Incident, errors: Errors) -> None:
    if not has_permission(by, Permission.INCIDENT_REVIEW, ward=incident.ward):
        errors.setdefault("incident", []).append("You cannot review this ward's incidents")


def _audit(by: User, record, incident: Incident, request: HttpRequest | None) -> None:
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record=record,
        patient_id=current_patient_id(incident),
        provider_id=incident.provider_id,
        request=request,
    )


@transaction.atomic
def reviewer_set(
    *,
    incident: Incident,
    by: User,
    reviewer_name: str,
    reviewer_job_title: str,
    request: HttpRequest | None = None,
) -> ProneReviewer:
    """Name (or change) the reviewer of the incident's prone restraint. Refused, naming the field,
    without the permission, a name or a job title, on an incident with no prone restraint, or once the
    review is completed."""
    errors: Errors = {}
    _may_review(by, incident, errors)
    if prone_row(incident, today=timezone.localdate()) is None:
        errors.setdefault("incident", []).append("This incident has no prone restraint to review")
    if ProneReview.objects.filter(incident=incident).exists():
        errors.setdefault("incident", []).append("The review is already completed")
    if not (reviewer_name or "").strip():
        errors.setdefault("reviewer_name", []).append("Enter the reviewer's name")
    if not (reviewer_job_title or "").strip():
        errors.setdefault("reviewer_job_title", []).append("Enter the reviewer's job title")
    check_values(
        ProneReviewer, {"reviewer_name": reviewer_name, "reviewer_job_title": reviewer_job_title}, errors
    )
    if errors:
        raise ValidationError(errors)
    row = ProneReviewer.objects.create(
        incident=incident,
        reviewer_name=reviewer_name.strip(),
        reviewer_job_title=reviewer_job_title.strip(),
        named_at=timezone.now(),
        named_by=by,
    )
    _audit(by, row, incident, request)
    return row


@transaction.atomic
def review_complete(
    *,
    incident: Incident,
    by: User,
    why_prone: str,
    minutes_prone: int | None,
    avoidable: str,
    avoidable_text: str = "",
    learning: str,
    request: HttpRequest | None = None,
) -> ProneReview:
    """Record the completed review, by the reviewer named. Refused, naming the field, without the
    permission or a reviewer named, an answer to each question, or a second time."""
    errors: Errors = {}
    _may_review(by, incident, errors)
    Incident.objects.select_for_update().filter(pk=incident.pk).first()
    row = prone_row(incident, today=timezone.localdate())
    if row is None:
        errors.setdefault("incident", []).append("This incident has no prone restraint to review")
    elif row.completed:
        errors.setdefault("incident", []).append("The review is already completed")
    elif row.reviewer is None:
        errors.setdefault("incident", []).append("Name the reviewer first")
    if not (why_prone or "").strip():
        errors.setdefault("why_prone", []).append("Say why the patient was restrained in the prone position")
    if minutes_prone is None:
        errors.setdefault("minutes_prone", []).append("Enter how long the patient was prone, in minutes")
    if avoidable not in Avoidable.values:
        errors.setdefault("avoidable", []).append("Say whether it could have been avoided")
    elif avoidable != Avoidable.NO and not (avoidable_text or "").strip():
        errors.setdefault("avoidable_text", []).append(
            "Say how it could have been avoided, or what is unclear"
        )
    if not (learning or "").strip():
        errors.setdefault("learning", []).append("Enter the learning")
    check_values(
        ProneReview, {"why_prone": why_prone, "learning": learning, "avoidable_text": avoidable_text}, errors
    )
    if errors:
        raise ValidationError(errors)
    review = ProneReview.objects.create(
        incident=incident,
        why_prone=why_prone.strip(),
        minutes_prone=minutes_prone,
        avoidable=avoidable,
        avoidable_text=avoidable_text.strip(),
        learning=learning.strip(),
        reviewer_name=row.reviewer.reviewer_name,
        completed_at=timezone.now(),
        completed_by=by,
    )
    _audit(by, review, incident, request)
    return review


def closure_status(incident: Incident, at: dt.datetime) -> ProneReviewStatus:
    """The incident's prone restraint review for its closing checklist (registered with force when act
    starts): done only when the review is completed; otherwise where it stands and when it was due."""
    row = prone_row(incident, today=timezone.localdate(at))
    href = reverse("act:prone-review", args=[incident.pk])
    if row is None:
        return ProneReviewStatus(False, "No prone restraint review has been opened for this incident", href)
    if row.completed:
        return ProneReviewStatus(
            True, f"Completed by {row.review.reviewer_name} on {long_date(row.review.completed_at)}", href
        )
    who = (
        f"with {row.reviewer.reviewer_name}, {row.reviewer.reviewer_job_title}"
        if row.reviewer
        else "no reviewer named yet"
    )
    when = f"overdue since {long_date(row.due_on)}" if row.overdue else f"due by {long_date(row.due_on)}"
    return ProneReviewStatus(False, f"Not completed: {who}, {when}", href)
