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
from collections.abc import Callable
from contextvars import ContextVar
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
    PEOPLE_RESTRAINED_REPEATEDLY = "people_restrained_repeatedly"
    EPISODES_ENDED = "episodes_ended"
    #: Comes with each entered or imported value (FTE days available, huddles planned): decision 0043.
    ENTERED = "entered"
    NONE = "none"


class Source(StrEnum):
    """Where a measure's numbers come from (decision 0043): RRP's own records, or values per ward and
    month typed on the ward's measure values page or imported from an incident system's export."""

    RECORDS = "records"
    ENTERED = "entered"
    IMPORTED = "imported"


class Combine(StrEnum):
    """How wards' values of a measure make a provider's (or any group's) figure: counts and rates are
    summed (numerators and denominators), a level such as Safewards interventions in use (0 to 10 on
    each ward) is the mean of the wards that gave one: summed, five wards at 6 would read as 30 of 10."""

    SUM = "sum"
    MEAN = "mean"


class EntryPeriod(StrEnum):
    """How often a ward gives a value of an entered or imported measure (decision 0079): per calendar
    month, or per ISO week (Monday to Sunday) for what the ward counts week by week (huddles held,
    Safewards in use). Weekly values are charted weekly, and rolled up to months where a page shows
    months (``measures.series.roll_up_weeks``)."""

    MONTH = "month"
    WEEK = "week"


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
    PEOPLE_RESTRAINED_REPEATEDLY_PLAN_REVIEWED = "people_restrained_repeatedly_plan_reviewed"
    #: The values entered or imported per ward and month (``measures.MeasureValue``), for any source
    #: other than records.
    WARD_VALUES = "ward_values"


@dataclass(frozen=True)
class Reference:
    """A published source the measure follows (its national equivalent, or the guidance it counts)."""

    title: str
    url: str


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
    source: Source = Source.RECORDS
    references: tuple[Reference, ...] = ()
    combine: Combine = Combine.SUM
    #: Whether NHS Digital's small-number rules apply outside the provider (decision 0055): counts of
    #: events that involve people do; a ward's practice (Safewards interventions in use, huddles held)
    #: identifies no one, and rounding a level of 0 to 10 to the nearest 5 would say nothing.
    suppress_outside: bool = True
    #: Whether a ward's figures are shown exactly only to the ward's own team (issue 15 item 6, decision
    #: 0077): the patients' weekly check, where a few answers on a small ward would say who answered what.
    #: Everyone else, the provider's governance included, sees them suppressed, and the provider total too.
    suppress_outside_ward: bool = False
    #: Per month or per ISO week (entered or imported measures only; decision 0079).
    entry_period: EntryPeriod = EntryPeriod.MONTH

    @property
    def weekly(self) -> bool:
        """True when a ward gives a value each ISO week (Monday start) rather than each month."""
        return self.entry_period is EntryPeriod.WEEK

    @property
    def from_values(self) -> bool:
        """True when the numbers are entered or imported per ward and month, not counted from records."""
        return self.source is not Source.RECORDS

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
OPTIONAL_FIELDS = (
    "source",
    "references",
    "combine",
    "suppress_outside",
    "suppress_outside_ward",
    "entry_period",
)
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
RATE_CHARTS = {Chart.P, Chart.PPRIME, Chart.U, Chart.UPRIME, Chart.FUNNEL}
INTERVAL_CHARTS = {Chart.G, Chart.T}
VALUE_DENOMINATORS = {Denominator.OCCUPIED_BED_DAYS, Denominator.ENTERED, Denominator.NONE}


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
    needs_threshold = {Counts.REPEAT_INTERVENTIONS, Counts.PEOPLE_RESTRAINED_REPEATEDLY_PLAN_REVIEWED}
    if counts in needs_threshold and numbers["repeat_threshold"] is None:
        raise MeasureDefinitionError(
            path=path,
            field="numerator.repeat_threshold",
            reason=f"{counts} needs a repeat_threshold",
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
    unknown = set(data) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS)
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
    source = _choice(Source, data.get("source", "records"), path=path, field="source")
    if (source is Source.RECORDS) == (numerator.counts is Counts.WARD_VALUES):
        raise MeasureDefinitionError(
            path=path,
            field="numerator.counts",
            reason="ward_values goes with a source of entered or imported, and only with those",
        )
    if source is not Source.RECORDS and denominator not in VALUE_DENOMINATORS:
        raise MeasureDefinitionError(
            path=path,
            field="denominator",
            reason="an entered or imported measure is over occupied_bed_days, entered or none",
        )
    if (denominator is Denominator.ENTERED) and source is Source.RECORDS:
        raise MeasureDefinitionError(
            path=path, field="denominator", reason="entered goes with a source of entered or imported"
        )
    references = _references(data.get("references", []), path=path)
    combine = _choice(Combine, data.get("combine", "sum"), path=path, field="combine")
    if combine is Combine.MEAN and denominator is not Denominator.NONE:
        raise MeasureDefinitionError(
            path=path,
            field="combine",
            reason="mean goes with a measure with no denominator (a level per ward)",
        )
    suppress_outside, suppress_outside_ward = _suppression(data, source=source, path=path)
    entry_period = _choice(EntryPeriod, data.get("entry_period", "month"), path=path, field="entry_period")
    if entry_period is EntryPeriod.WEEK and source is Source.RECORDS:
        raise MeasureDefinitionError(
            path=path, field="entry_period", reason="week goes with a source of entered or imported"
        )
    if entry_period is EntryPeriod.WEEK and denominator is Denominator.OCCUPIED_BED_DAYS:
        raise MeasureDefinitionError(
            path=path,
            field="entry_period",
            reason="week goes with a denominator of entered or none (a week straddles two months of bed days)",
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
        source=source,
        references=references,
        combine=combine,
        suppress_outside=suppress_outside,
        suppress_outside_ward=suppress_outside_ward,
        entry_period=entry_period,
    )


def _suppression(data: dict[str, Any], *, source: Source, path: Path) -> tuple[bool, bool]:
    """The definition's ``suppress_outside`` and ``suppress_outside_ward`` flags, checked together: a
    measure counted from records is always suppressed outside the provider, and one suppressed outside
    the ward is suppressed outside the provider too."""
    suppress_outside = data.get("suppress_outside", True)
    if not isinstance(suppress_outside, bool):
        raise MeasureDefinitionError(path=path, field="suppress_outside", reason="must be true or false")
    if not suppress_outside and source is Source.RECORDS:
        raise MeasureDefinitionError(
            path=path, field="suppress_outside", reason="a measure counted from records is always suppressed"
        )
    suppress_outside_ward = data.get("suppress_outside_ward", False)
    if not isinstance(suppress_outside_ward, bool):
        raise MeasureDefinitionError(path=path, field="suppress_outside_ward", reason="must be true or false")
    if suppress_outside_ward and not suppress_outside:
        raise MeasureDefinitionError(
            path=path,
            field="suppress_outside_ward",
            reason="a measure suppressed outside the ward is suppressed outside the provider too",
        )
    return suppress_outside, suppress_outside_ward


def _references(data: Any, *, path: Path) -> tuple[Reference, ...]:
    if not isinstance(data, list):
        raise MeasureDefinitionError(path=path, field="references", reason="must be a list")
    out = []
    for index, item in enumerate(data):
        field = f"references[{index}]"
        if not isinstance(item, dict) or set(item) != {"title", "url"}:
            raise MeasureDefinitionError(path=path, field=field, reason="must hold a title and a url only")
        url = _text(item, "url", path=path, field=f"{field}.url")
        if not url.startswith("https://"):
            raise MeasureDefinitionError(path=path, field=f"{field}.url", reason="must start https://")
        out.append(Reference(title=_text(item, "title", path=path, field=f"{field}.title"), url=url))
    return tuple(out)


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
def shipped_measures() -> dict[str, MeasureDefinition]:
    """The measures shipped as files (loaded once per process)."""
    return load_definitions(DEFINITIONS_DIR)


# The definitions approved on the catalogue's pages (decision 0055), the newest version of each, as last
# read from the database by ``measures.governance.refresh_catalogue`` (the first time a request reads the
# catalogue, and by the commands that chart). Nothing here reads the database, so the catalogue stays a
# pure function of the files and this overlay.
_approved: dict[str, MeasureDefinition] = {}
_merged: tuple[int, dict[str, MeasureDefinition]] | None = None

#: Set for the length of a request by ``measures.governance.CatalogueMiddleware``: called once, the first
#: time the request reads the catalogue, to bring the overlay up to date. A request that never reads the
#: catalogue (signing in, recording an incident, most pages) so costs no query for it (decision 0079).
before_read: ContextVar[Callable[[], None] | None] = ContextVar("catalogue_before_read", default=None)


def use_approved(approved: dict[str, MeasureDefinition]) -> None:
    """Install the approved definitions (``measures.governance`` calls this): where one has the slug of a
    shipped measure it replaces it only when its version is higher, so a later file wins over an older
    approval."""
    global _approved, _merged
    _approved, _merged = dict(approved), None


def all_measures() -> dict[str, MeasureDefinition]:
    """Every measure in the catalogue: the shipped files and the definitions approved on its pages."""
    global _merged
    hook = before_read.get()
    if hook is not None:
        before_read.set(None)  # once per request, and not again from inside the hook
        hook()
    approved = _approved
    if _merged is not None and _merged[0] == id(approved):
        return _merged[1]
    measures = dict(shipped_measures())
    for slug, definition in approved.items():
        if slug not in measures or definition.version > measures[slug].version:
            measures[slug] = definition
    _merged = (id(approved), measures)
    return measures


def measure(slug: str) -> MeasureDefinition:
    """One shipped measure by slug; KeyError names the slug if there is none."""
    try:
        return all_measures()[slug]
    except KeyError:
        raise KeyError(f"no measure named {slug!r}") from None
