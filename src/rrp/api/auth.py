"""Bearer-token authentication: `Authorization: Bearer <token>` acts as the token's user."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from rrp.accounts.models import User
from rrp.api.selectors import token_user


class TokenAuth(HttpBearer):
    """Accept a token made by `rrp token create` that is neither expired nor revoked, for an active user.

    Anything else leaves the request unauthenticated, which the API answers with a 401 problem.
    """

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_user(token.strip())
        if user is not None:
            request.user = user
        return user
