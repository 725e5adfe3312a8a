"""Reads the API needs beyond the apps' own selectors: the user behind a bearer token, and roster
staff for a ward's provider."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from rrp.accounts.models import User
from rrp.api.models import ApiToken
from rrp.api.services import token_hash
from rrp.force.models import Incident, IncidentVersion, InterventionRecord, StaffInvolvement
from rrp.organisations.models import Ward
from rrp.people.models import StaffMember

# Recording every use would write on every request; once a minute is enough to see a token is alive.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_user(token: str) -> User | None:
    """The active user a usable (unexpired, unrevoked) token acts as, or None."""
    if not token:
        return None
    row = ApiToken.objects.select_related("user").filter(key_hash=token_hash(token)).first()
    now = timezone.now()
    if row is None or not row.is_usable(at=now) or not row.user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def roster_staff_for(ward: Ward, staff_ids: list[int]) -> dict[int, StaffMember]:
    """Staff of the ward's provider with these ids (ids of other providers' staff are left out)."""
    return {s.pk: s for s in StaffMember.objects.filter(pk__in=staff_ids, provider_id=ward.provider_id)}


def incidents_filtered(
    incidents: QuerySet[Incident],
    *,
    ward_id: int | None = None,
    occurred_from: dt.date | None = None,
    occurred_to: dt.date | None = None,
    type_code: str | None = None,
) -> QuerySet[Incident]:
    """Narrow a scoped incident list (from `force.selectors.incident_list_for_user`) by ward, by the
    date the latest version says the incident happened (inclusive, UK local dates) and by intervention
    type in the latest version."""
    incidents = incidents.with_current_version()
    if ward_id is not None:
        incidents = incidents.filter(ward_id=ward_id)
    if occurred_from is not None or occurred_to is not None:
        versions = IncidentVersion.objects.filter(pk=OuterRef("current_version_id"))
        if occurred_from is not None:
            versions = versions.filter(occurred_at__date__gte=occurred_from)
        if occurred_to is not None:
            versions = versions.filter(occurred_at__date__lte=occurred_to)
        incidents = incidents.filter(Exists(versions))
    if type_code:
        incidents = incidents.filter(
            Exists(
                InterventionRecord.objects.filter(
                    version_id=OuterRef("current_version_id"), type_code=type_code
                )
            )
        )
    return incidents


def latest_versions(incident_ids: list[int]) -> dict[int, IncidentVersion]:
    """The latest version of each incident, with its interventions and staff, in three queries."""
    versions = (
        IncidentVersion.objects.filter(incident_id__in=incident_ids)
        .current()
        .prefetch_related(
            "interventions", Prefetch("staff", queryset=StaffInvolvement.objects.order_by("id"))
        )
    )
    return {v.incident_id: v for v in versions}


def tokens_for_administration() -> QuerySet[ApiToken]:
    """Every API token, newest first, with its user and maker: for administrators (``USER_MANAGE``),
    who manage every account, on the API tokens page and ``rrp token revoke``. Only hashes are held."""
    return ApiToken.objects.select_related("user", "created_by").order_by("-created_at", "-id")
