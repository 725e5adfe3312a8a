"""Forms shared by every app: putting a service's errors on a form, and the page that posts one form to
one service (``form_page``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from rrp.core.concurrency import StaleVersion


def apply_errors(
    form: forms.Form, error: ValidationError, *, field_for: Callable[[str], str | None] | None = None
) -> None:
    """Put a service's errors on the form's fields (or the form itself for names it lacks), so the NHS
    error summary links each message to its field. ``field_for`` names the field for a service's key
    where the two differ (None: the form itself); by default a key is its field's own name."""
    for name, messages_ in error.message_dict.items():
        target = field_for(name) if field_for else (name if name in form.fields else None)
        for message in messages_:
            form.add_error(target, message)


def form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    save: Callable[[], Any],
    done: Callable[[Any], HttpResponse],
    template: str,
    context: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    message: str = "",
    field_for: Callable[[str], str | None] | None = None,
    denied_is_not_found: bool = False,
    stale: Callable[[StaleVersion], str] | None = None,
    rebind: Callable[[QueryDict], forms.Form] | None = None,
) -> HttpResponse:
    """A page that posts one form to one service, as every such page of RRP behaves (issue 13's debt).

    On a POST whose form is valid, ``save()`` calls the service (it reads ``form.cleaned_data``). If the
    service refuses with a ``ValidationError``, its messages go on the form's fields (``apply_errors``,
    with ``field_for``) and nothing is saved; else ``message`` is flashed and ``done(saved)`` is answered
    (a redirect). Otherwise, and after a refusal, the page is rendered from ``template`` with ``context``
    (a callable is called after the errors are on the form, so it can list them for the error summary),
    with status 400 when the form has errors, else 200, so a browser or a test sees a refusal as one.

    ``denied_is_not_found``: a ``PermissionDenied`` from the service answers 404, for a record the person
    found but may not act on now (the force pages' rule: no hint of what exists). Pages with more than one
    form or a 503 of their own (the incident change form) keep their own code.

    ``stale`` and ``rebind``: for a versioned record (a ``base_version`` field), a ``StaleVersion`` from
    the service (someone else saved first) keeps what was typed, in a form rebuilt by ``rebind`` from the
    posted answers with ``base_version`` moved to the latest version, says what happened with the message
    ``stale(refused)`` returns, and answers 409 with that form as the context's ``form``; nothing lost,
    and the next save starts from the latest version."""
    refused_as_stale = False
    if request.method == "POST" and form.is_valid():
        try:
            saved = save()
        except StaleVersion as refused:
            if stale is None or rebind is None:
                raise
            refused_as_stale = True
            posted = request.POST.copy()
            posted["base_version"] = str(refused.current)
            form = rebind(posted)
            form.is_valid()
            form.add_error(None, stale(refused))
        except PermissionDenied:
            if denied_is_not_found:
                raise Http404 from None
            raise
        except ValidationError as error:
            apply_errors(form, error, field_for=field_for)
        else:
            if message:
                messages.success(request, message)
            return done(saved)
    shown = context() if callable(context) else context
    if refused_as_stale:
        return render(request, template, {**shown, "form": form}, status=409)
    return render(request, template, shown, status=400 if form.errors else 200)
