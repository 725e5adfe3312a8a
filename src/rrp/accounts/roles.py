"""The roles people have in RRP and what each may do.

A role fixes the permissions; the user's organisation links (wards, provider, commissioner,
collaboratives) fix where they apply. Both are checked on the server for every page and API call.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models


class Permission(StrEnum):
    """Things a person may do. Names are ENTITY_VERB."""

    WARD_VIEW = "ward_view"
    PATIENT_VIEW = "patient_view"
    BED_DAYS_ENTER = "bed_days_enter"
    AGGREGATES_VIEW = "aggregates_view"
    PSEUDONYMISED_VIEW = "pseudonymised_view"
    AUDIT_VIEW = "audit_view"
    ORGANISATION_MANAGE = "organisation_manage"
    USER_MANAGE = "user_manage"
    INCIDENT_VIEW = "incident_view"
    INCIDENT_RECORD = "incident_record"
    INCIDENT_REVIEW = "incident_review"
    CQC_TASK_COMPLETE = "cqc_task_complete"
    HUDDLE_VIEW = "huddle_view"
    BOARD_REPORT_VIEW = "board_report_view"
    COLLABORATIVE_VIEW = "collaborative_view"
    EQUITY_VIEW = "equity_view"
    NATIONAL_BENCHMARK_VIEW = "national_benchmark_view"
    CHART_EVENT_RECORD = "chart_event_record"
    AIM_SET = "aim_set"


class Role(models.TextChoices):
    WARD_STAFF = "ward_staff", "Ward staff"
    WARD_MANAGER = "ward_manager", "Ward manager"
    PROVIDER_GOVERNANCE = "provider_governance", "Provider governance"
    COMMISSIONER = "commissioner", "Commissioner"
    REGULATOR = "regulator", "Regulator"
    NATIONAL_ANALYST = "national_analyst", "National programme analyst"
    SYSTEM_ADMIN = "system_admin", "System administrator"


@dataclass(frozen=True)
class RoleDefinition:
    role: Role
    description: str
    permissions: frozenset[Permission]
    sees_patient_identifiers: bool
    read_only: bool = False


P = Permission
ROLE_DEFINITIONS: dict[Role, RoleDefinition] = {
    Role.WARD_STAFF: RoleDefinition(
        Role.WARD_STAFF,
        "Nurses, support workers and doctors on a ward: record and see the patients of their own wards.",
        frozenset(
            {
                P.WARD_VIEW,
                P.PATIENT_VIEW,
                P.AGGREGATES_VIEW,
                P.INCIDENT_VIEW,
                P.INCIDENT_RECORD,
                P.HUDDLE_VIEW,
            }
        ),
        sees_patient_identifiers=True,
    ),
    Role.WARD_MANAGER: RoleDefinition(
        Role.WARD_MANAGER,
        "Manages one or more wards: everything ward staff do, plus review records and enter bed days.",
        frozenset(
            {P.WARD_VIEW, P.PATIENT_VIEW, P.AGGREGATES_VIEW, P.BED_DAYS_ENTER}
            | {P.INCIDENT_VIEW, P.INCIDENT_RECORD, P.INCIDENT_REVIEW}
            | {P.HUDDLE_VIEW, P.EQUITY_VIEW, P.NATIONAL_BENCHMARK_VIEW, P.CHART_EVENT_RECORD}
        ),
        sees_patient_identifiers=True,
    ),
    Role.PROVIDER_GOVERNANCE: RoleDefinition(
        Role.PROVIDER_GOVERNANCE,
        "The provider's governance team, including the Use of Force Act responsible person: every ward "
        "of their provider, and its audit log.",
        frozenset(
            {P.WARD_VIEW, P.PATIENT_VIEW, P.AGGREGATES_VIEW, P.BED_DAYS_ENTER, P.AUDIT_VIEW}
            | {P.INCIDENT_VIEW, P.INCIDENT_RECORD, P.INCIDENT_REVIEW, P.CQC_TASK_COMPLETE}
            | {P.HUDDLE_VIEW, P.BOARD_REPORT_VIEW, P.COLLABORATIVE_VIEW, P.EQUITY_VIEW}
            | {P.NATIONAL_BENCHMARK_VIEW, P.CHART_EVENT_RECORD, P.AIM_SET}
        ),
        sees_patient_identifiers=True,
    ),
    Role.COMMISSIONER: RoleDefinition(
        Role.COMMISSIONER,
        "An integrated care board: aggregate figures for the providers it commissions, never a patient "
        "identifier.",
        frozenset(
            {P.WARD_VIEW, P.AGGREGATES_VIEW, P.PSEUDONYMISED_VIEW}
            | {P.BOARD_REPORT_VIEW, P.EQUITY_VIEW, P.NATIONAL_BENCHMARK_VIEW}
        ),
        sees_patient_identifiers=False,
        read_only=True,
    ),
    Role.REGULATOR: RoleDefinition(
        Role.REGULATOR,
        "The Care Quality Commission: read-only access to every provider's records, audited.",
        frozenset(
            {P.WARD_VIEW, P.PATIENT_VIEW, P.AGGREGATES_VIEW, P.INCIDENT_VIEW}
            | {
                P.HUDDLE_VIEW,
                P.BOARD_REPORT_VIEW,
                P.COLLABORATIVE_VIEW,
                P.EQUITY_VIEW,
                P.NATIONAL_BENCHMARK_VIEW,
            }
        ),
        sees_patient_identifiers=True,
        read_only=True,
    ),
    Role.NATIONAL_ANALYST: RoleDefinition(
        Role.NATIONAL_ANALYST,
        "National programme analyst: the wards of their improvement collaboratives, pseudonymised, with "
        "small numbers suppressed as NHS Digital does.",
        frozenset(
            {
                P.AGGREGATES_VIEW,
                P.PSEUDONYMISED_VIEW,
                P.COLLABORATIVE_VIEW,
                P.EQUITY_VIEW,
                P.NATIONAL_BENCHMARK_VIEW,
            }
        ),
        sees_patient_identifiers=False,
        read_only=True,
    ),
    Role.SYSTEM_ADMIN: RoleDefinition(
        Role.SYSTEM_ADMIN,
        "Runs the service: organisations and accounts. Sees no patient data.",
        frozenset({P.ORGANISATION_MANAGE, P.USER_MANAGE, P.AUDIT_VIEW}),
        sees_patient_identifiers=False,
    ),
}

# Roles whose reach is wider than a single ward's patients (or that administer the service) must use
# two-factor sign-in. Ward roles need it too once they cover more than one ward (see User).
TWO_FACTOR_ROLES = frozenset({Role.PROVIDER_GOVERNANCE, Role.REGULATOR, Role.SYSTEM_ADMIN})
