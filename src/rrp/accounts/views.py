"""Sign in, two-factor and sign out pages."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rrp.accounts import services, sso
from rrp.accounts.forms import InvitationPasswordForm, PasswordChangeForm, SignInForm, TwoFactorForm
from rrp.core.forms import form_page
from rrp.core.http import FORM_METHODS


def safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Username and password, and the single sign-on button when the trust has set it up (docs/sso.md).
    A trust that switched passwords off (RRP_PASSWORD_SIGN_IN=0) gets only the button, and a password
    posted anyway is refused and audited, never checked."""
    if request.method == "POST" and not settings.RRP_PASSWORD_SIGN_IN:
        services.password_sign_in_refused(request=request, username=request.POST.get("username", ""))
        return render(request, "accounts/sign_in.jinja", sign_in_context(request, SignInForm()), status=403)
    form = SignInForm(request.POST or None)
    failed = False
    if request.method == "POST" and form.is_valid():
        user = services.user_sign_in(
            request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if user is not None:
            return redirect(safe_next(request))
        failed = True
    status = 400 if request.method == "POST" else 200
    return render(
        request, "accounts/sign_in.jinja", sign_in_context(request, form, failed=failed), status=status
    )


def sign_in_context(request: HttpRequest, form: SignInForm, *, failed: bool = False) -> dict[str, object]:
    next_url = safe_next(request)
    return {
        "form": form,
        "failed": failed,
        "next": next_url,
        "expired": "expired" in request.GET,
        "kept": "kept" in request.GET,
        "password_sign_in": settings.RRP_PASSWORD_SIGN_IN,
        "sso_label": settings.RRP_OIDC_BUTTON_LABEL if settings.SSO_ENABLED else "",
        "sso_url": "/oidc/authenticate/?" + urlencode({"next": next_url}),
        "password_refused": request.method == "POST" and not settings.RRP_PASSWORD_SIGN_IN,
        "password_set": "password_set" in request.GET,
    }


# Also the answer django-axes gives to a sign-in POST while locked out (AXES_LOCKOUT_CALLABLE).
@require_http_methods(FORM_METHODS)
def locked_out(
    request: HttpRequest, credentials: dict | None = None, *args: object, **kwargs: object
) -> HttpResponse:
    """Shown by django-axes after too many failed sign-ins."""
    return render(request, "accounts/locked_out.jinja", status=429)


@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("/account/sign-in/")
    device = services.totp_device_for(request.user)
    form = TwoFactorForm(request.POST or None)
    failed = False
    if request.method == "POST" and form.is_valid():
        if services.user_verify_second_factor(request=request, code=form.cleaned_data["code"]):
            return redirect(safe_next(request))
        failed = True
    context = {"form": form, "failed": failed, "next": safe_next(request), "setting_up": not device.confirmed}
    if not device.confirmed:
        image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
        buffer = io.BytesIO()
        image.save(buffer)
        context["qr_svg_data_uri"] = (
            "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
        )
        context["secret"] = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "accounts/two_factor.jinja", context, status=400 if failed or form.errors else 200)


@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm (the header links here); POST signs out. After a single sign-on it goes on to
    the identity provider to end that session too (RP-initiated logout), when the provider offers it; the
    provider sends the browser back to /account/signed-out/."""
    if request.method == "GET":
        return render(request, "accounts/sign_out.jinja")
    provider_url = sso.provider_sign_out_url(request)
    services.user_sign_out(request=request, at_identity_provider=provider_url is not None)
    return redirect(provider_url or "/account/sign-in/")


@require_safe
def signed_out(request: HttpRequest) -> HttpResponse:
    """Where the identity provider sends the browser back after ending its session (the
    post_logout_redirect_uri a trust registers): the sign-in page, saying both sessions ended."""
    context = sign_in_context(request, SignInForm()) | {"signed_out_everywhere": True}
    return render(request, "accounts/sign_in.jinja", context)


@require_http_methods(FORM_METHODS)
def invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The emailed invitation's link: choose a password, once, before it expires (decision 0081). A link
    used, replaced by a newer one, expired or of a deactivated account says so, and nothing more."""
    user = services.invitation_user(uidb64, token) if settings.RRP_PASSWORD_SIGN_IN else None
    if user is None:
        return render(
            request,
            "accounts/invitation_invalid.jinja",
            {"hours": settings.RRP_INVITATION_HOURS, "password_sign_in": settings.RRP_PASSWORD_SIGN_IN},
            status=410,
        )
    form = InvitationPasswordForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.invitation_accept(user=user, request=request, **form.cleaned_data),
        done=lambda saved: redirect("/account/sign-in/?password_set=1"),
        template="accounts/password.jinja",
        context=lambda: {"form": form, "invited": user, "title": "Choose your password"},
    )


@require_http_methods(FORM_METHODS)
def password_change(request: HttpRequest) -> HttpResponse:
    """Choose a new password: required at the first sign-in with a password an administrator set."""
    form = PasswordChangeForm(request.POST or None)
    required = request.user.password_change_required
    return form_page(
        request,
        form,
        save=lambda: services.password_change(request=request, **form.cleaned_data),
        done=lambda saved: redirect(safe_next(request)),
        template="accounts/password.jinja",
        context=lambda: {
            "form": form,
            "required": required,
            "next": safe_next(request),
            "title": "Choose your own password" if required else "Change your password",
        },
        message="Your new password is saved." if not required else "Your password is now your own.",
    )


@require_POST
def stay_signed_in(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in" in the warning shown two minutes before the session ends (static/rrp-session.js):
    any request renews the idle timer (SESSION_SAVE_EVERY_REQUEST), this one does nothing else and says
    how long the session now has. Without JavaScript there is no warning and the form posts here and
    comes back to the page it was on."""
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"seconds": settings.SESSION_COOKIE_AGE})
    return redirect(safe_next(request))
