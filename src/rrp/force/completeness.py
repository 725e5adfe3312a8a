"""Is a use-of-force record complete enough for the law? Mental Health Units (Use of Force) Act 2018
s6(5) lists sixteen items, (a) to (p), that every record must hold. Each item maps to fields below;
`missing_items` names, in plain words, each item that is not yet there.

A draft may be saved at any point; only submission requires completeness. Pure functions over
objects with the right attributes (model instances, saved or not), so they are tested without a
database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from rrp.force.codes import REASONS_NEEDING_TEXT

# Patient characteristics copied into each version (s6(5)(k): relevant characteristics, taken to be the
# Equality Act 2010 protected characteristics, see domain notes R1.2 s13 caveat).
RELEVANT_CHARACTERISTICS: tuple[str, ...] = (
    "age",
    "sex",
    "gender_identity",
    "ethnic_category",
    "religion",
    "sexual_orientation",
    "disability",
    "pregnancy",
)


@dataclass(frozen=True)
class Record:
    """What the completeness check looks at: one version's content, its children, and the patient."""

    version: Any
    interventions: Sequence[Any]
    staff: Sequence[Any]
    patient: Any
    #: The kinds of debrief recorded for the incident (``force.models.Debrief``): the task list's status.
    debriefs_recorded: frozenset[str] = frozenset()


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return value == [] or value == {}


def _reason(r: Record) -> bool:
    v = r.version
    if _blank(v.reason_code):
        return False
    return not (v.reason_code in REASONS_NEEDING_TEXT and _blank(v.reason_text))


def _place_date_duration(r: Record) -> bool:
    v = r.version
    if _blank(v.place_on_ward) or v.occurred_at is None or v.ended_at is None:
        return False
    return all(i.ended_at is not None for i in r.interventions)


def _types(r: Record) -> bool:
    return len(r.interventions) > 0 and all(not _blank(i.type_code) for i in r.interventions)


def _care_plan(r: Record) -> bool:
    return len(r.interventions) > 0 and all(i.in_care_plan is not None for i in r.interventions)


def _patient_name(r: Record) -> bool:
    return not _blank(r.patient.given_name) and not _blank(r.patient.family_name)


def _identifier(r: Record) -> bool:
    return not _blank(r.patient.nhs_number)


def _staff(r: Record) -> bool:
    return len(r.staff) > 0 and all(not _blank(s.name) and not _blank(s.job_title) for s in r.staff)


def _non_staff(r: Record) -> bool:
    v = r.version
    if v.non_staff_involved is None:
        return False
    if v.non_staff_involved:
        return not _blank(v.non_staff_types) and not _blank(v.non_staff_reason)
    return True


def _snapshot_has(*keys: str) -> Callable[[Record], bool]:
    # "(if known)": a characteristic recorded as not known still counts; a snapshot without it does not.
    wanted = frozenset(keys)

    def check(r: Record) -> bool:
        snapshot = r.version.patient_snapshot or {}
        return wanted.issubset(snapshot)

    return check


def _outcome(r: Record) -> bool:
    return not _blank(r.version.outcome)


def _death_or_injury(r: Record) -> bool:
    return r.version.patient_died is not None and r.version.patient_serious_injury is not None


def _efforts(r: Record) -> bool:
    return not _blank(r.version.deescalation) or not _blank(r.version.deescalation_text)


def _care_plan_notification(r: Record) -> bool:
    v = r.version
    if v.care_plan_notification_sent is None:
        return False
    if v.care_plan_notification_sent:
        return not _blank(v.care_plan_notified_to) and v.care_plan_notified_at is not None
    return True


@dataclass(frozen=True)
class StatutoryItem:
    letter: str
    label: str
    fields: tuple[str, ...]
    check: Callable[[Record], bool]

    def __str__(self) -> str:
        return f"({self.letter}) {self.label}"


STATUTORY_ITEMS: tuple[StatutoryItem, ...] = (
    StatutoryItem("a", "Reason for the use of force", ("reason_code", "reason_text"), _reason),
    StatutoryItem(
        "b",
        "Place, date and duration",
        ("ward", "place_on_ward", "occurred_at", "ended_at", "interventions.ended_at"),
        _place_date_duration,
    ),
    StatutoryItem("c", "Type or types of force used", ("interventions.type_code",), _types),
    StatutoryItem(
        "d",
        "Whether each type of force was part of the patient's care plan",
        ("interventions.in_care_plan",),
        _care_plan,
    ),
    StatutoryItem("e", "Name of the patient", ("patient.given_name", "patient.family_name"), _patient_name),
    StatutoryItem(
        "f", "How force was used", ("how_force_used",), lambda r: not _blank(r.version.how_force_used)
    ),
    StatutoryItem("g", "Patient's NHS number", ("patient.nhs_number",), _identifier),
    StatutoryItem(
        "h",
        "Name and job title of each member of staff who used force",
        ("staff.name", "staff.job_title"),
        _staff,
    ),
    StatutoryItem(
        "i",
        "Why anyone who is not on the unit's staff was involved",
        ("non_staff_involved", "non_staff_types", "non_staff_reason"),
        _non_staff,
    ),
    StatutoryItem(
        "j",
        "Patient's mental disorder",
        ("patient_snapshot.primary_mental_disorder",),
        _snapshot_has("primary_mental_disorder"),
    ),
    StatutoryItem(
        "k",
        "Patient's relevant characteristics",
        tuple(f"patient_snapshot.{key}" for key in RELEVANT_CHARACTERISTICS),
        _snapshot_has(*RELEVANT_CHARACTERISTICS),
    ),
    StatutoryItem(
        "l",
        "Whether the patient has a learning disability or autism",
        ("patient_snapshot.learning_disability", "patient_snapshot.autism"),
        _snapshot_has("learning_disability", "autism"),
    ),
    StatutoryItem("m", "Outcome", ("outcome",), _outcome),
    StatutoryItem(
        "n",
        "Whether the patient died or was seriously injured",
        ("patient_died", "patient_serious_injury"),
        _death_or_injury,
    ),
    StatutoryItem("o", "Efforts made to avoid force", ("deescalation", "deescalation_text"), _efforts),
    StatutoryItem(
        "p",
        "Whether the care-plan notification was sent (to whom and when)",
        ("care_plan_notification_sent", "care_plan_notified_to", "care_plan_notified_at"),
        _care_plan_notification,
    ),
)

# Where the negligible-force exemption applies, the record must still say where and when, and how.
NEGLIGIBLE_FORCE_ITEMS = frozenset({"b", "e", "f"})
NEGLIGIBLE_JUSTIFICATION = "Why the force was negligible (a written justification)"


def negligible_force_exemption_enabled() -> bool:
    """Off by default: everything is recorded in full (domain notes R1.5; guidance threshold unverified)."""
    return bool(getattr(settings, "RRP_FORCE_NEGLIGIBLE_EXEMPTION", False))


def _items_for(version: Any, exemption_enabled: bool) -> tuple[tuple[StatutoryItem, ...], bool]:
    """The items this version must record, and whether it lacks the negligible-force justification."""
    if exemption_enabled and version.negligible_force:
        return _NEGLIGIBLE_ITEMS, _blank(version.negligible_force_justification)
    return STATUTORY_ITEMS, False


_NEGLIGIBLE_ITEMS = tuple(item for item in STATUTORY_ITEMS if item.letter in NEGLIGIBLE_FORCE_ITEMS)


def missing_items(
    *,
    version: Any,
    interventions: Iterable[Any],
    staff: Iterable[Any],
    patient: Any,
    exemption_enabled: bool | None = None,
) -> list[str]:
    """The s6(5) items not yet recorded, in plain words, e.g. "(f) How force was used"."""
    record = Record(version=version, interventions=list(interventions), staff=list(staff), patient=patient)
    if exemption_enabled is None:
        exemption_enabled = negligible_force_exemption_enabled()
    items, unjustified = _items_for(version, exemption_enabled)
    missing = [str(item) for item in items if not item.check(record)]
    return [*missing, NEGLIGIBLE_JUSTIFICATION] if unjustified else missing


# Items (e) and (g) live on the patient's record, not the version: a name or NHS number filled in after
# the incident was recorded completes them without a new version. So the flag stored on each version
# (`IncidentVersion.statutory_items_complete`) covers every other item, and whoever counts complete
# records joins the patient for these two (measures.series).
PATIENT_RECORD_ITEMS = frozenset({"e", "g"})


def version_items_complete(
    *,
    version: Any,
    interventions: Iterable[Any],
    staff: Iterable[Any],
    exemption_enabled: bool | None = None,
) -> bool:
    """Whether the version, with its interventions and staff, records every s6(5) item that is not on the
    patient's record: ``missing_items`` finds nothing but items (e) and (g) (see PATIENT_RECORD_ITEMS).

    The same items and checks as ``missing_items``, stopping at the first one missing, since the services,
    the CSV import and the demo each run it for every version they write, to store
    ``IncidentVersion.statutory_items_complete`` (with the negligible-force switch as it is then).
    """
    if exemption_enabled is None:
        exemption_enabled = negligible_force_exemption_enabled()
    items, unjustified = _items_for(version, exemption_enabled)
    if unjustified:
        return False
    record = Record(version=version, interventions=list(interventions), staff=list(staff), patient=None)
    return all(item.check(record) for item in items if item.letter not in PATIENT_RECORD_ITEMS)
