"""Content for a typical complete incident: prone then supine restraint, then intramuscular rapid
tranquillisation, two staff, one de-escalation attempt."""

from __future__ import annotations

import datetime as dt

from rrp.force.services import InterventionInput, StaffInput

T0 = dt.datetime(2026, 3, 1, 14, 5, tzinfo=dt.UTC)


def complete_content() -> dict:
    return {
        "reason_code": "10",
        "reason_text": "Punching another patient",
        "place_on_ward": "Lounge",
        "occurred_at": T0,
        "ended_at": T0 + dt.timedelta(minutes=40),
        "how_force_used": "Held prone on the floor, turned supine, then IM lorazepam",
        "outcome": "Settled in own room; no injuries",
        "patient_died": False,
        "patient_serious_injury": False,
        "injury_patient": False,
        "injury_staff": False,
        "injury_others": False,
        "non_staff_involved": False,
        "deescalation": ["verbal"],
        "deescalation_text": "Offered quiet room",
        "care_plan_notification_sent": True,
        "care_plan_notified_to": "Mother (nearest relative)",
        "care_plan_notified_at": T0 + dt.timedelta(hours=1),
    }


def typical_interventions() -> list[InterventionInput]:
    return [
        InterventionInput("01", T0 + dt.timedelta(minutes=1), T0 + dt.timedelta(minutes=10), False),
        InterventionInput("09", T0 + dt.timedelta(minutes=10), T0 + dt.timedelta(minutes=25), False),
        InterventionInput("14", T0 + dt.timedelta(minutes=20), T0 + dt.timedelta(minutes=21), True),
    ]


def two_staff(roster_nurse) -> list[StaffInput]:
    return [
        StaffInput(part="head", staff_member=roster_nurse),
        StaffInput(part="left_arm", name="Alex Agency", job_title="Healthcare assistant (agency)"),
    ]


def closing_review(**changes):
    """Answers to the closing review's questions (force.closure), as a ward manager would give them."""
    from rrp.force.closure import ReviewAnswers

    answers = {
        "harm": "None",
        "proportionate": True,
        "least_restrictive": True,
        "learning": "Earlier use of the quiet room",
        "actions": [{"action": "Update the care plan", "owner": "Ward manager"}],
    }
    answers.update(changes)
    return ReviewAnswers(**answers)


def every_follow_up_skipped(reason: str = "Closed for the test: kept elsewhere") -> dict[str, str]:
    """A reason for closing without each follow-up on the checklist."""
    from rrp.force.closure import FOLLOW_UP_LABELS

    return dict.fromkeys(FOLLOW_UP_LABELS, reason)
