"""National statistics held for benchmarking (NHS Digital's published provider-level monthly figures).
The stored monthly figures per ward that the reports read are a cache in their own app (rrp.figures).

The values of measures entered on a ward's page or imported from an incident system
(``MeasureValue``, decision 0043) are here, as append-only versions.

Measure definitions are not here: they are reviewed data files (see measures/catalogue.py and
docs/measures.md), so a change to one is a diff with an author and a checker, not a database edit.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from rrp.core.models import AppendOnlyModel


class NationalMetric(models.TextChoices):
    """The MHSDS measures in NHS Digital's provider-level monthly files, with the text each file uses."""

    PEOPLE_RESTRAINED = "MHS76", "People subject to restrictive interventions (MHS76)"
    BED_DAYS = "MHS24", "Hospital bed days in the reporting period (MHS24)"
    DETAINED = "MHS09", "People subject to detention at the end of the reporting period (MHS09)"
    SUBJECT_TO_MHA = (
        "MHS08",
        "People subject to the Mental Health Act at the end of the reporting period (MHS08)",
    )


class NationalProviderMonth(models.Model):
    """One published figure: a provider's value of one MHSDS measure in one month.

    ``provider_name`` is exactly as published (upper case, no ODS code; names change when providers
    merge or rename, and ``UNKNOWN`` is a provider in the restraint files). A suppressed cell (``*``) is
    kept as suppressed with no value, never as zero. Published figures are already rounded to the
    nearest 5 by NHS Digital.
    """

    month = models.DateField(help_text="The first day of the reporting month.")
    provider_name = models.CharField(max_length=200)
    metric = models.CharField(max_length=5, choices=NationalMetric.choices)
    value = models.PositiveIntegerField(null=True, blank=True)
    suppressed = models.BooleanField(default=False)
    source_file = models.CharField(max_length=200)
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["month", "provider_name", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "provider_name", "metric"], name="one_national_figure_per_provider_month"
            ),
            models.CheckConstraint(
                name="national_figure_value_xor_suppressed",
                condition=models.Q(suppressed=True, value__isnull=True)
                | models.Q(suppressed=False, value__isnull=False),
            ),
            models.CheckConstraint(
                name="national_figure_month_starts_on_day_1", condition=models.Q(month__day=1)
            ),
        ]
        indexes = [models.Index(fields=["metric", "month"])]

    def __str__(self) -> str:
        shown = "*" if self.suppressed else self.value
        return f"{self.month:%Y-%m} {self.provider_name} {self.metric}: {shown}"


def number_text(number: Decimal) -> str:
    """A decimal without trailing zeros or an exponent: 410.00 is 410, 12.50 is 12.5."""
    return f"{number.normalize():f}"


class ValueRoute(models.TextChoices):
    """How a measure value reached RRP."""

    ENTERED = "entered", "Entered on the ward's page"
    IMPORTED = "imported", "Imported from a file"
    API = "api", "Sent through the API"
    DEMO = "demo", "Demo data"


class ValuePeriod(models.TextChoices):
    """The period a measure value counts: a calendar month (``period_start`` the 1st) or an ISO week
    (``period_start`` its Monday), as the measure's definition says (``entry_period``, decision 0079)."""

    MONTH = "month", "Month"
    WEEK = "week", "Week"


class MeasureValue(AppendOnlyModel):
    """One version of a ward's value of an entered or imported measure for one month, or one ISO week
    where the measure is weekly (decisions 0043 and 0079).

    The current value of (ward, measure, period, start) is its highest version; a correction is a new version
    with a reason, never an edit. ``denominator`` is blank where the measure is over occupied bed days
    (RRP's own) or is a plain count. Counts per ward and month hold nothing that identifies a patient.
    """

    ward = models.ForeignKey("organisations.Ward", on_delete=models.PROTECT, related_name="+")
    measure_slug = models.CharField(max_length=80)
    definition_version = models.PositiveIntegerField(
        help_text="The measure definition's version the value was given under."
    )
    period = models.CharField(
        max_length=5, choices=ValuePeriod.choices, default=ValuePeriod.MONTH, db_default=ValuePeriod.MONTH
    )
    period_start = models.DateField(
        help_text="The first day of the month, or the Monday of the week, counted."
    )
    numerator = models.DecimalField(max_digits=12, decimal_places=2)
    denominator = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    version = models.PositiveIntegerField()
    route = models.CharField(max_length=10, choices=ValueRoute.choices)
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["ward_id", "measure_slug", "period_start", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "measure_slug", "period", "period_start", "version"],
                name="one_measure_value_version",
            ),
            models.CheckConstraint(
                name="measure_value_period_starts_on_day_1_or_monday",
                condition=models.Q(period=ValuePeriod.MONTH, period_start__day=1)
                | models.Q(period=ValuePeriod.WEEK, period_start__iso_week_day=1),
            ),
            models.CheckConstraint(
                name="measure_value_numerator_not_negative", condition=models.Q(numerator__gte=0)
            ),
            models.CheckConstraint(
                name="measure_value_denominator_above_zero",
                condition=models.Q(denominator__isnull=True) | models.Q(denominator__gt=0),
            ),
            models.CheckConstraint(name="measure_value_version_from_1", condition=models.Q(version__gte=1)),
            models.CheckConstraint(
                name="measure_value_correction_has_reason",
                condition=models.Q(version=1) | ~models.Q(reason=""),
            ),
        ]
        indexes = [models.Index(fields=["measure_slug", "ward", "period_start"])]

    @property
    def numerator_text(self) -> str:
        """The numerator as typed: 12, 12.5 (never 12.00 or 1.2E+1)."""
        return number_text(self.numerator)

    @property
    def denominator_text(self) -> str:
        return "" if self.denominator is None else number_text(self.denominator)

    def __str__(self) -> str:
        return f"{self.measure_slug} ward {self.ward_id} {self.period_start:%Y-%m} v{self.version}: {self.numerator}"


# --- The governed catalogue (issue 20 item 3, decision 0055) ------------------------------------------


class DefinitionDecision(models.TextChoices):
    """What the second person decided about a proposed definition."""

    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class DefinitionProposal(AppendOnlyModel):
    """A proposed new measure, or a new version of one, of a source that needs no code (entered or
    imported values): the definition in the file format (``measures.catalogue.parse_definition``) without
    its author and checker, who are the proposer and the reviewer. Append-only: a proposal is never
    edited; a different one is proposed instead."""

    slug = models.CharField(max_length=80)
    version = models.PositiveIntegerField(help_text="The definition's version if approved.")
    definition = models.JSONField()
    change_summary = models.TextField(help_text="What the proposal adds or changes, and why.")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()

    class Meta:
        ordering = ["slug", "version", "proposed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="definition_proposal_version_from_1", condition=models.Q(version__gte=1)
            ),
            models.CheckConstraint(
                name="definition_proposal_says_why", condition=~models.Q(change_summary="")
            ),
        ]
        indexes = [models.Index(fields=["slug", "version"])]

    def __str__(self) -> str:
        return f"{self.slug} v{self.version} proposed {self.proposed_at:%Y-%m-%d}"


class DefinitionReview(AppendOnlyModel):
    """The second person's decision on a proposal, with a reason: one per proposal, never by its author
    (a check constraint, as well as the service), and at most one approved proposal per version of a
    measure (a unique constraint, so two approvals racing cannot both win)."""

    proposal = models.OneToOneField(DefinitionProposal, on_delete=models.PROTECT, related_name="review")
    slug = models.CharField(max_length=80)
    version = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=DefinitionDecision.choices)
    reason = models.TextField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ["slug", "version", "reviewed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "version"],
                condition=models.Q(decision="approved"),
                name="one_approved_definition_version",
            ),
            models.CheckConstraint(
                name="definition_checked_by_someone_else", condition=~models.Q(reviewed_by=models.F("author"))
            ),
            models.CheckConstraint(name="definition_review_has_reason", condition=~models.Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.slug} v{self.version} {self.decision}"


class BoardMeasureSet(AppendOnlyModel):
    """A provider's chosen measures for the board's integrated summary table (issue 20 item 5), in the
    order shown. Each choice is a new version; the highest is current."""

    provider = models.ForeignKey("organisations.Provider", on_delete=models.PROTECT, related_name="+")
    slugs = models.JSONField()
    version = models.PositiveIntegerField()
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    chosen_at = models.DateTimeField()

    class Meta:
        ordering = ["provider_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "version"], name="one_board_measure_set_version"),
            models.CheckConstraint(
                name="board_measure_set_version_from_1", condition=models.Q(version__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"provider {self.provider_id} board set v{self.version}: {len(self.slugs)} measures"
