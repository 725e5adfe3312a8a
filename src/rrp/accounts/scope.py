"""Where a person's role applies: the wards, providers, collaboratives and patients they may see.

Every selector that reads scoped data starts from these querysets, so that a guessed id outside
the user's scope finds nothing (and the view answers 404, not 403, to avoid confirming it exists).

Each role's reach is written once, in ``Scope``. Its querysets stay lazy, so selectors compose them as
subqueries (a national view never pulls thousands of ward ids into Python to filter on them); the
answers that need a query of their own (the user's ward links, the ids behind a membership check) are
worked out at most once per request: ``ScopeMiddleware`` keeps one ``Scope`` per user for the request,
which the navigation, the views, the services they call and ``accounts.permissions.has_permission`` all
share. Outside a request (the command line, the demo generator, tests calling a service) each call gets a
fresh ``Scope``, so nothing read earlier can go stale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse

from rrp.accounts.roles import Permission, Role, role_grants
from rrp.organisations.models import Collaborative, CollaborativeMembership, Provider, Ward

if TYPE_CHECKING:
    from rrp.accounts.models import User

WARD_ROLES = (Role.WARD_STAFF, Role.WARD_MANAGER)
PROVIDER_ROLES = (*WARD_ROLES, Role.PROVIDER_GOVERNANCE, Role.PROVIDER_ADMIN)
# The roles of an account that belongs to a provider, given on the provider's administration page: its own
# roles, and the expert by experience the trust involves (decision 0071), whose reach is not the provider's
# but only the project teams they are put on (so not in PROVIDER_ROLES, which scope reads as "the provider").
PROVIDER_ACCOUNT_ROLES = (*PROVIDER_ROLES, Role.EXPERT_BY_EXPERIENCE)
# The roles a provider administrator may give (decision 0083): its provider's accounts' roles, never a role
# that reaches further (commissioner, regulator, national analyst, collaborative lead, system administrator).
PROVIDER_ADMIN_GRANTABLE = PROVIDER_ACCOUNT_ROLES

# One Scope per signed-in user for the length of a request (None outside a request: no memo).
_request_scopes: ContextVar[dict[tuple[Any, ...], Scope] | None] = ContextVar("rrp_scopes", default=None)


class Scope:
    """One user's reach, from their role and organisation links.

    The querysets (``wards()``, ``providers()`` ...) are built fresh on each call and never evaluated
    here; the ``*_ids`` sets and ``linked_wards`` are read from the database the first time they are
    needed and then kept for the life of this object (one request).
    """

    def __init__(self, user: User | Any) -> None:
        self.user = user
        self.active = bool(user.is_authenticated and user.is_active)
        self.role: str | None = getattr(user, "role", None) or None

    def allows(self, permission: Permission) -> bool:
        """The role-level rule: an active user whose role holds the permission (``roles.role_grants``)."""
        return self.active and role_grants(self.role, permission)

    # --- The user's links, read once ---

    @cached_property
    def linked_wards(self) -> dict[int, int]:
        """The wards the user is linked to, as ward id -> provider id (one query; none for others)."""
        if not self.user.is_authenticated or self.user.pk is None:
            return {}
        return dict(self.user.wards.values_list("pk", "provider_id"))

    @cached_property
    def _own_ward_ids(self) -> list[int]:
        """A ward role's wards: those they are linked to, of their own provider."""
        provider_id = self.user.provider_id
        return sorted(pk for pk, provider in self.linked_wards.items() if provider == provider_id)

    # --- The rules, as lazy querysets ---

    def wards(self) -> QuerySet[Ward]:
        """Wards whose pages (and aggregate figures) the user may see."""
        if not self.active:
            return Ward.objects.none()
        match self.role:
            case Role.WARD_STAFF | Role.WARD_MANAGER:
                # Their few wards as a literal: read with the links, which two-factor needs anyway.
                return Ward.objects.filter(pk__in=self._own_ward_ids)
            case Role.PROVIDER_GOVERNANCE:
                return Ward.objects.filter(provider_id=self.user.provider_id)
            case Role.COMMISSIONER:
                return Ward.objects.filter(provider__commissioners=self.user.commissioner_id).distinct()
            case Role.REGULATOR:
                return Ward.objects.all()
            case Role.NATIONAL_ANALYST | Role.COLLABORATIVE_LEAD:
                return Ward.objects.filter(collaboratives__in=self.user.collaboratives.all()).distinct()
            case Role.EXPERT_BY_EXPERIENCE:
                # The wards of the projects whose team they are on now (one join, so both conditions hold
                # of the same membership); a collaborative's wards only through its pooled view.
                return Ward.objects.filter(
                    qi_projects__team__user_id=self.user.pk, qi_projects__team__left_on__isnull=True
                ).distinct()
            case _:
                return Ward.objects.none()

    @property
    def sees_patients(self) -> bool:
        return self.allows(Permission.PATIENT_VIEW)

    def patient_wards(self) -> QuerySet[Ward]:
        """Wards whose patients the user may see by name and NHS number."""
        return self.wards() if self.sees_patients else Ward.objects.none()

    def providers(self) -> QuerySet[Provider]:
        """Providers the user may see at all (through at least one ward, or as their own provider)."""
        if not self.active:
            return Provider.objects.none()
        match self.role:
            case Role.WARD_STAFF | Role.WARD_MANAGER | Role.PROVIDER_GOVERNANCE | Role.PROVIDER_ADMIN:
                return Provider.objects.filter(pk__in=self.provider_ids)
            case Role.COMMISSIONER:
                return Provider.objects.filter(commissioners=self.user.commissioner_id)
            case Role.REGULATOR | Role.SYSTEM_ADMIN:
                return Provider.objects.all()
            case Role.NATIONAL_ANALYST | Role.COLLABORATIVE_LEAD | Role.EXPERT_BY_EXPERIENCE:
                return Provider.objects.filter(wards__in=self.wards()).distinct()
            case _:
                return Provider.objects.none()

    def collaboratives(self) -> QuerySet[Collaborative]:
        """Collaboratives whose view the user may open: a national analyst's, collaborative lead's or expert
        by experience's own collaboratives (``user.collaboratives``), those with a ward of a governance user's provider (now or
        in the past), and every one for the regulator."""
        if not self.allows(Permission.COLLABORATIVE_VIEW):
            return Collaborative.objects.none()
        match self.role:
            case Role.NATIONAL_ANALYST | Role.COLLABORATIVE_LEAD | Role.EXPERT_BY_EXPERIENCE:
                return Collaborative.objects.filter(pk__in=self.user.collaboratives.values("pk"))
            case Role.PROVIDER_GOVERNANCE:
                members = CollaborativeMembership.objects.filter(ward__provider_id=self.user.provider_id)
                return Collaborative.objects.filter(pk__in=members.values("collaborative_id"))
            case Role.REGULATOR:
                return Collaborative.objects.all()
            case _:
                return Collaborative.objects.none()

    def patient_filter(self) -> Q:
        """A filter on Patient for the patients the user may see by name.

        Ward roles see patients who have (or had) a stay on one of their wards; governance and regulators
        see every patient of the providers in their scope. Commissioners, analysts and administrators see
        none.
        """
        if not self.sees_patients:
            return Q(pk__in=[])
        match self.role:
            case Role.WARD_STAFF | Role.WARD_MANAGER:
                # One join, both conditions on the same stay: a cancelled admission or transfer (HL7
                # A11/A12, kept with cancelled_at) never put the patient on the ward.
                return Q(
                    provider_id=self.user.provider_id,
                    ward_stays__ward_id__in=self._own_ward_ids,
                    ward_stays__cancelled_at__isnull=True,
                )
            case Role.PROVIDER_GOVERNANCE:
                return Q(provider_id=self.user.provider_id)
            case Role.REGULATOR:
                return Q()
            case _:
                return Q(pk__in=[])

    def audit_filter(self) -> Q:
        """A filter on the audit log for the entries the user may search (with ``AUDIT_VIEW``): every entry
        for the service's administrators, their own provider's for everyone else."""
        if self.role == Role.SYSTEM_ADMIN:
            return Q()
        return Q(provider_id=self.user.provider_id)

    # --- Membership, evaluated once ---

    @cached_property
    def ward_ids(self) -> frozenset[int]:
        """Ids of ``wards()``: one query the first time a ward is checked (none for a ward role)."""
        if self.active and self.role in WARD_ROLES:
            return frozenset(self._own_ward_ids)
        return frozenset(self.wards().order_by().values_list("pk", flat=True))

    @cached_property
    def patient_ward_ids(self) -> frozenset[int]:
        return self.ward_ids if self.sees_patients else frozenset()

    @cached_property
    def provider_ids(self) -> frozenset[int]:
        """Ids of ``providers()``: a provider role's own without a query, others read once."""
        if self.active and self.role in PROVIDER_ROLES:
            return frozenset({self.user.provider_id})
        return frozenset(self.providers().order_by().values_list("pk", flat=True))

    def has_ward(self, ward: Ward) -> bool:
        return ward.pk in self.ward_ids

    def has_patient_ward(self, ward: Ward) -> bool:
        return ward.pk in self.patient_ward_ids

    def has_provider(self, provider: Provider) -> bool:
        return self.has_provider_id(provider.pk)

    def has_provider_id(self, provider_id: int) -> bool:
        return provider_id in self.provider_ids

    @cached_property
    def sole_patient_ward_id(self) -> int | None:
        """The one ward whose patients the user sees, if there is exactly one (for the incident list).

        A provider role's wards are few and the page usually checks one of them next, so they are read whole
        (the query ``ward_ids`` keeps); a national role's may be thousands, so only the first two are read."""
        if self.active and self.role in PROVIDER_ROLES:
            ids = self.patient_ward_ids
            return next(iter(ids)) if len(ids) == 1 else None
        first_two = list(self.patient_wards().order_by().values_list("id", flat=True)[:2])
        return first_two[0] if len(first_two) == 1 else None


def _memo_key(user: User | Any) -> tuple[Any, ...]:
    # What the scope is built from, so a user changed in the middle of a request gets a new one.
    return (
        user.pk,
        getattr(user, "role", None),
        user.is_active,
        getattr(user, "provider_id", None),
        getattr(user, "commissioner_id", None),
    )


def scope_of(user: User | Any) -> Scope:
    """The user's ``Scope``: the request's own when there is a request (``ScopeMiddleware``), else fresh."""
    memo = _request_scopes.get()
    if memo is None or not user.is_authenticated:
        return Scope(user)
    key = _memo_key(user)
    scope = memo.get(key)
    if scope is None:
        scope = memo[key] = Scope(user)
    return scope


@contextmanager
def scope_memo() -> Iterator[None]:
    """Keep each user's ``Scope`` for the length of the block: one request, or one unit of work."""
    token = _request_scopes.set({})
    try:
        yield
    finally:
        _request_scopes.reset(token)


class ScopeMiddleware:
    """Work out each viewer's scope at most once per request (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with scope_memo():
            return self.get_response(request)


def wards_for(user: User) -> QuerySet[Ward]:
    """Wards whose pages (and aggregate figures) the user may see."""
    return scope_of(user).wards()


def patient_wards_for(user: User) -> QuerySet[Ward]:
    """Wards whose patients the user may see by name and NHS number."""
    return scope_of(user).patient_wards()


def providers_for(user: User) -> QuerySet[Provider]:
    """Providers the user may see at all (through at least one ward, or as their own provider)."""
    return scope_of(user).providers()


def collaboratives_for(user: User) -> QuerySet[Collaborative]:
    """Collaboratives whose view the user may open (``Scope.collaboratives``), by name."""
    return scope_of(user).collaboratives().select_related("region").order_by("name")


def patient_filter_for(user: User) -> Q:
    """A filter on Patient for the patients the user may see by name (``Scope.patient_filter``)."""
    return scope_of(user).patient_filter()
