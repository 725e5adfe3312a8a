"""Form posts for the use-of-force pages: the typical incident as a ward nurse would type it."""

from __future__ import annotations

from rrp.people.models import StaffMember

DAY = "2026-03-01"


def typical_post(roster_nurse: StaffMember, *, action: str = "submit", **overrides: str) -> dict[str, str]:
    """Prone then supine restraint, then IM rapid tranquillisation (14); two staff; one de-escalation."""
    data = {
        "iv_count": "3",
        "other_count": "1",
        "place_on_ward": "Lounge",
        "iv-0-type_code": "01",
        "iv-0-start_date": DAY,
        "iv-0-start_time": "14:06",
        "iv-0-end_date": DAY,
        "iv-0-end_time": "14:15",
        "iv-0-in_care_plan": "no",
        "iv-1-type_code": "09",
        "iv-1-start_date": DAY,
        "iv-1-start_time": "14:15",
        "iv-1-end_date": DAY,
        "iv-1-end_time": "14:30",
        "iv-1-in_care_plan": "no",
        "iv-2-type_code": "14",
        "iv-2-start_date": DAY,
        "iv-2-start_time": "14:25",
        "iv-2-end_date": DAY,
        "iv-2-end_time": "14:26",
        "iv-2-in_care_plan": "yes",
        "reason_code": "10",
        "reason_text": "Punching another patient",
        f"roster-{roster_nurse.pk}-involved": "on",
        f"roster-{roster_nurse.pk}-part": "head",
        "other-0-name": "Alex Agency",
        "other-0-job_title": "Healthcare assistant (agency)",
        "other-0-part": "left_arm",
        "how_force_used": "Held prone on the floor, turned supine, then IM lorazepam",
        "deescalation": "verbal",
        "outcome": "Settled in own room",
        "patient_died": "no",
        "patient_serious_injury": "no",
        "injury_patient": "no",
        "injury_staff": "no",
        "injury_others": "no",
        "non_staff_involved": "no",
        "care_plan_notification_sent": "yes",
        "care_plan_notified_to": "Mother (nearest relative)",
        "care_plan_notified_date": DAY,
        "care_plan_notified_time": "15:05",
        "action": action,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def close_post(**overrides: str) -> dict[str, str]:
    """The close page's answers, with a reason for closing without each follow-up not done yet."""
    data = {
        "harm": "None",
        "proportionate": "yes",
        "least_restrictive": "yes",
        "learning": "Earlier use of the quiet room",
        "skip_prone_review": "The prone restraint review is booked for Friday",
        "action_0": "Update the care plan",
        "owner_0": "Ward manager",
        "skip_statements": "Agency worker's statement kept by the agency",
        "skip_rt_observations": "Recorded on the paper chart",
        "skip_patient_debrief": "Patient discharged the next morning",
        "skip_cqc_notification": "Governance are notifying CQC today",
    }
    data.update(overrides)
    return data
