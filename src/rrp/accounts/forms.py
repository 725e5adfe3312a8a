"""Sign-in forms."""

from __future__ import annotations

from django import forms

from rrp.core.validation.forms import ValidatedForm


class SignInForm(ValidatedForm):
    username = forms.CharField(label="Username", max_length=150)
    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)


class TwoFactorForm(ValidatedForm):
    code = forms.RegexField(
        label="Security code",
        regex=r"^\d{6}$",
        error_messages={"invalid": "Enter the 6-digit security code from your authenticator app"},
    )


class _NewPasswordForm(ValidatedForm):
    new_password = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput,
        help_text="At least 12 characters. A few unrelated words together are easy to remember and hard to guess.",
        error_messages={"required": "Enter a new password"},
    )
    new_password_again = forms.CharField(
        label="New password again",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter the new password again"},
    )


class InvitationPasswordForm(_NewPasswordForm):
    """Choosing a password from an emailed invitation."""


class PasswordChangeForm(_NewPasswordForm):
    """Replacing one's password (the first one an administrator gave, or any)."""

    current_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput,
        help_text="The password you signed in with",
        error_messages={"required": "Enter your current password"},
    )
    field_order = ["current_password", "new_password", "new_password_again"]
