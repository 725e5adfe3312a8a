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
