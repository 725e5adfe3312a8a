"""Charts of a few wards, cached under the version of the records they are computed from.

The ward huddle is the page a ward opens most, and its twelve SPC charts cost most of its time (about
three quarters of its CPU time, docs/performance.md "Production serving under load"). The charts change
only when the records behind them change, so ``cached_measure_charts`` keeps them in Django's cache under
a key that holds a **version of those records**, read from the database on every request:

- for append-only records (incidents' interventions and amended versions, voids, debriefs, seclusion and
  segregation episodes, their versions, reviews and observations, the versions of every seclusion of the
  patients secluded on the wards, on any ward (a seclusion's reviews on time count the patient's other
  seclusions within the independent review's 48 hours), rights information, the patients' weekly
  check, the support plans of the wards' patients, values entered or imported per month, chart rebases and
  their withdrawals), the number of the wards' rows and the highest id. These
  rows are never changed or deleted (``core.AppendOnlyModel``'s triggers refuse it), so the rows a reader
  can see only grow, in commit order: the count changes with every commit that adds one, even one that
  commits after a row with a higher id;
- for records that are changed in place (daily and monthly bed days up to the charts' end, the wards' stays, the
  wards themselves, their provider's review rules), a digest of every value read.

The version is read *before* the charts are computed, so charts computed while a write commits are kept
under the older version (and computed again at the next request), never the other way round. Any write,
through a page, the API, an import or the database directly, therefore shows at the next request, from
every server process, with no invalidation to forget. The cache entry also expires after
``CACHE_SECONDS`` as a second line of defence. Reading the version costs a few milliseconds; computing
the charts a few hundred.

Drawn charts (``cached_svg``): vl-convert draws a chart's SVG in about 0.1 s, and the board pack draws
one for each of its measures on every download. A Vega-Lite spec holds every number it draws, so the SVG
is kept under a digest of the spec itself: the same key is the same drawing, with nothing to
invalidate, and a pack downloaded again while its figures are unchanged draws nothing.

Measures that read the patient as the record stands now (``Counts.INCIDENTS_COMPLETE``: name and NHS
number) are computed on every request, not cached. What is *not* cached either: everything on the huddle that is about now (work waiting, reviews overdue,
reporting health), which is read on every request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet, Value

from rrp.charts import chart_to_svg
from rrp.force.models import Debrief, IncidentVersion, IncidentVoid, InterventionRecord
from rrp.improvement.models import ChartRebase, Withdrawal
from rrp.measures.catalogue import Counts, MeasureDefinition
from rrp.measures.models import MeasureValue
from rrp.measures.series import Period
from rrp.organisations.models import MonthlyBedDays, OccupiedBedDays, Ward
from rrp.people.models import RightsInformation, SupportPlanVersion, VoiceCheck, WardStay
from rrp.reports.measure_charts import MeasureCharts, measure_charts_many
from rrp.segregation.codes import EpisodeKind
from rrp.segregation.models import Episode, EpisodeVersion, Observation, Review, ReviewRules

#: Cached charts expire after this many seconds even if no record changed (a second line of defence).
CACHE_SECONDS = 15 * 60
#: Drawn SVGs are kept this long: their key is the spec drawn, so a kept drawing is never out of date.
SVG_CACHE_SECONDS = 24 * 60 * 60


def _append_only(ward_ids: list[int]) -> dict[str, QuerySet]:
    """Every append-only record the charts read, as a queryset of the wards' rows."""
    return {
        # Every measure starts from the interventions of incidents' current versions: an incident's
        # first version counts through its interventions; any later version (an amendment, which may
        # drop interventions) counts itself. So a draft recorded with no interventions yet changes no chart.
        "amendment": IncidentVersion.objects.filter(incident__ward_id__in=ward_ids, number__gt=1),
        "intervention": InterventionRecord.objects.filter(version__incident__ward_id__in=ward_ids),
        "void": IncidentVoid.objects.filter(incident__ward_id__in=ward_ids),
        "debrief": Debrief.objects.filter(incident__ward_id__in=ward_ids),
        "episode": Episode.objects.filter(ward_id__in=ward_ids),
        "episode version": EpisodeVersion.objects.filter(episode__ward_id__in=ward_ids),
        # A seclusion's reviews on time count the patient's other seclusions within the independent
        # review's window, on any ward (segregation.schedules): the seclusions of the wards' patients.
        "seclusion of a ward patient": EpisodeVersion.objects.filter(
            episode__kind=EpisodeKind.SECLUSION,
            episode__patient_id__in=Episode.objects.filter(
                ward_id__in=ward_ids, kind=EpisodeKind.SECLUSION
            ).values("patient_id"),
        ),
        "review": Review.objects.filter(episode__ward_id__in=ward_ids),
        "observation": Observation.objects.filter(episode__ward_id__in=ward_ids),
        "rights": RightsInformation.objects.filter(
            spell__ward_stays__ward_id__in=ward_ids, spell__ward_stays__cancelled_at__isnull=True
        ),
        # Plans reviewed after repeated restraint: the plans of people with an incident on these wards.
        "support plan": SupportPlanVersion.objects.filter(
            patient_id__in=IncidentVersion.objects.filter(incident__ward_id__in=ward_ids).values("patient_id")
        ),
        "measure value": MeasureValue.objects.filter(ward_id__in=ward_ids),
        "voice": VoiceCheck.objects.filter(ward_id__in=ward_ids),
        "rebase": ChartRebase.objects.filter(ward_id__in=ward_ids),
        "withdrawal": Withdrawal.objects.filter(rebase__ward_id__in=ward_ids),
    }


#: Tables the charts read that need no part in the version: the stored monthly figures are a cache of the
#: records (kept fresh by their own generations), incidents are only joined through (their ward never
#: changes), and patients are only selected alongside (the one measure that reads a patient's details,
#: statutory completeness, is never cached). tests/integration/reports/test_chart_cache.py checks that
#: every other table any measure reads is in ``VERSIONED_TABLES``.
UNVERSIONED_TABLES = frozenset({"figures_wardmonthfigures", "force_incident", "people_patient"})


def versioned_tables() -> frozenset[str]:
    """The tables whose rows the version counts or digests."""
    querysets = [
        *_append_only([0]).values(),
        *_changeable([0], since=dt.date(2000, 1, 1), until=dt.date(2000, 1, 1)),
    ]
    return frozenset(qs.model._meta.db_table for qs in querysets)


def _changeable(ward_ids: list[int], *, since: dt.date, until: dt.date) -> list[QuerySet]:
    """Records changed in place that the charts read: every value, in a fixed order."""
    return [
        OccupiedBedDays.objects.filter(
            ward_id__in=ward_ids, date__gte=since - dt.timedelta(days=7), date__lte=until
        )
        .order_by("ward_id", "date")
        .values_list("ward_id", "date", "bed_days"),
        MonthlyBedDays.objects.filter(ward_id__in=ward_ids, month__lte=until)
        .order_by("ward_id", "month")
        .values_list("ward_id", "month", "bed_days", "source"),
        # Every stay of the spells with a stay on these wards: whether a stay is the first of its spell
        # (the rights measure) depends on the spell's stays on other wards too.
        # (the join is to standing stays only, as the outer manager is: a cancelled stay on these wards
        # brings in nothing of its spell)
        WardStay.objects.filter(
            spell__ward_stays__ward_id__in=ward_ids, spell__ward_stays__cancelled_at__isnull=True
        )
        .distinct()
        .order_by("pk")
        .values_list("pk", "spell_id", "ward_id", "patient_id", "started_at", "ended_at"),
        Ward.objects.filter(pk__in=ward_ids)
        .order_by("pk")
        .values_list("pk", "provider_id", "opened_on", "closed_on"),
        ReviewRules.objects.filter(provider__wards__in=ward_ids)
        .order_by("pk")
        .values_list("pk", "changed_at"),
    ]


def records_version(ward_ids: Sequence[int], *, since: dt.date, until: dt.date) -> str:
    """A digest that changes whenever any record behind these wards' charts of ``since``..``until``
    changes (module docstring). Read it before computing what it describes."""
    ward_ids = sorted({int(w) for w in ward_ids})
    digest = hashlib.blake2b(digest_size=16)
    # One statement for every append-only table: a row each of (name, count, highest id).
    counts = [
        rows.order_by()
        .annotate(name=Value(name))
        .values("name")
        .annotate(n=Count("pk", distinct=True), last=Max("pk"))
        .values_list("name", "n", "last")
        for name, rows in _append_only(ward_ids).items()
    ]
    digest.update(repr(sorted(counts[0].union(*counts[1:], all=True))).encode())
    changeable = _changeable(ward_ids, since=since, until=until)
    for rows in changeable:
        digest.update(repr(list(rows)).encode())
    return digest.hexdigest()


def charts_key(
    definitions: Sequence[MeasureDefinition],
    *,
    ward_ids: Sequence[int],
    since: dt.date,
    until: dt.date,
    period: Period | str = Period.MONTH,
) -> str:
    """The cache key of these charts as the records stand now (reads ``records_version``)."""
    version = records_version(ward_ids, since=since, until=until)
    slugs = ",".join(d.slug for d in definitions)
    wards = ",".join(str(w) for w in sorted({int(w) for w in ward_ids}))
    return (
        "charts:"
        + hashlib.blake2b(
            f"{slugs}|{wards}|{Period(period).value}|{since}|{until}|{version}".encode(), digest_size=20
        ).hexdigest()
    )


def cached_measure_charts(
    definitions: Sequence[MeasureDefinition],
    *,
    ward_ids: Sequence[int],
    since: dt.date,
    until: dt.date,
    period: Period | str = Period.MONTH,
    key: str = "",
) -> dict[str, MeasureCharts]:
    """``measure_charts_many`` (no targets), from the cache while the records behind it are unchanged.

    ``key`` is ``charts_key`` of the same arguments when the caller has read it already (read first)."""
    if any(d.numerator.counts is Counts.INCIDENTS_COMPLETE for d in definitions):
        return measure_charts_many(definitions, ward_ids=ward_ids, since=since, until=until, period=period)
    key = key or charts_key(definitions, ward_ids=ward_ids, since=since, until=until, period=period)
    charts = cache.get(key)
    if charts is None:
        charts = measure_charts_many(definitions, ward_ids=ward_ids, since=since, until=until, period=period)
        cache.set(key, charts, CACHE_SECONDS)
    return charts


def cached[T](key: str, compute: Callable[[], T]) -> T:
    """What ``compute`` returns, from the cache under ``key`` (which must name everything it depends on,
    e.g. a ``charts_key`` and the other inputs), for ``CACHE_SECONDS``."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def svg_key(spec: Mapping[str, object]) -> str:
    """The cache key of a spec's drawing: a digest of the whole spec (every number, word and colour it
    draws) and of vl-convert's version (a new version may draw differently)."""
    import vl_convert

    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=str)
    return "svg:" + hashlib.blake2b(f"{vl_convert.__version__}|{text}".encode(), digest_size=20).hexdigest()


def cached_svg(spec: Mapping[str, object]) -> str:
    """``charts.chart_to_svg`` of a Vega-Lite spec, drawn once and then kept (module docstring)."""
    key = svg_key(spec)
    svg = cache.get(key)
    if svg is None:
        svg = chart_to_svg(dict(spec))
        cache.set(key, svg, SVG_CACHE_SECONDS)
    return svg
