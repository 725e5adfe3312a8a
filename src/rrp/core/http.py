"""Which HTTP methods pages take: every view says so with Django's decorators, outermost, so any other
method is 405 before anything else runs (tests/integration/core/test_http_methods.py walks every URL
pattern with every method and fails for a view that does not declare them).

- ``@require_safe``: a page that only shows (GET and HEAD);
- ``@require_http_methods(FORM_METHODS)``: a page with a form that posts back to it;
- ``@require_POST``: an action with no page of its own.
"""

from __future__ import annotations

#: A page with a form: shown by GET (and HEAD), submitted by POST.
FORM_METHODS = ["GET", "HEAD", "POST"]
