"""Display formatting for seclusion and segregation pages: words, local times and tags."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from rrp.core.formatting import long_date, short_date_time
from rrp.force.selectors import RtOverdue
from rrp.segregation import cetr, defacto, schedules
from rrp.segregation.codes import (
    ActionOwner,
    ActionStatus,
    DeFactoOutcome,
    EpisodeKind,
    LawfulBasis,
    ReviewDecision,
    ReviewKind,
    due_label,
)
from rrp.segregation.selectors import EpisodeState, PatientChoice, RegisterRow


def local(value: dt.datetime | None) -> str:
    """6 Dec 2026, 14:05 in UK time (``core.formatting.short_date_time``); empty for none."""
    return short_date_time(value)


def span(delta: dt.timedelta) -> str:
    """A duration in words: '3 h 20 min', '2 days 4 h'."""
    minutes = int(delta.total_seconds() // 60)
    hours, mins = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24} days {hours % 24} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"


def due_text(due: schedules.Due | None) -> str:
    if due is None:
        return "Nothing due"
    return f"{due_label(due.kind)}: {local(due.due_at)}"


def status_tag(due: schedules.Due | None) -> dict[str, str]:
    if due is None:
        return {"text": "None due", "classes": "nhsuk-tag--grey"}
    if due.overdue:
        return {
            "text": f"Overdue by {span(dt.timedelta(minutes=due.minutes_overdue))}",
            "classes": "nhsuk-tag--red",
        }
    return {"text": "Due", "classes": "nhsuk-tag--blue"}


def _patient(state: EpisodeState) -> dict[str, Any]:
    p = state.episode.patient
    return {"id": p.pk, "name": f"{p.given_name} {p.family_name}", "nhs_number": p.nhs_number_display}


def active_rows(states: list[EpisodeState]) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {
            "id": s.episode.pk,
            "patient": _patient(s),
            "ward": s.episode.ward.name,
            "kind": EpisodeKind(s.episode.kind).label,
            "since": local(s.version.started_at),
            "duration": span(s.duration(now)),
            "place": s.version.place,
            "next_due": due_text(s.next_due),
            "tag": status_tag(s.next_due),
            "overdue_count": len(s.overdue),
        }
        for s in states
    ]


def _overdue_checks(state: EpisodeState) -> list[schedules.Due]:
    """The reviews and the observation overdue now (an observation in seclusion is a safety check too)."""
    observation = state.observation_due
    return [*state.overdue, *([observation] if observation is not None and observation.overdue else [])]


def overdue_rows(states: list[EpisodeState]) -> list[dict[str, Any]]:
    rows = [
        {
            "id": s.episode.pk,
            "patient": _patient(s),
            "ward": s.episode.ward.name,
            "kind": EpisodeKind(s.episode.kind).label,
            "review": due_label(d.kind),
            "due": local(d.due_at),
            "overdue_by": span(dt.timedelta(minutes=d.minutes_overdue)),
            "minutes": d.minutes_overdue,
        }
        for s in states
        for d in _overdue_checks(s)
    ]
    return sorted(rows, key=lambda r: -r["minutes"])


def missed_rows(states: list[EpisodeState]) -> list[dict[str, Any]]:
    """Episodes that ended with checks missed: who, where, when it ended and what was missed."""
    return [
        {
            "id": s.episode.pk,
            "patient": _patient(s),
            "ward": s.episode.ward.name,
            "kind": EpisodeKind(s.episode.kind).label,
            "ended": local(s.version.ended_at),
            "missed": checks_missed_text(s.checks),
        }
        for s in states
    ]


def rt_rows(overdue: list[tuple[RtOverdue, str]]) -> list[dict[str, Any]]:
    """Incidents with observations after rapid tranquillisation overdue (each with its ward's name),
    most overdue first."""
    return [
        {
            "incident_id": r.incident_id,
            "ward": ward,
            "started": local(r.started_at),
            "hours": r.hours_overdue,
            "first_due": local(r.first_due_at),
        }
        for r, ward in overdue
    ]


def due_rows(state: EpisodeState) -> list[dict[str, Any]]:
    items = list(state.due)
    if state.observation_due is not None:
        items.append(state.observation_due)
    return [
        {
            "what": due_label(d.kind),
            "due": local(d.due_at),
            "last": local(d.last_at) or "None yet",
            "tag": status_tag(d),
        }
        for d in sorted(items, key=lambda d: d.due_at)
    ]


def checks_missed_text(checks: schedules.CheckRecord | None) -> list[str]:
    """What was missed or late against the Code of Practice timers, one line per kind ("Nursing review
    (two registered nurses): 4 missed, 1 late"); empty when nothing was.

    For an ended episode this is what its record carries for good; for one under way, what has been
    missed so far (the check overdue now is shown as overdue, not here)."""
    if checks is None:
        return []
    counts = [*checks.reviews, *([checks.observations] if checks.observations is not None else [])]
    lines = []
    for c in counts:
        parts = [f"{n} {word}" for n, word in ((c.missed, "missed"), (c.late, "late")) if n]
        if parts:
            lines.append(f"{due_label(c.kind)}: {', '.join(parts)}")
    return lines


def review_rows(state: EpisodeState) -> list[dict[str, Any]]:
    lateness = {(t.at, t.kind): t for t in state.timeliness}
    rows = []
    for r in state.reviews:
        t = next((t for (at, _k), t in lateness.items() if at == r.at and _k in (r.kind, "mdt")), None)
        reviewers = r.reviewer_name + (f" and {r.second_reviewer_name}" if r.second_reviewer_name else "")
        rows.append(
            {
                "what": ReviewKind(r.kind).label,
                "at": local(r.at),
                "by": reviewers + (f" ({r.reviewer_role})" if r.reviewer_role else ""),
                "outcome": r.outcome,
                "decision": ReviewDecision(r.decision).label,
                "timeliness": (
                    f"Late by {span(dt.timedelta(minutes=t.minutes_late))}" if t and t.late else "On time"
                )
                if t and t.due_at
                else "",
            }
        )
    return rows


def register_rows(rows: list[RegisterRow]) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {
            "id": row.state.episode.pk,
            "patient_id": row.state.episode.patient_id,
            "label": row.label,
            "ward": row.state.episode.ward.name,
            "since": local(row.since),
            "days": row.days,
            "total_days": row.total_days_in_lts,
            "reviews_done": row.reviews_done,
            "late_reviews": row.state.late_reviews,
            "next_due": due_text(row.state.next_due),
            "tag": status_tag(row.state.next_due),
            "overdue": [due_label(d.kind) for d in row.state.overdue],
            "independent": [
                f"{ReviewKind(r.kind).label}, {local(r.at)}" for r in row.state.independent_reviews
            ],
            "end_plan": row.state.version.end_plan,
            "since_last_step": row.days_since_last_step,
            "last_step": long_date(row.plan.last_done_on) if row.plan and row.plan.last_done_on else "",
            "next_step": (
                {"text": row.plan.next_step.text, "planned": long_date(row.plan.next_step.planned_on)}
                if row.plan and row.plan.next_step
                else None
            ),
            "plan_version": row.plan.version.number if row.plan else 0,
            "late_steps": len(row.plan.late_steps(timezone.localdate())) if row.plan else 0,
            "past": [
                f"{local(s.version.started_at)} to {local(s.version.ended_at) or 'now'} ({span(s.duration(now))})"
                for s in row.past_episodes
            ],
        }
        for row in rows
    ]


def history_rows(states: list[EpisodeState]) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {
            "id": s.episode.pk,
            "kind": EpisodeKind(s.episode.kind).label,
            "ward": s.episode.ward.name,
            "since": local(s.version.started_at),
            "until": local(s.version.ended_at) or "Ongoing",
            "duration": span(s.duration(now)),
            "reviews": len(s.reviews),
            "late": s.late_reviews,
        }
        for s in states
    ]


def patient_items(choices: list[PatientChoice], *, chosen: str = "") -> list[dict[str, Any]]:
    """Radio items for the episode form's patient: the name, and NHS number, date of birth and the ward
    they are on now to tell namesakes apart (issue 13)."""
    return [
        {
            "value": str(choice.patient.pk),
            "text": choice.patient.name,
            "checked": str(choice.patient.pk) == chosen,
            "hint": {
                "text": f"NHS number {choice.patient.nhs_number_display or 'not known'}, "
                f"born {long_date(choice.patient.date_of_birth)}, "
                + (f"on {choice.ward_name} now" if choice.ward_name else "not on a ward now")
            },
        }
        for choice in choices
    ]


# --- Oversight (issue 17) ----------------------------------------------------------------------------

STATUS_TAG_CLASSES = {
    "open": "nhsuk-tag--grey",
    "achieved": "nhsuk-tag--green",
    "partly": "nhsuk-tag--yellow",
    "not_achieved": "nhsuk-tag--orange",
}


def recommendation_status_tag(state) -> dict[str, str]:
    """The status as a tag; an overdue one says so in red, with how long."""
    label = ActionStatus(state.status).label
    if state.overdue:
        days = state.days_overdue
        return {
            "text": f"{label}: overdue by {days} day{'s' if days != 1 else ''}",
            "classes": "nhsuk-tag--red",
        }
    return {"text": label, "classes": STATUS_TAG_CLASSES[state.status]}


def recommendation_rows(states) -> list[dict[str, Any]]:
    """Recommendations as table rows: what, whose, due, status (overdue flagged), latest evidence."""
    rows = []
    for s in states:
        r = s.recommendation
        review = r.independent_review
        patient = review.patient
        rows.append(
            {
                "id": r.pk,
                "number": r.number,
                "review_id": review.pk,
                "review_held": long_date(review.held_on),
                "patient": f"{patient.given_name} {patient.family_name}",
                "text": r.text,
                "owner": ActionOwner(r.owner).label,
                "due": long_date(r.due_on),
                "tag": recommendation_status_tag(s),
                "overdue": s.overdue,
                "evidence": s.latest.evidence,
                "updated": local(s.latest.recorded_at) if s.version > 1 else "",
                "history": [
                    {
                        "status": u.get_status_display(),
                        "evidence": u.evidence,
                        "at": local(u.recorded_at),
                        "by": u.recorded_by.get_full_name() or u.recorded_by.username,
                    }
                    for u in s.updates
                ],
            }
        )
    return rows


def status_counts(states) -> list[dict[str, Any]]:
    """How many recommendations stand at each status, and how many are overdue."""
    counts = [
        {"label": label, "count": sum(1 for s in states if s.status == value)}
        for value, label in ActionStatus.choices
    ]
    return [*counts, {"label": "Overdue", "count": sum(1 for s in states if s.overdue)}]


#: How each owner's recommendations are named in lists and filters.
OWNER_PHRASES = {ActionOwner.PROVIDER: "the provider", ActionOwner.COMMISSIONER: "commissioners"}


def owner_filter(owner: str | None, path: str) -> dict[str, Any]:
    """Links narrowing a list of recommendations to one owner, or back to everyone's, the one shown
    marked current; and whose the list is narrowed to, in words ('' for everyone's)."""
    choices = [(None, "Everyone's"), *((value, f"Owned by {OWNER_PHRASES[value]}") for value in ActionOwner)]
    return {
        "links": [
            {"text": text, "href": f"{path}?owner={value}" if value else path, "current": value == owner}
            for value, text in choices
        ],
        "narrowed": f"owned by {OWNER_PHRASES[ActionOwner(owner)]}" if owner else "",
    }


def overdue_by_owner(counts: dict[str, int], path: str, *, first: str) -> dict[str, Any]:
    """Overdue recommendations by owner, the reader's own (`first`) first, each linked to its list."""
    owners = sorted(ActionOwner, key=lambda o: o != first)
    lines = [
        {"count": counts[o], "text": f"owned by {OWNER_PHRASES[o]}", "href": f"{path}?owner={o}"}
        for o in owners
        if counts[o]
    ]
    total = sum(counts.values())
    return {
        "total": total,
        "heading": f"{total} recommendation{'' if total == 1 else 's'} from reviews overdue",
        "lines": lines,
    }


def grant_rows(grants) -> list[dict[str, Any]]:
    """Named-access grants in words: who, whom, why, until when, and whether in force."""
    today = timezone.localdate()
    rows = []
    for g in grants:
        revocation = getattr(g, "revocation", None)  # None when not revoked
        if revocation is not None:
            state = {"text": "Revoked", "classes": "nhsuk-tag--grey"}
        elif g.ends_on < today:
            state = {"text": "Ended", "classes": "nhsuk-tag--grey"}
        else:
            state = {"text": "In force", "classes": "nhsuk-tag--green"}
        rows.append(
            {
                "id": g.pk,
                "user": g.user.get_full_name() or g.user.username,
                "patient": g.patient.name,
                "basis": LawfulBasis(g.lawful_basis).label,
                "detail": g.basis_detail,
                "from": local(g.starts_at),
                "until": long_date(g.ends_on),
                "granted_by": g.granted_by.get_full_name() or g.granted_by.username,
                "state": state,
                "in_force": state["text"] == "In force",
                "revoked": (
                    f"{local(revocation.revoked_at)}: {revocation.reason}" if revocation is not None else ""
                ),
            }
        )
    return rows


def entry_rows(entries) -> list[dict[str, Any]]:
    return [
        {
            "label": e.label,
            "patient_id": e.patient_id,
            "provider": e.provider.name,
            "ward": e.ward_name,
            "since": local(e.started_at),
        }
        for e in entries
    ]


def named_rows(grants) -> list[dict[str, Any]]:
    return [
        {
            "patient_id": g.patient_id,
            "name": g.patient.name,
            "provider": g.provider.name,
            "until": long_date(g.ends_on),
        }
        for g in grants
    ]


def named_episode_rows(person) -> list[dict[str, Any]]:
    """A named person's episodes with, for each one under way, its plan's last and next steps."""
    now = timezone.now()
    rows = []
    for e in person.episodes:
        plan = person.plans.get(e.pk)
        ended = e.current_ended_at
        rows.append(
            {
                "kind": EpisodeKind(e.kind).label,
                "ward": e.ward.name,
                "since": local(e.current_started_at),
                "until": local(ended) or "Ongoing",
                "length": span((ended or now) - e.current_started_at),
                "plan": plan,
                "last_step": long_date(plan.last_done_on) if plan and plan.last_done_on else "",
                "next_step": plan.next_step if plan else None,
            }
        )
    return rows


def commissioned_recommendation_rows(rows) -> list[dict[str, Any]]:
    """The ICB's rows: pseudonym (or name, with a grant), provider, owner, due, status; the text only with
    a grant."""
    return [
        {
            "provider": r.provider.name,
            "label": r.state.recommendation.independent_review.patient.name if r.patient_id else r.label,
            "patient_id": r.patient_id,
            "text": r.state.recommendation.text if r.patient_id else "",
            "owner": ActionOwner(r.state.recommendation.owner).label,
            "due": long_date(r.state.recommendation.due_on),
            "tag": recommendation_status_tag(r.state),
            "id": r.state.recommendation.pk,
            "number": r.state.recommendation.number,
            "review_held": long_date(r.state.recommendation.independent_review.held_on),
            "commissioners_own": r.state.recommendation.owner == ActionOwner.COMMISSIONER,
        }
        for r in rows
    ]


def commissioned_history(found) -> list[dict[str, str]]:
    """A recommendation's updates as the ICB sees them: status, when and by whom; the evidence (free text
    that may name the person) only with a grant."""
    return [
        {
            "status": u.get_status_display(),
            "evidence": u.evidence if found.patient_id else "",
            "at": local(u.recorded_at),
            "by": u.recorded_by.get_full_name() or u.recorded_by.username,
        }
        for u in found.state.updates
    ]


def possible_rows(found) -> list[dict[str, Any]]:
    """People flagged as possibly segregated: who, why (each flag with its date), and the decision."""
    rows = []
    for p in found:
        d = p.decision
        rows.append(
            {
                "patient_id": p.patient.pk,
                "name": p.patient.name,
                "nhs_number": p.patient.nhs_number_display or "not known",
                "flags": [f"{f.text}, {local(f.at)}" for f in p.flags],
                "open": p.open,
                "decision": (
                    f"{DeFactoOutcome(d.outcome).label} ({local(d.decided_at)}): {d.reasons}" if d else ""
                ),
            }
        )
    return rows


def defacto_rules() -> list[str]:
    """The rules that flag possible segregation, in words (from ``segregation.defacto``)."""
    return [
        f"A seclusion lasting more than {defacto.LONG_SECLUSION_HOURS} hours",
        f"{defacto.REPEATED_COUNT} or more seclusions starting within {defacto.REPEATED_WINDOW_DAYS} days",
        "Segregation recorded on a use-of-force incident at a time no long-term segregation episode covers",
    ]


def cetr_rows(rows) -> list[dict[str, Any]]:
    """People and the next C(E)TR they need, as table rows."""
    return [
        {
            "patient_id": r.patient.pk,
            "patient": f"{r.patient.given_name} {r.patient.family_name}",
            "ward": r.ward_name,
            "admitted": long_date(r.admitted_on),
            "group": cetr.GROUP_LABELS[r.group],
            "last": long_date(r.last_held_on) if r.last_held_on else "None since admission",
            "last_review_id": r.last_review_id,
            "what": r.due.label(),
            "due": long_date(r.due.due_on),
            "overdue": r.overdue,
            "days_overdue": r.days_overdue,
        }
        for r in rows
    ]
