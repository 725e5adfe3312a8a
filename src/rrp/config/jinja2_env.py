"""The Jinja2 environment for every page: NHS.UK frontend macros plus our own helpers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader, pass_context
from jinja2.runtime import Context

from rrp.accounts import permissions
from rrp.accounts.roles import Permission
from rrp.core import form_rendering, formatting
from rrp.core.tables import table_html


def url(viewname: str, *args: Any, **kwargs: Any) -> str:
    """Reverse a URL name, as Django's {% url %} does."""
    return reverse(viewname, args=args or None, kwargs=kwargs or None)


def number(value: Any, places: int = 0) -> str:
    """A number with thousands separators and fixed decimal places (``core.formatting.decimal``); a dash
    for none."""
    return formatting.decimal(value, places) or "–"


@pass_context
def has_permission(context: Context, permission: str, **objects: Any) -> bool:
    """``{% if has_permission("huddle_view", ward=ward) %}``: the page's user, checked as the server checks
    (``accounts.permissions.has_permission``); an unknown permission name raises."""
    return permissions.has_permission(context["request"].user, Permission(permission), **objects)


def static_folder(path: str) -> str:
    """The address of a folder of static files (the NHS.UK assets), for templates that add file names to
    it. A folder has no hashed name in production's manifest, so ``static()`` refuses it; its files are
    served under their plain names too."""
    return f"{settings.STATIC_URL}{path.strip('/')}"


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
            "static_folder": static_folder,
            "get_messages": messages.get_messages,
            "demo_mode": settings.DEMO_MODE,
            "session_seconds": settings.SESSION_COOKIE_AGE,
            "query_with_page": query_with_page,
            "has_permission": has_permission,
            "form_field_kind": form_rendering.field_kind,
            "form_field_choices": form_rendering.field_choices,
            "form_error_list": form_rendering.error_list,
            "table_html": table_html,
        }
    )
    # Dates, numbers and suppressed figures as every output writes them (core.formatting).
    env.filters.update(
        {
            "date_uk": formatting.long_date,
            "datetime_uk": formatting.long_date_time,
            "short_datetime_uk": formatting.short_date_time,
            "time_uk": formatting.time_of_day,
            "month_year": formatting.month_year,
            "short_month_year": formatting.short_month_year,
            "iso_month": formatting.iso_month,
            "number": number,
            "percent": formatting.percent,
            "figure": formatting.figure_html,
        }
    )
    env.globals["suppressed_mark"] = formatting.suppressed_html
    return env
