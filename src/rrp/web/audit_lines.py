"""The audit log in plain words: what was done to which record, and which patient it concerned.

Entries store developer names (``people.Patient``, ``sign_in`` with ``{"step": "two_factor"}``); this module
turns each into the sentence a governance officer reads ("Viewed", "patient record 1716"). Whether an entry
names its patient is the reader's ``AUDIT_PATIENTS_VIEW`` permission (issue 13, item 7): without it (the
system administrator) an entry about a patient shows no name, no NHS number and no stored label (which may
hold one: a patient's name, a search typed into the patient list, the free text of a ward event).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.apps import apps

from rrp.core.models import AuditAction, AuditEvent
from rrp.people.models import Patient

# Nouns for the records whose model name alone does not say it in a ward's words; any other record type is
# named by its model's verbose name (or its split class name for a report that is not a model).
RECORD_NOUNS: dict[str, str] = {
    "people.Patient": "patient record",
    "force.Incident": "use-of-force incident",
    "force.IncidentVersion": "use-of-force incident version",
    "force.StaffStatement": "staff statement",
    "force.CqcNotificationTask": "CQC notification task",
    "force.PhysicalHealthObservation": "observation after rapid tranquillisation",
    "segregation.Episode": "seclusion or segregation episode",
    "segregation.Review": "seclusion or segregation review",
    "segregation.Observation": "seclusion or segregation observation",
    "segregation.ReviewRules": "review intervals",
    "segregation.IndependentReview": "independent review of segregation",
    "segregation.Recommendation": "independent review recommendation",
    "accounts.User": "user account",
    "api.ApiToken": "API token",
    "core.AuditEvent": "audit log",
    "organisations.MonthlyBedDays": "monthly bed days",
    "organisations.Collaborative": "collaborative",
    "measures.NationalProviderMonth": "national MHSDS figures",
    "reports.BoardReport": "board report",
    "reports.EquityReport": "equity figures",
    "improvement.WardEvent": "ward event",
    "improvement.ChartRebase": "chart rebase decision",
    "improvement.ImprovementAim": "reduction aim",
    "organisations.Region": "region",
    "organisations.Provider": "provider",
    "organisations.Site": "site",
    "organisations.Ward": "ward",
    "people.StaffMember": "staff roster entry",
}

# Records changed on the administration pages, where every change says why (decision 0049): the log shows
# the reason. None of them is about a patient.
REASONED_RECORDS = frozenset(
    {
        "accounts.User",
        "organisations.Region",
        "organisations.Provider",
        "organisations.Site",
        "organisations.Ward",
        "people.StaffMember",
        "segregation.ReviewRules",
    }
)

# Record types whose stored label is free text someone typed (it may name a patient, and a governance
# redaction cannot reach the log's copy), so the log never shows it: the record's own page shows the text
# as it is now.
FREE_TEXT_LABELS = frozenset({"improvement.WardEvent"})


def record_noun(record_type: str) -> str:
    """A record type (``app.Model``) as a plain noun."""
    if record_type in RECORD_NOUNS:
        return RECORD_NOUNS[record_type]
    app_label, _, name = record_type.partition(".")
    try:
        return str(apps.get_model(app_label, name)._meta.verbose_name)
    except (LookupError, ValueError):
        return re.sub(r"(?<!^)(?=[A-Z])", " ", name or record_type).lower()


def record_type_choices() -> list[tuple[str, str]]:
    """The kinds of record the log can be searched by, in plain words (values are the stored types)."""
    kinds = sorted(
        ((key, noun[0].upper() + noun[1:]) for key, noun in RECORD_NOUNS.items()), key=lambda c: c[1]
    )
    return [("", "Any kind of record"), *kinds]


# Why a single sign-on was refused (rrp.accounts.sso.Refusal), or a password posted while they are off.
SIGN_IN_REFUSALS = {
    "unknown": "identity not linked to an account",
    "deactivated": "account deactivated",
    "no_claim": "the identity provider sent no identifier",
    "cancelled": "not completed at the identity provider",
    "failed": "the identity provider's answer was not accepted",
    "password_sign_in_off": "password sign-in is switched off",
}


def what_was_done(event: AuditEvent) -> str:
    """The action in plain words, telling the two steps of a two-factor sign-in apart, and single sign-on
    (rrp.accounts.sso) from passwords."""
    detail = event.detail or {}
    step, method = detail.get("step"), detail.get("method")
    if event.action == AuditAction.SIGN_IN and step == "two_factor":
        return "Signed in with the second factor"
    if event.action == AuditAction.SIGN_IN_FAILED and step == "two_factor":
        return "Second factor refused"
    if event.action == AuditAction.SIGN_IN and method == "sso":
        return "Signed in through single sign-on"
    if event.action == AuditAction.SIGN_IN_FAILED and detail.get("reason"):
        refused = "Single sign-on refused" if method == "sso" else "Sign-in refused"
        return f"{refused}: {SIGN_IN_REFUSALS.get(detail['reason'], detail['reason'])}"
    if event.action == AuditAction.SIGN_OUT and detail.get("identity_provider_sign_out"):
        return "Signed out, and sent to the identity provider to sign out there"
    # Invitations and passwords (decision 0081).
    if event.action == AuditAction.CHANGE and detail.get("invitation"):
        return (
            "Invitation emailed"
            if detail["invitation"] == "sent"
            else "Invitation not sent: mail server failed"
        )
    if event.action == AuditAction.CHANGE and detail.get("password"):
        return f"Password {detail['password']}"
    return event.get_action_display()


@dataclass(frozen=True)
class AuditLine:
    """One entry of the audit log as the page shows it."""

    at: dt.datetime
    who: str
    what: str
    record: str
    detail: str
    patient: str
    origin: str


def _concerns_patients(event: AuditEvent) -> bool:
    return (
        event.patient_id is not None
        or event.record_type == "people.Patient"
        or bool((event.detail or {}).get("patient_ids"))
    )


def audit_line(event: AuditEvent, *, patients_shown: bool, patients: dict[int, Patient]) -> AuditLine:
    """One entry in plain words. ``patients_shown``: the reader holds ``AUDIT_PATIENTS_VIEW``; ``patients``:
    the patients they may see, by id (a patient outside their scope is not named)."""
    noun = record_noun(event.record_type)
    record = f"{noun} {event.record_id}" if event.record_id else noun
    label = event.record_label
    if event.record_type in FREE_TEXT_LABELS or (not patients_shown and _concerns_patients(event)):
        label = ""
    if event.action == AuditAction.SIGN_IN_FAILED and not event.actor_id:
        tried = "identity" if (event.detail or {}).get("method") == "sso" else "username"
        label = f"{tried} tried: {label}" if label else ""
    patient = ""
    listed = (event.detail or {}).get("patient_ids") or []
    if patients_shown:
        if event.patient_id is not None:
            found = patients.get(event.patient_id)
            patient = _patient_text(found) if found else f"patient record {event.patient_id}"
            if event.record_type == "people.Patient":
                label = ""  # the name, as it was then: the patient column names them as they are now
        elif listed:
            patient = f"{len(listed)} patient{'s' if len(listed) != 1 else ''}"
    # An administration change's "why" (typed by the administrator); a refused sign-in's reason is already
    # its "what" (SIGN_IN_REFUSALS), so it is not said twice.
    reasoned = event.record_type in REASONED_RECORDS and event.action != AuditAction.SIGN_IN_FAILED
    reason = (event.detail or {}).get("reason") if reasoned else None
    if reason:
        label = f"{label}. Why: {reason}" if label else f"Why: {reason}"
    return AuditLine(
        at=event.at,
        who=f"{event.actor_username} ({event.actor_role.replace('_', ' ')})"
        if event.actor_username
        else "(not signed in)",
        what=what_was_done(event),
        record=record,
        detail=label,
        patient=patient,
        origin=" ".join(part for part in (event.ip_address or "", event.path) if part),
    )


def _patient_text(patient: Patient) -> str:
    nhs = f", NHS number {patient.nhs_number_display}" if patient.nhs_number else ""
    return f"{patient.name}{nhs}"
