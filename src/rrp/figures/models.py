"""The stored monthly figures per ward: a cache of what ``measures.series`` computes from the records.

An app of its own, below every record app, so that organisations, people, force and segregation can
mark a ward's months stale when they write without importing measures (docs/decisions/0005 and 0011).
"""

from __future__ import annotations

from django.db import models


class WardMonthFigures(models.Model):
    """One ward's figures for one calendar month, kept so that a page over many wards and years reads a
    row per ward and month instead of every intervention and daily bed-day row behind it.

    ``figures`` holds, for every measure counted from intervention records, its numerator and any
    count denominator, and the month's occupied bed days (how they are kept: ``figures.store``). It is a cache of what ``measures.series`` computes from the records, never a record itself:
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
