"""What an incident version sets off: CQC notification reasons and follow-up flags. Pure functions,
called by the services on every version written."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rrp.force.codes import CqcReason, IncidentFlagKind, InterventionType, NonStaffPersonType

# NICE QS154 statement 5 / NG10: after rapid tranquillisation, physical health observations at least hourly.
RT_OBSERVATION_INTERVAL_MINUTES = 60


def cqc_reasons(version: Any) -> list[str]:
    """Reasons a CQC regulation 18 notification may be due (death, serious injury, police, abuse)."""
    reasons = []
    if version.patient_died:
        reasons.append(CqcReason.DEATH)
    if version.patient_serious_injury:
        reasons.append(CqcReason.SERIOUS_INJURY)
    police = (
        version.police_requested_at is not None
        or version.police_arrived_at is not None
        or bool(version.police_used_force)
        or NonStaffPersonType.POLICE in (version.non_staff_types or [])
    )
    if police:
        reasons.append(CqcReason.POLICE)
    if version.abuse_alleged:
        reasons.append(CqcReason.ABUSE_ALLEGATION)
    return [str(reason) for reason in reasons]


def flags_for(interventions: Iterable[Any]) -> dict[str, dict]:
    """Follow-up flags the interventions raise, each with the detail the follow-up needs."""
    flags: dict[str, dict] = {}
    for intervention in interventions:
        if intervention.type_code == InterventionType.PRONE and IncidentFlagKind.PRONE_REVIEW not in flags:
            flags[IncidentFlagKind.PRONE_REVIEW] = {"prone_started_at": intervention.started_at.isoformat()}
        if (
            intervention.type_code == InterventionType.RAPID_TRANQUILLISATION
            and IncidentFlagKind.RT_MONITORING not in flags
        ):
            flags[IncidentFlagKind.RT_MONITORING] = {
                "standard": "NICE QS154",
                "interval_minutes": RT_OBSERVATION_INTERVAL_MINUTES,
                "from": intervention.started_at.isoformat(),
            }
    return {str(kind): detail for kind, detail in flags.items()}
