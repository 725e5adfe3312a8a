"""Who is restrained: restrictive interventions by ethnic group, sex, age band, learning disability and
autism, as rates per 1,000 occupied bed days OF EACH GROUP and rate ratios against a reference group.

Counting the numerator (docs/equity.md):
- the same interventions as the "restrictive interventions per 1,000 occupied bed days" measure: the
  latest version of each incident (``measures.series.latest_interventions``), every MHSDS type, started
  in the window on these wards, plus seclusion and segregation episodes that no incident records;
- each intervention is put in the group of the patient **as they were at the time**: the characteristics
  copied into the incident version (``IncidentVersion.patient_snapshot``, Use of Force Act s6(5)(j)-(l)),
  falling back to the patient's current record where the snapshot lacks a value, and for episodes (which
  keep no snapshot);
- people are distinct patients with at least one intervention in the group.

The denominator is the occupied bed days of the group, from ward stays (``people.WardStay``): each
stay's nights within the window on these wards (admitted on day A and leaving on day B counts the nights
A..B-1, the NHS convention used by ``people.services.daily_census``), grouped by the patient's
**current** record (ethnic group, sex, learning disability, autism) and their age at the start of each
quarter. One query reads the stays; numpy splits them into quarters, never a loop per patient.

Rate ratios compare each group's rate with a reference group's: the log-scale (Wald) 95% interval
``exp(log RR ± 1.96 × sqrt(1/a + 1/b))`` when both groups have interventions; when the group has none,
the ratio is 0 and the upper limit is exact (Clopper-Pearson, conditional on the total count, as in
Poisson rate comparisons); when the reference group has none there is no ratio at all. Nothing is
smoothed and no continuity correction is added, so every shown figure can be checked by hand.

Inside the provider small numbers are shown as they are (with their wide intervals); for anyone the
figures leave the provider to, every count goes through NHS Digital's suppression
(``measures.suppression``) and rates and ratios are hidden wherever a count they rest on is hidden.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd
from django.db.models import Count, F, Q
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone
from markupsafe import Markup
from scipy import stats

from rrp.accounts.models import User
from rrp.accounts.roles import Role
from rrp.charts.rate_ratio import (
    RatioPoint,
    describe_forest_plot,
    describe_over_time,
    forest_plot_spec,
    rate_ratio_over_time_spec,
    ratio_table_html,
)
from rrp.core.times import local_midnight
from rrp.force.codes import InterventionType
from rrp.force.selectors import recorded_types
from rrp.measures.catalogue import MeasureDefinition, measure
from rrp.measures.series import EPISODE_TYPES, Period, latest_interventions, period_starts
from rrp.measures.suppression import SMALLEST_SHOWN_BED_DAYS, SMALLEST_SHOWN_COUNT, round_half_up
from rrp.organisations.models import Provider
from rrp.organisations.selectors import period_of
from rrp.people.codes import ETHNIC_GROUPS
from rrp.people.models import Patient, WardStay
from rrp.reports.measure_charts import reporting_window
from rrp.reports.panels import ChartPanel
from rrp.segregation.selectors import intervention_spans

MEASURE_SLUG = "restrictive-interventions-per-1000-obd"
PER = 1000
Z_95 = 1.959963984540054
SMALL_NUMBERS = 10  # fewer interventions than this: say the interval is wide


# --- The characteristics and their groups ---------------------------------------------------------


class Characteristic(StrEnum):
    ETHNICITY = "ethnicity"
    SEX = "sex"
    AGE = "age"
    LEARNING_DISABILITY = "learning_disability"
    AUTISM = "autism"


NOT_KNOWN = "Not known"
ETHNIC_UNKNOWN = "Not stated or not known"
AGE_BANDS = ("Under 18", "18 to 25", "26 to 35", "36 to 45", "46 to 64", "65 and over")
AGE_EDGES = (-np.inf, 18, 26, 36, 46, 65, np.inf)
SEX_GROUPS = {"1": "Male", "2": "Female", "9": "Indeterminate", "X": NOT_KNOWN}
YES_NO_GROUPS = {"Y": "Yes", "N": "No", "U": NOT_KNOWN}


@dataclass(frozen=True)
class CharacteristicInfo:
    """How one characteristic is grouped, ordered and named in sentences."""

    key: Characteristic
    label: str
    groups: tuple[str, ...]
    unknown: str
    phrases: Mapping[str, str]  # the group as the subject of a sentence

    def subject(self, group: str) -> str:
        return self.phrases.get(group, f"Patients in the group {group}")

    def object(self, group: str) -> str:
        """The group later in a sentence: "as White patients", "as patients aged 18 to 25"."""
        phrase = self.subject(group)
        first = phrase.split(" ", 1)[0]
        return (
            phrase[0].lower() + phrase[1:] if first in {"Patients", "Male", "Female", "Autistic"} else phrase
        )


CHARACTERISTICS: dict[Characteristic, CharacteristicInfo] = {
    Characteristic.ETHNICITY: CharacteristicInfo(
        Characteristic.ETHNICITY,
        "Ethnic group",
        (
            "White",
            "Mixed",
            "Asian or Asian British",
            "Black or Black British",
            "Other ethnic group",
            ETHNIC_UNKNOWN,
        ),
        ETHNIC_UNKNOWN,
        {
            "White": "White patients",
            "Mixed": "Patients of mixed ethnicity",
            "Asian or Asian British": "Asian or Asian British patients",
            "Black or Black British": "Black or Black British patients",
            "Other ethnic group": "Patients of another ethnic group",
            ETHNIC_UNKNOWN: "Patients whose ethnic group was not stated or not known",
        },
    ),
    Characteristic.SEX: CharacteristicInfo(
        Characteristic.SEX,
        "Sex",
        ("Male", "Female", "Indeterminate", NOT_KNOWN),
        NOT_KNOWN,
        {
            "Male": "Male patients",
            "Female": "Female patients",
            "Indeterminate": "Patients recorded as indeterminate sex",
            NOT_KNOWN: "Patients whose sex was not known",
        },
    ),
    Characteristic.AGE: CharacteristicInfo(
        Characteristic.AGE,
        "Age band",
        (*AGE_BANDS, NOT_KNOWN),
        NOT_KNOWN,
        {
            "Under 18": "Patients under 18",
            **{band: f"Patients aged {band}" for band in AGE_BANDS[1:]},
            NOT_KNOWN: "Patients whose age was not known",
        },
    ),
    Characteristic.LEARNING_DISABILITY: CharacteristicInfo(
        Characteristic.LEARNING_DISABILITY,
        "Learning disability",
        ("Yes", "No", NOT_KNOWN),
        NOT_KNOWN,
        {
            "Yes": "Patients with a learning disability",
            "No": "Patients without a recorded learning disability",
            NOT_KNOWN: "Patients whose learning disability status was not known",
        },
    ),
    Characteristic.AUTISM: CharacteristicInfo(
        Characteristic.AUTISM,
        "Autism",
        ("Yes", "No", NOT_KNOWN),
        NOT_KNOWN,
        {
            "Yes": "Autistic patients",
            "No": "Patients not recorded as autistic",
            NOT_KNOWN: "Patients whose autism status was not known",
        },
    ),
}


def _age_bands(ages: pd.Series) -> pd.Series:
    bands = pd.cut(pd.to_numeric(ages, errors="coerce"), bins=list(AGE_EDGES), right=False, labels=AGE_BANDS)
    return bands.astype(object).where(bands.notna(), NOT_KNOWN)


def group_columns(
    *, ethnic: pd.Series, sex: pd.Series, age: pd.Series, learning_disability: pd.Series, autism: pd.Series
) -> pd.DataFrame:
    """The group of each row for every characteristic, from national codes (and ages in years)."""
    return pd.DataFrame(
        {
            Characteristic.ETHNICITY: ethnic.map(ETHNIC_GROUPS).fillna(ETHNIC_UNKNOWN),
            Characteristic.SEX: sex.map(SEX_GROUPS).fillna(NOT_KNOWN),
            Characteristic.AGE: _age_bands(age),
            Characteristic.LEARNING_DISABILITY: learning_disability.map(YES_NO_GROUPS).fillna(NOT_KNOWN),
            Characteristic.AUTISM: autism.map(YES_NO_GROUPS).fillna(NOT_KNOWN),
        },
        index=ethnic.index,
    )


# --- Statistics ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateRatio:
    """A rate ratio with its 95% interval. ``method``: "log" (Wald on the log scale), "exact" (the group
    had no interventions: ratio 0, exact upper limit) or "undefined" (no reference rate to compare with)."""

    ratio: float | None
    low: float | None
    high: float | None
    method: str

    @property
    def defined(self) -> bool:
        return self.ratio is not None


UNDEFINED = RateRatio(None, None, None, "undefined")


def rate_per_1000(count: float, bed_days: float) -> float | None:
    """Interventions per 1,000 occupied bed days; None where there are no bed days."""
    return count / bed_days * PER if bed_days > 0 else None


def rate_ratio(count: float, bed_days: float, reference_count: float, reference_bed_days: float) -> RateRatio:
    """The group's rate over the reference group's, with a 95% interval.

    Both counts above zero: RR = (a / Ta) / (b / Tb), interval exp(log RR ± 1.96 × sqrt(1/a + 1/b)).
    The group's count zero: RR = 0, lower limit 0, upper limit exact: conditional on the n = b events in
    both groups, a ~ Binomial(n, p) with p = Ta·RR / (Ta·RR + Tb); the Clopper-Pearson upper limit for
    p with a = 0 is 1 − 0.025^(1/n), and RR_upper = p / (1 − p) × Tb / Ta.
    The reference count (or either group's bed days) zero: no ratio.
    """
    if bed_days <= 0 or reference_bed_days <= 0 or reference_count <= 0:
        return UNDEFINED
    if count <= 0:
        p_upper = float(stats.beta.ppf(0.975, 1, reference_count))
        return RateRatio(0.0, 0.0, p_upper / (1 - p_upper) * reference_bed_days / bed_days, "exact")
    ratio = (count / bed_days) / (reference_count / reference_bed_days)
    spread = Z_95 * math.sqrt(1 / count + 1 / reference_count)
    return RateRatio(ratio, ratio * math.exp(-spread), ratio * math.exp(spread), "log")


# --- The window ----------------------------------------------------------------------------------


class ReportPeriod(StrEnum):
    LAST_12_MONTHS = "12"
    LAST_24_MONTHS = "24"


PERIOD_LABELS = {ReportPeriod.LAST_12_MONTHS: "Last 12 months", ReportPeriod.LAST_24_MONTHS: "Last 24 months"}


@dataclass(frozen=True)
class Quarter:
    """Three whole months of the window (they start where the window starts, not on calendar quarters)."""

    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return f"{self.start:%b %Y} to {self.end:%b %Y}"


@dataclass(frozen=True)
class Window:
    since: dt.date
    until: dt.date
    quarters: tuple[Quarter, ...]

    @property
    def label(self) -> str:
        return f"{self.since:%B %Y} to {self.until:%B %Y}"


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def equity_window(period: ReportPeriod | str, *, today: dt.date) -> Window:
    """The last 12 (or 24) whole months before ``today``, in 3-month blocks for the over-time view."""
    months = int(ReportPeriod(period))
    since, until = reporting_window(Period.MONTH, today=today, length=months)
    quarters = tuple(
        Quarter(_add_months(since, i), _add_months(since, i + 3) - dt.timedelta(days=1))
        for i in range(0, months, 3)
    )
    return Window(since=since, until=until, quarters=quarters)


def _quarter_index(months: pd.Series, since: dt.date) -> np.ndarray:
    """Which 3-month block of the window each month (a date, first of the month) falls in."""
    stamps = pd.to_datetime(months)
    return ((stamps.dt.year * 12 + stamps.dt.month) - (since.year * 12 + since.month)).to_numpy() // 3


def _age_on(dob: pd.Series, day: pd.Series | dt.date) -> np.ndarray:
    """Whole years of age on a day (vectorised): year difference less one before the birthday."""
    born = pd.to_datetime(dob)
    on = pd.to_datetime(day) if isinstance(day, pd.Series) else pd.Timestamp(day)
    years = (on.year if not isinstance(on, pd.Series) else on.dt.year) - born.dt.year
    on_md = on.month * 100 + on.day if not isinstance(on, pd.Series) else on.dt.month * 100 + on.dt.day
    return (years - ((born.dt.month * 100 + born.dt.day) > on_md).astype(int)).to_numpy(dtype=float)


# --- Reading the data ----------------------------------------------------------------------------

INTERVENTION_COLUMNS = ["patient_id", "quarter", "n", *Characteristic]
SNAPSHOT_FIELDS = ("ethnic_category", "sex", "age", "learning_disability", "autism")


def _snapshot_or_current(frame: pd.DataFrame, key: str, current: str) -> pd.Series:
    """The snapshot's value where it has one, else the patient's current record."""
    snap = frame[f"snap_{key}"].replace("", np.nan)
    return snap.where(snap.notna(), frame[current])


def _every_type() -> MeasureDefinition:
    """The measure's definition, without its list of types when the list is every MHSDS type.

    Filtering on every type changes no count but makes SQLite walk the (type, start) index over every
    ward in the country for the window (about 3 s for a 50-ward provider in national-size data) instead
    of starting from these wards' incidents (under 1 s)."""
    definition = measure(MEASURE_SLUG)
    if set(definition.numerator.intervention_types) >= set(InterventionType.values):
        numerator = dataclasses.replace(definition.numerator, intervention_types=())
        return dataclasses.replace(definition, numerator=numerator)
    return definition


def intervention_frame(*, ward_ids: Sequence[int], window: Window) -> pd.DataFrame:
    """Interventions in the window on these wards, counted per patient, month and characteristics at
    the time, as rows (patient_id, quarter, n, one column per characteristic). Two or three queries."""
    rows = latest_interventions(_every_type(), ward_ids=ward_ids, since=window.since, until=window.until)
    # The month of each intervention, as a CASE the database computes (TruncMonth is a Python function
    # per row on SQLite).
    months = period_starts(since=window.since, until=window.until, period=Period.MONTH)
    snapshot = {f"snap_{key}": KeyTextTransform(key, "version__patient_snapshot") for key in SNAPSHOT_FIELDS}
    grouped = (
        rows.values(
            patient=F("version__incident__patient_id"),
            month=period_of("started_at", months, boundaries=[local_midnight(m) for m in months]),
            ethnic=F("version__incident__patient__ethnic_category"),
            sex_now=F("version__incident__patient__sex"),
            dob=F("version__incident__patient__date_of_birth"),
            ld=F("version__incident__patient__learning_disability"),
            autism_now=F("version__incident__patient__autism"),
            **snapshot,
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    frame = pd.DataFrame(list(grouped))
    episodes = _episode_frame(ward_ids=ward_ids, window=window)
    if frame.empty and episodes.empty:
        return pd.DataFrame(columns=INTERVENTION_COLUMNS)
    if not frame.empty:
        frame["month"] = [m.date() if isinstance(m, dt.datetime) else m for m in frame["month"]]
        month_start = pd.to_datetime(frame["month"])
        age_then = pd.to_numeric(frame["snap_age"], errors="coerce")
        age = age_then.where(
            age_then.notna(), pd.Series(_age_on(frame["dob"], month_start), index=frame.index)
        )
        groups = group_columns(
            ethnic=_snapshot_or_current(frame, "ethnic_category", "ethnic"),
            sex=_snapshot_or_current(frame, "sex", "sex_now"),
            age=age,
            learning_disability=_snapshot_or_current(frame, "learning_disability", "ld"),
            autism=_snapshot_or_current(frame, "autism", "autism_now"),
        )
        frame = pd.concat(
            [
                pd.DataFrame(
                    {
                        "patient_id": frame["patient"],
                        "quarter": _quarter_index(frame["month"], window.since),
                        "n": frame["n"],
                    }
                ),
                groups,
            ],
            axis=1,
        )
    parts = [part for part in (frame, episodes) if not part.empty]
    return pd.concat(parts, ignore_index=True)[INTERVENTION_COLUMNS]


def _episode_frame(*, ward_ids: Sequence[int], window: Window) -> pd.DataFrame:
    """Seclusion and segregation episodes that started in the window and that no incident on record
    already counts (the same rule as ``measures.series.episode_spans``), grouped by the patient's current
    record: episodes keep no snapshot of the patient."""

    start, end = local_midnight(window.since), local_midnight(window.until + dt.timedelta(days=1))
    spans = [
        s
        for s in intervention_spans(ward_ids=ward_ids, since=start, until=end)
        if s.type_code in EPISODE_TYPES and start <= s.started_at < end
    ]
    recorded = recorded_types({s.incident_id for s in spans if s.incident_id is not None})
    spans = [s for s in spans if (s.incident_id, s.type_code) not in recorded]
    if not spans:
        return pd.DataFrame(columns=INTERVENTION_COLUMNS)
    patients = pd.DataFrame(
        list(
            Patient.objects.filter(pk__in={s.patient_id for s in spans}).values(
                "pk", "ethnic_category", "sex", "date_of_birth", "learning_disability", "autism"
            )
        )
    ).set_index("pk")
    events = pd.DataFrame(
        {
            "patient_id": [s.patient_id for s in spans],
            "day": [timezone.localtime(s.started_at).date() for s in spans],
        }
    )
    people = patients.loc[events["patient_id"]].reset_index(drop=True)
    groups = group_columns(
        ethnic=people["ethnic_category"],
        sex=people["sex"],
        age=pd.Series(_age_on(people["date_of_birth"], events["day"])),
        learning_disability=people["learning_disability"],
        autism=people["autism"],
    )
    months = pd.to_datetime(events["day"]).dt.to_period("M").dt.to_timestamp()
    frame = pd.concat(
        [
            pd.DataFrame(
                {"patient_id": events["patient_id"], "quarter": _quarter_index(months, window.since), "n": 1}
            ),
            groups,
        ],
        axis=1,
    )
    return frame


BED_DAY_COLUMNS = ["quarter", "bed_days", *Characteristic]


def bed_day_frame(*, ward_ids: Sequence[int], window: Window) -> pd.DataFrame:
    """Occupied bed days of each group, per 3-month block, from the ward stays on these wards.

    One query reads every stay that overlaps the window with its patient's current characteristics;
    numpy clips each stay to each block (nights A..B-1, an open stay to the window's end) and works out
    the patient's age at the block's start. Rows: (quarter, bed_days, one column per characteristic),
    one per stay and block with at least one night.
    """
    start, end = local_midnight(window.since), local_midnight(window.until + dt.timedelta(days=1))
    stays = (
        WardStay.objects.filter(ward_id__in=list(ward_ids), started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=start))
        .values_list(
            "started_at",
            "ended_at",
            "patient__ethnic_category",
            "patient__sex",
            "patient__date_of_birth",
            "patient__learning_disability",
            "patient__autism",
        )
        .order_by()
    )
    frame = pd.DataFrame(
        list(stays), columns=["started_at", "ended_at", "ethnic", "sex", "dob", "ld", "autism"]
    )
    if frame.empty:
        return pd.DataFrame(columns=BED_DAY_COLUMNS)
    zone = timezone.get_current_timezone()

    def local_days(column: pd.Series) -> np.ndarray:
        stamps = pd.to_datetime(column, utc=True).dt.tz_convert(zone).dt.tz_localize(None)
        return stamps.dt.normalize().to_numpy(dtype="datetime64[D]")

    starts = local_days(frame["started_at"])
    ends = local_days(frame["ended_at"])
    ends = np.where(np.isnat(ends), np.datetime64(window.until + dt.timedelta(days=1), "D"), ends)
    block_starts = np.array([q.start for q in window.quarters], dtype="datetime64[D]")
    block_ends = np.array([q.end + dt.timedelta(days=1) for q in window.quarters], dtype="datetime64[D]")
    nights = np.clip(
        (np.minimum(ends[:, None], block_ends[None, :]) - np.maximum(starts[:, None], block_starts[None, :]))
        .astype("timedelta64[D]")
        .astype(int),
        0,
        None,
    )
    stay_index, quarter_index = np.nonzero(nights)
    if len(stay_index) == 0:
        return pd.DataFrame(columns=BED_DAY_COLUMNS)
    chosen = frame.iloc[stay_index].reset_index(drop=True)
    quarter_starts = pd.Series(block_starts[quarter_index])
    groups = group_columns(
        ethnic=chosen["ethnic"],
        sex=chosen["sex"],
        age=pd.Series(_age_on(chosen["dob"], quarter_starts)),
        learning_disability=chosen["ld"],
        autism=chosen["autism"],
    )
    out = pd.concat(
        [pd.DataFrame({"quarter": quarter_index, "bed_days": nights[stay_index, quarter_index]}), groups],
        axis=1,
    )
    return out[BED_DAY_COLUMNS]


# --- The report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupRow:
    """One group of one characteristic. A None figure with its name in ``hidden`` was suppressed."""

    group: str
    interventions: float | None
    people: float | None
    bed_days: float | None
    rate: float | None
    ratio: RateRatio
    is_reference: bool
    words: str
    flagged: bool = False
    small_numbers: bool = False
    hidden: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CharacteristicTable:
    characteristic: Characteristic
    label: str
    reference: str | None
    rows: list[GroupRow]
    findings: list[str]

    def row(self, group: str) -> GroupRow | None:
        return next((r for r in self.rows if r.group == group), None)


@dataclass(frozen=True)
class QuarterRatio:
    """One group's rate ratio in one 3-month block (None where undefined or suppressed)."""

    quarter: Quarter
    group: str
    interventions: float | None
    bed_days: float | None
    ratio: RateRatio
    hidden: bool = False


@dataclass(frozen=True)
class EquityReport:
    window: Window
    suppressed: bool
    interventions: float | None
    people: float | None
    bed_days: float | None
    tables: dict[Characteristic, CharacteristicTable]
    over_time: dict[Characteristic, list[QuarterRatio]] = field(default_factory=dict)


def default_reference(groups: Mapping[str, float], info: CharacteristicInfo) -> str | None:
    """The group with the most bed days, leaving out "not known" unless nothing else has any."""
    known = {g: d for g, d in groups.items() if d > 0 and g != info.unknown}
    pool = known or {g: d for g, d in groups.items() if d > 0}
    if not pool:
        return None
    return max(pool, key=lambda g: (pool[g], -info.groups.index(g)))


def _fmt(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def finding_words(info: CharacteristicInfo, group: str, reference: str, ratio: RateRatio) -> str | None:
    """The sentence for a clear difference (the whole 95% interval above or below 1), else None."""
    if not ratio.defined or ratio.method != "log" or ratio.low is None or ratio.high is None:
        return None
    assert ratio.ratio is not None
    ci = f"(95% CI {_fmt(ratio.low)} to {_fmt(ratio.high)})"
    if ratio.low > 1:
        return (
            f"{info.subject(group)} had restrictive interventions {_fmt(ratio.ratio)} times as often per "
            f"occupied bed day as {info.object(reference)} {ci}."
        )
    if ratio.high < 1:
        return (
            f"{info.subject(group)} had restrictive interventions less often per occupied bed day than "
            f"{info.object(reference)}: rate ratio {_fmt(ratio.ratio)} {ci}."
        )
    return None


def _row_words(
    info: CharacteristicInfo,
    *,
    group: str,
    reference: str | None,
    count: float,
    bed_days: float,
    ratio: RateRatio,
    finding: str | None,
) -> str:
    if bed_days <= 0:
        return "No occupied bed days on record for this group."
    if group == reference:
        return "Reference group."
    words = []
    if count == 0:
        words.append("No interventions.")
        if ratio.high is not None:
            words.append(f"Rate ratio 0; the interval is open at 0 (exact upper limit {_fmt(ratio.high)}).")
    if reference is None:
        words.append("No reference group with bed days to compare with.")
    elif not ratio.defined:
        words.append(f"No ratio: {info.object(reference)} had no interventions.")
    elif finding:
        words.append(finding)
    elif count > 0:
        words.append(f"No clear difference from {info.object(reference)}.")
    if 0 < count < SMALL_NUMBERS:
        words.append("Small numbers: interval wide.")
    return " ".join(words)


def _shown_count(value: float, suppressed: bool) -> float | None:
    if not suppressed:
        return float(value)
    if value < SMALLEST_SHOWN_COUNT:
        return None
    return float(round_half_up(value / 5)[()] * 5)


def _table(
    info: CharacteristicInfo,
    interventions: pd.DataFrame,
    bed_days: pd.DataFrame,
    *,
    reference: str | None,
    suppressed: bool,
) -> CharacteristicTable:
    key = info.key
    counts = interventions.groupby(key)["n"].sum() if not interventions.empty else pd.Series(dtype=float)
    people = (
        interventions.groupby(key)["patient_id"].nunique()
        if not interventions.empty
        else pd.Series(dtype=float)
    )
    days = bed_days.groupby(key)["bed_days"].sum() if not bed_days.empty else pd.Series(dtype=float)
    present = [g for g in info.groups if counts.get(g, 0) > 0 or days.get(g, 0) > 0]
    if reference is None or reference not in info.groups:
        reference = default_reference({g: float(days.get(g, 0)) for g in info.groups}, info)
    if reference is not None and reference not in present:
        present.append(reference)
        present.sort(key=info.groups.index)
    ref_count = float(counts.get(reference, 0)) if reference else 0.0
    ref_days = float(days.get(reference, 0)) if reference else 0.0
    rows, findings = [], []
    for group in present:
        a, d, p = float(counts.get(group, 0)), float(days.get(group, 0)), float(people.get(group, 0))
        ratio = (
            UNDEFINED if reference is None or group == reference else rate_ratio(a, d, ref_count, ref_days)
        )
        if group == reference and ref_count > 0 and ref_days > 0:
            ratio = RateRatio(1.0, None, None, "reference")
        rate = rate_per_1000(a, d)
        hidden: set[str] = set()
        if suppressed:
            shown_a, shown_p, shown_d = _shown_count(a, True), _shown_count(p, True), _shown_count(d, True)
            hidden |= {
                name
                for name, v in (("interventions", shown_a), ("people", shown_p), ("bed_days", shown_d))
                if v is None
            }
            if rate is not None and (a < SMALLEST_SHOWN_COUNT or d < SMALLEST_SHOWN_BED_DAYS):
                hidden.add("rate")
                rate = None
            elif rate is not None:
                rate = float(round_half_up(rate)[()])
            if ratio.method in ("log", "exact") and (
                a < SMALLEST_SHOWN_COUNT or ref_count < SMALLEST_SHOWN_COUNT
            ):
                hidden.add("ratio")
                ratio = UNDEFINED
        else:
            shown_a, shown_p, shown_d = a, p, d
        finding = finding_words(info, group, reference, ratio) if reference and group != reference else None
        if "ratio" in hidden or "interventions" in hidden:
            words = "Suppressed: fewer than 5 interventions (NHS Digital's rule for figures leaving the provider)."
            if d <= 0:
                words = "No occupied bed days on record for this group."
        else:
            words = _row_words(
                info, group=group, reference=reference, count=a, bed_days=d, ratio=ratio, finding=finding
            )
        if finding:
            findings.append(finding)
        rows.append(
            GroupRow(
                group=group,
                interventions=shown_a,
                people=shown_p,
                bed_days=shown_d,
                rate=rate,
                ratio=ratio,
                is_reference=group == reference,
                words=words,
                flagged=bool(finding) and ratio.low is not None and ratio.low > 1,
                small_numbers=0 < a < SMALL_NUMBERS and "interventions" not in hidden,
                hidden=frozenset(hidden),
            )
        )
    return CharacteristicTable(key, info.label, reference, rows, findings)


def _over_time(
    info: CharacteristicInfo,
    interventions: pd.DataFrame,
    bed_days: pd.DataFrame,
    *,
    window: Window,
    reference: str | None,
    suppressed: bool,
) -> list[QuarterRatio]:
    """Each group's rate ratio against the reference in each 3-month block."""
    if reference is None:
        return []
    key = info.key
    counts = (
        interventions.groupby(["quarter", key])["n"].sum()
        if not interventions.empty
        else pd.Series(dtype=float)
    )
    days = (
        bed_days.groupby(["quarter", key])["bed_days"].sum() if not bed_days.empty else pd.Series(dtype=float)
    )
    out = []
    for index, quarter in enumerate(window.quarters):
        ref_a, ref_d = float(counts.get((index, reference), 0)), float(days.get((index, reference), 0))
        for group in info.groups:
            if group == reference:
                continue
            a, d = float(counts.get((index, group), 0)), float(days.get((index, group), 0))
            if a == 0 and d == 0:
                continue
            ratio = rate_ratio(a, d, ref_a, ref_d)
            hidden = suppressed and (a < SMALLEST_SHOWN_COUNT or ref_a < SMALLEST_SHOWN_COUNT)
            out.append(
                QuarterRatio(
                    quarter=quarter,
                    group=group,
                    interventions=_shown_count(a, suppressed),
                    bed_days=_shown_count(d, suppressed),
                    ratio=UNDEFINED if hidden else ratio,
                    hidden=hidden,
                )
            )
    return out


def equity_report(
    *,
    ward_ids: Sequence[int],
    window: Window,
    suppressed: bool,
    references: Mapping[Characteristic, str] | None = None,
) -> EquityReport:
    """Interventions, people, bed days, rates and rate ratios by every characteristic, for these wards
    over the window, and each characteristic's ratios by 3-month block.

    ``references`` picks the reference group per characteristic (default: the group with the most bed
    days). With ``suppressed`` every figure is made fit to leave the provider (NHS Digital's rules). The
    caller chooses the wards from ``accounts.scope``; this function does not check who may see them.
    """
    references = dict(references or {})
    interventions = intervention_frame(ward_ids=ward_ids, window=window)
    bed_days = bed_day_frame(ward_ids=ward_ids, window=window)
    tables, over_time = {}, {}
    for key, info in CHARACTERISTICS.items():
        table = _table(info, interventions, bed_days, reference=references.get(key), suppressed=suppressed)
        tables[key] = table
        over_time[key] = _over_time(
            info, interventions, bed_days, window=window, reference=table.reference, suppressed=suppressed
        )
    total_a = float(interventions["n"].sum()) if not interventions.empty else 0.0
    total_p = float(interventions["patient_id"].nunique()) if not interventions.empty else 0.0
    total_d = float(bed_days["bed_days"].sum()) if not bed_days.empty else 0.0
    return EquityReport(
        window=window,
        suppressed=suppressed,
        interventions=_shown_count(total_a, suppressed),
        people=_shown_count(total_p, suppressed),
        bed_days=_shown_count(total_d, suppressed),
        tables=tables,
        over_time=over_time,
    )


CSV_COLUMNS = [
    "window",
    "block",
    "characteristic",
    "group",
    "reference_group",
    "interventions",
    "people",
    "bed_days",
    "rate_per_1000",
    "rate_ratio",
    "ci_low",
    "ci_high",
    "interval_method",
    "words",
]


def _cell(value: float | None, hidden: bool, decimals: int | None = None) -> str:
    if hidden:
        return "*"
    if value is None:
        return ""
    return f"{value:.{decimals}f}" if decimals is not None else f"{value:g}"


def equity_csv_rows(report: EquityReport) -> list[list[str]]:
    """The report as CSV rows (header first): the whole window per group, then each 3-month block's
    ratios. Suppressed cells are ``*``, as NHS Digital's dashboards show them."""
    out = [CSV_COLUMNS]
    window = report.window.label
    for key, table in report.tables.items():
        for row in table.rows:
            ratio_hidden = "ratio" in row.hidden
            out.append(
                [
                    window,
                    "whole window",
                    key.value,
                    row.group,
                    table.reference or "",
                    _cell(row.interventions, "interventions" in row.hidden),
                    _cell(row.people, "people" in row.hidden),
                    _cell(row.bed_days, "bed_days" in row.hidden),
                    _cell(row.rate, "rate" in row.hidden, 2),
                    _cell(row.ratio.ratio, ratio_hidden, 3),
                    _cell(row.ratio.low, ratio_hidden, 3),
                    _cell(row.ratio.high, ratio_hidden, 3),
                    "" if ratio_hidden else row.ratio.method,
                    row.words,
                ]
            )
    for key, points in report.over_time.items():
        reference = report.tables[key].reference or ""
        for point in points:
            out.append(
                [
                    window,
                    point.quarter.label,
                    key.value,
                    point.group,
                    reference,
                    _cell(point.interventions, point.interventions is None and report.suppressed),
                    "",
                    _cell(point.bed_days, point.bed_days is None and report.suppressed),
                    "",
                    _cell(point.ratio.ratio, point.hidden, 3),
                    _cell(point.ratio.low, point.hidden, 3),
                    _cell(point.ratio.high, point.hidden, 3),
                    "" if point.hidden else point.ratio.method,
                    "",
                ]
            )
    return out


# --- Charts --------------------------------------------------------------------------------------


def _note(row_ratio: RateRatio, *, hidden: bool, count: float | None) -> str:
    if hidden:
        return "suppressed (fewer than 5 interventions)"
    if row_ratio.method == "exact":
        return f"no interventions (exact upper limit {row_ratio.high:.2f})"
    if not row_ratio.defined:
        return "no ratio (no reference rate)"
    if count is not None and count < SMALL_NUMBERS:
        return "small numbers: interval wide"
    return ""


def forest_panel(table: CharacteristicTable) -> ChartPanel:
    """The forest plot of one characteristic's rate ratios, with its description and data table."""
    points = [
        RatioPoint(
            group=row.group,
            ratio=row.ratio.ratio,
            low=row.ratio.low,
            high=row.ratio.high,
            note=_note(
                row.ratio,
                hidden="ratio" in row.hidden or "interventions" in row.hidden,
                count=row.interventions,
            ),
        )
        for row in table.rows
        if not row.is_reference
    ]
    reference = table.reference or "no reference group"
    title = f"Rate ratios by {table.label.lower()}, against {reference}"
    return ChartPanel(
        chart_id=f"equity-forest-{table.characteristic.value.replace('_', '-')}",
        title=title,
        spec=forest_plot_spec(points, title=title, reference=reference),
        description=describe_forest_plot(points, reference=reference),
        table_html=Markup(ratio_table_html(points, caption=f"Data behind the chart: {title}")),
    )


def over_time_panel(report: EquityReport, characteristic: Characteristic) -> ChartPanel:
    """Rate ratios of one characteristic's groups in each 3-month block, as a chart with its text."""
    table = report.tables[characteristic]
    reference = table.reference or "no reference group"
    points = [
        RatioPoint(
            group=p.group,
            ratio=p.ratio.ratio,
            low=p.ratio.low,
            high=p.ratio.high,
            period=p.quarter.label,
            note=_note(p.ratio, hidden=p.hidden, count=p.interventions),
        )
        for p in report.over_time[characteristic]
    ]
    periods = [q.label for q in report.window.quarters]
    title = f"Rate ratios by {table.label.lower()} over time, against {reference}"
    return ChartPanel(
        chart_id=f"equity-time-{characteristic.value.replace('_', '-')}",
        title=title,
        spec=rate_ratio_over_time_spec(points, title=title, reference=reference, periods=periods),
        description=describe_over_time(points, reference=reference, periods=periods),
        table_html=Markup(
            ratio_table_html(points, caption=f"Data behind the chart: {title}", over_time=True)
        ),
    )


# --- Naming providers ----------------------------------------------------------------------------


def provider_labels(user: User, providers: Sequence[Provider]) -> dict[int, str]:
    """How each provider is named to this person: by name, except to national programme analysts, who
    see the collaboratives' wards pseudonymised and so see providers as "Provider 001", "Provider 002"
    (numbered in the order of ``providers``, which the caller takes from ``accounts.scope.providers_for``
    in id order, so the number is stable)."""
    if user.role != Role.NATIONAL_ANALYST:
        return {p.pk: p.name for p in providers}
    return {p.pk: f"Provider {number:03d}" for number, p in enumerate(providers, start=1)}
