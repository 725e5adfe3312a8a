"""May this person do this, here? One answer for every page, service, API call and template.

``has_permission(user, Permission.X, ward=..., provider=...)`` checks, each rule written once:

1. the user is signed in and active, and their role holds the permission (``roles.ROLE_DEFINITIONS``);
2. a read-only role never holds a permission that writes (``roles.PERMISSION_DEFINITIONS``);
3. a ward given is in the user's scope: one whose patients they see for a permission about patients
   (``PermissionDefinition.patients``), one whose figures they see otherwise (``accounts.scope``);
4. a provider given is in the user's scope.

Views use ``permission_required`` for the role (a 403, the role's own limit, which hides nothing) and
``require_permission`` once they hold the object (a 403 when the role lacks the permission, a 404 when
the object is outside the user's scope, so a guessed id does not confirm the record exists).
Decision 0012 (docs/decisions/0012-authorisation.md) says how a new app adds a permission and checks it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from rrp.accounts.roles import PERMISSION_DEFINITIONS, Permission
from rrp.accounts.scope import WARD_ROLES, scope_of
from rrp.organisations.models import Provider, Ward

if TYPE_CHECKING:
    from rrp.accounts.models import User

View = Callable[..., HttpResponse]


def _check_context(ward: object, provider: object) -> None:
    """A context object of the wrong kind is a programming error: say which, rather than answer False."""
    for key, value, expected in (("ward", ward, Ward), ("provider", provider, Provider)):
        if value is not None and not isinstance(value, expected):
            raise TypeError(
                f"has_permission: {key} must be a {expected.__name__}, not {type(value).__name__}"
            )


def has_permission(
    user: User | Any, permission: Permission, *, ward: Ward | None = None, provider: Provider | None = None
) -> bool:
    """Whether ``user`` may do ``permission``, on ``ward`` and ``provider`` when given (see the module's
    rules). Any other keyword, or an object of the wrong type, raises TypeError."""
    if not isinstance(permission, Permission):
        raise TypeError(f"has_permission: {permission!r} is not a Permission")
    _check_context(ward, provider)
    scope = scope_of(user)
    if not scope.allows(permission):
        return False
    if ward is not None:
        in_scope = scope.has_patient_ward if PERMISSION_DEFINITIONS[permission].patients else scope.has_ward
        if not in_scope(ward):
            return False
    return provider is None or scope.has_provider(provider)


def sees_unsuppressed(user: User | Any, provider_id: int) -> bool:
    """Whether the provider's aggregate figures may be shown to the user without NHS Digital's small
    number suppression (``Permission.UNSUPPRESSED_FIGURES_VIEW`` on the provider), by id: a report that
    pools many providers asks once per provider it holds only the ids of."""
    scope = scope_of(user)
    return scope.allows(Permission.UNSUPPRESSED_FIGURES_VIEW) and scope.has_provider_id(provider_id)


def on_ward_team(user: User | Any, ward_id: int) -> bool:
    """Whether the user is one of the ward's own team (ward staff or a ward manager linked to it): the only
    readers who see a measure marked ``suppress_outside_ward`` (the patients' weekly check) exactly
    (decision 0077). The provider's governance sees every ward but is on no ward's team."""
    scope = scope_of(user)
    return scope.active and scope.role in WARD_ROLES and ward_id in scope.ward_ids


def require_permission(
    user: User | Any,
    permission: Permission,
    *,
    ward: Ward | None = None,
    provider: Provider | None = None,
    denied: str = "",
) -> None:
    """For a view holding the object: PermissionDenied (403, saying ``denied`` where the API shows it) when
    the role lacks the permission, Http404 when the ward or provider is outside the user's scope."""
    if not has_permission(user, permission):
        raise PermissionDenied(denied)
    if not has_permission(user, permission, ward=ward, provider=provider):
        raise Http404


def permission_required(permission: Permission) -> Callable[[View], View]:
    """A view decorator: 403 (``PermissionDenied``, the site's 403 page) unless the role holds the
    permission. Which objects the view then shows still comes from scoped selectors (404 outside)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_permission(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
