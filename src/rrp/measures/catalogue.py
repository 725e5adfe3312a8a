"""Measure definitions: reviewed data files loaded into frozen dataclasses.

Each measure is one JSON file under ``measures/definitions/`` (the file name is the measure's slug), so a
change to a measure is a reviewed diff with its author and checker, like OpenPrescribing's measure
definitions. Loading validates every field and names the file and field of any problem; nothing here
touches the database. See docs/measures.md.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from rrp.force.codes import InterventionType
from rrp.spc import Chart, ImprovementDirection

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"

# NHS Digital MHSDS restrictive-intervention metrics (Mental Health Services Monthly Statistics measure ids).
MHSDS_METRICS = {
    "MHS76": "Number of people subject to restrictive interventions",
    "MHS77": "Number of restrictive interventions",
    "MHS96": "Restrictive interventions per 1,000 hospital-spell bed days",
    "MHS97": "Percentage of people in hospital subject to restrictive interventions",
    "MHS98": "Mean minutes of restrictive intervention",
    "MHS117": "Restrictive interventions per 1,000 ward-stay bed days",
    "MHS136": "Number of restrictive intervention incidents",
    "MHS137": "Average restrictive interventions per incident",
    "MHS146": "Mean days of active seclusion",
    "MHS147": "Mean days of active segregation",
}


class MeasureKind(StrEnum):
    """The family of the measure: outcome, process or balancing (Model for Improvement), or data quality."""

    OUTCOME = "outcome"
    PROCESS = "process"
    BALANCING = "balancing"
    DATA_QUALITY = "data_quality"


class Denominator(StrEnum):
    """What the numerator is divided by. NONE is a plain count (or, for g and t charts, days between)."""

    OCCUPIED_BED_DAYS = "occupied_bed_days"
    INCIDENTS = "incidents"
    INTERVENTIONS = "interventions"
    PEOPLE = "people"
    ADMISSIONS = "admissions"
    RESPONSES = "responses"
    EPISODES_ENDED = "episodes_ended"
    NONE = "none"


class Counts(StrEnum):
    """What the numerator counts in the records (the series code reads this, not the wording)."""

    INTERVENTIONS = "interventions"
    INCIDENTS = "incidents"
    PEOPLE = "people"
    REPEAT_INTERVENTIONS = "repeat_interventions"
    HOURS = "hours"
    DAYS_BETWEEN = "days_between"
    INCIDENTS_WITH_PATIENT_INJURY = "incidents_with_patient_injury"
    INCIDENTS_WITH_STAFF_INJURY = "incidents_with_staff_injury"
    INCIDENTS_WITH_PATIENT_DEBRIEF = "incidents_with_patient_debrief"
    INCIDENTS_COMPLETE = "incidents_complete"
    EPISODES_REVIEWED_ON_TIME = "episodes_reviewed_on_time"
    INCIDENTS_PATIENT_DEBRIEF_OFFERED_72H = "incidents_patient_debrief_offered_72h"
    INCIDENTS_PATIENT_DEBRIEF_HELD_72H = "incidents_patient_debrief_held_72h"
    ADMISSIONS_RIGHTS_INFORMATION = "admissions_rights_information"
    VOICE_FELT_SAFE = "voice_felt_safe"
    VOICE_RESPECTED = "voice_respected"


@dataclass(frozen=True)
class Numerator:
    """What is counted: a plain-English description plus the machine-readable selection."""

    description: str
    counts: Counts
    intervention_types: tuple[str, ...] = ()
    minimum_minutes: int | None = None
    repeat_threshold: int | None = None


@dataclass(frozen=True)
class MeasureDefinition:
    """One reviewed measure. ``multiplier`` scales the ratio (1,000 for per 1,000 bed days, 100 for %)."""

    slug: str
    version: int
    name: str
    kind: MeasureKind
    why_it_matters: str
    numerator: Numerator
    denominator: Denominator
    unit: str
    multiplier: float
    improvement_direction: ImprovementDirection
    default_chart: Chart
    mhsds_metric: str | None
    authored_by: str
    checked_by: str
    next_review: dt.date

    @property
    def lowest_value(self) -> float | None:
        """The lowest value the measure can take, where its chart's lower limits are floored (Making Data
        Count draws no limit below what is possible). Every numerator here counts records, hours or days
        and every denominator is a count, so each measure is 0 or more; a measure that could go below 0
        (a change from a baseline) would return None."""
        return 0.0

    def review_overdue(self, *, today: dt.date) -> bool:
        """True once the next review date has passed: the measure is still used, but flagged."""
        return today > self.next_review


class MeasureDefinitionError(ValueError):
    """A definition file is wrong; the message names the file and the field."""

    def __init__(self, *, path: Path | str, field: str, reason: str) -> None:
        self.path, self.field, self.reason = str(path), field, reason
        super().__init__(f"{Path(path).name}: {field}: {reason}")


REQUIRED_FIELDS = (
    "version",
    "name",
    "kind",
    "why_it_matters",
    "numerator",
    "denominator",
    "unit",
    "multiplier",
    "improvement_direction",
    "default_chart",
    "mhsds_metric",
    "authored_by",
    "checked_by",
    "next_review",
)
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
RATE_CHARTS = {Chart.P, Chart.PPRIME, Chart.U, Chart.UPRIME, Chart.FUNNEL}
INTERVAL_CHARTS = {Chart.G, Chart.T}


def _choice(enum: type[StrEnum], value: Any, *, path: Path, field: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(m.value for m in enum)
        raise MeasureDefinitionError(
            path=path, field=field, reason=f"{value!r} is not one of {choices}"
        ) from None


def _text(data: dict[str, Any], key: str, *, path: Path, field: str | None = None) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise MeasureDefinitionError(path=path, field=field or key, reason="enter some text")
    return value.strip()


def _numerator(data: Any, *, path: Path) -> Numerator:
    if not isinstance(data, dict):
        raise MeasureDefinitionError(path=path, field="numerator", reason="must be an object")
    unknown = set(data) - {
        "description",
        "counts",
        "intervention_types",
        "minimum_minutes",
        "repeat_threshold",
    }
    if unknown:
        raise MeasureDefinitionError(
            path=path, field="numerator", reason=f"unknown field(s) {sorted(unknown)}"
        )
    types = data.get("intervention_types", [])
    valid_types = set(InterventionType.values)
    if not isinstance(types, list) or any(t not in valid_types for t in types):
        raise MeasureDefinitionError(
            path=path,
            field="numerator.intervention_types",
            reason=f"{types!r} must be a list of MHSDS intervention type codes ({', '.join(sorted(valid_types))})",
        )
    numbers = {}
    for key in ("minimum_minutes", "repeat_threshold"):
        value = data.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise MeasureDefinitionError(
                path=path, field=f"numerator.{key}", reason="must be a whole number ≥ 1"
            )
        numbers[key] = value
    counts = _choice(Counts, data.get("counts"), path=path, field="numerator.counts")
    if counts is Counts.REPEAT_INTERVENTIONS and numbers["repeat_threshold"] is None:
        raise MeasureDefinitionError(
            path=path,
            field="numerator.repeat_threshold",
            reason="repeat_interventions needs a repeat_threshold",
        )
    return Numerator(
        description=_text(data, "description", path=path, field="numerator.description"),
        counts=counts,
        intervention_types=tuple(types),
        **numbers,
    )


def parse_definition(data: Any, *, path: Path) -> MeasureDefinition:  # noqa: C901  (a flat list of field checks, each naming its field)
    """Validate one definition's parsed JSON and return it as a frozen dataclass."""
    if not isinstance(data, dict):
        raise MeasureDefinitionError(path=path, field="(file)", reason="must hold one JSON object")
    slug = Path(path).stem
    if not SLUG.match(slug):
        raise MeasureDefinitionError(
            path=path, field="(file name)", reason="use lower-case words joined by -"
        )
    for key in REQUIRED_FIELDS:
        if key not in data:
            raise MeasureDefinitionError(path=path, field=key, reason="is missing")
    unknown = set(data) - set(REQUIRED_FIELDS)
    if unknown:
        raise MeasureDefinitionError(path=path, field=sorted(unknown)[0], reason="is not a known field")
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise MeasureDefinitionError(path=path, field="version", reason="must be a whole number ≥ 1")
    multiplier = data["multiplier"]
    if not isinstance(multiplier, (int, float)) or isinstance(multiplier, bool) or multiplier <= 0:
        raise MeasureDefinitionError(path=path, field="multiplier", reason="must be a number above 0")
    denominator = _choice(Denominator, data["denominator"], path=path, field="denominator")
    chart = _choice(Chart, data["default_chart"], path=path, field="default_chart")
    if chart in RATE_CHARTS and denominator is Denominator.NONE:
        raise MeasureDefinitionError(
            path=path, field="default_chart", reason=f"a {chart} chart needs a denominator, and this has none"
        )
    if chart in INTERVAL_CHARTS | {Chart.C} and denominator is not Denominator.NONE:
        raise MeasureDefinitionError(
            path=path, field="default_chart", reason=f"a {chart} chart plots counts or gaps, not a ratio"
        )
    if denominator is Denominator.NONE and multiplier != 1:
        raise MeasureDefinitionError(
            path=path, field="multiplier", reason="a plain count has a multiplier of 1"
        )
    numerator = _numerator(data["numerator"], path=path)
    if (chart in INTERVAL_CHARTS) != (numerator.counts is Counts.DAYS_BETWEEN):
        raise MeasureDefinitionError(
            path=path,
            field="default_chart",
            reason="g and t charts go with numerator.counts days_between only",
        )
    if (numerator.counts is Counts.EPISODES_REVIEWED_ON_TIME) != (denominator is Denominator.EPISODES_ENDED):
        raise MeasureDefinitionError(
            path=path,
            field="denominator",
            reason="episodes_reviewed_on_time goes with the denominator episodes_ended only",
        )
    if numerator.counts is Counts.EPISODES_REVIEWED_ON_TIME and not set(numerator.intervention_types) <= {
        "05",
        "06",
    }:
        raise MeasureDefinitionError(
            path=path,
            field="numerator.intervention_types",
            reason="episodes are seclusion (05) and long-term segregation (06) only",
        )
    metric = data["mhsds_metric"]
    if metric is not None and metric not in MHSDS_METRICS:
        raise MeasureDefinitionError(
            path=path, field="mhsds_metric", reason=f"{metric!r} is not a known MHSDS metric (or use null)"
        )
    authored_by = _text(data, "authored_by", path=path)
    checked_by = _text(data, "checked_by", path=path)
    if authored_by.casefold() == checked_by.casefold():
        raise MeasureDefinitionError(
            path=path, field="checked_by", reason="must be someone other than the author"
        )
    try:
        next_review = dt.date.fromisoformat(data["next_review"])
    except (TypeError, ValueError):
        raise MeasureDefinitionError(
            path=path, field="next_review", reason="enter a date as YYYY-MM-DD, for example 2027-05-31"
        ) from None
    return MeasureDefinition(
        slug=slug,
        version=version,
        name=_text(data, "name", path=path),
        kind=_choice(MeasureKind, data["kind"], path=path, field="kind"),
        why_it_matters=_text(data, "why_it_matters", path=path),
        numerator=numerator,
        denominator=denominator,
        unit=_text(data, "unit", path=path),
        multiplier=float(multiplier),
        improvement_direction=_choice(
            ImprovementDirection, data["improvement_direction"], path=path, field="improvement_direction"
        ),
        default_chart=chart,
        mhsds_metric=metric,
        authored_by=authored_by,
        checked_by=checked_by,
        next_review=next_review,
    )


def load_definitions(directory: Path | str = DEFINITIONS_DIR) -> dict[str, MeasureDefinition]:
    """Read and validate every ``*.json`` definition in the directory, keyed by slug, in file-name order."""
    measures: dict[str, MeasureDefinition] = {}
    for path in sorted(Path(directory).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as problem:
            raise MeasureDefinitionError(
                path=path, field="(file)", reason=f"not valid JSON at line {problem.lineno}: {problem.msg}"
            ) from None
        definition = parse_definition(data, path=path)
        measures[definition.slug] = definition
    return measures


@cache
def all_measures() -> dict[str, MeasureDefinition]:
    """The shipped measures (loaded once per process)."""
    return load_definitions(DEFINITIONS_DIR)


def measure(slug: str) -> MeasureDefinition:
    """One shipped measure by slug; KeyError names the slug if there is none."""
    try:
        return all_measures()[slug]
    except KeyError:
        raise KeyError(f"no measure named {slug!r}") from None
