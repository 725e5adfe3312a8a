"""The roles people have in RRP and what each may do.

A role fixes the permissions; the user's organisation links (wards, provider, commissioner,
collaboratives) fix where they apply. Both are checked on the server for every page and API call, by
``rrp.accounts.permissions.has_permission`` (decision 0012). Each permission is described below
(``PERMISSION_DEFINITIONS``) so that docs/roles.md can list what it allows and which roles hold it.
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
    MEASURE_VALUES_ENTER = "measure_values_enter"
    MEASURE_DEFINE = "measure_define"
    AGGREGATES_VIEW = "aggregates_view"
    PSEUDONYMISED_VIEW = "pseudonymised_view"
    AUDIT_VIEW = "audit_view"
    AUDIT_PATIENTS_VIEW = "audit_patients_view"
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
    WARD_EVENT_REDACT = "ward_event_redact"
    AIM_SET = "aim_set"
    QI_PROJECT_MANAGE = "qi_project_manage"
    CLOSED_INCIDENT_AMEND = "closed_incident_amend"
    INCIDENT_VOID = "incident_void"
    SEGREGATION_RECORD = "segregation_record"
    REVIEW_RULES_SET = "review_rules_set"
    COMMISSIONED_LTS_REGISTER_VIEW = "commissioned_lts_register_view"
    NAMED_ACCESS_VIEW = "named_access_view"
    COMMISSIONER_ACTION_RECORD = "commissioner_action_record"
    NAMED_ACCESS_GRANT = "named_access_grant"
    PROVIDER_NAME_VIEW = "provider_name_view"
    UNSUPPRESSED_FIGURES_VIEW = "unsuppressed_figures_view"
    ACT_DUTIES_RECORD = "act_duties_record"
    PATIENT_SUPPORT_RECORD = "patient_support_record"
    COLLABORATIVE_MANAGE = "collaborative_manage"
    COLLABORATIVE_JOIN = "collaborative_join"
    PATIENT_FEED_MANAGE = "patient_feed_manage"
    WARD_MANAGE = "ward_manage"
    STAFF_ROSTER_MANAGE = "staff_roster_manage"
    QI_CONTRIBUTE = "qi_contribute"


@dataclass(frozen=True)
class PermissionDefinition:
    """What a permission allows, and how ``has_permission`` checks the object it is asked about.

    ``writes``: it creates or changes records, so a read-only role never has it (however the role table
    reads). ``patients``: a ward given with it must be one whose patients the user may see by name
    (``accounts.scope``'s patient wards), not merely one whose figures they see.
    """

    permission: Permission
    description: str
    writes: bool = False
    patients: bool = False


PERMISSION_DEFINITIONS: dict[Permission, PermissionDefinition] = {
    d.permission: d
    for d in (
        PermissionDefinition(
            Permission.WARD_VIEW,
            "Open the provider and ward lists and the ward pages of the wards in their scope, with the seclusion "
            "and segregation start page, and read each ward's events and rebase decisions and its quality-improvement "
            "projects.",
        ),
        PermissionDefinition(
            Permission.PATIENT_VIEW,
            "See patients by name and NHS number on the wards whose patients they may see: the patient list and "
            "pages, and seclusion and segregation episodes and registers.",
            patients=True,
        ),
        PermissionDefinition(
            Permission.BED_DAYS_ENTER,
            "Enter a ward's monthly occupied bed days where daily ward stays are not held.",
            writes=True,
        ),
        PermissionDefinition(
            Permission.MEASURE_VALUES_ENTER,
            "Enter, import or correct a ward's monthly values of the measures counted outside RRP (assaults, "
            "self-harm, staff sickness, safety huddles, Safewards).",
            writes=True,
        ),
        PermissionDefinition(
            Permission.MEASURE_DEFINE,
            "Act for the measures working group: propose a new measure of entered or imported values, or a "
            "new version of one, and approve or reject another person's proposal with a reason (never their "
            "own). The catalogue is the whole service's, so this is for the working group's members only.",
            writes=True,
        ),
        PermissionDefinition(
            Permission.AGGREGATES_VIEW,
            "See aggregate figures (counts, rates and charts) of the wards in their scope.",
        ),
        PermissionDefinition(
            Permission.PSEUDONYMISED_VIEW,
            "See records that have left the provider: pseudonymised, never a name or NHS number, with small "
            "numbers suppressed as NHS Digital does.",
        ),
        PermissionDefinition(
            Permission.AUDIT_VIEW,
            "Search the audit log: their provider's entries for governance, every entry for administrators.",
        ),
        PermissionDefinition(
            Permission.AUDIT_PATIENTS_VIEW,
            "See in the audit log which patient each entry is about, by name and NHS number, and search the log "
            "by them. Without it the log shows every entry in scope with no patient's name, NHS number or "
            "free text that could name one.",
        ),
        PermissionDefinition(
            Permission.ORGANISATION_MANAGE,
            "Set up regions, commissioners, providers, sites, wards and collaboratives, and withdraw a "
            "collaborative's reduction aims.",
            writes=True,
        ),
        PermissionDefinition(
            Permission.USER_MANAGE,
            "Create accounts, give them a role and organisation links, deactivate and reactivate them and reset "
            "their two-factor sign-in, each change with a reason (never deleted): every account for system "
            "administrators; a provider administrator only its own provider's accounts, with its roles and wards and "
            "the expert by experience role (decision 0083).",
            writes=True,
        ),
        PermissionDefinition(
            Permission.INCIDENT_VIEW,
            "Read use-of-force incident records (the list, each record and its history) on the wards whose "
            "patients they may see.",
            patients=True,
        ),
        PermissionDefinition(
            Permission.INCIDENT_RECORD,
            "Record, amend and submit use-of-force incidents, add their own statement and record observations "
            "after rapid tranquillisation, on the wards whose patients they may see.",
            writes=True,
            patients=True,
        ),
        PermissionDefinition(
            Permission.INCIDENT_REVIEW,
            "Review, send back and close submitted incidents on the wards whose patients they may see.",
            writes=True,
            patients=True,
        ),
        PermissionDefinition(
            Permission.CLOSED_INCIDENT_AMEND,
            "Amend an incident after it is closed (the record gets a new version with the reason).",
            writes=True,
            patients=True,
        ),
        PermissionDefinition(
            Permission.INCIDENT_VOID,
            "Void an incident recorded in error (a test, the wrong patient) or mark it a duplicate of another, "
            "with a reason: it is kept for good, shown struck through, and left out of measures and exports.",
            writes=True,
            patients=True,
        ),
        PermissionDefinition(
            Permission.CQC_TASK_COMPLETE,
            "Record that the Care Quality Commission was notified of an incident, or why no notification was "
            "needed, for their provider.",
            writes=True,
        ),
        PermissionDefinition(
            Permission.HUDDLE_VIEW,
            "Open the ward huddle of the wards in their scope.",
        ),
        PermissionDefinition(
            Permission.BOARD_REPORT_VIEW,
            "Open the provider board report, its PDF pack, chart pages and downloads.",
        ),
        PermissionDefinition(
            Permission.COLLABORATIVE_VIEW,
            "Open the view of the improvement collaboratives in their scope.",
        ),
        PermissionDefinition(
            Permission.EQUITY_VIEW,
            "Open the equity view: who is restrained, by ethnicity, sex, age, learning disability and autism.",
        ),
        PermissionDefinition(
            Permission.NATIONAL_BENCHMARK_VIEW,
            "Open the national benchmark of published MHSDS figures.",
        ),
        PermissionDefinition(
            Permission.CHART_EVENT_RECORD,
            "Record and withdraw dated events and rebase decisions on the charts of the wards in their scope.",
            writes=True,
        ),
        PermissionDefinition(
            Permission.WARD_EVENT_REDACT,
            "Take a patient's name or NHS number out of a ward event's text, a rebase decision's reason or a "
            "withdrawal's reason (read outside the ward, by commissioners): each is shown with the redacted "
            "text from then on, the original kept only in its audited history.",
            writes=True,
        ),
        PermissionDefinition(
            Permission.AIM_SET,
            "Record and withdraw the reduction aims of their provider, shown on its board report.",
            writes=True,
        ),
        PermissionDefinition(
            Permission.QI_PROJECT_MANAGE,
            "Start and run quality-improvement projects on the wards in their scope: the aim, measures, team "
            "and progress score (anyone who may see the ward reads its projects).",
            writes=True,
        ),
        PermissionDefinition(
            Permission.QI_CONTRIBUTE,
            "Take part in the quality-improvement projects whose team they are on: comment on the project, "
            "and record in its co-production log who with lived experience took part, how, in what decision "
            "and what changed because of it (those who run the project may too).",
            writes=True,
        ),
        PermissionDefinition(
            Permission.SEGREGATION_RECORD,
            "Record and correct seclusion and long-term segregation episodes, their reviews and observations, "
            "on the wards whose patients they may see.",
            writes=True,
            patients=True,
        ),
        PermissionDefinition(
            Permission.ACT_DUTIES_RECORD,
            "Record their provider's Use of Force Act duties: the responsible person's appointment, "
            "delegations of their functions and each approved version of the use-of-force policy.",
            writes=True,
        ),
        PermissionDefinition(
            Permission.PATIENT_SUPPORT_RECORD,
            "Write and review patients' support plans (positive behaviour support, safety plan, advance "
            "statement), each change a new version with a reason, and record the information about the use of "
            "force given to patients (Use of Force Act s4), on the wards whose patients they may see.",
            writes=True,
            patients=True,
        ),
        PermissionDefinition(
            Permission.PATIENT_FEED_MANAGE,
            "Feed their provider's patients, admissions, transfers and discharges from the patient "
            "administration system (HL7 ADT through the API), work the queue of held messages, and merge "
            "two records of the same patient.",
            writes=True,
            patients=True,
        ),
        PermissionDefinition(
            Permission.REVIEW_RULES_SET,
            "Change their provider's seclusion and segregation review intervals.",
            writes=True,
        ),
        PermissionDefinition(
            Permission.WARD_MANAGE,
            "Add and change the sites and wards of the providers they administer: names, beds, specialism, "
            "sex, opening and closing (a ward is closed, never deleted, so its history stays), each change "
            "with a reason. System administrators also add providers and regions.",
            writes=True,
        ),
        PermissionDefinition(
            Permission.STAFF_ROSTER_MANAGE,
            "Keep the staff roster of the providers they administer (the people who may be named in records): "
            "add and change staff and record leavers, who are kept for history, each change with a reason.",
            writes=True,
        ),
        PermissionDefinition(
            Permission.UNSUPPRESSED_FIGURES_VIEW,
            "See a provider's aggregate figures without NHS Digital's small-number suppression: only inside "
            "the provider (its own staff and governance) and for the regulator, who may read every record "
            "anyway. Figures that leave the provider (to commissioners and national analysts) are suppressed "
            "and rounded.",
        ),
        PermissionDefinition(
            Permission.PROVIDER_NAME_VIEW,
            "See providers by name in the equity view; without it they are numbered (Provider 001, 002 ...), "
            "as national programme analysts see the collaboratives' wards pseudonymised.",
        ),
        PermissionDefinition(
            Permission.COMMISSIONED_LTS_REGISTER_VIEW,
            "Read the long-term segregation register of the providers they commission, pseudonymised, and "
            "the recommendations of independent reviews there by status.",
        ),
        PermissionDefinition(
            Permission.NAMED_ACCESS_VIEW,
            "See by name a person in segregation they have been granted named access to (time-limited, with "
            "its lawful basis): their episodes, independent reviews, plan to end segregation and actions. "
            "Every view is audited; without a grant they see only the pseudonymised register.",
        ),
        PermissionDefinition(
            Permission.COMMISSIONER_ACTION_RECORD,
            "Record, with evidence, the status of a recommendation of an independent review or C(E)TR that "
            "commissioners own, at a provider their ICB commissions (decision 0076); never a provider's "
            "action, and nothing else.",
            writes=True,
        ),
        PermissionDefinition(
            Permission.NAMED_ACCESS_GRANT,
            "Grant and revoke a commissioner's case manager named access to a person in segregation at their "
            "provider, recording the lawful basis and the last day of access.",
            writes=True,
        ),
        PermissionDefinition(
            Permission.COLLABORATIVE_MANAGE,
            "Run the improvement collaboratives they lead, on pages: start one, invite wards, record a ward "
            "leaving, set and withdraw its aims, curate its change package and publish its template driver "
            "diagram, learning-set notes included. A new collaborative is linked to whoever starts it.",
            writes=True,
        ),
        PermissionDefinition(
            Permission.COLLABORATIVE_JOIN,
            "Accept or decline, for their provider, an invitation for one of its wards to join an improvement "
            "collaborative (with the date it joins), and record a ward leaving one.",
            writes=True,
        ),
    )
}


class Role(models.TextChoices):
    WARD_STAFF = "ward_staff", "Ward staff"
    WARD_MANAGER = "ward_manager", "Ward manager"
    PROVIDER_GOVERNANCE = "provider_governance", "Provider governance"
    COMMISSIONER = "commissioner", "Commissioner"
    REGULATOR = "regulator", "Regulator"
    NATIONAL_ANALYST = "national_analyst", "National programme analyst"
    SYSTEM_ADMIN = "system_admin", "System administrator"
    COLLABORATIVE_LEAD = "collaborative_lead", "Collaborative lead"
    PROVIDER_ADMIN = "provider_admin", "Provider administrator"
    EXPERT_BY_EXPERIENCE = "expert_by_experience", "Expert by experience"


@dataclass(frozen=True)
class RoleDefinition:
    """Who holds a role, what it may do, and whether it may write at all (``read_only`` roles never get a
    permission that writes, whatever ``permissions`` says: see ``accounts.permissions``)."""

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
                P.SEGREGATION_RECORD,
                P.PATIENT_SUPPORT_RECORD,
                P.HUDDLE_VIEW,
                P.PROVIDER_NAME_VIEW,
                P.UNSUPPRESSED_FIGURES_VIEW,
                P.QI_CONTRIBUTE,
            }
        ),
        sees_patient_identifiers=True,
    ),
    Role.WARD_MANAGER: RoleDefinition(
        Role.WARD_MANAGER,
        "Manages one or more wards: everything ward staff do, plus review records and enter bed days.",
        frozenset(
            {P.WARD_VIEW, P.PATIENT_VIEW, P.AGGREGATES_VIEW, P.BED_DAYS_ENTER, P.MEASURE_VALUES_ENTER}
            | {P.INCIDENT_VIEW, P.INCIDENT_RECORD, P.INCIDENT_REVIEW, P.SEGREGATION_RECORD}
            | {P.PATIENT_SUPPORT_RECORD}
            | {P.HUDDLE_VIEW, P.EQUITY_VIEW, P.NATIONAL_BENCHMARK_VIEW, P.CHART_EVENT_RECORD}
            | {P.PROVIDER_NAME_VIEW, P.UNSUPPRESSED_FIGURES_VIEW, P.QI_PROJECT_MANAGE, P.QI_CONTRIBUTE}
        ),
        sees_patient_identifiers=True,
    ),
    Role.PROVIDER_GOVERNANCE: RoleDefinition(
        Role.PROVIDER_GOVERNANCE,
        "The provider's governance team, including the Use of Force Act responsible person: every ward "
        "of their provider, and its audit log.",
        frozenset(
            {
                P.WARD_VIEW,
                P.PATIENT_VIEW,
                P.AGGREGATES_VIEW,
                P.BED_DAYS_ENTER,
                P.MEASURE_VALUES_ENTER,
                P.AUDIT_VIEW,
                P.AUDIT_PATIENTS_VIEW,
            }
            | {
                P.INCIDENT_VIEW,
                P.INCIDENT_RECORD,
                P.INCIDENT_REVIEW,
                P.CLOSED_INCIDENT_AMEND,
                P.INCIDENT_VOID,
            }
            | {P.CQC_TASK_COMPLETE, P.SEGREGATION_RECORD, P.REVIEW_RULES_SET, P.PATIENT_SUPPORT_RECORD}
            | {P.HUDDLE_VIEW, P.BOARD_REPORT_VIEW, P.COLLABORATIVE_VIEW, P.EQUITY_VIEW}
            | {P.NATIONAL_BENCHMARK_VIEW, P.CHART_EVENT_RECORD, P.AIM_SET, P.PROVIDER_NAME_VIEW}
            | {P.UNSUPPRESSED_FIGURES_VIEW, P.WARD_EVENT_REDACT, P.NAMED_ACCESS_GRANT, P.ACT_DUTIES_RECORD}
            | {P.QI_PROJECT_MANAGE, P.COLLABORATIVE_JOIN, P.MEASURE_DEFINE, P.PATIENT_FEED_MANAGE}
            | {P.QI_CONTRIBUTE}
        ),
        sees_patient_identifiers=True,
    ),
    Role.COMMISSIONER: RoleDefinition(
        Role.COMMISSIONER,
        "An integrated care board: aggregate figures for the providers it commissions, never a patient "
        "identifier.",
        frozenset(
            {P.WARD_VIEW, P.AGGREGATES_VIEW, P.PSEUDONYMISED_VIEW, P.COMMISSIONED_LTS_REGISTER_VIEW}
            | {P.NAMED_ACCESS_VIEW, P.COMMISSIONER_ACTION_RECORD}
            | {P.BOARD_REPORT_VIEW, P.EQUITY_VIEW, P.NATIONAL_BENCHMARK_VIEW, P.PROVIDER_NAME_VIEW}
        ),
        # Not read-only since decision 0076: it writes one thing, the status of the actions commissioners
        # own (COMMISSIONER_ACTION_RECORD); every other write stays refused by the table above.
        sees_patient_identifiers=False,
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
                P.PROVIDER_NAME_VIEW,
                P.UNSUPPRESSED_FIGURES_VIEW,
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
        frozenset(
            {P.ORGANISATION_MANAGE, P.USER_MANAGE, P.AUDIT_VIEW, P.PROVIDER_NAME_VIEW, P.MEASURE_DEFINE}
            | {P.WARD_MANAGE, P.STAFF_ROSTER_MANAGE, P.REVIEW_RULES_SET}
        ),
        sees_patient_identifiers=False,
    ),
    Role.PROVIDER_ADMIN: RoleDefinition(
        Role.PROVIDER_ADMIN,
        "The provider's own administrator (its IT or information team): its sites and wards, its accounts "
        "(with the provider's roles only, and the experts by experience it involves), its staff roster and review "
        "rules, and its audit log. Sees no patient data.",
        frozenset(
            {P.WARD_MANAGE, P.USER_MANAGE, P.STAFF_ROSTER_MANAGE, P.REVIEW_RULES_SET}
            | {P.AUDIT_VIEW, P.PROVIDER_NAME_VIEW}
        ),
        sees_patient_identifiers=False,
    ),
    Role.COLLABORATIVE_LEAD: RoleDefinition(
        Role.COLLABORATIVE_LEAD,
        "Runs national or regional improvement collaboratives: starts them, invites wards (their providers "
        "accept), sets the aims, curates the change package and publishes the template driver diagram. Sees "
        "the wards of their collaboratives as national analysts do: pseudonymised, small numbers suppressed.",
        frozenset(
            {P.AGGREGATES_VIEW, P.PSEUDONYMISED_VIEW, P.COLLABORATIVE_VIEW, P.NATIONAL_BENCHMARK_VIEW}
            | {P.COLLABORATIVE_MANAGE}
        ),
        sees_patient_identifiers=False,
    ),
    Role.EXPERT_BY_EXPERIENCE: RoleDefinition(
        Role.EXPERT_BY_EXPERIENCE,
        "A person with lived experience of inpatient care (or a carer) who takes part in improvement work: "
        "joins quality-improvement project teams and collaboratives, reads what those teams read (the "
        "projects, their wards' pages and charts, the collaborative's pooled view) with small numbers "
        "suppressed and never a patient's name or NHS number, comments, and is credited in the "
        "co-production log. Reaches only the wards of the projects whose team they are on now, and the "
        "collaboratives they are linked to.",
        frozenset(
            {P.WARD_VIEW, P.AGGREGATES_VIEW, P.PSEUDONYMISED_VIEW, P.COLLABORATIVE_VIEW, P.QI_CONTRIBUTE}
        ),
        sees_patient_identifiers=False,
    ),
}

# Roles whose reach is wider than a single ward's patients (or that administer the service) must use
# two-factor sign-in. Ward roles need it too once they cover more than one ward (see User). Commissioners
# since decision 0083: they write the status of the recommendations their ICB owns (decision 0076) and,
# with a named-access grant, read a person in segregation by name, across every provider they commission.
# Nothing is stored per account: an existing commissioner is asked to set up an authenticator app at
# their next request, as a new account is at its first sign-in.
TWO_FACTOR_ROLES = frozenset(
    {Role.PROVIDER_GOVERNANCE, Role.REGULATOR, Role.SYSTEM_ADMIN, Role.PROVIDER_ADMIN, Role.COMMISSIONER}
)


def role_grants(role: str | None, permission: Permission) -> bool:
    """Whether a role holds a permission: it is in the role's row of the table above, and a read-only role
    never holds one that writes (so a mistake in the table cannot let a regulator change a record)."""
    definition = ROLE_DEFINITIONS.get(role) if role else None
    if definition is None or permission not in definition.permissions:
        return False
    return not (definition.read_only and PERMISSION_DEFINITIONS[permission].writes)
