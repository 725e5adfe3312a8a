"""The unit's duties under the Mental Health Units (Use of Force) Act 2018 around its records.

- s2: a **responsible person** for the provider's units (`ResponsiblePersonAppointment`): each
  appointment is a row from its date; the one in post is the latest appointed on or before today, and a
  term ends when the next begins, so the history is the rows themselves.
- s10: **delegations** of the responsible person's functions (`Delegation`), with their dates.
- s3: the **use-of-force policy** (`PolicyVersion`): each approved version with its published document,
  who was consulted (patients and carers among them), and when it must next be reviewed; the current
  version is the latest approved on or before today, overdue once its review date has passed.

All three are append-only (decision 0003): a correction or a change is a new row, never an edit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from rrp.core.models import AppendOnlyModel


class ResponsiblePersonAppointment(AppendOnlyModel):
    """The appointment of a provider's responsible person (s2), in post from `appointed_on` until the next."""

    provider = models.ForeignKey("organisations.Provider", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200)
    appointed_on = models.DateField(help_text="The date the appointment took effect.")
    note = models.TextField(blank=True, help_text="For example, the board minute that made the appointment.")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["provider", "-appointed_on", "-id"]
        indexes = [models.Index(fields=["provider", "appointed_on"])]
        constraints = [models.CheckConstraint(name="act_responsible_person_named", condition=~Q(name=""))]

    def __str__(self) -> str:
        return f"{self.name}, {self.job_title} (from {self.appointed_on:%d %B %Y})"


class Delegation(AppendOnlyModel):
    """A function of the responsible person delegated to someone else (s10), for a period."""

    provider = models.ForeignKey("organisations.Provider", on_delete=models.PROTECT, related_name="+")
    delegate_name = models.CharField("delegated to", max_length=200)
    delegate_job_title = models.CharField("their job title", max_length=200)
    functions = models.TextField(help_text="Which of the responsible person's functions are delegated.")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Blank if it has no set end.")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["provider", "-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="act_delegation_ends_after_start",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
            ),
            models.CheckConstraint(name="act_delegation_has_functions", condition=~Q(functions="")),
        ]

    def __str__(self) -> str:
        return f"Delegation to {self.delegate_name} from {self.starts_on:%d %B %Y}"


class PolicyVersion(AppendOnlyModel):
    """One approved version of the provider's policy on the use of force (s3)."""

    provider = models.ForeignKey("organisations.Provider", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    version_label = models.CharField("version", max_length=20)
    document_url = models.URLField(
        "published document", max_length=500, help_text="Where the policy is published (a web address)."
    )
    approved_on = models.DateField()
    review_due_on = models.DateField("next review due")
    consulted = models.TextField(
        "who was consulted", help_text="The groups and people consulted on this version."
    )
    patients_consulted = models.BooleanField("patients were consulted")
    carers_consulted = models.BooleanField("carers or families were consulted")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["provider", "-approved_on", "-id"]
        indexes = [models.Index(fields=["provider", "approved_on"])]
        constraints = [
            models.CheckConstraint(
                name="act_policy_review_after_approval", condition=Q(review_due_on__gt=F("approved_on"))
            ),
            models.CheckConstraint(name="act_policy_has_consultation", condition=~Q(consulted="")),
        ]

    def __str__(self) -> str:
        return f"{self.title} version {self.version_label}"
