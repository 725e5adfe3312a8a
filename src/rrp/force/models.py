"""Use-of-force incidents, kept as versions that are only ever added to.

An `Incident` is the identity of one event of force on one patient: who, where, and which system it
came from. Everything a person writes about it lives in an `IncidentVersion`; a correction is a new
version with who, when and why, so no word is ever overwritten. Each version has its own
`InterventionRecord` and `StaffInvolvement` rows. Review steps are `IncidentStatusChange` rows; the
incident's status is the latest of them. All of these tables are append-only in the ORM
(AppendOnlyModel) and in the database (triggers added by migration 0002).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.functional import cached_property

from rrp.core.models import AppendOnlyModel, AppendOnlyQuerySet
from rrp.force.codes import (
    CqcTaskStatus,
    DebriefKind,
    IncidentFlagKind,
    IncidentStatus,
    InterventionReason,
    InterventionType,
    StaffPart,
    VoidKind,
)

# "The current version of an incident" is the one with the highest number: an amendment replaces the
# record, never adds to it, so every count, list and extract reads current versions only. The querysets
# below say it once, in the two shapes the database answers quickly: an anti-join ("no newer version",
# through the (incident, number) unique index) when reading versions or their rows in bulk, and a
# correlated subquery when annotating incidents.


def _newer_versions(*, incident: str, number: str) -> QuerySet[IncidentVersion]:
    """Versions of the outer row's incident numbered above the outer row's version (``incident`` and
    ``number`` name those of the outer query)."""
    return IncidentVersion.objects.filter(incident_id=OuterRef(incident), number__gt=OuterRef(number))


class IncidentQuerySet(AppendOnlyQuerySet):
    def with_status(self) -> IncidentQuerySet:
        """Annotate `current_status` (the latest status change) without one query per row."""
        latest = IncidentStatusChange.objects.filter(incident=OuterRef("pk")).order_by("-id")
        return self.annotate(current_status=Subquery(latest.values("to_status")[:1]))

    def not_voided(self) -> IncidentQuerySet:
        """Incidents that count: not voided or marked a duplicate (``IncidentVoid``)."""
        return self.filter(~Exists(IncidentVoid.objects.filter(incident=OuterRef("pk"))))

    def not_closed(self) -> IncidentQuerySet:
        """Incidents that have not been closed.

        Closing is final (no review step starts from it, ``force.services.TRANSITIONS``), so this is
        one look-up per incident in the small partial index of closing rows (``force_status_closed_idx``)
        instead of working out each one's latest status; on a busy ward nearly every incident of five
        years is closed, so filter with this before ``with_status()``.
        """
        closed = IncidentStatusChange.objects.filter(incident=OuterRef("pk"), to_status=IncidentStatus.CLOSED)
        return self.filter(~Exists(closed))

    def with_current_version(self, **fields: str) -> IncidentQuerySet:
        """Annotate `current_version_id` (the id of the incident's current version) and, for each
        ``name="field"``, that field of the current version, each as one correlated subquery."""
        return self.annotate(
            current_version_id=current_version_value("pk"),
            **{name: current_version_value(field) for name, field in fields.items()},
        )


def current_version_value(field: str = "pk", *, incident: str = "pk") -> Subquery:
    """One field of the current version of the outer query's incident (``incident`` names the outer
    query's incident id), for annotations and ``Coalesce``."""
    latest = IncidentVersion.objects.filter(incident=OuterRef(incident)).order_by("-number")
    return Subquery(latest.values(field)[:1])


class IncidentVersionQuerySet(AppendOnlyQuerySet):
    def current(self) -> IncidentVersionQuerySet:
        """Only each incident's current version (no version numbered above it)."""
        return self.filter(~Exists(_newer_versions(incident="incident_id", number="number")))


class InterventionRecordQuerySet(AppendOnlyQuerySet):
    def current(self) -> InterventionRecordQuerySet:
        """Only the interventions of each incident's current version: what every measure counts."""
        return self.filter(
            ~Exists(_newer_versions(incident="version__incident_id", number="version__number"))
        )

    def not_voided(self) -> InterventionRecordQuerySet:
        """Only interventions of incidents that count (not voided or a duplicate): measures and exports."""
        return self.filter(~Exists(IncidentVoid.objects.filter(incident_id=OuterRef("version__incident_id"))))


class StaffInvolvementQuerySet(AppendOnlyQuerySet):
    def current(self) -> StaffInvolvementQuerySet:
        """Only the staff named in each incident's current version."""
        return self.filter(
            ~Exists(_newer_versions(incident="version__incident_id", number="version__number"))
        )


class Incident(AppendOnlyModel):
    """One event of force on one patient (MHSDS MHS505 Restrictive Intervention Incident)."""

    provider = models.ForeignKey("organisations.Provider", on_delete=models.PROTECT, related_name="incidents")
    ward = models.ForeignKey("organisations.Ward", on_delete=models.PROTECT, related_name="incidents")
    patient = models.ForeignKey(
        "people.Patient",
        on_delete=models.PROTECT,
        related_name="incidents",
        help_text="The patient the incident was first recorded against; the current patient is the current "
        "version's (IncidentVersion.patient, decision 0021).",
    )
    created_at = models.DateTimeField(db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="incidents_created"
    )
    source_system = models.CharField(
        max_length=60,
        blank=True,
        help_text="The system an imported incident came from (blank if made in RRP).",
    )
    source_id = models.CharField(
        max_length=100, blank=True, help_text="The incident's id in its source system, for idempotent import."
    )

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["ward", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "source_system", "source_id"],
                condition=~Q(source_id=""),
                name="force_incident_one_per_source_id",
            )
        ]

    def __str__(self) -> str:
        return f"Incident {self.pk}"

    @property
    def status(self) -> str:
        """The latest status (annotated by `with_status()` when listing, else one query)."""
        annotated = getattr(self, "current_status", None)
        if annotated is not None:
            return annotated
        latest = self.status_changes.order_by("-id").first()
        return latest.to_status if latest else IncidentStatus.DRAFT

    @property
    def latest_version(self) -> IncidentVersion | None:
        return self.versions.order_by("-number").first()

    @cached_property
    def current_patient(self) -> Any:
        """The patient the incident is about now: its current version's (decision 0021). Lists set it for
        every row at once (``force.selectors.attach_current_patients``); otherwise one query, kept."""
        version = self.versions.select_related("patient").only("patient").order_by("-number").first()
        return version.patient if version is not None else self.patient

    def retention_ends_on(self) -> dt.date:
        """Use of Force Act s6(6): keep the record at least 3 years from when it was made."""
        years = settings.RECORD_RETENTION_YEARS
        made = self.created_at.date()
        try:
            return made.replace(year=made.year + years)
        except ValueError:  # 29 February
            return made.replace(year=made.year + years, day=28)


# The content fields of a version, in the order a person reads them; used for copying forward on
# amendment and for the field-by-field history.
CONTENT_FIELDS: tuple[str, ...] = (
    "reason_code",
    "reason_text",
    "place_on_ward",
    "occurred_at",
    "ended_at",
    "how_force_used",
    "outcome",
    "patient_died",
    "patient_serious_injury",
    "injury_patient",
    "injury_staff",
    "injury_others",
    "abuse_alleged",
    "police_requested_at",
    "police_arrived_at",
    "police_used_force",
    "non_staff_involved",
    "non_staff_types",
    "non_staff_reason",
    "deescalation",
    "deescalation_text",
    "care_plan_notification_sent",
    "care_plan_notified_to",
    "care_plan_notified_at",
    "debrief_patient_offered",
    "debrief_patient_held",
    "debrief_patient_not_held_reason",
    "debrief_staff_held",
    "debrief_carers_held",
    "camera_references",
    "patient_snapshot",
    "negligible_force",
    "negligible_force_justification",
)


class IncidentVersion(AppendOnlyModel):
    """Everything written about an incident at one moment. Nullable booleans mean "not answered yet"."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    # The patient this version records the force against (decision 0021): the incident's current patient
    # is its current version's. A wrong patient is corrected by a new version naming the right one
    # (``services.incident_patient_correct``), never by changing a row; ``Incident.patient`` keeps the
    # patient it was first recorded against.
    patient = models.ForeignKey("people.Patient", on_delete=models.PROTECT, related_name="incident_versions")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="incident_versions"
    )
    change_reason = models.TextField(
        blank=True, help_text="Why this version was made (required after the first)."
    )

    # s6(5)(a): reason, MHSDS RestrictiveIntReason plus free text.
    reason_code = models.CharField(max_length=2, choices=InterventionReason.choices, blank=True)
    reason_text = models.TextField(blank=True)
    # s6(5)(b): place (the ward is on the incident) and date and duration.
    place_on_ward = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # s6(5)(f), (m), (n).
    how_force_used = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    patient_died = models.BooleanField(null=True, blank=True)
    patient_serious_injury = models.BooleanField(null=True, blank=True)
    # MHSDS MHS515 injury flags.
    injury_patient = models.BooleanField(null=True, blank=True)
    injury_staff = models.BooleanField(null=True, blank=True)
    injury_others = models.BooleanField(null=True, blank=True)
    abuse_alleged = models.BooleanField(
        default=False, help_text="An allegation of abuse was made (CQC reg 18)."
    )
    # MHSDS MHS516 Police Assistance Request.
    police_requested_at = models.DateTimeField(null=True, blank=True)
    police_arrived_at = models.DateTimeField(null=True, blank=True)
    police_used_force = models.BooleanField(null=True, blank=True)
    # s6(5)(i): people not on the unit's staff.
    non_staff_involved = models.BooleanField(null=True, blank=True)
    non_staff_types = models.JSONField(default=list, blank=True)
    non_staff_reason = models.TextField(blank=True)
    # s6(5)(o): efforts to avoid force.
    deescalation = models.JSONField(default=list, blank=True)
    deescalation_text = models.TextField(blank=True)
    # s6(5)(p): care-plan notification.
    care_plan_notification_sent = models.BooleanField(null=True, blank=True)
    care_plan_notified_to = models.CharField(max_length=200, blank=True)
    care_plan_notified_at = models.DateTimeField(null=True, blank=True)
    # Post-incident debriefs (MHSDS RestrictiveIntPIReviewHeldPat / ...CarePers).
    debrief_patient_offered = models.BooleanField(null=True, blank=True)
    debrief_patient_held = models.BooleanField(null=True, blank=True)
    debrief_patient_not_held_reason = models.TextField(blank=True)
    debrief_staff_held = models.BooleanField(null=True, blank=True)
    debrief_carers_held = models.BooleanField(null=True, blank=True)
    camera_references = models.TextField(blank=True, help_text="Body-worn camera or CCTV references.")
    # s6(5)(j)-(l): copied from the patient record when the incident was recorded, kept as it was.
    patient_snapshot = models.JSONField(default=dict, blank=True)
    # s6(2)-(3): negligible force, only where the exemption is switched on, with a written justification.
    negligible_force = models.BooleanField(default=False)
    negligible_force_justification = models.TextField(blank=True)
    # Derived, not content: whether this version records every s6(5) item that is not on the patient's
    # record (force.completeness.version_items_complete), worked out when the version is written, so
    # measures count complete records with one grouped query instead of checking every version.
    statutory_items_complete = models.BooleanField(
        default=False,
        help_text="Every s6(5) item except the patient's name and NHS number (on the patient record) is recorded.",
    )

    objects = IncidentVersionQuerySet.as_manager()

    class Meta:
        ordering = ["incident", "number"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "number"], name="force_version_number_unique"),
            models.CheckConstraint(
                name="force_version_reason_after_first",
                condition=Q(number=1) | ~Q(change_reason=""),
            ),
            models.CheckConstraint(
                name="force_version_ends_after_start",
                condition=Q(ended_at__isnull=True)
                | Q(occurred_at__isnull=True)
                | Q(ended_at__gte=models.F("occurred_at")),
            ),
            models.CheckConstraint(
                name="force_version_police_arrive_after_request",
                condition=Q(police_arrived_at__isnull=True)
                | Q(police_requested_at__isnull=True)
                | Q(police_arrived_at__gte=models.F("police_requested_at")),
            ),
            models.CheckConstraint(
                name="force_version_negligible_justified",
                condition=Q(negligible_force=False) | ~Q(negligible_force_justification=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Incident {self.incident_id} version {self.number}"

    def content(self) -> dict[str, Any]:
        """The version's content fields plus its interventions and staff, for copying and comparing."""
        data = {name: getattr(self, name) for name in CONTENT_FIELDS}
        data["interventions"] = [i.as_tuple() for i in self.interventions.all()]
        data["staff"] = [s.as_tuple() for s in self.staff.all()]
        return data


def _content_fields_of(*field_types: type[models.Field]) -> tuple[str, ...]:
    fields = {f.name: f for f in IncidentVersion._meta.local_fields}
    return tuple(name for name in CONTENT_FIELDS if isinstance(fields.get(name), field_types))


# The content fields by kind, read off the model so forms, imports and the API cannot drift from it.
BOOLEAN_CONTENT_FIELDS = _content_fields_of(models.BooleanField)
TEXT_CONTENT_FIELDS = _content_fields_of(models.CharField, models.TextField)


class InterventionRecord(AppendOnlyModel):
    """One type of force within an incident version (MHSDS MHS515 Restrictive Intervention Type).

    Times are kept to the minute so that prone restraint under and over 10 minutes can be told apart.
    """

    version = models.ForeignKey(IncidentVersion, on_delete=models.PROTECT, related_name="interventions")
    type_code = models.CharField(max_length=2, choices=InterventionType.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    in_care_plan = models.BooleanField(null=True, blank=True, help_text="s6(5)(d)")

    objects = InterventionRecordQuerySet.as_manager()

    class Meta:
        ordering = ["version", "started_at", "id"]
        indexes = [models.Index(fields=["type_code", "started_at"])]
        constraints = [
            models.CheckConstraint(
                name="force_intervention_ends_after_start",
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
            ),
            models.CheckConstraint(
                name="force_intervention_valid_type",
                condition=Q(type_code__in=InterventionType.values),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_code_display()} from {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration_minutes(self) -> int | None:
        if self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds() // 60)

    def as_tuple(self) -> tuple:
        return (self.type_code, self.started_at, self.ended_at, self.in_care_plan)


class StaffInvolvement(AppendOnlyModel):
    """A member of staff who used force in an incident version, and their part (s6(5)(h)).

    Name and job title are copied from the roster when a staff member is picked, so the record says
    what they were at the time; a typed name is allowed for someone not on the roster.
    """

    version = models.ForeignKey(IncidentVersion, on_delete=models.PROTECT, related_name="staff")
    staff_member = models.ForeignKey(
        "people.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="involvements"
    )
    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=120, blank=True)
    part = models.CharField(max_length=20, choices=StaffPart.choices)

    objects = StaffInvolvementQuerySet.as_manager()

    class Meta:
        ordering = ["version", "id"]
        constraints = [models.CheckConstraint(name="force_staff_has_name", condition=~Q(name=""))]

    def __str__(self) -> str:
        return f"{self.name}, {self.job_title}: {self.get_part_display()}"

    def as_tuple(self) -> tuple:
        return (self.staff_member_id, self.name, self.job_title, self.part)


class IncidentStatusChange(AppendOnlyModel):
    """One step in an incident's review: who moved it from which status to which, and why."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="status_changes")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=20, choices=IncidentStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=IncidentStatus.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["incident", "id"]
        # The latest status of an incident is read on every list; this keeps that lookup an index seek
        # even before the database has statistics (e.g. straight after a bulk load).
        indexes = [
            models.Index(fields=["incident", "-id"], name="force_status_latest_idx"),
            # Closing is final, so "not closed" is one look-up in this small index per incident, and the
            # latest status is worked out only for the few that are still open (the ward's huddle).
            models.Index(
                fields=["incident"], condition=models.Q(to_status="closed"), name="force_status_closed_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="force_sent_back_has_request", condition=~Q(to_status="sent_back") | ~Q(note="")
            )
        ]

    def __str__(self) -> str:
        return f"Incident {self.incident_id}: {self.from_status or '-'} -> {self.to_status}"


class IncidentFlag(AppendOnlyModel):
    """Something an incident raised that needs follow-up: a prone restraint review, or physical health
    observations after rapid tranquillisation (NICE QS154: at least hourly)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="flags")
    version = models.ForeignKey(IncidentVersion, on_delete=models.PROTECT, related_name="flags_raised")
    kind = models.CharField(max_length=20, choices=IncidentFlagKind.choices)
    raised_at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["incident", "id"]
        constraints = [models.UniqueConstraint(fields=["incident", "kind"], name="force_flag_once_per_kind")]

    def __str__(self) -> str:
        return f"Incident {self.incident_id}: {self.get_kind_display()}"


class CqcNotificationTask(models.Model):
    """A task for provider governance to notify CQC without delay (Registration Regulations 2009 reg 18).

    Not append-only: its status moves from open to notified or not required; the audit log records who
    changed it.
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="cqc_tasks")
    provider = models.ForeignKey("organisations.Provider", on_delete=models.PROTECT, related_name="cqc_tasks")
    raised_at = models.DateTimeField(db_index=True)
    reasons = models.JSONField(default=list)
    regulation = models.CharField(max_length=40, default="Regulation 18")
    due = models.CharField(max_length=40, default="Without delay")
    status = models.CharField(max_length=20, choices=CqcTaskStatus.choices, default=CqcTaskStatus.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["provider", "status"])]

    def __str__(self) -> str:
        return f"CQC notification for incident {self.incident_id} ({self.get_status_display()})"


class StaffStatement(AppendOnlyModel):
    """A member of staff's own account of an incident they were involved in, in their own words.

    Append-only like the rest of the record: a second thought is a second statement, never an edit.
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="statements")
    staff_member = models.ForeignKey(
        "people.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="statements"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200, help_text="The author's name and job title at the time.")
    text = models.TextField()
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["incident", "recorded_at", "id"]
        constraints = [models.CheckConstraint(name="force_statement_has_text", condition=~Q(text=""))]

    def __str__(self) -> str:
        return f"Statement by {self.name} on incident {self.incident_id}"


class ConsciousnessLevel(models.TextChoices):
    """AVPU: the level of consciousness NICE NG10 asks to be observed after rapid tranquillisation."""

    ALERT = "A", "Alert"
    VOICE = "V", "Responds to voice"
    PAIN = "P", "Responds to pain"
    UNRESPONSIVE = "U", "Unresponsive"


class Hydration(models.TextChoices):
    """The level of hydration as the nurse judged it (NICE NG10 1.4.44)."""

    ADEQUATE = "adequate", "Adequately hydrated"
    CONCERN = "concern", "Signs of dehydration: fluids encouraged"


class PhysicalHealthObservation(AppendOnlyModel):
    """One set of physical health observations after rapid tranquillisation (NICE QS154: at least hourly).

    Append-only like the rest of the record: a mistaken set is corrected by recording another. When the
    patient declines, `refused` is set with a note saying what could still be observed from a distance.
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="observations")
    observed_at = models.DateTimeField(help_text="When the observations were taken.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    pulse = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Beats per minute")
    bp_systolic = models.PositiveSmallIntegerField(null=True, blank=True, help_text="mmHg")
    bp_diastolic = models.PositiveSmallIntegerField(null=True, blank=True, help_text="mmHg")
    respiratory_rate = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Breaths per minute")
    temperature = models.DecimalField(
        max_digits=3, decimal_places=1, null=True, blank=True, help_text="Degrees Celsius"
    )
    oxygen_saturation = models.PositiveSmallIntegerField(null=True, blank=True, help_text="SpO2, per cent")
    consciousness = models.CharField(max_length=1, choices=ConsciousnessLevel.choices, blank=True)
    hydration = models.CharField(max_length=10, choices=Hydration.choices, blank=True)
    refused = models.BooleanField(default=False, help_text="The patient declined the observations.")
    refused_note = models.TextField(blank=True)

    class Meta:
        ordering = ["incident", "observed_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="force_observation_refusal_has_note", condition=Q(refused=False) | ~Q(refused_note="")
            ),
            models.CheckConstraint(
                name="force_observation_bp_paired",
                condition=Q(bp_systolic__isnull=True, bp_diastolic__isnull=True)
                | Q(bp_systolic__isnull=False, bp_diastolic__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Observations on incident {self.incident_id} at {self.observed_at:%Y-%m-%d %H:%M}"


class IncidentClosure(AppendOnlyModel):
    """The closing review of an incident: the structured review questions and the follow-up checklist as
    it stood when it was closed, with the reason given for each follow-up closed without (issue 13).

    One per incident, written with the status change to closed (closing is final). Append-only like the
    rest of the record: the answers are what the reviewer said at the time.
    """

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="closure")
    status_change = models.OneToOneField(
        IncidentStatusChange, on_delete=models.PROTECT, related_name="closure"
    )
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    harm = models.TextField(
        help_text="What harm came to the patient, staff or anyone else, physical or psychological."
    )
    proportionate = models.BooleanField(help_text="Whether the force used was proportionate to the risk.")
    proportionate_text = models.TextField(blank=True)
    least_restrictive = models.BooleanField(help_text="Whether it was the least restrictive option.")
    least_restrictive_text = models.TextField(blank=True)
    learning = models.TextField(help_text="What the team learned.")
    actions = models.JSONField(default=list, blank=True, help_text='[{"action": ..., "owner": ...}]')
    prone_review = models.TextField(blank=True, help_text="What the review of the prone restraint found.")
    checklist = models.JSONField(
        default=list,
        help_text='Each follow-up at closing: [{"key", "label", "done", "detail", "skipped_reason"}]',
    )

    class Meta:
        ordering = ["incident"]

    def __str__(self) -> str:
        return f"Closing review of incident {self.incident_id}"

    def skipped(self) -> dict[str, str]:
        """The follow-ups closed without, by key, with the reason given."""
        return {item["key"]: item["skipped_reason"] for item in self.checklist if item.get("skipped_reason")}


class IncidentVoid(AppendOnlyModel):
    """An incident that no longer counts: voided (recorded in error: a test, the wrong patient) or a
    duplicate of another. Voiding is this row, never a change to the incident or a deletion: the record
    stays, struck through, and measures and exports leave it out (``IncidentQuerySet.not_voided``)."""

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="void")
    kind = models.CharField(max_length=20, choices=VoidKind.choices)
    duplicate_of = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    reason = models.TextField()
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["incident"]
        constraints = [
            models.CheckConstraint(name="force_void_has_reason", condition=~Q(reason="")),
            models.CheckConstraint(
                name="force_void_duplicate_names_original",
                condition=Q(kind="duplicate", duplicate_of__isnull=False)
                | Q(kind="void", duplicate_of__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Incident {self.incident_id}: {self.get_kind_display()}"


class Debrief(AppendOnlyModel):
    """A post-incident debrief, led by the patient where it is with them: when it was offered and held,
    who led it, the account in the person's own words, what would have helped, and what the patient wants
    changed in their support plan (which asks for a plan review); or why it was not held. For staff, the
    support offered and the date of a wellbeing follow-up.

    Append-only like the rest of the record: an incident's current debrief of each kind is its latest row;
    a correction is a new row with a reason. Sensitive free text: shown only on the incident's scoped,
    audited pages, never in an export that leaves the trust.
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="debriefs")
    kind = models.CharField(max_length=10, choices=DebriefKind.choices)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    change_reason = models.TextField(
        blank=True, help_text="Why this replaces an earlier record of the debrief."
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    held_by = models.CharField("Who led it", max_length=200, blank=True)
    not_held_reason = models.TextField("Why it was not held", blank=True)
    account = models.TextField("Their account, in their own words", blank=True)
    what_would_have_helped = models.TextField("What would have helped", blank=True)
    plan_changes = models.TextField("What they want changed in their support plan", blank=True)
    staff_support_offered = models.BooleanField("Support offered to staff", null=True, blank=True)
    wellbeing_follow_up_on = models.DateField("Wellbeing follow-up on", null=True, blank=True)

    PLANNED_DATES = ("wellbeing_follow_up_on",)

    class Meta:
        ordering = ["incident", "kind", "recorded_at", "id"]
        indexes = [models.Index(fields=["incident", "kind", "-id"], name="force_debrief_latest_idx")]
        constraints = [
            models.CheckConstraint(
                name="force_debrief_valid_kind", condition=Q(kind__in=["patient", "carer", "staff"])
            ),
            models.CheckConstraint(
                name="force_debrief_held_after_offered",
                condition=Q(held_at__isnull=True)
                | Q(offered_at__isnull=True)
                | Q(held_at__gte=models.F("offered_at")),
            ),
            models.CheckConstraint(
                name="force_debrief_says_something",
                condition=Q(offered_at__isnull=False) | Q(held_at__isnull=False) | ~Q(not_held_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Debrief ({self.get_kind_display()}) on incident {self.incident_id}"
