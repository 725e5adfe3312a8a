"""National statistics held for benchmarking (NHS Digital's published provider-level monthly figures).
The stored monthly figures per ward that the reports read are a cache in their own app (rrp.figures).

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
