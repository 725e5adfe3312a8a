"""The record as a task list: which fields each section asks for, how each section's status is read off
the saved draft, and the section forms that are not simply a part of `IncidentDetailsForm`.

GOV.UK / NHS "task list" pattern (issue 13): every section is a short page of its own, saved to the draft
when the user presses "Save and continue", and the task list shows each section's status read from what
is saved (so a section is "Completed" when the s6(5) items it answers are there, whoever saved them).
No database access here: the views read the draft, these functions judge it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms

from rrp.core.validation.forms import ValidatedForm
from rrp.force.completeness import STATUTORY_ITEMS, Record, _blank
from rrp.force.forms import IncidentDetailsForm

COMPLETED, IN_PROGRESS, NOT_STARTED, OPTIONAL, NOT_NEEDED, CANNOT_START = (
    "Completed",
    "In progress",
    "Not started",
    "Optional",
    "Not needed",
    "Cannot start yet",
)


@dataclass(frozen=True)
class Section:
    """One page of the record: its address slug, its title, the s6(5) letters it answers and the
    `IncidentDetailsForm` fields it shows (rows of force and staff are the views' own)."""

    slug: str
    title: str
    letters: tuple[str, ...]
    fields: tuple[str, ...]
    hint: str = ""
    optional: bool = False


SECTIONS: tuple[Section, ...] = (
    Section(
        "force",
        "Where, when and what force",
        ("b", "c", "d"),
        # durations_confirmed is not content: shown only when a restraint is over its limit.
        ("place_on_ward", "durations_confirmed"),
        "Each type of force in the order it happened, with its times",
    ),
    Section(
        "why",
        "Why and how force was used",
        ("a", "f", "o"),
        ("reason_code", "reason_text", "how_force_used", "deescalation", "deescalation_text"),
    ),
    Section("staff", "Staff who used force", ("h",), ()),
    Section(
        "outcome",
        "Outcome, injuries and who else was involved",
        ("m", "n"),
        ("outcome",),
    ),
    Section(
        "others",
        "Police and other people",
        ("i",),
        (
            "non_staff_types",
            "non_staff_reason",
            "police_requested_date",
            "police_requested_time",
            "police_arrived_date",
            "police_arrived_time",
            "police_used_force",
        ),
        "Only when someone not on the unit's staff was involved",
    ),
    Section(
        "notification",
        "Care-plan notification",
        ("p",),
        (
            "care_plan_notification_sent",
            "care_plan_notified_to",
            "care_plan_notified_date",
            "care_plan_notified_time",
        ),
    ),
    Section(
        "debriefs",
        "Debriefs and recordings",
        (),
        # The debriefs themselves are records of their own (force.debriefs, decision 0061), recorded on
        # their pages from this section; the form asks only for the recordings.
        ("camera_references",),
        "Record each debrief, and camera references, now or later",
        optional=True,
    ),
)
BY_SLUG: dict[str, Section] = {section.slug: section for section in SECTIONS}

# The yes/no debrief answers a version may hold from before the debrief records (read, never asked).
_LEGACY_DEBRIEF_ANSWERS = (
    "debrief_patient_offered",
    "debrief_patient_held",
    "debrief_patient_not_held_reason",
    "debrief_staff_held",
    "debrief_carers_held",
)

# The fields of each section that, once filled, mean the section has been started.
_STARTED_BY: dict[str, tuple[str, ...]] = {
    "outcome": ("outcome", "patient_died", "patient_serious_injury", "injury_patient", "non_staff_involved"),
    "others": ("non_staff_types", "non_staff_reason", "police_requested_at", "police_arrived_at"),
    "notification": ("care_plan_notification_sent", "care_plan_notified_to"),
}


def section_status(section: Section, record: Record) -> str:
    """Completed, In progress or Not started (Optional / Not needed where the section may be skipped),
    read from the saved draft: Completed when every s6(5) item the section answers is recorded."""
    version = record.version
    if section.slug == "others" and version.non_staff_involved is not True:
        # Needed only when the outcome section says someone not on the unit's staff was involved.
        return CANNOT_START if version.non_staff_involved is None else NOT_NEEDED
    items = [item for item in STATUTORY_ITEMS if item.letter in section.letters]
    if items and all(item.check(record) for item in items):
        if section.slug == "outcome" and version.non_staff_involved is None:
            return IN_PROGRESS
        return COMPLETED
    if section.slug == "force":
        started = bool(record.interventions) or not _blank(version.place_on_ward)
    elif section.slug == "staff":
        started = bool(record.staff)
    elif section.slug == "debriefs":
        # A debrief recorded, or the yes/no answers of a version from before the debrief records.
        started = bool(record.debriefs_recorded) or any(
            not _blank(getattr(version, name, None)) for name in _LEGACY_DEBRIEF_ANSWERS + section.fields
        )
    else:
        names = _STARTED_BY.get(section.slug, section.fields)
        started = any(not _blank(getattr(version, name, None)) for name in names)
    if section.optional:
        return COMPLETED if started else OPTIONAL
    return IN_PROGRESS if started else NOT_STARTED


def statuses(record: Record) -> list[tuple[Section, str]]:
    return [(section, section_status(section, record)) for section in SECTIONS]


def all_done(record: Record) -> bool:
    """Whether every section that must be done is Completed (or not needed)."""
    return all(status in (COMPLETED, OPTIONAL, NOT_NEEDED) for _, status in statuses(record))


def details_form(section: Section, data: Any = None, *, initial: dict[str, Any]) -> IncidentDetailsForm:
    """`IncidentDetailsForm` with only the section's fields, so saving it changes nothing else."""
    form = IncidentDetailsForm(data, initial=initial)
    for name in list(form.fields):
        if name not in section.fields:
            del form.fields[name]
    return form


def section_changes(form: IncidentDetailsForm) -> dict[str, Any]:
    """The version content the section's form sets (only its own fields)."""
    content = form.content()
    shown = set(form.fields)
    pairs = {name for name, pair in IncidentDetailsForm.PAIRS.items() if pair[0] in shown}
    return {name: value for name, value in content.items() if name in shown or name in pairs}


# --- Outcome: one question for harm and other people, with an explicit "None of these" ---

HAPPENED: tuple[tuple[str, str], ...] = (
    ("patient_died", "The patient died"),
    ("patient_serious_injury", "The patient was seriously injured"),
    ("injury_patient", "The patient was injured"),
    ("injury_staff", "A member of staff was injured"),
    ("injury_others", "Someone else was injured"),
    ("abuse_alleged", "An allegation of abuse was made"),
    ("non_staff_involved", "Police or anyone else not on the unit's staff was involved"),
)
NONE_OF_THESE = "none"


class OutcomeForm(ValidatedForm):
    """Outcome in words, and "Did any of these happen?": each box answers Yes, every box left clear
    answers No, and "None of these" must be chosen on its own, so No is always an answer given, never a
    default (an unrecorded injury must not look recorded)."""

    outcome = IncidentDetailsForm.base_fields["outcome"]
    happened = forms.MultipleChoiceField(
        label="Did any of these happen?",
        required=False,
        choices=[*HAPPENED, (NONE_OF_THESE, "None of these")],
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that happened",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = data.get("happened") or []
        if NONE_OF_THESE in chosen and len(chosen) > 1:
            self.add_error("happened", "Select 'None of these' on its own, or only the things that happened")
        return data

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        chosen = set(data.get("happened") or [])
        changes: dict[str, Any] = {"outcome": (data.get("outcome") or "").strip()}
        if chosen:
            changes.update({name: name in chosen for name, _ in HAPPENED})
        return changes

    @staticmethod
    def initial_from(version: Any) -> dict[str, Any]:
        answered = [name for name, _ in HAPPENED if name != "abuse_alleged"]
        if all(getattr(version, name) is None for name in answered):
            chosen: list[str] = []
        else:
            chosen = [name for name, _ in HAPPENED if getattr(version, name)] or [NONE_OF_THESE]
        return {"outcome": version.outcome, "happened": chosen}


def summary_sections(record: Record) -> Sequence[tuple[Section, str]]:
    """The sections to show on "check your answers", with their statuses."""
    return statuses(record)
