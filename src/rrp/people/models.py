"""Patients, their hospital spells and ward stays, and the staff who care for them."""

from __future__ import annotations

import datetime as dt

from django.db import models

from rrp.people.codes import (
    EthnicCategory,
    GenderIdentity,
    LegalStatus,
    Pregnancy,
    Religion,
    Sex,
    SexualOrientation,
    StaffGroup,
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


class HospitalSpell(models.Model):
    """A hospital provider spell (MHSDS MHS501): from admission to discharge."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="spells")
    provider = models.ForeignKey("organisations.Provider", on_delete=models.PROTECT, related_name="spells")
    admitted_at = models.DateTimeField()
    discharged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-admitted_at"]
        constraints = [
            models.CheckConstraint(
                name="spell_discharge_after_admission",
                condition=models.Q(discharged_at__isnull=True)
                | models.Q(discharged_at__gte=models.F("admitted_at")),
            )
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

    class Meta:
        ordering = ["-started_at"]
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
    wards = models.ManyToManyField("organisations.Ward", blank=True, related_name="staff")
    user = models.OneToOneField(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="staff_member"
    )

    class Meta:
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}, {self.job_title}"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"
