"""The Jinja2 environment for every page: NHS.UK frontend macros plus our own helpers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader, pass_context
from jinja2.runtime import Context

from rrp.accounts import permissions
from rrp.accounts.roles import Permission
from rrp.core import form_rendering


def url(viewname: str, *args: Any, **kwargs: Any) -> str:
    """Reverse a URL name, as Django's {% url %} does."""
    return reverse(viewname, args=args or None, kwargs=kwargs or None)


def date_uk(value: Any, fmt: str = "%-d %B %Y") -> str:
    """Format a date as the NHS.UK style guide asks (e.g. 3 March 2026); empty for none."""
    if value in (None, ""):
        return ""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return value.strftime(fmt)


def datetime_uk(value: Any) -> str:
    """Format a date and time as 3 March 2026, 14:05 (local time)."""
    return date_uk(value, "%-d %B %Y, %H:%M")


def number(value: Any, places: int = 0) -> str:
    """Format a number with thousands separators; a dash for none."""
    if value is None:
        return "–"
    return f"{value:,.{places}f}"


@pass_context
def has_permission(context: Context, permission: str, **objects: Any) -> bool:
    """``{% if has_permission("huddle_view", ward=ward) %}``: the page's user, checked as the server checks
    (``accounts.permissions.has_permission``); an unknown permission name raises."""
    return permissions.has_permission(context["request"].user, Permission(permission), **objects)


def query_with_page(request: Any, page: int) -> str:
    """The current query string with its page number replaced, for pagination links."""
    query = request.GET.copy()
    query["page"] = str(page)
    return query.urlencode()


def environment(**options: Any) -> Environment:
    """Build the environment Django's Jinja2 backend uses (settings.TEMPLATES)."""
    app_loader = options.pop("loader", None)
    options["undefined"] = ChainableUndefined
    options.setdefault("autoescape", True)
    options["extensions"] = [*options.get("extensions", []), "jinja2.ext.do"]
    env = Environment(**options)
    loaders = [PackageLoader("nhsuk_frontend_jinja", package_path="templates")]
    if app_loader is not None:
        loaders.insert(0, app_loader)
    env.loader = ChoiceLoader([env.loader, *loaders] if env.loader else loaders)
    env.globals.update(
        {
            "url": url,
            "static": static,
            "get_messages": messages.get_messages,
            "demo_mode": settings.DEMO_MODE,
            "query_with_page": query_with_page,
            "has_permission": has_permission,
            "form_field_kind": form_rendering.field_kind,
            "form_field_choices": form_rendering.field_choices,
            "form_error_list": form_rendering.error_list,
        }
    )
    env.filters.update({"date_uk": date_uk, "datetime_uk": datetime_uk, "number": number})
    return env
