"""Where a person's role applies: the wards, providers and patients they may see.

Every selector that reads scoped data starts from these querysets, so that a guessed id outside
the user's scope finds nothing (and the view answers 404, not 403, to avoid confirming it exists).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from rrp.accounts.models import User
from rrp.accounts.roles import Permission, Role
from rrp.organisations.models import Provider, Ward


def wards_for(user: User) -> QuerySet[Ward]:
    """Wards whose pages (and aggregate figures) the user may see."""
    if not user.is_authenticated or not user.is_active:
        return Ward.objects.none()
    match user.role:
        case Role.WARD_STAFF | Role.WARD_MANAGER:
            return Ward.objects.filter(pk__in=user.wards.values("pk"), provider_id=user.provider_id)
        case Role.PROVIDER_GOVERNANCE:
            return Ward.objects.filter(provider_id=user.provider_id)
        case Role.COMMISSIONER:
            return Ward.objects.filter(provider__commissioners=user.commissioner_id).distinct()
        case Role.REGULATOR:
            return Ward.objects.all()
        case Role.NATIONAL_ANALYST:
            return Ward.objects.filter(collaboratives__in=user.collaboratives.all()).distinct()
        case _:
            return Ward.objects.none()


def patient_wards_for(user: User) -> QuerySet[Ward]:
    """Wards whose patients the user may see by name and NHS number."""
    if not user.is_authenticated or not user.has_role_permission(Permission.PATIENT_VIEW):
        return Ward.objects.none()
    return wards_for(user)


def providers_for(user: User) -> QuerySet[Provider]:
    """Providers the user may see at all (through at least one ward, or as their own provider)."""
    if not user.is_authenticated or not user.is_active:
        return Provider.objects.none()
    match user.role:
        case Role.WARD_STAFF | Role.WARD_MANAGER | Role.PROVIDER_GOVERNANCE:
            return Provider.objects.filter(pk=user.provider_id)
        case Role.COMMISSIONER:
            return Provider.objects.filter(commissioners=user.commissioner_id)
        case Role.REGULATOR:
            return Provider.objects.all()
        case Role.NATIONAL_ANALYST:
            return Provider.objects.filter(wards__in=wards_for(user)).distinct()
        case Role.SYSTEM_ADMIN:
            return Provider.objects.all()
        case _:
            return Provider.objects.none()


def patient_filter_for(user: User) -> Q:
    """A filter on Patient for the patients the user may see by name.

    Ward roles see patients who have (or had) a stay on one of their wards; governance and regulators
    see every patient of the providers in their scope. Commissioners, analysts and administrators see none.
    """
    if not user.is_authenticated or not user.has_role_permission(Permission.PATIENT_VIEW):
        return Q(pk__in=[])
    match user.role:
        case Role.WARD_STAFF | Role.WARD_MANAGER:
            return Q(provider_id=user.provider_id, ward_stays__ward__in=patient_wards_for(user))
        case Role.PROVIDER_GOVERNANCE:
            return Q(provider_id=user.provider_id)
        case Role.REGULATOR:
            return Q()
        case _:
            return Q(pk__in=[])


def can_write(user: User | None) -> bool:
    """Whether the user's role may create or change records at all (regulators, commissioners and
    analysts are read-only)."""
    definition = getattr(user, "role_definition", None)
    return bool(user is not None and user.is_authenticated and definition and not definition.read_only)


def can_record_on(user: User, ward: Ward) -> bool:
    """Whether the user may record (or change) patient records on this ward."""
    return can_write(user) and patient_wards_for(user).filter(pk=ward.pk).exists()


def sees_unsuppressed(user: User, provider_id: int | None) -> bool:
    """Whether aggregate figures of this provider may be shown to the user without NHS Digital's small
    number suppression: only inside the provider (its own staff and governance) and to the regulator,
    who may read every record anyway. Everyone else (commissioners, national analysts) sees figures that
    have left the provider, so they are suppressed and rounded."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.REGULATOR:
        return True
    inside = (Role.WARD_STAFF, Role.WARD_MANAGER, Role.PROVIDER_GOVERNANCE)
    return user.role in inside and provider_id is not None and user.provider_id == provider_id
