"""Seclusion and long-term segregation episodes, kept as versions that are only ever added to.

An `Episode` is the identity of one episode: which patient, ward and kind. What people write about
it lives in `EpisodeVersion` rows; a correction, or ending the episode, is a new version with who,
when and why. `Review` and `Observation` rows are added as they happen and never changed. All of
these are append-only in the ORM (AppendOnlyModel) and in the database (migration 0002).
`ReviewRules` holds each provider's review intervals; it may change, and the audit log records who
changed it.

For measures and MHSDS extracts, an episode is a restrictive intervention of type 05 (seclusion) or
06 (segregation): see `Episode.mhsds_intervention_type` and docs/segregation.md.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery

from rrp.core.models import AppendOnlyModel, AppendOnlyQuerySet
from rrp.segregation import schedules
from rrp.segregation.codes import (
    MHSDS_INTERVENTION_TYPE,
    ActionOwner,
    ActionStatus,
    DeFactoOutcome,
    EpisodeKind,
    LawfulBasis,
    OversightReviewKind,
    PanelRole,
    ReviewDecision,
    ReviewKind,
)


class EpisodeQuerySet(AppendOnlyQuerySet):
    def with_current(self) -> EpisodeQuerySet:
        """Annotate `current_started_at` and `current_ended_at` from the latest version."""
        latest = EpisodeVersion.objects.filter(episode=OuterRef("pk")).order_by("-number")
        return self.annotate(
            current_started_at=Subquery(latest.values("started_at")[:1]),
            current_ended_at=Subquery(latest.values("ended_at")[:1]),
        )

    def active(self) -> EpisodeQuerySet:
        """Episodes not yet ended (by their latest version)."""
        return self.with_current().filter(current_ended_at__isnull=True)


class Episode(AppendOnlyModel):
    """One episode of seclusion or long-term segregation of one patient."""

    provider = models.ForeignKey("organisations.Provider", on_delete=models.PROTECT, related_name="+")
    ward = models.ForeignKey(
        "organisations.Ward", on_delete=models.PROTECT, related_name="segregation_episodes"
    )
    patient = models.ForeignKey(
        "people.Patient", on_delete=models.PROTECT, related_name="segregation_episodes"
    )
    kind = models.CharField(max_length=30, choices=EpisodeKind.choices)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["ward", "kind"]), models.Index(fields=["patient", "kind"])]
        constraints = [
            models.CheckConstraint(
                name="segregation_episode_valid_kind", condition=Q(kind__in=EpisodeKind.values)
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} episode {self.pk}"

    @property
    def mhsds_intervention_type(self) -> str:
        """MHSDS RestrictiveIntType: 05 seclusion, 06 segregation."""
        return MHSDS_INTERVENTION_TYPE[self.kind]

    @property
    def latest_version(self) -> EpisodeVersion | None:
        cached = getattr(self, "_latest_version", None)
        if cached is None:
            cached = self._latest_version = self.versions.order_by("-number").first()
        return cached


# Content fields of a version, in reading order; copied forward on amendment, compared in history.
CONTENT_FIELDS: tuple[str, ...] = (
    "started_at",
    "ended_at",
    "place",
    "authorised_by",
    "authorised_by_name",
    "authorised_by_doctor",
    "reason",
    "end_plan",
    "incident",
    "mdt_decision",
    "mdt_decided_at",
    "commissioner_representative",
    "end_reason",
)


class EpisodeVersion(AppendOnlyModel):
    """Everything written about an episode at one moment."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    change_reason = models.TextField(
        blank=True, help_text="Why this version was made (required after the first)."
    )

    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=200, help_text="The seclusion room or LTS area.")
    authorised_by = models.ForeignKey(
        "people.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authorised_by_name = models.CharField(max_length=200)
    authorised_by_doctor = models.BooleanField(
        default=False, help_text="A doctor started it (if not, a medical review is due within the hour)."
    )
    reason = models.TextField()
    end_plan = models.TextField(help_text="The care plan for ending the episode.")
    incident = models.ForeignKey(
        "force.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="segregation_versions"
    )
    # LTS (Code of Practice 26.150): the multidisciplinary decision and the commissioner's representative.
    mdt_decision = models.TextField(blank=True)
    mdt_decided_at = models.DateTimeField(null=True, blank=True)
    commissioner_representative = models.CharField(max_length=200, blank=True)
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["episode", "number"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "number"], name="segregation_version_number_unique"),
            models.CheckConstraint(
                name="segregation_version_reason_after_first", condition=Q(number=1) | ~Q(change_reason="")
            ),
            models.CheckConstraint(
                name="segregation_version_ends_after_start",
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"Episode {self.episode_id} version {self.number}"

    def content(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CONTENT_FIELDS}


class Review(AppendOnlyModel):
    """A Code of Practice review of an episode: who, when, what they found and their decision."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(max_length=30, choices=ReviewKind.choices)
    at = models.DateTimeField()
    reviewer = models.ForeignKey(
        "people.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewer_name = models.CharField(max_length=200)
    reviewer_role = models.CharField(max_length=200, blank=True, help_text="Job title or organisation.")
    second_reviewer = models.ForeignKey(
        "people.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    second_reviewer_name = models.CharField(max_length=200, blank=True)
    outcome = models.TextField()
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["episode", "at", "id"]
        indexes = [models.Index(fields=["episode", "kind", "at"])]
        constraints = [
            models.CheckConstraint(
                name="segregation_review_valid_kind", condition=Q(kind__in=ReviewKind.values)
            ),
            models.CheckConstraint(
                name="segregation_review_valid_decision", condition=Q(decision__in=ReviewDecision.values)
            ),
            models.CheckConstraint(
                name="segregation_nursing_review_two_nurses",
                condition=~Q(kind="nursing") | ~Q(second_reviewer_name=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of episode {self.episode_id} at {self.at:%Y-%m-%d %H:%M}"


class Observation(AppendOnlyModel):
    """An observation of a patient in seclusion or segregation: when, by whom, what was seen."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="observations")
    at = models.DateTimeField()
    observer = models.ForeignKey(
        "people.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    observer_name = models.CharField(max_length=200)
    note = models.TextField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["episode", "at", "id"]
        indexes = [models.Index(fields=["episode", "at"])]

    def __str__(self) -> str:
        return f"Observation of episode {self.episode_id} at {self.at:%Y-%m-%d %H:%M}"


D = schedules.DEFAULT_RULES


def _minutes(default: int, help_text: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(default=default, help_text=f"{help_text} (minutes)")


class ReviewRules(models.Model):
    """A provider's review intervals, in minutes. Defaults follow the Code of Practice 2015 chapter 26
    as trust policies quote it, to be checked against the Code; a provider without a row uses them."""

    provider = models.OneToOneField("organisations.Provider", on_delete=models.PROTECT, related_name="+")
    seclusion_first_medical_minutes = _minutes(
        D.seclusion_first_medical_minutes, "First medical review when a doctor did not start seclusion"
    )
    seclusion_nursing_minutes = _minutes(D.seclusion_nursing_minutes, "Nursing review by two nurses, every")
    seclusion_medical_minutes = _minutes(
        D.seclusion_medical_minutes, "Medical review until the first MDT, every"
    )
    seclusion_medical_after_mdt_minutes = _minutes(
        D.seclusion_medical_after_mdt_minutes, "Medical review after the first MDT, every"
    )
    seclusion_mdt_minutes = _minutes(D.seclusion_mdt_minutes, "MDT review of seclusion, every")
    seclusion_observation_minutes = _minutes(
        D.seclusion_observation_minutes, "Observation in seclusion, every"
    )
    independent_mdt_continuous_minutes = _minutes(
        D.independent_mdt_continuous_minutes, "Independent MDT review after seclusion in a row of"
    )
    independent_mdt_total_minutes = _minutes(
        D.independent_mdt_total_minutes, "Independent MDT review after seclusion in total of"
    )
    independent_mdt_window_minutes = _minutes(D.independent_mdt_window_minutes, "... within a window of")
    independent_mdt_within_minutes = _minutes(
        D.independent_mdt_within_minutes, "Independent MDT review due this long after its trigger"
    )
    lts_approved_clinician_minutes = _minutes(
        D.lts_approved_clinician_minutes, "LTS approved clinician review"
    )
    lts_mdt_minutes = _minutes(D.lts_mdt_minutes, "LTS MDT review, every")
    lts_external_minutes = _minutes(D.lts_external_minutes, "LTS external independent review, every")
    lts_icetr_minutes = _minutes(
        D.lts_icetr_minutes, "IC(E)TR for people with a learning disability or autism"
    )
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name_plural = "review rules"

    def __str__(self) -> str:
        return f"Review rules for provider {self.provider_id}"

    def as_rules(self) -> schedules.Rules:
        return schedules.Rules(**{name: getattr(self, name) for name in RULE_FIELDS})


RULE_FIELDS: tuple[str, ...] = tuple(schedules.Rules.__dataclass_fields__)


# --- Oversight (issue 17): independent reviews, their panels and recommendations ---------------------


class IndependentReview(AppendOnlyModel):
    """An independent review of a person's segregation: when, who sat on the panel, what the person and
    their family or advocate said, what the panel found. Its recommendations are actions with owners and
    due dates (`Recommendation`). It also counts as the Code of Practice external review (`review`, the
    `Review` row that the timers read)."""

    provider = models.ForeignKey("organisations.Provider", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("people.Patient", on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.PROTECT, related_name="independent_reviews"
    )
    review = models.OneToOneField(
        Review, null=True, blank=True, on_delete=models.PROTECT, related_name="independent_review"
    )
    kind = models.CharField(max_length=30, choices=OversightReviewKind.choices)
    held_on = models.DateField()
    person_views = models.TextField(help_text="The person's own views, in their words where possible.")
    family_views = models.TextField(help_text="Their family's, carer's or advocate's views.")
    findings = models.TextField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["provider", "held_on"]), models.Index(fields=["patient", "held_on"])]
        constraints = [
            models.CheckConstraint(
                name="segregation_oversight_review_valid_kind",
                condition=Q(kind__in=OversightReviewKind.values),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} on {self.held_on:%Y-%m-%d}"


class IndependentReviewText(AppendOnlyModel):
    """A correction of a review's own text (the person's and their family's views, the findings): version
    `number` (2 onwards; version 1 is on the review itself), with why it was corrected, who and when. The
    page reads the latest; the review and every earlier version are kept."""

    independent_review = models.ForeignKey(
        IndependentReview, on_delete=models.PROTECT, related_name="corrections"
    )
    number = models.PositiveIntegerField()
    person_views = models.TextField()
    family_views = models.TextField()
    findings = models.TextField()
    change_reason = models.TextField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["independent_review", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["independent_review", "number"], name="segregation_review_text_number_unique"
            ),
            models.CheckConstraint(
                name="segregation_review_text_after_first", condition=Q(number__gte=2) & ~Q(change_reason="")
            ),
        ]

    def __str__(self) -> str:
        return f"Review {self.independent_review_id} text version {self.number}"


class PanelMember(AppendOnlyModel):
    """One member of an independent review's panel and their role."""

    independent_review = models.ForeignKey(IndependentReview, on_delete=models.PROTECT, related_name="panel")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=30, choices=PanelRole.choices)
    organisation = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["independent_review", "id"]
        constraints = [
            models.CheckConstraint(
                name="segregation_panel_valid_role", condition=Q(role__in=PanelRole.values)
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class Recommendation(AppendOnlyModel):
    """A recommendation of an independent review, as an action: what, whose, by when. Where it stands is
    the latest `RecommendationUpdate`."""

    PLANNED_DATES = ("due_on",)

    independent_review = models.ForeignKey(
        IndependentReview, on_delete=models.PROTECT, related_name="recommendations"
    )
    number = models.PositiveIntegerField()
    text = models.TextField()
    owner = models.CharField(max_length=20, choices=ActionOwner.choices)
    due_on = models.DateField()

    class Meta:
        ordering = ["independent_review", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["independent_review", "number"], name="segregation_recommendation_number_unique"
            ),
            models.CheckConstraint(
                name="segregation_recommendation_valid_owner", condition=Q(owner__in=ActionOwner.values)
            ),
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.number} of review {self.independent_review_id}"


class RecommendationUpdate(AppendOnlyModel):
    """Where a recommendation stands at one moment, with the evidence: version `number` of its status
    (version 1 is "not yet assessed", written with the review)."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="updates")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    evidence = models.TextField(blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["recommendation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "number"], name="segregation_recommendation_update_unique"
            ),
            models.CheckConstraint(
                name="segregation_recommendation_valid_status", condition=Q(status__in=ActionStatus.values)
            ),
            models.CheckConstraint(
                name="segregation_recommendation_evidence",
                condition=Q(status="open") | ~Q(evidence=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.recommendation_id} status {self.number}"


class EndPlanVersion(AppendOnlyModel):
    """The plan to end a person's long-term segregation, as written at one moment: its aim and steps
    (`EndPlanStep`). A change is a new version with its reason; the earlier ones are kept, so the history
    shows when the plan moved and when it stalled."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="end_plan_versions")
    number = models.PositiveIntegerField()
    aim = models.TextField(help_text="What ending segregation looks like for this person.")
    change_reason = models.TextField(blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["episode", "number"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "number"], name="segregation_end_plan_number_unique"),
            models.CheckConstraint(
                name="segregation_end_plan_reason_after_first", condition=Q(number=1) | ~Q(change_reason="")
            ),
        ]

    def __str__(self) -> str:
        return f"Plan to end segregation, episode {self.episode_id} version {self.number}"


class EndPlanStep(AppendOnlyModel):
    """One step of a version of the plan: what, planned for when, and when it was done (if it was)."""

    PLANNED_DATES = ("planned_on",)

    plan = models.ForeignKey(EndPlanVersion, on_delete=models.PROTECT, related_name="steps")
    number = models.PositiveIntegerField()
    text = models.TextField()
    planned_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="segregation_end_plan_step_unique"),
        ]

    def __str__(self) -> str:
        return f"Step {self.number} of plan {self.plan_id}"


class NamedAccessGrant(AppendOnlyModel):
    """A commissioner's case manager's access, by name, to one person in segregation at a provider their
    ICB commissions: why (the lawful basis and its detail), from when and until when, and who granted it.
    Without an active grant commissioners see only the pseudonymised register. Ended early by a
    `NamedAccessRevocation`; never changed."""

    PLANNED_DATES = ("ends_on",)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("people.Patient", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("organisations.Provider", on_delete=models.PROTECT, related_name="+")
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    basis_detail = models.TextField()
    starts_at = models.DateTimeField()
    ends_on = models.DateField(help_text="The last day of access (UK).")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["user", "patient"])]
        constraints = [
            models.CheckConstraint(
                name="segregation_grant_valid_basis", condition=Q(lawful_basis__in=LawfulBasis.values)
            )
        ]

    def __str__(self) -> str:
        return f"Named access grant {self.pk}"


class NamedAccessRevocation(AppendOnlyModel):
    """A grant ended before its last day: when, by whom, why."""

    grant = models.OneToOneField(NamedAccessGrant, on_delete=models.PROTECT, related_name="revocation")
    revoked_at = models.DateTimeField()
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()

    def __str__(self) -> str:
        return f"Revocation of grant {self.grant_id}"


class CommissionerVisit(AppendOnlyModel):
    """A commissioner's case manager's visit to a person in segregation they have named access to: when,
    what they saw and heard, and the grant they relied on. Kept beside the person's record for the
    provider and the case manager; never changed."""

    provider = models.ForeignKey("organisations.Provider", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("people.Patient", on_delete=models.PROTECT, related_name="+")
    grant = models.ForeignKey(NamedAccessGrant, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField()
    notes = models.TextField(help_text="What you saw and heard, including what the person said.")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["patient", "visited_on"])]

    def __str__(self) -> str:
        return f"Commissioner's visit {self.pk} on {self.visited_on:%Y-%m-%d}"


class DeFactoDecision(AppendOnlyModel):
    """A decision, with reasons, about a person flagged as possibly segregated without an episode
    (`segregation.defacto`): what the flags were when it was made, what was decided and why."""

    provider = models.ForeignKey("organisations.Provider", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("people.Patient", on_delete=models.PROTECT, related_name="+")
    flags = models.TextField(help_text="The flags shown when the decision was made.")
    outcome = models.CharField(max_length=30, choices=DeFactoOutcome.choices)
    reasons = models.TextField()
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["provider", "patient", "decided_at"])]
        constraints = [
            models.CheckConstraint(
                name="segregation_defacto_valid_outcome", condition=Q(outcome__in=DeFactoOutcome.values)
            )
        ]

    def __str__(self) -> str:
        return f"De-facto segregation decision {self.pk}"
