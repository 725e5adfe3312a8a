"""Co-production in quality-improvement projects (issue 15 item 5, decision 0071): who with lived
experience took part in the project's work, how, in what decision and what changed because of it, and
comments on the project by its team, experts by experience above all.

Both are append-only and audited. They are written by those who run the project
(``Permission.QI_PROJECT_MANAGE`` on every ward) or by someone on its team now whose role may take part
(``Permission.QI_CONTRIBUTE``): an expert by experience comments and records what they did without
asking staff to. Their text is read by everyone who reads the project, commissioners too, so an NHS
number in it is refused on its field, as in the rest of the project.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.improvement.models import (
    CoproductionCredit,
    CoproductionEntry,
    CoproductionHow,
    ProjectComment,
    QiProject,
    Recognition,
    TeamMember,
    TeamRole,
)
from rrp.improvement.project_services import may_manage_wards, no_nhs_number, project_wards

Errors = dict[str, list[str]]
COMMENT_LIMIT = 2000
#: The team roles credited in the log: the people with lived experience the log is about.
LIVED_EXPERIENCE_ROLES = (TeamRole.EXPERT_BY_EXPERIENCE, TeamRole.CARER)


def current_member(project: QiProject, user: User) -> TeamMember | None:
    """The user's current place on the project's team, if they have one."""
    if not getattr(user, "pk", None):
        return None
    return project.team.filter(user_id=user.pk, left_on__isnull=True).first()


def may_contribute(user: User, project: QiProject) -> bool:
    """Whether the user may comment on the project and add to its co-production log: they run it, or they
    are on its team now and their role takes part (``QI_CONTRIBUTE`` on one of its wards)."""
    wards = project_wards(project)
    if may_manage_wards(user, wards):
        return True
    in_scope = any(has_permission(user, Permission.QI_CONTRIBUTE, ward=w) for w in wards)
    return in_scope and current_member(project, user) is not None


def credited_candidates(project: QiProject) -> list[TeamMember]:
    """Team members who may be credited in the log: experts by experience and carers, those who have
    left included (an entry may be written after the work), current ones first."""
    return sorted(
        project.team.filter(team_role__in=LIVED_EXPERIENCE_ROLES).select_related("user"),
        key=lambda m: (m.left_on is not None, m.display_name.lower(), m.pk),
    )


@transaction.atomic
def coproduction_record(
    *,
    project: QiProject,
    by: User,
    happened_on: dt.date | None,
    people: Sequence[TeamMember],
    how: str,
    decision: str,
    what_changed: str,
    recognition: str,
    request: HttpRequest | None = None,
) -> CoproductionEntry:
    """Add an entry to the project's co-production log, crediting each person named (experts by
    experience and carers on its team). Raises PermissionDenied for someone who may not contribute and
    ValidationError naming each bad field; nothing is saved then."""
    if not may_contribute(by, project):
        raise PermissionDenied("Only the project's team and those who run it add to its co-production log.")
    errors: Errors = {}
    if happened_on is None:
        errors["happened_on"] = ["Enter the date it happened"]
    elif happened_on > timezone.localdate():
        errors["happened_on"] = ["The date cannot be in the future"]
    elif happened_on < project.starts_on:
        errors["happened_on"] = [
            f"The date cannot be before the project started ({project.starts_on:%d %B %Y})"
        ]
    allowed = {m.pk for m in credited_candidates(project)}
    if not people:
        errors["people"] = ["Choose who took part: the experts by experience or carers on the team"]
    elif any(m.pk not in allowed for m in people):
        errors["people"] = ["Choose only experts by experience or carers on this project's team"]
    if how not in CoproductionHow.values:
        errors["how"] = ["Choose how they took part"]
    if recognition not in Recognition.values:
        errors["recognition"] = ["Choose how their contribution was recognised"]
    for field, text, message in (
        ("decision", decision, "Enter the decision or piece of work it was part of"),
        ("what_changed", what_changed, "Enter what changed because of it (or that nothing has yet)"),
    ):
        if not (text or "").strip():
            errors[field] = [message]
        no_nhs_number(errors, field, text)
    if errors:
        raise ValidationError(errors)
    entry = CoproductionEntry.objects.create(
        project=project,
        happened_on=happened_on,
        how=how,
        decision=decision.strip(),
        what_changed=what_changed.strip(),
        recognition=recognition,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    CoproductionCredit.objects.bulk_create([CoproductionCredit(entry=entry, member=m) for m in people])
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record=entry,
        record_label=f"Co-production in {project.title}",
        provider_id=project.provider_id,
        request=request,
        detail={"project": project.pk, "people": len(people), "how": how, "recognition": recognition},
    )
    return entry


@transaction.atomic
def project_comment_add(
    *, project: QiProject, by: User, text: str, request: HttpRequest | None = None
) -> ProjectComment:
    """Comment on the project, as someone on its team or running it. Raises PermissionDenied for anyone
    else and ValidationError naming ``text`` when it is empty, too long or holds an NHS number."""
    if not may_contribute(by, project):
        raise PermissionDenied("Only the project's team and those who run it comment on it.")
    text = (text or "").strip()
    errors: Errors = {}
    if not text:
        errors["text"] = ["Enter your comment"]
    elif len(text) > COMMENT_LIMIT:
        errors["text"] = [f"Comment must be {COMMENT_LIMIT} characters or fewer"]
    no_nhs_number(errors, "text", text)
    if errors:
        raise ValidationError(errors)
    comment = ProjectComment.objects.create(
        project=project, text=text, written_by=by, written_at=timezone.now()
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record=comment,
        record_label=f"Comment on {project.title}",
        provider_id=project.provider_id,
        request=request,
        detail={"project": project.pk},
    )
    return comment


def coproduction_log(project: QiProject) -> list[CoproductionEntry]:
    """The project's co-production log, newest first, with who was credited in each entry."""
    return list(
        project.coproduction.select_related("recorded_by")
        .prefetch_related("people__user")
        .order_by("-happened_on", "-id")
    )


def comments_of(project: QiProject) -> list[ProjectComment]:
    """The project's comments, oldest first (a conversation reads down)."""
    return list(project.comments.select_related("written_by").order_by("written_at", "id"))
