"""HTTP rules every page follows: which methods it takes, and that no answer is kept in a cache.

Which HTTP methods pages take: every view says so with Django's decorators, outermost, so any other
method is 405 before anything else runs (tests/integration/core/test_http_methods.py walks every URL
pattern with every method and fails for a view that does not declare them).

- ``@require_safe``: a page that only shows (GET and HEAD);
- ``@require_http_methods(FORM_METHODS)``: a page with a form that posts back to it;
- ``@require_POST``: an action with no page of its own.

``NoStoreMiddleware`` marks every answer but a static file ``no-store`` (shared ward computers).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

#: A page with a form: shown by GET (and HEAD), submitted by POST.
FORM_METHODS = ["GET", "HEAD", "POST"]


class NoStoreMiddleware:
    """Tell browsers and proxies to keep no copy of any answer but a static file.

    Ward computers are shared: a page about a patient, or an API answer, kept in the browser's cache
    could be read back by the next person at the keyboard (with the back button or from the cache on
    disk) after the first has signed out. Every page but sign-in needs a signed-in user and almost all
    show identifiable records, so the rule is every response rather than a list of pages that would be
    missed when a page is added. Django's ``add_never_cache_headers`` writes ``Cache-Control: max-age=0,
    no-cache, no-store, must-revalidate, private`` and an ``Expires`` in the past. It sits inside
    WhiteNoise, which answers static files (the same for everyone, and cached for speed) before this
    runs, and outside everything else, so redirects, 403s, 405s and error pages carry it too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
