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
:class:`WardEventRedaction` row, and a rebase's or a withdrawal's reason with a :class:`ReasonRedaction`
row; the original row keeps the original text, which no page shows again.
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


class ReasonRedaction(AppendOnlyModel):
    """The reason a rebase decision or a withdrawal is shown with from now on, written by governance to take
    out a patient's name or NHS number (issue 13, item 7), as :class:`WardEventRedaction` does for an
    event's label and description. Both reasons are read outside the ward (commissioners open the ward's
    events page). Exactly one of ``rebase`` and ``withdrawal`` is set; the redacted row is never changed, so
    the original stays there and in its audited history, and every page reads the latest redaction's
    ``text`` instead. ``reason`` is why the text was redacted."""

    rebase = models.ForeignKey(
        ChartRebase, null=True, blank=True, on_delete=models.PROTECT, related_name="reason_redactions"
    )
    withdrawal = models.ForeignKey(
        Withdrawal, null=True, blank=True, on_delete=models.PROTECT, related_name="reason_redactions"
    )
    text = models.TextField(help_text="The reason shown from now on.")
    reason = models.TextField(help_text="Why the text was redacted.")
    redacted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    redacted_at = models.DateTimeField()

    class Meta:
        ordering = ["redacted_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="redacts_a_rebase_or_a_withdrawal",
                condition=(
                    models.Q(rebase__isnull=False, withdrawal__isnull=True)
                    | models.Q(rebase__isnull=True, withdrawal__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        what = f"rebase decision {self.rebase_id}" if self.rebase_id else f"withdrawal {self.withdrawal_id}"
        return f"Redaction {self.pk} of the reason of {what}"


# --- Quality-improvement projects (issue 14; decision 0025) -----------------------------------------


class ProjectStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    ACTIVE = "active", "Testing changes"
    SUSTAINING = "sustaining", "Sustaining and spreading"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


class MeasureRole(models.TextChoices):
    """Measurement for improvement: outcome (what the aim is about), process (are we doing what we said),
    balancing (what might get worse)."""

    OUTCOME = "outcome", "Outcome"
    PROCESS = "process", "Process"
    BALANCING = "balancing", "Balancing"


class TeamRole(models.TextChoices):
    LEAD = "lead", "Project lead"
    SPONSOR = "sponsor", "Sponsor"
    MEMBER = "member", "Team member"
    EXPERT_BY_EXPERIENCE = "expert_by_experience", "Expert by experience"
    CARER = "carer", "Carer or family member"
    COACH = "coach", "QI coach"


# The IHI project progress score (IHI, "Assessment Scale for Collaboratives"; the 0.5 to 5.0 form used
# by Life QI: blog.lifeqisystem.com/ihi-progress-scores, and www.cnwl.nhs.uk/ia/resources/progress-scores-life-qi).
# Meanings are summarised in our words. Keys are tenths (5 = 0.5) so the database holds whole numbers.
PROGRESS_SCORES: dict[int, tuple[str, str]] = {
    5: ("Intent to participate", "The project is identified; no charter or team yet."),
    10: ("Charter and team established", "Charter agreed and people assigned; no work done yet."),
    15: ("Planning for the project has begun", "Resources, focus, tools and meetings being organised."),
    20: ("Activity, but no changes", "Learning cycles begun: planning, baseline data, study of processes."),
    25: (
        "Changes tested, but no improvement",
        "Tests of change begun; measures set up and charted with targets.",
    ),
    30: (
        "Modest improvement",
        "Some changes tested successfully, some small-scale implementation; about 20% of results.",
    ),
    35: ("Improvement", "Testing and implementation go on; the measures move towards the goals."),
    40: (
        "Significant improvement",
        "Expected results in major parts; implementation begun; half or more of the goals met.",
    ),
    45: ("Sustainable improvement", "Key measures begin to show the improvement is sustained."),
    50: (
        "Outstanding sustainable results",
        "All goals met; the organisation has changed to keep the improvement.",
    ),
}


def progress_score_text(tenths: int) -> str:
    """'3.5 Improvement' for 35."""
    return f"{tenths / 10:.1f} {PROGRESS_SCORES[tenths][0]}"


class QiProject(models.Model):
    """A quality-improvement project of one provider, on one or more of its wards.

    Not a clinical record: its text is edited in place, each save raising ``version`` (decision 0018's
    optimistic concurrency) and writing an audit row naming the fields changed. The aim's baseline is
    worked out from the measure's own figures on the project's wards (``baseline_value``), never typed.
    """

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="qi_projects")
    wards = models.ManyToManyField(Ward, related_name="qi_projects")
    title = models.CharField(max_length=120)
    problem = models.TextField()
    aim_measure_slug = models.CharField(max_length=80)
    baseline_start = models.DateField()
    baseline_end = models.DateField()
    baseline_value = models.FloatField()
    aim_change_percent = models.PositiveSmallIntegerField()
    aim_by = models.DateField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PLANNING)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                name="qi_baseline_in_order", condition=models.Q(baseline_end__gte=models.F("baseline_start"))
            ),
            models.CheckConstraint(
                name="qi_aim_change_is_a_percentage",
                condition=models.Q(aim_change_percent__gte=1, aim_change_percent__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectMeasure(models.Model):
    """One catalogue measure a project watches, as outcome, process or balancing measure."""

    project = models.ForeignKey(QiProject, on_delete=models.CASCADE, related_name="measures")
    measure_slug = models.CharField(max_length=80)
    role = models.CharField(max_length=20, choices=MeasureRole.choices)

    class Meta:
        ordering = ["project", "role", "measure_slug"]
        constraints = [
            models.UniqueConstraint(fields=["project", "measure_slug"], name="qi_measure_once_per_project")
        ]

    def __str__(self) -> str:
        return f"{self.measure_slug} ({self.role}) of project {self.project_id}"


class TeamMember(models.Model):
    """One person on a project's team: an RRP user, or someone named who has no account (an expert by
    experience, a carer, a coach from outside). Leaving keeps the row, with ``left_on``."""

    project = models.ForeignKey(QiProject, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="qi_teams"
    )
    name = models.CharField(max_length=120, blank=True)
    team_role = models.CharField(max_length=30, choices=TeamRole.choices)
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["project", "left_on", "team_role", "id"]
        constraints = [
            models.CheckConstraint(
                name="qi_team_member_is_a_user_or_named",
                condition=models.Q(user__isnull=False, name="")
                | models.Q(user__isnull=True) & ~models.Q(name=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.team_role}) on project {self.project_id}"

    @property
    def display_name(self) -> str:
        if self.user_id is not None:
            return self.user.get_full_name() or self.user.get_username()
        return self.name


class ProgressScore(AppendOnlyModel):
    """The project's IHI progress score on a date: a dated history, never edited (a mistake is put right
    by scoring again)."""

    project = models.ForeignKey(QiProject, on_delete=models.PROTECT, related_name="scores")
    tenths = models.PositiveSmallIntegerField(choices=[(k, progress_score_text(k)) for k in PROGRESS_SCORES])
    scored_on = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["project", "scored_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="qi_progress_score_on_the_scale",
                condition=models.Q(tenths__in=list(PROGRESS_SCORES)),
            )
        ]

    @property
    def score(self) -> float:
        return self.tenths / 10

    @property
    def meaning(self) -> str:
        return PROGRESS_SCORES[self.tenths][0]


class ProjectMilestone(models.Model):
    """A dated milestone of a project (issue 14, item 1): "Huddle card in use on every shift", "Launched on
    the second ward". Its label is a marker on the project's own charts, beside its PDSA cycles (not on
    every chart of its wards, as a cycle is: a milestone belongs to the project). Not a clinical record:
    one recorded by mistake is withdrawn with a reason (kept, struck through, off the charts), as a cycle
    is; each change is audited."""

    project = models.ForeignKey(QiProject, on_delete=models.PROTECT, related_name="milestones")
    reached_on = models.DateField()
    label = models.CharField(max_length=60, help_text="Short: it is printed on the charts.")
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["project", "reached_on", "id"]

    def __str__(self) -> str:
        return f"Milestone: {self.label}"


class ProjectSeries(AppendOnlyModel):
    """A series charted on "Chart your own data" and saved to a QI project (issue 20 item 4, decision
    0057): the CSV text as it was given, the chart's options as they were chosen, and who saved it. The
    project page draws it again with the same engine and options. Append-only: saving a series again under
    the same title is a new version, and the project page draws the latest of each title."""

    project = models.ForeignKey(QiProject, on_delete=models.PROTECT, related_name="series")
    title = models.CharField(max_length=120)
    csv_text = models.TextField()
    options = models.JSONField(help_text="The chart-your-own-data form's fields other than the data")
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["project", "title", "saved_at", "id"]

    def __str__(self) -> str:
        return f"{self.project}: {self.title}"


class ActDecision(models.TextChoices):
    ADOPT = "adopt", "Adopt: keep the change"
    ADAPT = "adapt", "Adapt: change it and test again"
    ABANDON = "abandon", "Abandon: stop testing it"


class PdsaCycle(models.Model):
    """One Plan-Do-Study-Act test of a change on some of a project's wards (issue 14, item 4).

    A working document, edited in place as the test moves from plan to act (``version`` and the audit log
    keep who changed what; decision 0025). Cycles chain into ramps through ``previous``. Each cycle not
    withdrawn is a marker on every chart of its wards, read by ``selectors.events_by_ward`` from this
    table (not copied into ``WardEvent``).
    """

    project = models.ForeignKey(QiProject, on_delete=models.PROTECT, related_name="cycles")
    number = models.PositiveSmallIntegerField(help_text="1, 2, 3 ... within the project")
    title = models.CharField(max_length=50, help_text="Short: it is printed on the charts.")
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_cycles"
    )
    change_idea = models.ForeignKey(
        "ChangeIdea", null=True, blank=True, on_delete=models.PROTECT, related_name="cycles"
    )
    wards = models.ManyToManyField(Ward, related_name="pdsa_cycles")
    # Plan
    objective = models.TextField(help_text="The question this test answers")
    prediction = models.TextField()
    plan_details = models.TextField(help_text="Who, what, when and where")
    data_to_collect = models.TextField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    # Do
    what_happened = models.TextField(blank=True)
    observations = models.TextField(blank=True)
    # Study
    study = models.TextField(blank=True, help_text="The results against the prediction; what was learned")
    # Act
    decision = models.CharField(max_length=10, choices=ActDecision.choices, blank=True)
    next_steps = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="pdsa_number_once_per_project"),
            models.CheckConstraint(
                name="pdsa_ends_after_it_starts",
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
            ),
        ]
        indexes = [models.Index(fields=["starts_on"])]

    def __str__(self) -> str:
        return f"PDSA {self.number}: {self.title}"

    @property
    def chart_label(self) -> str:
        return str(self)

    @property
    def stage(self) -> str:
        """Where the cycle has got to: the last of plan, do, study and act with something written."""
        if self.withdrawn_at is not None:
            return "Withdrawn"
        if self.decision:
            return "Act"
        if self.study.strip():
            return "Study"
        if self.what_happened.strip() or self.observations.strip():
            return "Do"
        return "Plan"


# --- The change package and driver diagrams (issue 14, items 2 and 3) --------------------------------


class ChangeIdea(models.Model):
    """A change idea in the change package: what to try, why, and where the evidence comes from.

    The starter set (``provider`` and ``collaborative`` empty) ships with RRP, each citing a public source;
    a provider's QI leads add their own (``provider`` set), seen by that provider's wards only; a
    collaborative's lead writes the collaborative's own (``collaborative`` set, decision 0080), chosen by
    its member wards' projects. A collaborative's idea keeps every version it was saved as
    (``ChangeIdeaVersion``, append-only) and is withdrawn, never deleted: cycles that tested it keep it.
    """

    title = models.CharField(max_length=80)
    description = models.TextField()
    source = models.CharField(max_length=300, help_text="The evidence or where the idea comes from")
    source_url = models.URLField(max_length=500, blank=True)
    driver = models.CharField(
        max_length=120, help_text="The driver it serves, e.g. 'Ward culture and relationships'"
    )
    tags = models.CharField(max_length=200, blank=True, help_text="Comma-separated")
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="change_ideas"
    )
    collaborative = models.ForeignKey(
        Collaborative, null=True, blank=True, on_delete=models.PROTECT, related_name="own_ideas"
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["driver", "title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["title"],
                condition=models.Q(provider__isnull=True, collaborative__isnull=True),
                name="starter_idea_title_unique",
            ),
            models.UniqueConstraint(fields=["provider", "title"], name="provider_idea_title_unique"),
            models.UniqueConstraint(
                fields=["collaborative", "title"], name="collaborative_idea_title_unique"
            ),
            models.CheckConstraint(
                name="idea_of_a_provider_or_a_collaborative_not_both",
                condition=models.Q(provider__isnull=True) | models.Q(collaborative__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class ChangeIdeaVersion(AppendOnlyModel):
    """One saved version of a collaborative's own change idea (decision 0080): what it said, who saved it,
    when and what changed. The idea row carries the latest; these keep every earlier wording."""

    idea = models.ForeignKey(ChangeIdea, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=80)
    description = models.TextField()
    source = models.CharField(max_length=300)
    source_url = models.URLField(max_length=500, blank=True)
    driver = models.CharField(max_length=120)
    tags = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=300, blank=True, help_text="What changed in this version")
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["idea", "number"]
        constraints = [models.UniqueConstraint(fields=["idea", "number"], name="one_idea_version_per_number")]

    def __str__(self) -> str:
        return f"{self.title}, version {self.number}"


class DriverDiagramVersion(AppendOnlyModel):
    """One saved version of a project's driver diagram (theory of change): aim -> primary drivers ->
    secondary drivers -> change ideas, as a whole snapshot (``content``), so a team can see how its theory
    changed. Never edited: saving the diagram adds the next version.

    ``content``: ``{"primary": [{"text": ..., "secondary": [{"text": ..., "ideas": [{"text": ...,
    "idea_id": id or null}]}]}]}``.
    """

    project = models.ForeignKey(QiProject, on_delete=models.PROTECT, related_name="diagram_versions")
    number = models.PositiveSmallIntegerField()
    content = models.JSONField()
    outline = models.TextField(help_text="The outline the diagram was written as")
    note = models.CharField(max_length=200, blank=True, help_text="What changed in the theory")
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="diagram_version_once_per_project")
        ]

    def __str__(self) -> str:
        return f"Driver diagram version {self.number} of project {self.project_id}"


# --- Collaboratives run from RRP (issue 14, item 6; decision 0059) -----------------------------------


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the provider"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn by the collaborative"


class CollaborativeInvitation(models.Model):
    """A collaborative lead's invitation for a ward to join, answered by the ward's provider (governance).

    Accepting makes the ward a member from the date the provider gives (an
    ``organisations.CollaborativeMembership``, which the collaborative view reads); the invitation keeps
    who decided, when, and the membership it made. A working record edited in place as it is answered,
    each step audited (decision 0059).
    """

    collaborative = models.ForeignKey(Collaborative, on_delete=models.PROTECT, related_name="invitations")
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="collaborative_invitations")
    proposed_joining_on = models.DateField()
    message = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    membership = models.OneToOneField(
        "organisations.CollaborativeMembership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitation",
    )

    class Meta:
        ordering = ["collaborative", "-invited_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "ward"],
                condition=models.Q(status="pending"),
                name="one_pending_invitation_per_ward",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.ward} to {self.collaborative} ({self.status})"


class CollaborativeIdea(models.Model):
    """A change idea the collaborative's lead has put in the collaborative's change package, with why
    (curation, issue 14 items 3 and 6). Taking it out keeps the row with when and by whom."""

    collaborative = models.ForeignKey(Collaborative, on_delete=models.PROTECT, related_name="package")
    change_idea = models.ForeignKey(ChangeIdea, on_delete=models.PROTECT, related_name="collaboratives")
    note = models.CharField(max_length=300, blank=True, help_text="Why the collaborative recommends it")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["collaborative", "change_idea__title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "change_idea"],
                condition=models.Q(removed_at__isnull=True),
                name="idea_once_in_a_collaborative_package",
            )
        ]

    def __str__(self) -> str:
        return f"{self.change_idea} in {self.collaborative}"


class TemplateDiagramVersion(AppendOnlyModel):
    """One published version of a collaborative's template driver diagram: the theory of change its member
    projects start from. Same ``content`` and outline as :class:`DriverDiagramVersion`; never edited,
    publishing again adds the next version."""

    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.PROTECT, related_name="template_diagram_versions"
    )
    number = models.PositiveSmallIntegerField()
    content = models.JSONField()
    outline = models.TextField()
    note = models.CharField(max_length=200, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["collaborative", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "number"], name="template_version_once_per_collaborative"
            )
        ]

    def __str__(self) -> str:
        return f"Template driver diagram version {self.number} of {self.collaborative}"


class LearningSetNote(AppendOnlyModel):
    """A dated note of a collaborative's learning set (issue 14, item 5): what member wards shared and
    learned, and the stories told. Its label is printed as a marker on the collaborative's pooled charts.
    Written by the collaborative's lead; never edited (a correction is a new note)."""

    collaborative = models.ForeignKey(Collaborative, on_delete=models.PROTECT, related_name="learning_notes")
    held_on = models.DateField()
    label = models.CharField(max_length=60, help_text="Short: it is printed on the charts.")
    notes = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["collaborative", "held_on", "id"]

    def __str__(self) -> str:
        return f"{self.collaborative}: {self.label} ({self.held_on:%d %b %Y})"


# --- Co-production (issue 15 item 5) ----------------------------------------------------------------


class CoproductionHow(models.TextChoices):
    """How people with lived experience took part in a piece of the project's work."""

    TEAM_MEETING = "team_meeting", "Took part in a team meeting"
    CO_DESIGNED = "co_designed", "Co-designed a change"
    RAN_TEST = "ran_test", "Led or ran a test of change"
    REVIEWED_DATA = "reviewed_data", "Reviewed the data or charts"
    SHARED_EXPERIENCE = "shared_experience", "Shared their experience"
    CO_WROTE = "co_wrote", "Co-wrote material (a leaflet, a plan, training)"
    CO_DELIVERED = "co_delivered", "Co-delivered training or a learning session"
    OTHER = "other", "Another way (described below)"


class Recognition(models.TextChoices):
    """How the contribution was recognised, as NHS England's working-in-partnership policy asks it be
    agreed beforehand (payment, vouchers, expenses, or volunteering by choice)."""

    PAID = "paid", "Paid for their time"
    VOUCHER = "voucher", "Given a voucher"
    EXPENSES = "expenses", "Expenses only"
    VOLUNTEERED = "volunteered", "Volunteered (chose not to be paid)"
    NOT_YET = "not_yet", "Not agreed yet"


class CoproductionEntry(AppendOnlyModel):
    """One piece of a project's work with people with lived experience: when, who took part (credited by
    the name they are on the team with), how, the decision it was part of and what changed because of
    it, and how it was recognised. Never edited: a correction is a new entry."""

    project = models.ForeignKey(QiProject, on_delete=models.PROTECT, related_name="coproduction")
    happened_on = models.DateField()
    people = models.ManyToManyField(TeamMember, through="CoproductionCredit", related_name="coproduction")
    how = models.CharField(max_length=20, choices=CoproductionHow.choices)
    decision = models.TextField(help_text="The decision or piece of work it was part of")
    what_changed = models.TextField(help_text="What changed because of it")
    recognition = models.CharField(max_length=20, choices=Recognition.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["project", "-happened_on", "-id"]

    def __str__(self) -> str:
        return f"Co-production on {self.happened_on:%d %b %Y} in project {self.project_id}"


class CoproductionCredit(AppendOnlyModel):
    """A team member credited in a co-production entry (written with the entry, never changed)."""

    entry = models.ForeignKey(CoproductionEntry, on_delete=models.PROTECT, related_name="credits")
    member = models.ForeignKey(TeamMember, on_delete=models.PROTECT, related_name="credits")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "member"], name="qi_coproduction_credit_once")
        ]

    def __str__(self) -> str:
        return f"Credit for team member {self.member_id} in co-production entry {self.entry_id}"


class ProjectComment(AppendOnlyModel):
    """A comment on a project by someone on its team or running it, experts by experience above all:
    read by whoever reads the project. Never edited."""

    project = models.ForeignKey(QiProject, on_delete=models.PROTECT, related_name="comments")
    text = models.TextField()
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["project", "written_at", "id"]

    def __str__(self) -> str:
        return f"Comment on project {self.project_id} at {self.written_at:%Y-%m-%d %H:%M}"
