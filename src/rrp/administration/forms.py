"""The administration pages' forms: each change carries its reason, and each change of an existing record
the fingerprint of the record as shown (``seen``), so a change made meanwhile is refused, not undone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from rrp.accounts.models import User
from rrp.accounts.roles import Role
from rrp.core.validation.forms import ValidatedForm
from rrp.organisations.models import Commissioner, ProviderKind, Region, Site, Specialism, Ward, WardSex
from rrp.people.codes import StaffGroup
from rrp.people.models import StaffMember


def reason_field() -> forms.CharField:
    return forms.CharField(
        label="Why are you making this change?",
        help_text="Kept in the audit log with your name and the time, for anyone who later asks why.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why you are making this change"},
    )


def _required(label: str) -> dict[str, str]:
    return {"required": f"Enter the {label}"}


def _choose(label: str) -> dict[str, str]:
    return {"required": f"Choose the {label}", "invalid_choice": f"Choose the {label} from the list"}


class SeenForm(ValidatedForm):
    """A change of an existing record: the fingerprint the page was shown with rides along hidden."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class WardsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Ward) -> str:
        return f"{obj.name} ({obj.code}){' - closed' if obj.closed_on else ''}"


class RegionForm(ValidatedForm):
    rules_model = Region
    code = forms.CharField(
        label="Region code",
        help_text="NHS England's code, for example Y56",
        max_length=10,
        error_messages=_required("region code"),
    )
    name = forms.CharField(label="Name", max_length=120, error_messages=_required("region's name"))
    reason = reason_field()


class ProviderForm(ValidatedForm):
    ods_code = forms.CharField(
        label="ODS code",
        help_text="For example RV5",
        max_length=10,
        error_messages=_required("provider's ODS code"),
    )
    name = forms.CharField(label="Name", max_length=200, error_messages=_required("provider's name"))
    kind = forms.ChoiceField(
        label="Kind of provider",
        choices=ProviderKind.choices,
        widget=forms.RadioSelect,
        error_messages=_choose("kind of provider"),
    )
    region = forms.ModelChoiceField(
        label="NHS England region",
        queryset=Region.objects.all(),
        empty_label="",
        error_messages=_choose("region"),
    )
    commissioners = forms.ModelMultipleChoiceField(
        label="Commissioned by",
        queryset=Commissioner.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The integrated care boards that commission it: they see its figures, never a patient",
    )
    reason = reason_field()


class SiteForm(ValidatedForm):
    ods_code = forms.CharField(
        label="Site ODS code", max_length=10, error_messages=_required("site's ODS code")
    )
    name = forms.CharField(label="Name", max_length=200, error_messages=_required("site's name"))
    reason = reason_field()


class SiteChangeForm(SeenForm):
    name = forms.CharField(label="Name", max_length=200, error_messages=_required("site's name"))
    reason = reason_field()


class _WardDetails(SeenForm):
    name = forms.CharField(label="Ward name", max_length=120, error_messages=_required("ward's name"))
    specialism = forms.ChoiceField(
        label="Specialism", choices=[("", ""), *Specialism.choices], error_messages=_choose("specialism")
    )
    sex = forms.ChoiceField(
        label="Sex of the ward",
        choices=WardSex.choices,
        widget=forms.RadioSelect,
        error_messages=_choose("sex of the ward"),
    )
    beds = forms.IntegerField(
        label="Beds",
        min_value=1,
        max_value=500,
        error_messages={
            "required": "Enter the number of beds",
            "invalid": "Enter the number of beds as a whole number",
            "min_value": "Enter the number of beds: at least 1",
            "max_value": "Enter the number of beds: at most 500",
        },
    )


class WardForm(_WardDetails):
    planned_dates = frozenset({"opened_on"})
    site = forms.ModelChoiceField(
        label="Site", queryset=Site.objects.none(), empty_label="", error_messages=_choose("site")
    )
    code = forms.CharField(
        label="Ward code",
        max_length=20,
        help_text="The provider's code, unique in RRP",
        error_messages=_required("ward code"),
    )
    opened_on = forms.DateField(
        label="Opened on",
        error_messages={
            "required": "Enter the day the ward opened",
            "invalid": "Enter the day the ward opened as a date",
        },
    )
    reason = reason_field()
    field_order = ["site", "code", "name", "specialism", "sex", "beds", "opened_on", "reason"]

    def __init__(self, *args: Any, sites: Iterable[Site] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(pk__in=[s.pk for s in sites])


class WardChangeForm(_WardDetails):
    planned_dates = frozenset({"closed_on"})
    closed_on = forms.DateField(
        label="Closed on",
        required=False,
        help_text="The last day it is open. Leave empty while it is open; clear it to open the ward again. "
        "A closed ward keeps all its records.",
        error_messages={"invalid": "Enter the day the ward closed as a date"},
    )
    reason = reason_field()


def role_choices(roles: Iterable[Role]) -> list[tuple[str, str]]:
    return [(r.value, r.label) for r in roles]


class _AccountDetails(SeenForm):
    rules_model = User
    first_name = forms.CharField(label="First name", max_length=150, error_messages=_required("first name"))
    last_name = forms.CharField(label="Last name", max_length=150, error_messages=_required("last name"))
    email = forms.EmailField(
        label="Email", required=False, error_messages={"invalid": "Enter an email address like name@nhs.net"}
    )
    job_title = forms.CharField(label="Job title", max_length=120, required=False)
    role = forms.ChoiceField(label="Role", widget=forms.RadioSelect, error_messages=_choose("role"))
    wards = WardsField(
        label="Wards",
        queryset=Ward.objects.none(),
        required=False,
        help_text="Ward staff and ward managers see only these wards' patients. None for an expert by "
        "experience: they see the wards of the project teams they are added to",
    )
    commissioner = forms.ModelChoiceField(
        label="Integrated care board",
        queryset=Commissioner.objects.all(),
        required=False,
        empty_label="",
        help_text="For a commissioner only",
    )

    def __init__(
        self, *args: Any, roles: Iterable[Role] = (), wards: Iterable[Ward] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(roles)
        if wards is None:  # an account outside any provider: no wards to give
            del self.fields["wards"]
        else:
            self.fields["wards"].queryset = Ward.objects.filter(pk__in=[w.pk for w in wards]).order_by("name")
            del self.fields["commissioner"]


#: How a new account's person first gets in (decision 0081), by whether password sign-in is on.
FIRST_SIGN_IN_CHOICES = {
    True: [
        ("invite", "Email them an invitation to choose their own password (the link works once)"),
        ("password", "Set a first password to give them: they choose their own when they first sign in"),
    ],
    False: [
        ("invite", "Email them that their account is ready, to sign in with their trust account"),
        ("none", "Do not email them"),
    ],
}


class AccountForm(_AccountDetails):
    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="What they type to sign in",
        error_messages=_required("username"),
    )
    first_sign_in = forms.ChoiceField(
        label="How will they first sign in?",
        widget=forms.RadioSelect,
        error_messages=_choose("way they will first sign in"),
    )
    password = forms.CharField(
        label="First password",
        strip=False,
        required=False,
        widget=forms.PasswordInput,
        help_text="Only if you set a first password: give it to them in person or by a secure route; at least "
        "12 characters",
    )
    reason = reason_field()
    field_order = [
        "first_name",
        "last_name",
        "username",
        "email",
        "job_title",
        "role",
        "wards",
        "commissioner",
        "first_sign_in",
        "password",
        "reason",
    ]

    def __init__(self, *args: Any, password_sign_in: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_sign_in"].choices = FIRST_SIGN_IN_CHOICES[password_sign_in]
        if not password_sign_in:  # single sign-on only: RRP holds no password for anyone
            del self.fields["password"]


class AccountChangeForm(_AccountDetails):
    is_active = forms.BooleanField(
        label="Can sign in (untick to deactivate the account; it is kept)", required=False
    )
    reason = reason_field()


class TwoFactorResetForm(ValidatedForm):
    reason = reason_field()


class InvitationForm(ValidatedForm):
    reason = reason_field()


class _StaffDetails(SeenForm):
    rules_model = StaffMember
    given_name = forms.CharField(label="Given name", max_length=100, error_messages=_required("given name"))
    family_name = forms.CharField(
        label="Family name", max_length=100, error_messages=_required("family name")
    )
    job_title = forms.CharField(label="Job title", max_length=120, error_messages=_required("job title"))
    staff_group = forms.ChoiceField(
        label="Staff group", choices=[("", ""), *StaffGroup.choices], error_messages=_choose("staff group")
    )
    employee_number = forms.CharField(
        label="Employee number",
        max_length=30,
        required=False,
        help_text="As in the electronic staff record, to match training records",
    )
    wards = WardsField(label="Wards they work on", queryset=Ward.objects.none(), required=False)

    def __init__(self, *args: Any, wards: Iterable[Ward] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wards"].queryset = Ward.objects.filter(pk__in=[w.pk for w in wards]).order_by("name")


class StaffForm(_StaffDetails):
    reason = reason_field()


class StaffChangeForm(_StaffDetails):
    left_on = forms.DateField(
        label="Left on",
        required=False,
        help_text="Their last working day. A leaver stays on the roster, so "
        "the records that name them still read true.",
        error_messages={"invalid": "Enter the day they left as a date"},
    )
    planned_dates = frozenset({"left_on"})
    reason = reason_field()
