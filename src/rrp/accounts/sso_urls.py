"""Single sign-on's two addresses, at /oidc/ (the callback is the redirect URI a trust registers with its
identity provider: https://RRP-HOST/oidc/callback/). Not namespaced: mozilla-django-oidc reverses them by
these names. Both answer 404 while single sign-on is not set up."""

from django.urls import path
from django.views.decorators.http import require_GET

from rrp.accounts.sso import SSOCallbackView, SSOStartView

urlpatterns = [
    # Both are reached by the browser's GET only (the provider redirects back with the code in the address;
    # the library's views take no HEAD): any other method is 405, as on every RRP page.
    path("callback/", require_GET(SSOCallbackView.as_view()), name="oidc_authentication_callback"),
    path("authenticate/", require_GET(SSOStartView.as_view()), name="oidc_authentication_init"),
]
