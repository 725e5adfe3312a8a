"""Reading what a collaborative's lead and its member providers work with (decision 0059): members,
invitations, the change package and the template driver diagram. Scope is the caller's: the pages pass
only collaboratives from ``accounts.scope.collaboratives_for``, and a provider's invitations are read
through ``Scope.providers``."""

from __future__ import annotations

from django.db.models import QuerySet

from rrp.accounts.models import User
from rrp.accounts.scope import scope_of
from rrp.improvement.models import (
    ChangeIdea,
    ChangeIdeaVersion,
    CollaborativeIdea,
    CollaborativeInvitation,
    ImprovementAim,
    InvitationStatus,
    LearningSetNote,
    QiProject,
    TemplateDiagramVersion,
)
from rrp.improvement.selectors import aims_for_collaborative
from rrp.organisations.models import Collaborative, CollaborativeMembership, Region, Ward


def regions() -> list[Region]:
    """NHS England's regions, for a regional collaborative (not scoped: they are public)."""
    return list(Region.objects.order_by("name"))


def aims_of(collaborative: Collaborative) -> list[ImprovementAim]:
    return aims_for_collaborative(collaborative.pk)


def memberships(collaborative: Collaborative) -> list[CollaborativeMembership]:
    """Every membership, current ones first, by joining date."""
    rows = collaborative.memberships.select_related("ward", "ward__provider").order_by("joined_on", "pk")
    return sorted(rows, key=lambda m: m.left_on is not None)


def invitations(collaborative: Collaborative) -> list[CollaborativeInvitation]:
    """Every invitation, newest first, with its ward and provider."""
    return list(
        collaborative.invitations.select_related("ward", "ward__provider", "decided_by").order_by(
            "-invited_at"
        )
    )


def invitable_wards(collaborative: Collaborative) -> list[Ward]:
    """Open wards that are not current members, by provider: any ward in England may be invited (the
    provider decides), so this is not the lead's scope."""
    current = collaborative.memberships.filter(left_on__isnull=True).values("ward_id")
    return list(
        Ward.objects.filter(closed_on__isnull=True)
        .exclude(pk__in=current)
        .select_related("provider")
        .order_by("provider__name", "name")
    )


def package(collaborative: Collaborative) -> list[CollaborativeIdea]:
    """The ideas in the collaborative's change package now, by title."""
    return list(
        collaborative.package.filter(removed_at__isnull=True)
        .select_related("change_idea", "added_by")
        .order_by("change_idea__title")
    )


def own_ideas(collaborative: Collaborative, *, withdrawn: bool = False) -> list[ChangeIdea]:
    """The change ideas the collaborative wrote itself, by title; withdrawn ones too if asked (its lead
    sees them struck through)."""
    ideas = collaborative.own_ideas.select_related("withdrawn_by").order_by("title")
    if not withdrawn:
        ideas = ideas.filter(withdrawn_at__isnull=True)
    return list(ideas)


def idea_versions(idea: ChangeIdea) -> list[ChangeIdeaVersion]:
    """Every saved version of an idea, latest first."""
    return list(idea.versions.select_related("saved_by").order_by("-number"))


def template_versions(collaborative: Collaborative) -> list[TemplateDiagramVersion]:
    """Every published version of the template, latest first."""
    return list(collaborative.template_diagram_versions.select_related("saved_by").order_by("-number"))


def latest_template(collaborative: Collaborative) -> TemplateDiagramVersion | None:
    return collaborative.template_diagram_versions.order_by("-number").first()


def template_for_project(project: QiProject) -> TemplateDiagramVersion | None:
    """The template a project starts its driver diagram from: the latest published by a collaborative that
    one of the project's wards is a member of now (the most recently published, if there are several)."""
    collaboratives = CollaborativeMembership.objects.filter(
        ward__in=project.wards.all(), left_on__isnull=True
    ).values("collaborative_id")
    return (
        TemplateDiagramVersion.objects.filter(collaborative_id__in=collaboratives)
        .select_related("collaborative")
        .order_by("-saved_at", "-pk")
        .first()
    )


def _for_provider(user: User) -> QuerySet[CollaborativeInvitation]:
    return CollaborativeInvitation.objects.filter(
        ward__provider__in=scope_of(user).providers()
    ).select_related("collaborative", "ward", "invited_by", "decided_by")


def pending_for_provider(user: User) -> list[CollaborativeInvitation]:
    """Invitations waiting for the user's provider to answer, oldest first."""
    return list(_for_provider(user).filter(status=InvitationStatus.PENDING).order_by("invited_at"))


def answered_for_provider(user: User) -> list[CollaborativeInvitation]:
    """Invitations answered or withdrawn, newest first (the last 50)."""
    return list(_for_provider(user).exclude(status=InvitationStatus.PENDING).order_by("-decided_at")[:50])


def invitation_for_provider(user: User, invitation_id: int) -> CollaborativeInvitation | None:
    """A pending invitation for one of the user's provider's wards, else None (the page's 404)."""
    return _for_provider(user).filter(pk=invitation_id, status=InvitationStatus.PENDING).first()


def memberships_for_provider(user: User) -> list[CollaborativeMembership]:
    """The provider's wards' current memberships, for recording a ward leaving."""
    return list(
        CollaborativeMembership.objects.filter(
            ward__provider__in=scope_of(user).providers(), left_on__isnull=True
        )
        .select_related("collaborative", "ward")
        .order_by("collaborative__name", "ward__name")
    )


def learning_notes(collaborative_id: int) -> list[LearningSetNote]:
    """The collaborative's learning-set notes, latest first (the notes page and the pooled charts'
    markers read them here)."""
    return list(
        LearningSetNote.objects.filter(collaborative_id=collaborative_id)
        .select_related("recorded_by")
        .order_by("-held_on", "-id")
    )
