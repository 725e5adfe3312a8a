"""Patients, their hospital spells and ward stays, and the staff who care for them."""

from __future__ import annotations

import datetime as dt

from django.db import models

from rrp.core.models import AppendOnlyModel
from rrp.people.codes import (
    EthnicCategory,
    GenderIdentity,
    LegalStatus,
    Pregnancy,
    Religion,
    RightsFormat,
    RightsOccasion,
    RightsOutcome,
    RightsRecipient,
    Sex,
    SexualOrientation,
    StaffGroup,
    VoiceAnswer,
    YesNoUnknown,
)


class Patient(models.Model):
    """A patient of one provider. Patient-identifiable: every read and write is scoped and audited."""

    provider = models.ForeignKey("organisations.Provider", on_delete=models.PROTECT, related_name="patients")
    nhs_number = models.CharField("NHS number", max_length=10, blank=True, db_index=True)
    local_identifier = models.CharField(max_length=30, help_text="The provider's own patient identifier.")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    gender_identity = models.CharField(
        max_length=1, choices=GenderIdentity.choices, default=GenderIdentity.NOT_KNOWN
    )
    ethnic_category = models.CharField(
        max_length=2, choices=EthnicCategory.choices, default=EthnicCategory.NOT_KNOWN
    )
    religion = models.CharField(max_length=20, choices=Religion.choices, default=Religion.NOT_KNOWN)
    sexual_orientation = models.CharField(
        max_length=1, choices=SexualOrientation.choices, default=SexualOrientation.NOT_KNOWN
    )
    disability = models.CharField(max_length=1, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN)
    pregnancy = models.CharField(max_length=10, choices=Pregnancy.choices, default=Pregnancy.UNKNOWN)
    learning_disability = models.CharField(
        max_length=1, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    autism = models.CharField(max_length=1, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN)
    primary_mental_disorder = models.CharField(
        "primary mental disorder (ICD-10)", max_length=8, blank=True, help_text="An ICD-10 code, e.g. F20.0."
    )
    legal_status = models.CharField(max_length=2, choices=LegalStatus.choices, default=LegalStatus.NOT_KNOWN)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        help_text="The identity this one was merged into (A40 or the merge page); kept, never deleted.",
    )
    merged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "local_identifier"], name="one_local_identifier_per_provider"
            ),
            models.UniqueConstraint(
                fields=["provider", "nhs_number"],
                condition=~models.Q(nhs_number=""),
                name="one_nhs_number_per_provider",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def nhs_number_display(self) -> str:
        n = self.nhs_number
        return f"{n[:3]} {n[3:6]} {n[6:]}" if len(n) == 10 else n

    def age_on(self, day: dt.date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class StandingManager(models.Manager):
    """Rows not cancelled: a cancelled admission, transfer or discharge (HL7 A11/A12) is kept with when
    it was cancelled, never deleted, and every query of the records reads only the standing ones. Its
    ``all_rows`` sibling reads both, for the feed's own bookkeeping (decision 0053)."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(cancelled_at__isnull=True)

    def on_ward_at(self, ward: object, moment: dt.datetime) -> models.QuerySet:
        """The standing stays on the ward at that moment (for WardStay)."""
        return self.filter(ward=ward, started_at__lte=moment).filter(
            models.Q(ended_at__isnull=True) | models.Q(ended_at__gt=moment)
        )


class HospitalSpell(models.Model):
    """A hospital provider spell (MHSDS MHS501): from admission to discharge."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="spells")
    provider = models.ForeignKey("organisations.Provider", on_delete=models.PROTECT, related_name="spells")
    admitted_at = models.DateTimeField()
    discharged_at = models.DateTimeField(null=True, blank=True)
    visit_number = models.CharField(
        max_length=30,
        blank=True,
        db_default="",
        help_text="The patient administration system's number for the spell (HL7 PV1-19), which its "
        "feed and CSV files name it by.",
    )
    cancelled_at = models.DateTimeField(
        null=True, blank=True, help_text="When the admission was cancelled (HL7 A11); kept, never deleted."
    )

    all_rows = models.Manager()
    objects = StandingManager()

    class Meta:
        ordering = ["-admitted_at"]
        base_manager_name = "all_rows"
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "visit_number"],
                condition=~models.Q(visit_number="") & models.Q(cancelled_at__isnull=True),
                name="one_standing_spell_per_visit_number",
            ),
            models.CheckConstraint(
                name="spell_discharge_after_admission",
                condition=models.Q(discharged_at__isnull=True)
                | models.Q(discharged_at__gte=models.F("admitted_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"Spell from {self.admitted_at:%Y-%m-%d}"


class WardStay(models.Model):
    """A stay on one ward within a spell (MHSDS MHS502). The patient is copied from the spell so that
    bed-day and equity queries need one join fewer."""

    spell = models.ForeignKey(HospitalSpell, on_delete=models.PROTECT, related_name="ward_stays")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="ward_stays")
    ward = models.ForeignKey("organisations.Ward", on_delete=models.PROTECT, related_name="ward_stays")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(
        null=True, blank=True, help_text="When the stay was cancelled (HL7 A11 or A12); kept, never deleted."
    )

    all_rows = models.Manager()
    objects = StandingManager()

    class Meta:
        ordering = ["-started_at"]
        base_manager_name = "all_rows"
        default_manager_name = "objects"
        indexes = [models.Index(fields=["ward", "started_at"]), models.Index(fields=["ward", "ended_at"])]
        constraints = [
            models.CheckConstraint(
                name="ward_stay_ends_after_start",
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
            )
        ]

    def __str__(self) -> str:
        return f"Stay on ward {self.ward_id} from {self.started_at:%Y-%m-%d}"


class StaffMember(models.Model):
    """A member of staff who may be named in a record (Use of Force Act s6(5)(h))."""

    provider = models.ForeignKey("organisations.Provider", on_delete=models.PROTECT, related_name="staff")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    job_title = models.CharField(max_length=120)
    staff_group = models.CharField(max_length=20, choices=StaffGroup.choices)
    employee_number = models.CharField(
        max_length=30,
        blank=True,
        db_default="",  # rows written straight into the table (the demo's staff) need none
        help_text="The provider's employee number (as in its learning management system), to match training records.",
    )
    wards = models.ManyToManyField("organisations.Ward", blank=True, related_name="staff")
    user = models.OneToOneField(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="staff_member"
    )
    started_on = models.DateField(null=True, blank=True, help_text="The assignment's start (ESR).")
    left_on = models.DateField(
        null=True,
        blank=True,
        help_text="The assignment's end (ESR): a leaver is kept for the records naming them.",
    )

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "employee_number"],
                condition=~models.Q(employee_number=""),
                name="one_employee_number_per_provider",
            )
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}, {self.job_title}"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class FeedStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    UNCHANGED = "unchanged", "Already held"
    HELD = "held", "Held"


class FeedMessage(models.Model):
    """One HL7 ADT message received from a provider's patient administration system, with what became of
    it: applied, already held (nothing to change) or held for the information team with the reason (out
    of order, a ward RRP does not know). A held message is re-applied when what it waits for arrives and
    is then marked applied; none is ever dropped. The message control id (MSH-10) makes a message sent
    twice count once. Bookkeeping of the feed, not a clinical record: its status changes."""

    provider = models.ForeignKey("organisations.Provider", on_delete=models.PROTECT, related_name="+")
    control_id = models.CharField("message control id (MSH-10)", max_length=50)
    message_type = models.CharField(max_length=20, help_text="MSH-9, for example ADT^A01.")
    received_at = models.DateTimeField()
    event_at = models.DateTimeField(null=True, blank=True, help_text="When the event happened, if given.")
    local_identifier = models.CharField(max_length=30, blank=True)
    visit_number = models.CharField(max_length=30, blank=True)
    ward_code = models.CharField(max_length=20, blank=True)
    event = models.JSONField(help_text="The event as RRP read it, to apply it again when it is released.")
    text = models.TextField(help_text="The message as received.")
    status = models.CharField(max_length=10, choices=FeedStatus.choices)
    reason = models.CharField(max_length=300, blank=True, help_text="Why it is held.")
    resolved_at = models.DateTimeField(null=True, blank=True, help_text="When a held message was applied.")

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [models.Index(fields=["provider", "status", "event_at"])]
        constraints = [
            models.UniqueConstraint(fields=["provider", "control_id"], name="one_feed_message_per_control_id")
        ]

    def __str__(self) -> str:
        return f"{self.message_type} {self.control_id}"


# The content of a support plan, in the order a person reads it; copied forward when a plan is revised
# and compared field by field in its history.
SUPPORT_PLAN_FIELDS: tuple[str, ...] = (
    "what_matters",
    "triggers",
    "early_signs",
    "primary_strategies",
    "secondary_strategies",
    "tertiary_strategies",
    "safety_plan",
    "views_on_restraint",
    "views_on_seclusion",
    "views_on_rapid_tranquillisation",
    "who_to_tell",
    "made_with_patient",
    "review_due",
)


PLAN_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Positive behaviour support plan",
        (
            "what_matters",
            "triggers",
            "early_signs",
            "primary_strategies",
            "secondary_strategies",
            "tertiary_strategies",
        ),
    ),
    ("Trauma-informed safety plan", ("safety_plan",)),
    (
        "Advance statement",
        ("views_on_restraint", "views_on_seclusion", "views_on_rapid_tranquillisation", "who_to_tell"),
    ),
)


class SupportPlanVersion(AppendOnlyModel):
    """One version of a patient's support plan: a positive behaviour support plan (what matters to the
    person, triggers and early signs, primary, secondary and tertiary strategies: Positive and Proactive
    Care, DH 2014), a trauma-informed safety plan, and the patient's advance statement about restrictive
    interventions and who to tell after force is used (NICE QS154).

    Append-only (decision 0003): a revision or a review is a new version with who, when and why; the
    patient's current plan is the version with the highest number. Patient-identifiable and sensitive:
    read through ``people.selectors`` (scoped, audited), never exported outside the trust.
    """

    PLANNED_DATES = ("review_due",)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="support_plans")
    number = models.PositiveIntegerField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="support_plan_versions"
    )
    change_reason = models.TextField(
        blank=True, help_text="Why this version was made (required after the first)."
    )

    what_matters = models.TextField("What matters to the person", blank=True)
    triggers = models.TextField("Triggers", blank=True)
    early_signs = models.TextField("Early signs that they are becoming distressed", blank=True)
    primary_strategies = models.TextField(
        "Primary strategies",
        blank=True,
        help_text="What keeps the person well and meets their needs every day.",
    )
    secondary_strategies = models.TextField(
        "Secondary strategies", blank=True, help_text="What helps when the early signs appear: de-escalation."
    )
    tertiary_strategies = models.TextField(
        "Tertiary strategies",
        blank=True,
        help_text="What staff do if the person or others are at immediate risk, including any restrictive "
        "intervention agreed in the plan, and how to keep it short and safe.",
    )
    safety_plan = models.TextField(
        "Trauma-informed safety plan",
        blank=True,
        help_text="What helps the person feel safe; what to avoid because of past trauma.",
    )
    views_on_restraint = models.TextField("Views on physical restraint", blank=True)
    views_on_seclusion = models.TextField("Views on seclusion", blank=True)
    views_on_rapid_tranquillisation = models.TextField("Views on rapid tranquillisation", blank=True)
    who_to_tell = models.CharField(
        "Who to tell after force is used",
        max_length=300,
        blank=True,
        help_text="The people the patient wants told, and how.",
    )
    made_with_patient = models.BooleanField(
        "Written with the patient",
        null=True,
        blank=True,
        help_text="Whether the patient took part in writing this version.",
    )
    review_due = models.DateField("Review by")

    class Meta:
        ordering = ["patient", "number"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "number"], name="people_plan_version_number_unique"),
            models.CheckConstraint(
                name="people_plan_reason_after_first",
                condition=models.Q(number=1) | ~models.Q(change_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Support plan version {self.number}"

    def content(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in SUPPORT_PLAN_FIELDS}

    def review_overdue_on(self, day: dt.date) -> bool:
        """Whether the plan was due for review before ``day``."""
        return self.review_due < day

    def sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The plan as its three parts, each (heading, [(label, text)]), in reading order."""
        fields = {f.name: f for f in self._meta.fields}
        return [
            (heading, [(str(fields[n].verbose_name), getattr(self, n)) for n in names])
            for heading, names in PLAN_SECTIONS
        ]

    @property
    def key_points(self) -> list[tuple[str, str]]:
        """What staff recording force need to see at a glance: the strategies and the advance statement,
        each (label, text), leaving out what is not written."""
        names = (
            "early_signs",
            "secondary_strategies",
            "tertiary_strategies",
            "views_on_restraint",
            "views_on_seclusion",
            "views_on_rapid_tranquillisation",
            "who_to_tell",
        )
        fields = {f.name: f for f in self._meta.fields}
        return [(str(fields[n].verbose_name), getattr(self, n)) for n in names if getattr(self, n)]


class SupportPlanReviewRequest(AppendOnlyModel):
    """A request to review a patient's support plan, with what should change: most often what the
    patient asked for at a debrief after force was used. Open until a plan version is written after it
    (nothing is ever marked done by editing this row). ``source`` says where it came from in words (for
    example "Patient debrief after incident 42"): people sits below force and holds no link to incidents.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="plan_review_requests")
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=200)
    wanted_changes = models.TextField()

    class Meta:
        ordering = ["patient", "requested_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="people_review_request_has_text", condition=~models.Q(wanted_changes="")
            )
        ]

    def __str__(self) -> str:
        return f"Support plan review requested: {self.source}"


class RightsInformation(AppendOnlyModel):
    """That information about the use of force was given (Use of Force Act 2018 s4): to the patient on
    admission and again when needed, or to a person they chose; in which format; or that they refused or
    it was not possible yet, with the reason. Belongs to an admission (a hospital spell). Append-only: a
    mistake is put right by recording again (the latest record of an occasion stands)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="rights_information")
    spell = models.ForeignKey(HospitalSpell, on_delete=models.PROTECT, related_name="rights_information")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    occasion = models.CharField(max_length=20, choices=RightsOccasion.choices)
    recipient = models.CharField(max_length=20, choices=RightsRecipient.choices)
    chosen_person = models.CharField(
        "The person chosen", max_length=200, blank=True, help_text="Name and relationship to the patient."
    )
    outcome = models.CharField(max_length=20, choices=RightsOutcome.choices)
    format = models.CharField(max_length=20, choices=RightsFormat.choices, blank=True)
    given_at = models.DateTimeField("When", help_text="When it was given, refused or tried.")
    reason = models.TextField(blank=True, help_text="Why it was refused or not possible.")

    class Meta:
        ordering = ["patient", "given_at", "id"]
        indexes = [models.Index(fields=["spell", "given_at"])]
        constraints = [
            models.CheckConstraint(
                name="people_rights_given_has_format",
                condition=~models.Q(outcome="given") | ~models.Q(format=""),
            ),
            models.CheckConstraint(
                name="people_rights_refusal_has_reason",
                condition=models.Q(outcome="given") | ~models.Q(reason=""),
            ),
            models.CheckConstraint(
                name="people_rights_chosen_person_named",
                condition=~models.Q(recipient="chosen_person") | ~models.Q(chosen_person=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Information about the use of force: {self.get_outcome_display()} ({self.get_occasion_display()})"


class VoiceCheck(AppendOnlyModel):
    """One patient's answers to the weekly check "did you feel safe on the ward" and "were you treated with
    respect and dignity", entered on the ward's tablet by the patient or with support. Anonymous by design:
    no patient is linked, only the ward and the week, so the answers can be given freely and counted as the
    ward's balancing and outcome measures (wording: docs/people.md, with its source)."""

    ward = models.ForeignKey("organisations.Ward", on_delete=models.PROTECT, related_name="voice_checks")
    answered_at = models.DateTimeField(db_index=True)
    entered_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", help_text="Whose tablet session it was."
    )
    felt_safe = models.CharField(max_length=10, choices=VoiceAnswer.choices)
    respected = models.CharField(max_length=10, choices=VoiceAnswer.choices)
    comment = models.TextField(blank=True, help_text="In the patient's words; read by the ward team only.")
    with_support = models.BooleanField(default=False, help_text="A member of staff helped to fill it in.")
    easy_read = models.BooleanField(default=False, help_text="The easy read version was used.")

    class Meta:
        ordering = ["ward", "answered_at", "id"]
        indexes = [models.Index(fields=["ward", "answered_at"])]

    def __str__(self) -> str:
        return f"Weekly check on ward {self.ward_id}"
