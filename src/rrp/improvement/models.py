"""What a ward or collaborative does to improve, as it appears on the charts.

- :class:`WardEvent`: a dated, labelled event (a change tested, a new incident system, a ward
  reconfiguration) shown as a marker on every chart of the ward.
- :class:`ChartRebase`: a person's decision, with a reason, to start new limits on one measure's chart
  of one ward from a date. Charts never rebase by themselves (Making Data Count: recalculate only when
  a sustained change is explained).
- :class:`ImprovementAim`: "25% fewer restrictive interventions than the baseline period by a date",
  for a provider or a collaborative.

All three are append-only: a mistaken row is withdrawn by a new :class:`Withdrawal` row with who, when and
why, never edited or deleted. An event's text that names a patient is redacted by governance with a new
:class:`WardEventRedaction` row; the event's own row keeps the original, which no page shows again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rrp.core.models import AppendOnlyModel
from rrp.organisations.models import Collaborative, Provider, Ward


class EventKind(models.TextChoices):
    CHANGE_TESTED = "change_tested", "A change tested (PDSA)"
    RECORDING_SYSTEM = "recording_system", "A new or changed incident recording system"
    WARD_RECONFIGURATION = "ward_reconfiguration", "A ward reconfiguration (beds, patient group, move)"
    STAFFING = "staffing", "A staffing change"
    OTHER = "other", "Something else"


class WardEvent(AppendOnlyModel):
    """A dated event on a ward, drawn as a labelled marker on each of the ward's charts."""

    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="events")
    happened_on = models.DateField()
    label = models.CharField(max_length=60, help_text="Short: it is printed on the chart.")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    description = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["ward", "happened_on", "id"]
        indexes = [models.Index(fields=["ward", "happened_on"])]

    def __str__(self) -> str:
        return f"{self.ward}: {self.label} ({self.happened_on:%d %b %Y})"


class WardEventRedaction(AppendOnlyModel):
    """The text an event is shown with from now on, written by governance to take out a patient's name or
    NHS number (issue 13, item 7). Events are read outside the ward (by commissioners), so identifiers must
    not stay on them; the event's row is never changed (append-only), so the original stays there and in
    the audit trail, and every page, chart and export reads the latest redaction's text instead."""

    event = models.ForeignKey(WardEvent, on_delete=models.PROTECT, related_name="redactions")
    label = models.CharField(max_length=60)
    description = models.TextField(blank=True)
    reason = models.TextField()
    redacted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    redacted_at = models.DateTimeField()

    class Meta:
        ordering = ["event", "redacted_at", "id"]

    def __str__(self) -> str:
        return f"Redaction {self.pk} of ward event {self.event_id}"


class ChartRebase(AppendOnlyModel):
    """A recorded decision to start new limits on a ward's chart of one measure from a date."""

    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="chart_rebases")
    measure_slug = models.CharField(max_length=80)
    rebase_on = models.DateField(help_text="The first period of the new limits.")
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["ward", "measure_slug", "rebase_on", "id"]
        indexes = [models.Index(fields=["ward", "measure_slug"])]

    def __str__(self) -> str:
        return f"{self.ward}: rebase {self.measure_slug} from {self.rebase_on:%d %b %Y}"


class ImprovementAim(AppendOnlyModel):
    """A reduction aim for a provider or a collaborative: ``reduction_percent`` fewer than the mean of
    the baseline period, by ``aim_date``. For a collaborative each ward's baseline is the same length of
    time before the ward joined (so late joiners are measured from their own start)."""

    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="aims"
    )
    collaborative = models.ForeignKey(
        Collaborative, null=True, blank=True, on_delete=models.PROTECT, related_name="aims"
    )
    measure_slug = models.CharField(max_length=80)
    statement = models.CharField(max_length=300)
    baseline_start = models.DateField()
    baseline_end = models.DateField()
    reduction_percent = models.PositiveSmallIntegerField()
    aim_date = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["aim_date", "id"]
        constraints = [
            models.CheckConstraint(
                name="aim_for_provider_or_collaborative",
                condition=(
                    models.Q(provider__isnull=False, collaborative__isnull=True)
                    | models.Q(provider__isnull=True, collaborative__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="aim_baseline_in_order", condition=models.Q(baseline_end__gte=models.F("baseline_start"))
            ),
            models.CheckConstraint(
                name="aim_reduction_is_a_percentage",
                condition=models.Q(reduction_percent__gte=1, reduction_percent__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return self.statement


class Withdrawal(AppendOnlyModel):
    """Withdraws one event, rebase or aim recorded by mistake; the row itself stays, marked withdrawn."""

    event = models.OneToOneField(
        WardEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="withdrawal"
    )
    rebase = models.OneToOneField(
        ChartRebase, null=True, blank=True, on_delete=models.PROTECT, related_name="withdrawal"
    )
    aim = models.OneToOneField(
        ImprovementAim, null=True, blank=True, on_delete=models.PROTECT, related_name="withdrawal"
    )
    reason = models.TextField()
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="withdraws_exactly_one_thing",
                condition=(
                    models.Q(event__isnull=False, rebase__isnull=True, aim__isnull=True)
                    | models.Q(event__isnull=True, rebase__isnull=False, aim__isnull=True)
                    | models.Q(event__isnull=True, rebase__isnull=True, aim__isnull=False)
                ),
            )
        ]
