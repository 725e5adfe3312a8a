"""Every page says which HTTP methods it takes, and answers 405 to the others (issue 12, What was seen 7:
read-only pages answered 200 to POST, PUT, PATCH and DELETE). Every id in a page's address is a 64-bit
id: a larger one is 404, not an overflow."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.helpers import signed_in_client

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("api/"):
                continue  # django-ninja answers 405 itself and is probed by schemathesis
            yield from _patterns(entry, route)
        else:
            yield route, entry


def declared_methods(view: Callable) -> list[str] | None:
    """The methods a view's require_http_methods (or require_safe / require_POST) allows, or None."""
    while view is not None:
        if view.__closure__:
            found = inspect.getclosurevars(view).nonlocals.get("request_method_list")
            if found is not None:
                return [m.upper() for m in found]
        view = getattr(view, "__wrapped__", None)
    return None


def _url(route: str, value: str = "1") -> str:
    route = re.sub(r"<(?:id|int):\w+>", value, route)
    route = re.sub(r"<uuid:\w+>", "00000000-0000-4000-8000-000000000001", route)
    return "/" + re.sub(r"<(?:str|slug):\w+>", "x", route)


PAGES = sorted(_patterns(get_resolver()), key=lambda item: item[0])


def test_every_page_declares_its_methods():
    undeclared = [route for route, pattern in PAGES if declared_methods(pattern.callback) is None]
    assert undeclared == []


@pytest.mark.parametrize(("route", "pattern"), PAGES, ids=[route or "/" for route, _ in PAGES])
def test_methods_a_page_does_not_take_are_405(world, route, pattern):
    allowed = declared_methods(pattern.callback) or []
    for method in METHODS:  # a client each: signing out must not change what the next method sees
        response = signed_in_client(world.users["provider_governance"]).generic(method, _url(route))
        if method in allowed:
            assert response.status_code != 405, (method, route)
        else:
            assert response.status_code == 405, (method, route, response.status_code)


ID_PAGES = [(route, pattern) for route, pattern in PAGES if re.search(r"<(?:id|int):", route)]


@pytest.mark.parametrize(("route", "pattern"), ID_PAGES, ids=[route for route, _ in ID_PAGES])
def test_an_id_above_64_bits_in_an_address_is_404(world, route, pattern):
    client = signed_in_client(world.users["provider_governance"])
    for value in (str(2**63), str(2**64), "9" * 30):
        assert client.get(_url(route, value)).status_code == 404, (route, value)
