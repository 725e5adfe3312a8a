"""Helpers the form macros use to render Django form fields as NHS.UK components."""

from __future__ import annotations

from django import forms


def field_kind(bound_field: forms.BoundField) -> str:
    """Which NHS.UK component renders this field."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.PasswordInput):
        return "password"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.DateTimeInput):
        return "datetime"
    if isinstance(widget, forms.DateInput):
        return "date"
    return "input"


def field_choices(bound_field: forms.BoundField) -> list[dict[str, object]]:
    """Items for a select, radios or checkboxes component, with the current value(s) marked."""
    value = bound_field.value()
    selected = (
        {str(v) for v in value} if isinstance(value, (list, tuple)) else {"" if value is None else str(value)}
    )
    return [
        {
            "value": str(key),
            "text": str(label),
            "selected": str(key) in selected,
            "checked": str(key) in selected,
        }
        for key, label in bound_field.field.choices
    ]


def error_list(form: forms.Form) -> list[dict[str, str]]:
    """The error summary's list: each message linking to its field."""
    items = []
    for name, errors in form.errors.items():
        href = f"#{form[name].auto_id}" if name in form.fields else "#main-errors"
        items.extend({"text": str(message), "href": href} for message in errors)
    return items
