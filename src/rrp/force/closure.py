"""Closing an incident: the follow-ups it owes, and the review questions its closure answers (issue 13).

An incident is closed only when each follow-up that applies to it is done, or the reviewer writes why it
is closed without it. The follow-ups:

| key | applies when | done when |
|---|---|---|
| ``statements`` | staff are named in the record | every member of staff named has written a statement in RRP (someone typed in, not on the roster, cannot: their statement is one to skip with where it is kept) |
| ``rt_observations`` | rapid tranquillisation (MHSDS 14) was given | the hourly observations' period is over and no hour is overdue (``force.observations``) |
| ``patient_debrief`` | always | the record says the patient was offered a debrief |
| ``prone_review`` | prone restraint (MHSDS 01) was used | the prone restraint review is completed (its workflow is act's: ``act.prone``, registered here with ``register_prone_review_status``; the closing page shows its state and links to it) |
| ``cqc_notification`` | a CQC notification task was raised | every such task is completed (notified, or not required with a reason) |

An incomplete prone restraint review blocks closing as statements do (decision 0063): done, or closed
without it with a reason. The closing review no longer asks its own prone question: the review's one
place is its own page, so the answers are never in two places that disagree.

A follow-up closed without is still owed: statements outstanding and debriefs count on the ward's huddle
after closing (``force.selectors.follow_up_outstanding``) until they come.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from rrp.force.codes import CqcTaskStatus, InterventionType
from rrp.force.debrief_answers import debrief_answers
from rrp.force.models import CqcNotificationTask, Incident, IncidentVersion, StaffStatement
from rrp.force.observations import monitoring_hours, rt_monitoring_state, rt_starts

FOLLOW_UP_LABELS: dict[str, str] = {
    "statements": "Statements from every member of staff named",
    "rt_observations": "Physical health observations after rapid tranquillisation",
    "patient_debrief": "Patient offered a debrief",
    "prone_review": "Review of the prone restraint",
    "cqc_notification": "CQC notification",
}


@dataclass(frozen=True)
class ChecklistItem:
    """One follow-up an incident owes before it is closed, and whether it is done."""

    key: str
    label: str
    done: bool
    detail: str
    #: Where the follow-up is done, when that is a page of its own (the prone restraint review).
    href: str = ""


@dataclass(frozen=True)
class ProneReviewStatus:
    """The prone restraint review of an incident as the app that owns it reports it: done or not, in
    words, and the address of its page."""

    done: bool
    detail: str
    href: str


ProneReviewStatusOf = Callable[[Incident, dt.datetime], ProneReviewStatus]
_prone_review_status: list[ProneReviewStatusOf] = []


def register_prone_review_status(function: ProneReviewStatusOf) -> ProneReviewStatusOf:
    """Tell closing how to read an incident's prone restraint review (``function(incident, at)``); act
    calls it from its ``AppConfig.ready`` (force sits below act, decision 0011). The latest registered
    is used."""
    if function not in _prone_review_status:
        _prone_review_status.append(function)
    return function


def _prone_item(incident: Incident, at: dt.datetime) -> ChecklistItem:
    if not _prone_review_status:
        return ChecklistItem(
            "prone_review", FOLLOW_UP_LABELS["prone_review"], False, "No prone restraint review is kept"
        )
    status = _prone_review_status[-1](incident, at)
    return ChecklistItem(
        "prone_review", FOLLOW_UP_LABELS["prone_review"], status.done, status.detail, status.href
    )


@dataclass(frozen=True)
class ReviewAnswers:
    """The closing review's questions (all required but the explanations and actions)."""

    harm: str
    proportionate: bool | None
    least_restrictive: bool | None
    learning: str
    proportionate_text: str = ""
    least_restrictive_text: str = ""
    actions: list[dict[str, str]] = field(default_factory=list)

    def as_fields(self) -> dict[str, Any]:
        return asdict(self)


def _names(names: list[str]) -> str:
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def closure_checklist(
    incident: Incident, *, at: dt.datetime, version: IncidentVersion | None = None
) -> list[ChecklistItem]:
    """The follow-ups that apply to the incident's current version, as they stand at ``at``."""
    version = version or incident.versions.order_by("-number").first()
    interventions = list(version.interventions.all())
    types = {i.type_code for i in interventions}
    items: list[ChecklistItem] = []

    staff = list(version.staff.all())
    if staff:
        written = set(
            StaffStatement.objects.filter(incident=incident).values_list("staff_member_id", flat=True)
        )
        missing = []
        for member in staff:
            if member.staff_member_id is None or member.staff_member_id not in written:
                name = member.name + ("" if member.staff_member_id else " (not on the roster)")
                if name not in missing:
                    missing.append(name)
        items.append(
            ChecklistItem(
                "statements",
                FOLLOW_UP_LABELS["statements"],
                not missing,
                f"Still to come from {_names(missing)}"
                if missing
                else f"{len(staff)} of {len(staff)} written",
            )
        )
    starts = rt_starts(interventions)
    if starts:
        state = rt_monitoring_state(
            starts=starts, observations=list(incident.observations.all()), at=at, hours=monitoring_hours()
        )
        if state.overdue:
            detail = f"{len(state.overdue)} hourly set{'s' if len(state.overdue) != 1 else ''} overdue"
        elif not state.complete:
            detail = "Observations are still due"
        else:
            detail = "Every hourly set recorded or declined"
        items.append(
            ChecklistItem("rt_observations", FOLLOW_UP_LABELS["rt_observations"], state.complete, detail)
        )
    offered = debrief_answers([version])[version.incident_id].patient_offered is True
    items.append(
        ChecklistItem(
            "patient_debrief",
            FOLLOW_UP_LABELS["patient_debrief"],
            offered,
            "Offered" if offered else "The record does not say a debrief was offered",
        )
    )
    if InterventionType.PRONE in types:
        items.append(_prone_item(incident, at))
    tasks = list(CqcNotificationTask.objects.filter(incident=incident))
    if tasks:
        open_tasks = [t for t in tasks if t.status == CqcTaskStatus.OPEN]
        items.append(
            ChecklistItem(
                "cqc_notification",
                FOLLOW_UP_LABELS["cqc_notification"],
                not open_tasks,
                "Not yet done by provider governance" if open_tasks else "Done",
            )
        )
    return items
