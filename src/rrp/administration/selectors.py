"""What an administrator may open: the providers they administer and, through them, the sites, wards,
accounts and staff (a record outside them is not found, so a guessed id confirms nothing)."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import providers_for
from rrp.organisations.models import Collaborative, Provider, Site, Ward
from rrp.people.models import StaffMember

ADMIN_PERMISSIONS = (Permission.USER_MANAGE, Permission.WARD_MANAGE, Permission.STAFF_ROSTER_MANAGE)


def administers(user: User) -> bool:
    """Whether the user administers anything here (the header's link and the pages' role check)."""
    return any(has_permission(user, p) for p in ADMIN_PERMISSIONS)


def administered_providers(user: User) -> QuerySet[Provider]:
    """The providers whose set-up the user keeps: every one for the system administrator, their own for a
    provider administrator, none for anyone else."""
    if not administers(user):
        return Provider.objects.none()
    return providers_for(user)


def provider_list(user: User) -> QuerySet[Provider]:
    return (
        administered_providers(user)
        .select_related("region")
        .annotate(
            ward_count=Count("wards", distinct=True),
            open_ward_count=Count("wards", filter=Q(wards__closed_on__isnull=True), distinct=True),
        )
        .order_by("name")
    )


def _one(queryset: QuerySet, pk: int):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def provider_get(user: User, provider_id: int) -> Provider:
    return _one(administered_providers(user), provider_id)


def site_get(user: User, site_id: int) -> Site:
    return _one(
        Site.objects.filter(provider__in=administered_providers(user)).select_related("provider"), site_id
    )


def ward_get(user: User, ward_id: int) -> Ward:
    wards = Ward.objects.filter(provider__in=administered_providers(user)).select_related("provider", "site")
    return _one(wards, ward_id)


def account_get(user: User, account_id: int) -> User:
    """An account the user may open here: any for the system administrator, their provider's for a
    provider administrator (other accounts of the service, and other providers', are not found)."""
    if not has_permission(user, Permission.USER_MANAGE):
        raise Http404
    accounts = User.objects.select_related("provider", "commissioner")
    if not has_permission(user, Permission.ORGANISATION_MANAGE):
        accounts = accounts.filter(provider__in=administered_providers(user))
    return _one(accounts, account_id)


def staff_get(user: User, staff_id: int) -> StaffMember:
    staff = StaffMember.objects.filter(provider__in=administered_providers(user)).select_related("provider")
    return _one(staff, staff_id)


def provider_sites(provider: Provider) -> list[Site]:
    return list(provider.sites.order_by("name"))


def provider_wards(provider: Provider) -> list[Ward]:
    return list(Ward.objects.filter(provider=provider).select_related("site").order_by("site__name", "name"))


def provider_accounts(provider: Provider) -> list[User]:
    return list(
        User.objects.filter(provider=provider)
        .prefetch_related("wards")
        .order_by("last_name", "first_name", "username")
    )


def service_accounts() -> list[User]:
    """Accounts outside any provider (administrators, the regulator, commissioners, national analysts)."""
    return list(
        User.objects.filter(provider__isnull=True).select_related("commissioner").order_by("role", "username")
    )


def collaboratives() -> list[Collaborative]:
    """Every collaborative, by name, for the system administrator to correct its name, aim or dates."""
    return list(Collaborative.objects.order_by("name"))


def provider_staff(provider: Provider) -> list[StaffMember]:
    return list(
        StaffMember.objects.filter(provider=provider)
        .prefetch_related("wards")
        .order_by(F("left_on").desc(nulls_first=True), "family_name", "given_name")
    )
