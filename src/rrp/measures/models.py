"""National statistics held for benchmarking (NHS Digital's published provider-level monthly figures),
and the stored monthly figures per ward that the reports read (a cache, see measures/monthly_figures.py).

Measure definitions are not here: they are reviewed data files (see measures/catalogue.py and
docs/measures.md), so a change to one is a diff with an author and a checker, not a database edit.
"""

from __future__ import annotations

from django.db import models


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


class WardMonthFigures(models.Model):
    """One ward's figures for one calendar month, kept so that a page over many wards and years reads a
    row per ward and month instead of every intervention and daily bed-day row behind it.

    ``figures`` holds, for every measure counted from intervention records (see
    ``measures.monthly_figures``), its numerator and any count denominator, and the month's occupied bed
    days. It is a cache of what ``measures.series`` computes from the records, never a record itself:
    any row may be deleted and is computed again when next needed.

    Freshness: every write to a ward's incidents, seclusion or segregation episodes or bed days adds one
    to ``generation`` of each month it touches, in the writer's transaction; figures are used only while
    ``computed_generation`` (the generation read before they were computed) still equals it and they
    were computed for the current measure definitions (``definitions_key``). A write that commits while
    figures are being computed therefore leaves them stale, never wrong.
    """

    ward = models.ForeignKey("organisations.Ward", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month.")
    generation = models.PositiveIntegerField(default=0)
    computed_generation = models.IntegerField(null=True, blank=True)
    definitions_key = models.CharField(max_length=64, blank=True)
    figures = models.JSONField(default=dict)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ward", "month"], name="one_figures_row_per_ward_month"),
        ]

    def __str__(self) -> str:
        return f"{self.ward_id} {self.month:%Y-%m} (generation {self.generation})"
