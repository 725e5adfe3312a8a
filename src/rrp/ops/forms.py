"""The reminder preferences form."""

from __future__ import annotations

from django import forms

from rrp.core.validation.forms import ValidatedForm
from rrp.ops.models import ReminderKind


class ReminderPreferencesForm(ValidatedForm):
    kinds = forms.MultipleChoiceField(
        label="Remind me of",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all you want. Reminders name the ward and link to the record, never a patient.",
    )

    def __init__(self, *args: object, available: list[ReminderKind], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = [(k.value, k.label) for k in available]
