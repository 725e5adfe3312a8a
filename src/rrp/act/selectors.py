"""Reads of the Act's duties for a provider: who is in post, what is delegated, the policy's status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import providers_for, wards_for
from rrp.act.models import Delegation, PolicyVersion, ResponsiblePersonAppointment, TrainingCourse
from rrp.organisations.models import Provider, Ward


@dataclass(frozen=True)
class Term:
    """An appointment with the day its term ended (the day before the next began), or None if in post."""

    appointment: ResponsiblePersonAppointment
    ended_on: dt.date | None


@dataclass(frozen=True)
class Duties:
    """A provider's Use of Force Act duties as they stand on `today`."""

    provider: Provider
    today: dt.date
    responsible_person: ResponsiblePersonAppointment | None
    terms: list[Term]
    delegations_current: list[Delegation]
    delegations: list[Delegation]
    policy: PolicyVersion | None
    policies: list[PolicyVersion]

    @property
    def policy_overdue(self) -> bool:
        """The current policy's review date has passed (or there is no policy at all)."""
        return self.policy is None or self.policy.review_due_on < self.today

    @property
    def policy_days_overdue(self) -> int:
        return (self.today - self.policy.review_due_on).days if self.policy is not None else 0


def providers_with_duties_for(user: User) -> QuerySet[Provider]:
    """The providers whose duties the user may read: any provider in their scope (not patient data)."""
    if not has_permission(user, Permission.WARD_VIEW):
        return Provider.objects.none()
    return providers_for(user).order_by("name")


def policy_document_for(user: User, version_id: int) -> PolicyVersion | None:
    """A policy version with an uploaded document, if its provider is one whose duties the user may read
    (the audience of the page that links it); None otherwise."""
    return (
        PolicyVersion.objects.filter(pk=version_id, provider__in=providers_with_duties_for(user))
        .exclude(document_file="")
        .first()
    )


def duties_for(provider: Provider, *, today: dt.date) -> Duties:
    """The provider's duties on `today`, with the full history of each (newest first)."""
    appointments = list(ResponsiblePersonAppointment.objects.filter(provider=provider))
    in_post = next((a for a in appointments if a.appointed_on <= today), None)
    terms = []
    next_start = None
    for appointment in sorted(appointments, key=lambda a: (a.appointed_on, a.pk), reverse=True):
        ended = next_start - dt.timedelta(days=1) if next_start and next_start <= today else None
        terms.append(Term(appointment, ended))
        next_start = appointment.appointed_on
    delegations = list(Delegation.objects.filter(provider=provider))
    current = [d for d in delegations if d.starts_on <= today and (d.ends_on is None or d.ends_on >= today)]
    policies = list(PolicyVersion.objects.filter(provider=provider))
    return Duties(
        provider=provider,
        today=today,
        responsible_person=in_post,
        terms=terms,
        delegations_current=current,
        delegations=delegations,
        policy=next((p for p in policies if p.approved_on <= today), None),
        policies=policies,
    )


def wards_of(user: User, provider: Provider) -> list[Ward]:
    """The provider's open wards in the user's scope, by name."""
    return list(wards_for(user).filter(provider=provider, closed_on__isnull=True).order_by("name"))


def course_of(provider: Provider, course_id: int) -> TrainingCourse | None:
    """One of the provider's training courses (None if it has no such course: the caller answers 404)."""
    return TrainingCourse.objects.filter(provider=provider, pk=course_id).first()
