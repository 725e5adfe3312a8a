"""Forms shared by every app: putting a service's errors on a form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's errors on the form's fields (or the form itself for names it lacks), so the NHS
    error summary links each message to its field."""
    for name, messages in error.message_dict.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
