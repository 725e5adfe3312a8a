"""Collaboratives run from RRP (issue 14, item 6; decision 0059): a collaborative lead starts one, invites
wards, curates its change package and publishes its template driver diagram; the ward's provider
(governance) accepts or declines, and either records a ward leaving. Keyword arguments only, ``by`` the
acting user; each is one transaction with its audit row inside; bad input is a ``ValidationError`` naming
the field, nothing saved.

Who may: ``COLLABORATIVE_MANAGE`` on a collaborative the lead is linked to (``may_lead``); the answer to an
invitation needs ``COLLABORATIVE_JOIN`` on the ward's provider. A lead reaches the collaboratives they are
linked to and no other (a new collaborative is linked to whoever starts it).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import scope_of
from rrp.core.concurrency import check_base_version
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.improvement.diagram_services import parse_outline
from rrp.improvement.models import (
    ChangeIdea,
    ChangeIdeaVersion,
    CollaborativeIdea,
    CollaborativeInvitation,
    InvitationStatus,
    LearningSetNote,
    TemplateDiagramVersion,
)
from rrp.improvement.project_services import no_nhs_number
from rrp.organisations.models import (
    Collaborative,
    CollaborativeKind,
    CollaborativeMembership,
    Region,
    Ward,
)

Errors = dict[str, list[str]]
NAME_LIMIT = 200


def may_lead(user: User, collaborative: Collaborative) -> bool:
    """Whether the user runs this collaborative: a collaborative lead linked to it."""
    if not has_permission(user, Permission.COLLABORATIVE_MANAGE):
        return False
    return scope_of(user).collaboratives().filter(pk=collaborative.pk).exists()


def _require_lead(user: User, collaborative: Collaborative) -> None:
    if not may_lead(user, collaborative):
        raise PermissionDenied


def _check(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def collaborative_create(
    *,
    name: str,
    kind: str,
    region: Region | None,
    aim: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    by: User,
) -> Collaborative:
    """Start a collaborative, linked to the lead who starts it (so it is in their scope from then on)."""
    if not has_permission(by, Permission.COLLABORATIVE_MANAGE):
        raise PermissionDenied
    errors: Errors = {}
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append("Enter the collaborative's name")
    elif len(name) > NAME_LIMIT:
        errors.setdefault("name", []).append(f"The name must be {NAME_LIMIT} characters or fewer")
    elif Collaborative.objects.filter(name__iexact=name).exists():
        errors.setdefault("name", []).append("There is already a collaborative with this name")
    if kind not in CollaborativeKind.values:
        errors.setdefault("kind", []).append(
            "Select whether it is a national cohort or a regional collaborative"
        )
    elif kind == CollaborativeKind.REGIONAL and region is None:
        errors.setdefault("region", []).append("Select the region of a regional collaborative")
    no_nhs_number(errors, "aim", aim)
    if starts_on is None:
        errors.setdefault("starts_on", []).append("Enter the date the collaborative starts")
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        errors.setdefault("ends_on", []).append("The end date must be on or after the start date")
    _check(errors)
    collaborative = Collaborative.objects.create(
        name=name,
        kind=kind,
        region=region,
        aim=(aim or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    by.collaboratives.add(collaborative)
    audit_record(actor=by, action=AuditAction.CREATE, record=collaborative)
    return collaborative


def may_edit(user: User, collaborative: Collaborative) -> bool:
    """Whether the user may change the collaborative's name, aim and dates: its lead, or a system
    administrator (``ORGANISATION_MANAGE``: they run the service's organisations)."""
    return may_lead(user, collaborative) or has_permission(user, Permission.ORGANISATION_MANAGE)


EDITABLE = ("name", "aim", "starts_on", "ends_on")


@transaction.atomic
def collaborative_update(
    *,
    collaborative: Collaborative,
    name: str,
    aim: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    reason: str,
    by: User,
) -> Collaborative:
    """Change a collaborative's name, aim in words and dates, saying why: audited with the fields changed
    (before and after) and the reason. Its members' joining dates must still fall inside the dates, so
    no member is left counting outside the collaborative."""
    if not may_edit(by, collaborative):
        raise PermissionDenied
    locked = Collaborative.objects.select_for_update().get(pk=collaborative.pk)
    errors: Errors = {}
    name = (name or "").strip()
    aim = (aim or "").strip()
    reason = (reason or "").strip()
    if not name:
        errors.setdefault("name", []).append("Enter the collaborative's name")
    elif len(name) > NAME_LIMIT:
        errors.setdefault("name", []).append(f"The name must be {NAME_LIMIT} characters or fewer")
    elif Collaborative.objects.filter(name__iexact=name).exclude(pk=locked.pk).exists():
        errors.setdefault("name", []).append("There is already a collaborative with this name")
    no_nhs_number(errors, "aim", aim)
    joined = locked.memberships.aggregate(first=models.Min("joined_on"), last=models.Max("joined_on"))
    if starts_on is None:
        errors.setdefault("starts_on", []).append("Enter the date the collaborative starts")
    elif joined["first"] is not None and starts_on > joined["first"]:
        errors.setdefault("starts_on", []).append(
            f"A member ward joined on {joined['first']:%d %B %Y}: the start cannot be after it"
        )
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        errors.setdefault("ends_on", []).append("The end date must be on or after the start date")
    elif ends_on is not None and joined["last"] is not None and ends_on < joined["last"]:
        errors.setdefault("ends_on", []).append(
            f"A member ward joined on {joined['last']:%d %B %Y}: the end cannot be before it"
        )
    if not reason:
        errors.setdefault("reason", []).append("Say why the collaborative is being changed")
    no_nhs_number(errors, "reason", reason)
    new = {"name": name, "aim": aim, "starts_on": starts_on, "ends_on": ends_on}
    changed = {f: (getattr(locked, f), new[f]) for f in EDITABLE if getattr(locked, f) != new[f]}
    if not errors and not changed:
        errors.setdefault("name", []).append("Nothing has changed: change the name, aim or dates")
    _check(errors)
    for field, (_old, value) in changed.items():
        setattr(locked, field, value)
    locked.save(update_fields=list(changed))
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=locked,
        detail={
            "changed": {
                f: [str(old) if old is not None else None, str(value) if value is not None else None]
                for f, (old, value) in changed.items()
            },
            "reason": reason,
        },
    )
    return locked


def _current_membership(collaborative: Collaborative, ward: Ward) -> CollaborativeMembership | None:
    return CollaborativeMembership.objects.filter(
        collaborative=collaborative, ward=ward, left_on__isnull=True
    ).first()


@transaction.atomic
def ward_invite(
    *,
    collaborative: Collaborative,
    ward: Ward | None,
    proposed_joining_on: dt.date | None,
    message: str = "",
    by: User,
) -> CollaborativeInvitation:
    """Invite a ward to join: it joins only when its provider accepts (``invitation_answer``)."""
    _require_lead(by, collaborative)
    errors: Errors = {}
    if ward is None:
        errors.setdefault("ward", []).append("Select the ward to invite")
    elif _current_membership(collaborative, ward) is not None:
        errors.setdefault("ward", []).append(f"{ward.name} is already a member of this collaborative")
    elif CollaborativeInvitation.objects.filter(
        collaborative=collaborative, ward=ward, status=InvitationStatus.PENDING
    ).exists():
        errors.setdefault("ward", []).append(f"{ward.name} has already been invited and not yet answered")
    if proposed_joining_on is None:
        errors.setdefault("proposed_joining_on", []).append("Enter the date the ward would join")
    elif proposed_joining_on < collaborative.starts_on:
        errors.setdefault("proposed_joining_on", []).append(
            "The ward cannot join before the collaborative starts"
        )
    elif collaborative.ends_on is not None and proposed_joining_on > collaborative.ends_on:
        errors.setdefault("proposed_joining_on", []).append(
            "The ward cannot join after the collaborative ends"
        )
    no_nhs_number(errors, "message", message)
    _check(errors)
    invitation = CollaborativeInvitation.objects.create(
        collaborative=collaborative,
        ward=ward,
        proposed_joining_on=proposed_joining_on,
        message=(message or "").strip(),
        invited_by=by,
        invited_at=timezone.now(),
    )
    audit_record(actor=by, action=AuditAction.CREATE, record=invitation, provider_id=ward.provider_id)
    return invitation


@transaction.atomic
def invitation_withdraw(*, invitation: CollaborativeInvitation, by: User) -> CollaborativeInvitation:
    """The lead takes back an invitation not yet answered."""
    _require_lead(by, invitation.collaborative)
    locked = CollaborativeInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.status != InvitationStatus.PENDING:
        raise ValidationError({"invitation": ["This invitation has already been answered"]})
    locked.status = InvitationStatus.WITHDRAWN
    locked.decided_by, locked.decided_at = by, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=locked,
        provider_id=locked.ward.provider_id,
        detail={"status": locked.status},
    )
    return locked


@transaction.atomic
def invitation_answer(
    *,
    invitation: CollaborativeInvitation,
    accept: bool | None,
    joined_on: dt.date | None,
    note: str = "",
    by: User,
) -> CollaborativeInvitation:
    """The ward's provider accepts (the ward becomes a member from ``joined_on``) or declines."""
    ward = invitation.ward
    if not has_permission(by, Permission.COLLABORATIVE_JOIN, provider=ward.provider):
        raise PermissionDenied
    locked = CollaborativeInvitation.objects.select_for_update().get(pk=invitation.pk)
    errors: Errors = {}
    if locked.status != InvitationStatus.PENDING:
        errors.setdefault("accept", []).append("This invitation has already been answered or withdrawn")
    if accept is None:
        errors.setdefault("accept", []).append("Select whether the ward joins")
    collaborative = locked.collaborative
    if accept:
        if joined_on is None:
            errors.setdefault("joined_on", []).append("Enter the date the ward joins")
        elif joined_on < collaborative.starts_on:
            errors.setdefault("joined_on", []).append("The ward cannot join before the collaborative starts")
        elif collaborative.ends_on is not None and joined_on > collaborative.ends_on:
            errors.setdefault("joined_on", []).append("The ward cannot join after the collaborative ends")
        elif _current_membership(collaborative, ward) is not None:
            errors.setdefault("accept", []).append(f"{ward.name} is already a member")
        elif CollaborativeMembership.objects.filter(
            collaborative=collaborative, ward=ward, left_on__gte=joined_on
        ).exists():
            errors.setdefault("joined_on", []).append(
                "The ward was a member until after this date: it can rejoin only after it left"
            )
    no_nhs_number(errors, "note", note)
    _check(errors)
    if accept:
        locked.membership = CollaborativeMembership.objects.create(
            collaborative=collaborative, ward=ward, joined_on=joined_on
        )
        locked.status = InvitationStatus.ACCEPTED
    else:
        locked.status = InvitationStatus.DECLINED
    locked.decided_by, locked.decided_at = by, timezone.now()
    locked.decision_note = (note or "").strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "membership"])
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=locked,
        provider_id=ward.provider_id,
        detail={
            "status": locked.status,
            "joined_on": joined_on.isoformat() if accept and joined_on else None,
        },
    )
    return locked


def may_record_leaving(user: User, membership: CollaborativeMembership) -> bool:
    """The collaborative's lead or the ward's provider may record that a ward left."""
    return may_lead(user, membership.collaborative) or has_permission(
        user, Permission.COLLABORATIVE_JOIN, provider=membership.ward.provider
    )


@transaction.atomic
def membership_leave(
    *, membership: CollaborativeMembership, left_on: dt.date | None, by: User
) -> CollaborativeMembership:
    """Record the date a ward left: it stops counting in the pooled charts after that month."""
    if not may_record_leaving(by, membership):
        raise PermissionDenied
    locked = CollaborativeMembership.objects.select_for_update().get(pk=membership.pk)
    errors: Errors = {}
    if locked.left_on is not None:
        errors.setdefault("left_on", []).append(f"The ward already left on {locked.left_on:%d %B %Y}")
    elif left_on is None:
        errors.setdefault("left_on", []).append("Enter the date the ward left")
    elif left_on < locked.joined_on:
        errors.setdefault("left_on", []).append("The ward cannot leave before it joined")
    elif left_on > timezone.localdate():
        errors.setdefault("left_on", []).append(
            "The date cannot be in the future: record it once the ward has left"
        )
    _check(errors)
    locked.left_on = left_on
    locked.save(update_fields=["left_on"])
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=locked,
        provider_id=locked.ward.provider_id,
        detail={"left_on": left_on.isoformat()},
    )
    return locked


def package_candidates(collaborative: Collaborative) -> models.QuerySet[ChangeIdea]:
    """Ideas a lead may add: the starter set (a provider's own ideas belong to that provider)."""
    chosen = CollaborativeIdea.objects.filter(collaborative=collaborative, removed_at__isnull=True)
    return ChangeIdea.objects.filter(provider__isnull=True, collaborative__isnull=True).exclude(
        pk__in=chosen.values("change_idea_id")
    )


@transaction.atomic
def package_add(
    *, collaborative: Collaborative, change_idea: ChangeIdea | None, note: str = "", by: User
) -> CollaborativeIdea:
    """Put a change idea in the collaborative's change package, saying why."""
    _require_lead(by, collaborative)
    errors: Errors = {}
    if change_idea is None or not package_candidates(collaborative).filter(pk=change_idea.pk).exists():
        errors.setdefault("change_idea", []).append(
            "Select a change idea from the starter set that is not already in the package"
        )
    note = (note or "").strip()
    if len(note) > 300:
        errors.setdefault("note", []).append("The note must be 300 characters or fewer")
    no_nhs_number(errors, "note", note)
    _check(errors)
    item = CollaborativeIdea.objects.create(
        collaborative=collaborative, change_idea=change_idea, note=note, added_by=by, added_at=timezone.now()
    )
    audit_record(actor=by, action=AuditAction.CREATE, record=item)
    return item


@transaction.atomic
def package_remove(*, item: CollaborativeIdea, by: User) -> CollaborativeIdea:
    """Take an idea out of the package; the row stays with who took it out and when."""
    _require_lead(by, item.collaborative)
    locked = CollaborativeIdea.objects.select_for_update().get(pk=item.pk)
    if locked.removed_at is not None:
        raise ValidationError({"item": ["This idea has already been taken out of the package"]})
    locked.removed_by, locked.removed_at = by, timezone.now()
    locked.save(update_fields=["removed_by", "removed_at"])
    audit_record(actor=by, action=AuditAction.CHANGE, record=locked, detail={"removed": True})
    return locked


def template_ideas(collaborative: Collaborative) -> dict[str, int]:
    """Lower-case titles of the ideas a template may link to: the starter set and the collaborative's
    own ideas not withdrawn."""
    rows = ChangeIdea.objects.filter(
        models.Q(provider__isnull=True, collaborative__isnull=True)
        | models.Q(collaborative=collaborative, withdrawn_at__isnull=True)
    ).values_list("title", "pk")
    return {title.lower(): pk for title, pk in rows}


# --- The collaborative's own change ideas (decision 0080) -------------------------------------------

IDEA_REQUIRED = {
    "title": "Enter the change idea's title",
    "description": "Say what the change is",
    "source": "Say where the idea or its evidence comes from",
    "driver": "Say which driver the idea serves",
}
IDEA_LIMITS = {"title": 80, "source": 300, "driver": 120, "tags": 200, "source_url": 500, "note": 300}
IDEA_FIELDS = ("title", "description", "source", "source_url", "driver", "tags")


def _idea_errors(collaborative: Collaborative, values: dict[str, str], *, idea: ChangeIdea | None) -> Errors:
    errors: Errors = {}
    for field, message in IDEA_REQUIRED.items():
        if not values[field]:
            errors.setdefault(field, []).append(message)
    for field, limit in IDEA_LIMITS.items():
        if len(values[field]) > limit:
            errors.setdefault(field, []).append(f"This must be {limit} characters or fewer")
    for field in values:
        no_nhs_number(errors, field, values[field])
    url = values["source_url"]
    if url and not url.startswith(("https://", "http://")):
        errors.setdefault("source_url", []).append("Enter the source's web address, starting https://")
    if values["title"]:
        clash = ChangeIdea.objects.filter(title__iexact=values["title"]).filter(
            models.Q(provider__isnull=True, collaborative__isnull=True)
            | models.Q(collaborative=collaborative)
        )
        if idea is not None:
            clash = clash.exclude(pk=idea.pk)
        if clash.exists():
            errors.setdefault("title", []).append(
                "There is already a change idea with this title in the starter set or this collaborative"
            )
    return errors


def _idea_values(**fields: str) -> dict[str, str]:
    return {name: (value or "").strip() for name, value in fields.items()}


def _version_row(idea: ChangeIdea, *, note: str, by: User) -> ChangeIdeaVersion:
    return ChangeIdeaVersion.objects.create(
        idea=idea,
        number=idea.version,
        note=note,
        saved_by=by,
        saved_at=timezone.now(),
        **{name: getattr(idea, name) for name in IDEA_FIELDS},
    )


@transaction.atomic
def collaborative_idea_add(
    *,
    collaborative: Collaborative,
    title: str,
    description: str,
    source: str,
    driver: str,
    tags: str = "",
    source_url: str = "",
    by: User,
) -> ChangeIdea:
    """The lead writes a change idea of the collaborative's own: its member wards' projects may test it
    beside the starter set, and it is in the collaborative's change package. Saved as version 1."""
    _require_lead(by, collaborative)
    values = _idea_values(
        title=title, description=description, source=source, driver=driver, tags=tags, source_url=source_url
    )
    errors = _idea_errors(collaborative, values | {"note": ""}, idea=None)
    _check(errors)
    idea = ChangeIdea.objects.create(
        collaborative=collaborative, created_by=by, created_at=timezone.now(), **values
    )
    _version_row(idea, note="", by=by)
    audit_record(actor=by, action=AuditAction.CREATE, record=idea, detail={"collaborative": collaborative.pk})
    return idea


@transaction.atomic
def collaborative_idea_change(
    *,
    idea: ChangeIdea,
    title: str,
    description: str,
    source: str,
    driver: str,
    tags: str = "",
    source_url: str = "",
    note: str = "",
    base_version: int | None,
    by: User,
) -> ChangeIdea:
    """Save a new version of the collaborative's own idea: the earlier ones stay (``ChangeIdeaVersion``);
    cycles testing it keep testing the same idea. Refused when withdrawn, unchanged, or stale (409)."""
    if idea.collaborative is None:
        raise PermissionDenied
    _require_lead(by, idea.collaborative)
    locked = ChangeIdea.objects.select_for_update().get(pk=idea.pk)
    check_base_version(base=base_version, current=locked.version, what="change idea")
    values = _idea_values(
        title=title, description=description, source=source, driver=driver, tags=tags, source_url=source_url
    )
    note = (note or "").strip()
    errors = _idea_errors(locked.collaborative, values | {"note": note}, idea=locked)
    if locked.withdrawn_at is not None:
        errors.setdefault("title", []).append("This idea has been withdrawn: write a new one instead")
    changed = [name for name in IDEA_FIELDS if getattr(locked, name) != values[name]]
    if not errors and not changed:
        errors.setdefault("title", []).append("Nothing has changed since the latest version")
    _check(errors)
    for name in changed:
        setattr(locked, name, values[name])
    locked.version += 1
    locked.save(update_fields=[*changed, "version"])
    _version_row(locked, note=note, by=by)
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=locked,
        detail={"changed": changed, "version": locked.version, "note": note},
    )
    return locked


@transaction.atomic
def collaborative_idea_withdraw(*, idea: ChangeIdea, reason: str, by: User) -> ChangeIdea:
    """Withdraw the collaborative's own idea: kept (with its versions and the cycles that tested it), no
    longer offered to new tests or in the package; never deleted."""
    if idea.collaborative is None:
        raise PermissionDenied
    _require_lead(by, idea.collaborative)
    locked = ChangeIdea.objects.select_for_update().get(pk=idea.pk)
    errors: Errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors.setdefault("reason", []).append("Say why the idea is being withdrawn")
    no_nhs_number(errors, "reason", reason)
    if locked.withdrawn_at is not None:
        errors.setdefault("reason", []).append("This idea has already been withdrawn")
    _check(errors)
    locked.withdrawn_at, locked.withdrawn_by, locked.withdrawn_reason = timezone.now(), by, reason
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    audit_record(
        actor=by, action=AuditAction.CHANGE, record=locked, detail={"withdrawn": True, "reason": reason}
    )
    return locked


@transaction.atomic
def template_publish(
    *, collaborative: Collaborative, outline: str, note: str = "", by: User
) -> TemplateDiagramVersion:
    """Publish the collaborative's template driver diagram as its next version; member projects that have
    no diagram yet start from the latest one."""
    _require_lead(by, collaborative)
    errors: Errors = {}
    no_nhs_number(errors, "outline", outline)
    no_nhs_number(errors, "note", note)
    if len((note or "").strip()) > 200:
        errors.setdefault("note", []).append("The note must be 200 characters or fewer")
    _check(errors)
    parsed = parse_outline(outline, ideas=template_ideas(collaborative))
    locked = Collaborative.objects.select_for_update().get(pk=collaborative.pk)
    latest = locked.template_diagram_versions.order_by("-number").first()
    if latest is not None and latest.content == parsed.content:
        raise ValidationError({"outline": ["Nothing has changed since the latest version"]})
    version = TemplateDiagramVersion.objects.create(
        collaborative=locked,
        number=(latest.number + 1) if latest else 1,
        content=parsed.content,
        outline="\n".join(line.rstrip() for line in outline.strip().splitlines()),
        note=(note or "").strip(),
        saved_by=by,
        saved_at=timezone.now(),
    )
    audit_record(
        actor=by, action=AuditAction.CREATE, record=version, detail={"template_version": version.number}
    )
    return version


LABEL_LIMIT = 60


@transaction.atomic
def learning_note_record(
    *, collaborative: Collaborative, held_on: dt.date | None, label: str, notes: str, by: User
) -> LearningSetNote:
    """Record a learning set's note: its label becomes a marker on the collaborative's pooled charts."""
    _require_lead(by, collaborative)
    errors: Errors = {}
    if held_on is None:
        errors.setdefault("held_on", []).append("Enter the date of the learning set")
    elif held_on > timezone.localdate():
        errors.setdefault("held_on", []).append("The date cannot be in the future")
    label = (label or "").strip()
    if not label:
        errors.setdefault("label", []).append("Enter a short label for the charts")
    elif len(label) > LABEL_LIMIT:
        errors.setdefault("label", []).append(f"The label must be {LABEL_LIMIT} characters or fewer")
    if not (notes or "").strip():
        errors.setdefault("notes", []).append("Write what was shared and learned")
    no_nhs_number(errors, "label", label)
    no_nhs_number(errors, "notes", notes)
    _check(errors)
    note = LearningSetNote.objects.create(
        collaborative=collaborative,
        held_on=held_on,
        label=label,
        notes=notes.strip(),
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    audit_record(actor=by, action=AuditAction.CREATE, record=note)
    return note
