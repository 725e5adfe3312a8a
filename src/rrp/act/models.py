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

    #: An appointment may be recorded ahead of the day it takes effect (core.validation: other dates are of events, up to tomorrow).
    PLANNED_DATES = ("appointed_on",)

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

    #: A delegation's dates may lie ahead (core.validation: other dates are of events, up to tomorrow).
    PLANNED_DATES = ("starts_on", "ends_on")

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
        "published document",
        max_length=500,
        blank=True,
        help_text="Where the policy is published (a web address); blank when only uploaded.",
    )
    #: The uploaded PDF's name in the default storage (under MEDIA_ROOT, named by its digest:
    #: ``policies/<sha256>.pdf``, decision 0063); blank when only linked.
    document_file = models.CharField("uploaded document", max_length=100, blank=True)
    document_sha256 = models.CharField("document's SHA-256 digest", max_length=64, blank=True)
    document_bytes = models.PositiveIntegerField("document's size in bytes", null=True, blank=True)
    document_name = models.CharField("document's file name as uploaded", max_length=200, blank=True)
    approved_on = models.DateField()
    review_due_on = models.DateField("next review due")
    consulted = models.TextField(
        "who was consulted", help_text="The groups and people consulted on this version."
    )
    patients_consulted = models.BooleanField("patients were consulted")
    carers_consulted = models.BooleanField("carers or families were consulted")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    #: The next review is in the future (core.validation: other dates are of events, up to tomorrow).
    PLANNED_DATES = ("review_due_on",)

    class Meta:
        ordering = ["provider", "-approved_on", "-id"]
        indexes = [models.Index(fields=["provider", "approved_on"])]
        constraints = [
            models.CheckConstraint(
                name="act_policy_review_after_approval", condition=Q(review_due_on__gt=F("approved_on"))
            ),
            models.CheckConstraint(name="act_policy_has_consultation", condition=~Q(consulted="")),
            models.CheckConstraint(
                name="act_policy_has_document", condition=~Q(document_url="") | ~Q(document_file="")
            ),
            models.CheckConstraint(
                name="act_policy_upload_has_digest",
                condition=Q(document_file="") | (~Q(document_sha256="") & Q(document_bytes__gt=0)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} version {self.version_label}"


class TrainingTopic(models.TextChoices):
    """The training topics of the Act, s5(2)(a)-(k) (legislation.gov.uk, ukpga/2018/27/section/5)."""

    A = "a", "(a) Involving patients in planning, developing and delivering care and treatment"
    B = "b", "(b) Showing respect for patients' past and present wishes and feelings"
    C = "c", "(c) Showing respect for diversity generally"
    D = "d", "(d) Avoiding unlawful discrimination, harassment and victimisation"
    E = "e", "(e) The use of techniques for avoiding or reducing the use of force"
    F = "f", "(f) The risks associated with the use of force"
    G = "g", "(g) The impact of trauma (whether or not related to the use of force)"
    H = "h", "(h) The impact of any use of force on a patient's mental and physical health"
    I = "i", "(i) The impact of any use of force on a patient's development"  # noqa: E741 - the Act's letter
    J = "j", "(j) How to ensure the safety of patients and the public"
    K = "k", "(k) The principal legal or ethical issues associated with the use of force"


class TrainingCourse(models.Model):
    """A course the provider runs, the Act's topics it covers and the standard it is certified against
    (the Restraint Reduction Network Training Standards for training with restrictive interventions).

    Not append-only: a course's details are the provider's settings, changed by its governance team and
    audited; the completions (below) are the record."""

    provider = models.ForeignKey("organisations.Provider", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=40, help_text="The course's code in the learning management system.")
    title = models.CharField(max_length=200)
    topics = models.JSONField(default=list, help_text="The s5(2) topic letters the course covers.")
    standard = models.CharField(
        max_length=200, blank=True, help_text="The certified standard, e.g. RRN Training Standards (2019)."
    )
    certificate_number = models.CharField(max_length=60, blank=True)
    certificate_expires_on = models.DateField(null=True, blank=True)
    refresher_months = models.PositiveSmallIntegerField(
        help_text="Refresher training is due this long after."
    )
    required = models.BooleanField(
        default=True, help_text="Staff who may use force must hold it in date to count as trained."
    )

    #: A certificate expires in the future (core.validation: other dates are of events, up to tomorrow).
    PLANNED_DATES = ("certificate_expires_on",)

    class Meta:
        ordering = ["provider", "title"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "code"], name="act_course_code_unique"),
            models.CheckConstraint(name="act_course_refresher_positive", condition=Q(refresher_months__gt=0)),
        ]

    def __str__(self) -> str:
        return self.title

    def topic_labels(self) -> list[str]:
        return [TrainingTopic(t).label for t in self.topics if t in TrainingTopic.values]


class TrainingCompletion(AppendOnlyModel):
    """A member of staff completed a course on a date (from the learning management system, or typed in)."""

    staff_member = models.ForeignKey(
        "people.StaffMember", on_delete=models.PROTECT, related_name="training_completions"
    )
    course = models.ForeignKey(TrainingCourse, on_delete=models.PROTECT, related_name="completions")
    completed_on = models.DateField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=40, default="lms_import")

    class Meta:
        ordering = ["staff_member", "course", "-completed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff_member", "course", "completed_on"], name="act_completion_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff_member_id} completed {self.course_id} on {self.completed_on}"


class InvestigationReason(models.TextChoices):
    """Why an investigation was opened (s9: the death or serious injury of a patient after force)."""

    DEATH = "death", "The patient died"
    SERIOUS_INJURY = "serious_injury", "The patient was seriously injured"


class LearningResponse(models.TextChoices):
    """The learning response chosen, in the terms of NHS England's Patient Safety Incident Response
    Framework (PSIRF, 2022) and its guide to responding proportionately."""

    PSII = "psii", "Patient safety incident investigation (PSII)"
    AAR = "aar", "After action review"
    MDT = "mdt", "Multidisciplinary team review"
    SWARM = "swarm", "Swarm huddle"
    THEMATIC = "thematic", "Thematic review"
    EXTERNAL = "external", "Investigation by another body (for example HSSIB, police)"


class FamilyInvolvement(models.TextChoices):
    """How the patient's family or carers are involved (PSIRF: engaging and involving those affected)."""

    NOT_YET = "not_yet", "Not yet contacted"
    INVOLVED = "involved", "Contacted and involved"
    DECLINED = "declined", "Contacted and declined to be involved"
    NONE = "none", "No family or carer to involve, or the patient asked that they are not"


class Investigation(AppendOnlyModel):
    """The investigation a patient's death or serious injury after force opens (s9 of the Act asks the
    responsible person to have regard to guidance on investigating them). Opened by RRP itself when an
    incident's version records the death or serious injury (``act.investigations``); what the lead writes
    about it is in its versions."""

    provider = models.ForeignKey("organisations.Provider", on_delete=models.PROTECT, related_name="+")
    incident = models.OneToOneField("force.Incident", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=InvestigationReason.choices)
    opened_at = models.DateTimeField()
    due_on = models.DateField(help_text="The first target for closing, until the lead sets one.")

    PLANNED_DATES = ("due_on",)

    class Meta:
        ordering = ["provider", "-opened_at", "-id"]

    def __str__(self) -> str:
        return f"Investigation {self.pk} of incident {self.incident_id}"


class InvestigationVersion(AppendOnlyModel):
    """Everything the lead has recorded about an investigation at one moment; the latest is current.
    A closed version (``closed_on`` with its sign-off) is final."""

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    lead_name = models.CharField("who leads it", max_length=200)
    lead_job_title = models.CharField("their job title", max_length=200)
    learning_response = models.CharField(max_length=20, choices=LearningResponse.choices)
    family_involvement = models.CharField(max_length=20, choices=FamilyInvolvement.choices)
    family_notes = models.TextField(blank=True)
    inquest_reference = models.CharField("coroner's inquest reference", max_length=100, blank=True)
    lfpse_reference = models.CharField(
        "national patient safety incident reference",
        max_length=100,
        blank=True,
        help_text="The Learn from Patient Safety Events (LFPSE) reference.",
    )
    other_references = models.TextField("other external references", blank=True)
    findings = models.TextField(blank=True)
    actions = models.JSONField(
        default=list,
        blank=True,
        help_text='[{"action": ..., "owner": ..., "due_on": "YYYY-MM-DD", "done": bool}]',
    )
    due_on = models.DateField("target date for closing")
    closed_on = models.DateField(null=True, blank=True)
    signed_off_by = models.CharField(
        "closure signed off by", max_length=200, blank=True, help_text="Name and job title."
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    PLANNED_DATES = ("due_on",)

    class Meta:
        ordering = ["investigation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["investigation", "number"], name="act_investigation_version_unique"
            ),
            models.CheckConstraint(name="act_investigation_has_lead", condition=~Q(lead_name="")),
            models.CheckConstraint(
                name="act_investigation_closure_signed",
                condition=Q(closed_on__isnull=True) | (~Q(signed_off_by="") & ~Q(findings="")),
            ),
        ]

    def __str__(self) -> str:
        return f"Investigation {self.investigation_id} version {self.number}"


class ProneReviewer(AppendOnlyModel):
    """The reviewer named for an incident's prone restraint review; the latest named is the reviewer."""

    incident = models.ForeignKey("force.Incident", on_delete=models.PROTECT, related_name="+")
    reviewer_name = models.CharField("reviewer", max_length=200)
    reviewer_job_title = models.CharField("their job title", max_length=200)
    named_at = models.DateTimeField()
    named_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["incident", "-named_at", "-id"]
        constraints = [
            models.CheckConstraint(name="act_prone_reviewer_named", condition=~Q(reviewer_name=""))
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_name} reviews the prone restraint of incident {self.incident_id}"


class Avoidable(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNSURE = "unsure", "Not sure"


class ProneReview(AppendOnlyModel):
    """The completed review of an incident's prone restraint: why prone, how long, could it have been
    avoided, and the learning. One per incident; it completes the review."""

    incident = models.OneToOneField("force.Incident", on_delete=models.PROTECT, related_name="+")
    why_prone = models.TextField("why was the patient restrained in the prone position")
    minutes_prone = models.PositiveIntegerField("how long were they prone, in minutes")
    avoidable = models.CharField("could it have been avoided", max_length=10, choices=Avoidable.choices)
    avoidable_text = models.TextField("how, or why not", blank=True)
    learning = models.TextField("learning")
    reviewer_name = models.CharField("reviewed by", max_length=200)
    completed_at = models.DateTimeField()
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["incident"]
        constraints = [
            models.CheckConstraint(name="act_prone_review_has_reason", condition=~Q(why_prone="")),
            models.CheckConstraint(name="act_prone_review_has_learning", condition=~Q(learning="")),
        ]

    def __str__(self) -> str:
        return f"Prone restraint review of incident {self.incident_id}"
