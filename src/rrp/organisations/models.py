"""NHS organisations down to the ward, improvement collaboratives, and occupied bed days.

Region -> commissioner (ICB) -> provider (NHS trust or independent provider) -> site -> ward.
Codes are ODS codes where the organisation has one.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models


class Region(models.Model):
    """An NHS England region (e.g. Y56 London)."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Commissioner(models.Model):
    """An integrated care board (ICB), which commissions services from providers."""

    ods_code = models.CharField("ODS code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="commissioners")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProviderKind(models.TextChoices):
    NHS_TRUST = "nhs_trust", "NHS trust"
    INDEPENDENT = "independent", "Independent provider"


class Provider(models.Model):
    """An NHS trust or independent provider running mental health units."""

    ods_code = models.CharField("ODS code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ProviderKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="providers")
    commissioners = models.ManyToManyField(Commissioner, blank=True, related_name="providers")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A hospital site of a provider."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="sites")
    ods_code = models.CharField("ODS code", max_length=10, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Specialism(models.TextChoices):
    ADULT_ACUTE = "adult_acute", "Adult acute"
    PICU = "picu", "Psychiatric intensive care"
    FORENSIC_LOW = "forensic_low", "Forensic low secure"
    FORENSIC_MEDIUM = "forensic_medium", "Forensic medium secure"
    FORENSIC_HIGH = "forensic_high", "Forensic high secure"
    LEARNING_DISABILITY_AUTISM = "ld_autism", "Learning disability and autism"
    CHILDREN_YOUNG_PEOPLE = "cyp", "Children and young people"
    OLDER_ADULT = "older_adult", "Older adult"
    EATING_DISORDER = "eating_disorder", "Eating disorder"
    REHABILITATION = "rehabilitation", "Rehabilitation"
    MOTHER_BABY = "mother_baby", "Mother and baby"
    OTHER = "other", "Other"


class WardSex(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    MIXED = "mixed", "Mixed"


class Ward(models.Model):
    """An inpatient ward. The provider is stored beside the site so that scoping is one join."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="wards")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="wards")
    code = models.CharField(max_length=20, unique=True, help_text="The provider's ward code, unique in RRP.")
    name = models.CharField(max_length=120)
    specialism = models.CharField(max_length=30, choices=Specialism.choices)
    sex = models.CharField(max_length=10, choices=WardSex.choices)
    beds = models.PositiveSmallIntegerField()
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["provider__name", "name"]
        constraints = [
            models.CheckConstraint(
                name="ward_closes_after_opening",
                condition=models.Q(closed_on__isnull=True) | models.Q(closed_on__gte=models.F("opened_on")),
            ),
            models.CheckConstraint(name="ward_has_beds", condition=models.Q(beds__gt=0)),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open_on(self, day: dt.date) -> bool:
        return self.opened_on <= day and (self.closed_on is None or day <= self.closed_on)


class CollaborativeKind(models.TextChoices):
    NATIONAL = "national", "National programme cohort"
    REGIONAL = "regional", "Regional collaborative"


class Collaborative(models.Model):
    """An improvement collaborative: wards working together toward a shared aim."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=CollaborativeKind.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT)
    aim = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    wards = models.ManyToManyField(Ward, through="CollaborativeMembership", related_name="collaboratives")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CollaborativeMembership(models.Model):
    """A ward's time in a collaborative, from joining until leaving."""

    collaborative = models.ForeignKey(Collaborative, on_delete=models.PROTECT, related_name="memberships")
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="memberships")
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "ward", "joined_on"], name="one_membership_per_join"
            ),
            models.CheckConstraint(
                name="membership_leaves_after_joining",
                condition=models.Q(left_on__isnull=True) | models.Q(left_on__gte=models.F("joined_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ward} in {self.collaborative} from {self.joined_on}"


class BedDaysSource(models.TextChoices):
    WARD_STAYS = "ward_stays", "Derived from ward stays"
    MANUAL = "manual", "Entered by the ward"
    IMPORT = "import", "Imported from a file"


class OccupiedBedDays(models.Model):
    """Occupied bed days of one ward on one day: the denominator of every rate.

    Derived from ward stays (patients on the ward at midnight) where RRP holds them. Where it does
    not, a ward manager enters (or a file imports) a monthly total, kept in MonthlyBedDays.
    """

    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="daily_bed_days")
    date = models.DateField()
    bed_days = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ward", "date"], name="one_bed_day_count_per_ward_day")
        ]
        indexes = [models.Index(fields=["date", "ward"])]

    def __str__(self) -> str:
        return f"{self.ward_id} {self.date}: {self.bed_days}"


class MonthlyBedDays(models.Model):
    """A month's occupied bed days for a ward, entered or imported where ward stays are not held.

    A month that has daily figures from ward stays uses those; this is the fallback (see
    organisations.selectors.bed_days_by_month).
    """

    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="monthly_bed_days")
    month = models.DateField(help_text="The first day of the month.")
    bed_days = models.PositiveIntegerField()
    source = models.CharField(max_length=20, choices=BedDaysSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ward", "month"], name="one_monthly_bed_days_per_ward"),
            models.CheckConstraint(
                name="monthly_bed_days_month_starts_on_day_1", condition=models.Q(month__day=1)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ward_id} {self.month:%Y-%m}: {self.bed_days}"
