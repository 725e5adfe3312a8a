"""Equity, the figures: restrictive interventions by ethnic group, sex, age band, learning disability
and autism, as rates per 1,000 occupied bed days OF EACH GROUP and rate ratios against a reference group
(``presenters`` says what they mean in words; ``exports`` makes the CSV).

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
from scipy import stats

from rrp.core.formatting import month_span
from rrp.core.times import local_midnight
from rrp.force.codes import InterventionType
from rrp.force.selectors import recorded_types
from rrp.measures.catalogue import MeasureDefinition, measure
from rrp.measures.series import EPISODE_TYPES, Period, latest_interventions, period_starts
from rrp.measures.suppression import SMALLEST_SHOWN_BED_DAYS, SMALLEST_SHOWN_COUNT, round_half_up
from rrp.organisations.selectors import period_of
from rrp.people.codes import ETHNIC_GROUPS
from rrp.people.models import Patient, WardStay
from rrp.reports.measure_charts import reporting_window
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
    """How one characteristic is grouped and ordered, and its name (its groups in sentences are
    ``presenters.subject`` and ``presenters.object_phrase``)."""

    key: Characteristic
    label: str
    groups: tuple[str, ...]
    unknown: str


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
    ),
    Characteristic.SEX: CharacteristicInfo(
        Characteristic.SEX, "Sex", ("Male", "Female", "Indeterminate", NOT_KNOWN), NOT_KNOWN
    ),
    Characteristic.AGE: CharacteristicInfo(
        Characteristic.AGE, "Age band", (*AGE_BANDS, NOT_KNOWN), NOT_KNOWN
    ),
    Characteristic.LEARNING_DISABILITY: CharacteristicInfo(
        Characteristic.LEARNING_DISABILITY, "Learning disability", ("Yes", "No", NOT_KNOWN), NOT_KNOWN
    ),
    Characteristic.AUTISM: CharacteristicInfo(
        Characteristic.AUTISM, "Autism", ("Yes", "No", NOT_KNOWN), NOT_KNOWN
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


@dataclass(frozen=True)
class Quarter:
    """Three whole months of the window (they start where the window starts, not on calendar quarters)."""

    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return month_span(self.start, self.end, short=True)


@dataclass(frozen=True)
class Window:
    since: dt.date
    until: dt.date
    quarters: tuple[Quarter, ...]

    @property
    def label(self) -> str:
        return month_span(self.since, self.until)


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
            patient=F("version__patient_id"),
            month=period_of("started_at", months, boundaries=[local_midnight(m) for m in months]),
            ethnic=F("version__patient__ethnic_category"),
            sex_now=F("version__patient__sex"),
            dob=F("version__patient__date_of_birth"),
            ld=F("version__patient__learning_disability"),
            autism_now=F("version__patient__autism"),
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
class GroupFigures:
    """One group of one characteristic. A None figure with its name in ``hidden`` was suppressed.

    ``clear_difference`` is "higher" or "lower" where the whole 95% interval of the ratio lies above or
    below 1; ``no_bed_days`` and ``no_interventions`` are of the exact figures (so the words can say so
    without showing them)."""

    group: str
    interventions: float | None
    people: float | None
    bed_days: float | None
    rate: float | None
    ratio: RateRatio
    is_reference: bool
    clear_difference: str | None = None
    small_numbers: bool = False
    no_bed_days: bool = False
    no_interventions: bool = False
    hidden: frozenset[str] = frozenset()

    @property
    def flagged(self) -> bool:
        return self.clear_difference == "higher"


@dataclass(frozen=True)
class TableFigures:
    characteristic: Characteristic
    label: str
    reference: str | None
    rows: list[GroupFigures]

    def row(self, group: str) -> GroupFigures | None:
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
class EquityFigures:
    window: Window
    suppressed: bool
    interventions: float | None
    people: float | None
    bed_days: float | None
    tables: dict[Characteristic, TableFigures]
    over_time: dict[Characteristic, list[QuarterRatio]] = field(default_factory=dict)


def default_reference(groups: Mapping[str, float], info: CharacteristicInfo) -> str | None:
    """The group with the most bed days, leaving out "not known" unless nothing else has any."""
    known = {g: d for g, d in groups.items() if d > 0 and g != info.unknown}
    pool = known or {g: d for g, d in groups.items() if d > 0}
    if not pool:
        return None
    return max(pool, key=lambda g: (pool[g], -info.groups.index(g)))


def clear_difference(ratio: RateRatio) -> str | None:
    """ "higher" or "lower" when the whole 95% interval of a ratio (log method) lies above or below 1."""
    if not ratio.defined or ratio.method != "log" or ratio.low is None or ratio.high is None:
        return None
    if ratio.low > 1:
        return "higher"
    return "lower" if ratio.high < 1 else None


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
) -> TableFigures:
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
    rows = []
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
        clear = clear_difference(ratio) if reference and group != reference else None
        rows.append(
            GroupFigures(
                group=group,
                interventions=shown_a,
                people=shown_p,
                bed_days=shown_d,
                rate=rate,
                ratio=ratio,
                is_reference=group == reference,
                clear_difference=clear,
                small_numbers=0 < a < SMALL_NUMBERS and "interventions" not in hidden,
                no_bed_days=d <= 0,
                no_interventions=a == 0,
                hidden=frozenset(hidden),
            )
        )
    return TableFigures(key, info.label, reference, rows)


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


def equity_figures(
    *,
    ward_ids: Sequence[int],
    window: Window,
    suppressed: bool,
    references: Mapping[Characteristic, str] | None = None,
) -> EquityFigures:
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
    return EquityFigures(
        window=window,
        suppressed=suppressed,
        interventions=_shown_count(total_a, suppressed),
        people=_shown_count(total_p, suppressed),
        bed_days=_shown_count(total_d, suppressed),
        tables=tables,
        over_time=over_time,
    )
