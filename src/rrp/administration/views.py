"""The administration pages (issue 18 item 1): a provider's sites, wards, accounts, staff roster and
review rules, for the system administrator and the provider's own administrator. Views authorise, call the
selectors and services, and render; every change goes through ``administration.services`` with a reason."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission, Role
from rrp.accounts.scope import PROVIDER_ACCOUNT_ROLES, PROVIDER_ROLES
from rrp.accounts.services import invitation_expires_at
from rrp.administration import forms, selectors, services
from rrp.core.formatting import long_date, long_date_time
from rrp.core.forms import form_page
from rrp.core.http import FORM_METHODS
from rrp.organisations.models import Provider
from rrp.segregation.forms import review_rules_form_class
from rrp.segregation.selectors import review_rule_labels
from rrp.segregation.services import rules_for

FORM_TEMPLATE = "administration/form.jinja"


def _administrator(request: HttpRequest) -> None:
    if not selectors.administers(request.user):
        raise PermissionDenied


def _need(request: HttpRequest, permission: Permission, provider: Provider | None = None) -> None:
    """403 when the role cannot do this at all; the provider is already in scope (selectors: 404)."""
    if not has_permission(request.user, permission, provider=provider):
        raise PermissionDenied


def _form_context(form: Any, *, title: str, caption: str, back: str, button: str, intro: str = "") -> dict:
    return {
        "form": form,
        "title": title,
        "caption": caption,
        "back": back,
        "button_text": button,
        "intro": intro,
    }


def _provider_url(provider_id: int) -> str:
    return reverse("administration:provider", args=[provider_id])


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The system administrator's list of providers; a provider administrator goes straight to theirs."""
    _administrator(request)
    providers = list(selectors.provider_list(request.user))
    if not has_permission(request.user, Permission.ORGANISATION_MANAGE) and len(providers) == 1:
        return redirect(_provider_url(providers[0].pk))
    return render(
        request,
        "administration/index.jinja",
        {
            "providers": providers,
            "can_add": has_permission(request.user, Permission.ORGANISATION_MANAGE),
            "service_accounts": selectors.service_accounts()
            if has_permission(request.user, Permission.ORGANISATION_MANAGE)
            else [],
            "collaboratives": selectors.collaboratives()
            if has_permission(request.user, Permission.ORGANISATION_MANAGE)
            else [],
        },
    )


@require_safe
def provider(request: HttpRequest, provider_id: int) -> HttpResponse:
    _administrator(request)
    provider = selectors.provider_get(request.user, provider_id)
    user = request.user
    return render(
        request,
        "administration/provider.jinja",
        {
            "provider": provider,
            "sites": selectors.provider_sites(provider),
            "wards": selectors.provider_wards(provider),
            "accounts": selectors.provider_accounts(provider)
            if has_permission(user, Permission.USER_MANAGE, provider=provider)
            else None,
            "can_wards": has_permission(user, Permission.WARD_MANAGE, provider=provider),
            "can_staff": has_permission(user, Permission.STAFF_ROSTER_MANAGE, provider=provider),
            "can_rules": has_permission(user, Permission.REVIEW_RULES_SET, provider=provider),
        },
    )


# --- Regions and providers ------------------------------------------------------------------------------


@require_http_methods(FORM_METHODS)
def region_add(request: HttpRequest) -> HttpResponse:
    _need(request, Permission.ORGANISATION_MANAGE)
    form = forms.RegionForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.region_create(by=request.user, request=request, **form.cleaned_data),
        done=lambda region: redirect("administration:index"),
        template=FORM_TEMPLATE,
        context=lambda: _form_context(
            form,
            title="Add a region",
            caption="Administration",
            back=reverse("administration:index"),
            button="Add region",
        ),
        message="Region added.",
    )


@require_http_methods(FORM_METHODS)
def provider_add(request: HttpRequest) -> HttpResponse:
    _need(request, Permission.ORGANISATION_MANAGE)
    form = forms.ProviderForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.provider_create(by=request.user, request=request, **form.cleaned_data),
        done=lambda provider: redirect(_provider_url(provider.pk)),
        template=FORM_TEMPLATE,
        context=lambda: _form_context(
            form,
            title="Add a provider",
            caption="Administration",
            back=reverse("administration:index"),
            button="Add provider",
            intro="An NHS trust or independent provider. Add its sites, wards and accounts next.",
        ),
        message="Provider added.",
    )


# --- Sites and wards ------------------------------------------------------------------------------------


@require_http_methods(FORM_METHODS)
def site_add(request: HttpRequest, provider_id: int) -> HttpResponse:
    _administrator(request)
    provider = selectors.provider_get(request.user, provider_id)
    _need(request, Permission.WARD_MANAGE, provider)
    form = forms.SiteForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.site_create(
            by=request.user, provider=provider, request=request, **form.cleaned_data
        ),
        done=lambda site: redirect(_provider_url(provider.pk)),
        template=FORM_TEMPLATE,
        context=lambda: _form_context(
            form,
            title="Add a site",
            caption=provider.name,
            back=_provider_url(provider.pk),
            button="Add site",
        ),
        message="Site added.",
    )


@require_http_methods(FORM_METHODS)
def site_change(request: HttpRequest, site_id: int) -> HttpResponse:
    _administrator(request)
    site = selectors.site_get(request.user, site_id)
    _need(request, Permission.WARD_MANAGE, site.provider)
    initial = {"name": site.name, "seen": services.fingerprint(site, services.SITE_FIELDS)}
    form = forms.SiteChangeForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        save=lambda: services.site_change(by=request.user, site=site, request=request, **form.cleaned_data),
        done=lambda saved: redirect(_provider_url(site.provider_id)),
        template=FORM_TEMPLATE,
        context=lambda: _form_context(
            form,
            title=f"Rename {site.name}",
            caption=f"{site.provider.name}, site {site.ods_code}",
            back=_provider_url(site.provider_id),
            button="Save",
        ),
        message="Site renamed.",
    )


@require_http_methods(FORM_METHODS)
def ward_add(request: HttpRequest, provider_id: int) -> HttpResponse:
    _administrator(request)
    provider = selectors.provider_get(request.user, provider_id)
    _need(request, Permission.WARD_MANAGE, provider)
    sites = selectors.provider_sites(provider)
    form = forms.WardForm(request.POST or None, sites=sites)
    return form_page(
        request,
        form,
        save=lambda: services.ward_create(
            by=request.user, request=request, **{k: v for k, v in form.cleaned_data.items() if k != "seen"}
        ),
        done=lambda ward: redirect(_provider_url(provider.pk)),
        template=FORM_TEMPLATE,
        context=lambda: _form_context(
            form,
            title="Add a ward",
            caption=provider.name,
            back=_provider_url(provider.pk),
            button="Add ward",
            intro="" if sites else "Add a site first: every ward is on one of the provider's sites.",
        ),
        message="Ward added.",
    )


@require_http_methods(FORM_METHODS)
def ward_change(request: HttpRequest, ward_id: int) -> HttpResponse:
    _administrator(request)
    ward = selectors.ward_get(request.user, ward_id)
    _need(request, Permission.WARD_MANAGE, ward.provider)
    initial = {f: getattr(ward, f) for f in services.WARD_FIELDS} | {
        "seen": services.fingerprint(ward, services.WARD_FIELDS)
    }
    form = forms.WardChangeForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        save=lambda: services.ward_change(by=request.user, ward=ward, request=request, **form.cleaned_data),
        done=lambda saved: redirect(_provider_url(ward.provider_id)),
        template=FORM_TEMPLATE,
        context=lambda: _form_context(
            form,
            title=f"Change {ward.name}",
            caption=f"{ward.provider.name}, {ward.site.name}, ward {ward.code}, opened {long_date(ward.opened_on)}",
            back=_provider_url(ward.provider_id),
            button="Save ward",
        ),
        message="Ward saved.",
    )


# --- Accounts -------------------------------------------------------------------------------------------


def _account_roles(request: HttpRequest, provider: Provider | None) -> list[Role]:
    """The roles offered: a provider's accounts' on its page (its own roles and the expert by experience it
    involves), the service's others on the service page (an expert by experience there belongs to no
    provider: one who joins collaboratives only)."""
    roles = services.grantable_roles(request.user)
    if provider is not None:
        return [r for r in roles if r in PROVIDER_ACCOUNT_ROLES]
    return [r for r in roles if r not in PROVIDER_ROLES]


@require_http_methods(FORM_METHODS)
def account_add(request: HttpRequest, provider_id: int | None = None) -> HttpResponse:
    _need(request, Permission.USER_MANAGE)
    provider = selectors.provider_get(request.user, provider_id) if provider_id is not None else None
    if provider is None:
        _need(request, Permission.ORGANISATION_MANAGE)
    else:
        _need(request, Permission.USER_MANAGE, provider)
    wards = selectors.provider_wards(provider) if provider else None
    form = forms.AccountForm(
        request.POST or None,
        roles=_account_roles(request, provider),
        wards=wards,
        password_sign_in=settings.RRP_PASSWORD_SIGN_IN,
    )
    back = _provider_url(provider.pk) if provider else reverse("administration:index")

    def save() -> Any:
        data = {k: v for k, v in form.cleaned_data.items() if k != "seen"}
        invite = data.pop("first_sign_in") == "invite"
        account = services.user_create(
            by=request.user, provider=provider, request=request, invite=invite, **data
        )
        if invite:
            # The account stands whether or not the mail server takes the invitation: if it does not, the
            # account's page says so and sends it again.
            try:
                services.user_invite(by=request.user, account=account, reason=data["reason"], request=request)
            except ValidationError as refused:
                messages.error(
                    request, f"Account added, but {refused.messages[0][0].lower()}{refused.messages[0][1:]}"
                )
                account.invitation_failed = True
            else:
                messages.success(request, f"Invitation sent to {account.email}.")
        return account

    return form_page(
        request,
        form,
        save=save,
        done=lambda account: redirect(
            reverse("administration:account", args=[account.pk])
            if getattr(account, "invitation_failed", False)
            else back
        ),
        template=FORM_TEMPLATE,
        context=lambda: _form_context(
            form,
            title="Add an account",
            caption=provider.name if provider else "Accounts of the service",
            back=back,
            button="Add account",
            intro="Roles that see more than one ward's patients, commissioners and administrators set up "
            "two-factor sign-in the first time they sign in."
            + (
                ""
                if settings.RRP_PASSWORD_SIGN_IN
                else " Everyone signs in with their trust account here: link it with rrp link-sso."
            ),
        ),
        message="Account added.",
    )


@require_http_methods(FORM_METHODS)
def account_change(request: HttpRequest, account_id: int) -> HttpResponse:
    account = selectors.account_get(request.user, account_id)
    if not services.may_manage_account(request.user, account):
        raise Http404
    provider = account.provider
    wards = selectors.provider_wards(provider) if provider else None
    fields = services.USER_FIELDS
    initial = {f: getattr(account, f) for f in fields if f != "wards"} | {
        "wards": list(account.wards.values_list("pk", flat=True)),
        "commissioner": account.commissioner_id,
        "seen": services.fingerprint(account, fields),
    }
    form = forms.AccountChangeForm(
        request.POST or None, initial=initial, roles=_account_roles(request, provider), wards=wards
    )
    back = _provider_url(provider.pk) if provider else reverse("administration:index")
    form.fields.pop("commissioner", None)  # the board an account works for is set when it is added
    return form_page(
        request,
        form,
        save=lambda: services.user_change(
            by=request.user,
            account=account,
            request=request,
            **{"wards": [], **form.cleaned_data},
        ),
        done=lambda saved: redirect(back),
        template="administration/account.jinja",
        context=lambda: (
            _form_context(
                form,
                title=f"{account.get_full_name() or account.username}",
                caption=f"Account {account.username}",
                back=back,
                button="Save account",
            )
            | {
                "account": account,
                "sign_in": _sign_in_state(account),
                "password_sign_in": settings.RRP_PASSWORD_SIGN_IN,
            }
        ),
        message="Account saved.",
    )


def _sign_in_state(account: Any) -> str:
    """How the person gets in, for the account's page (decision 0081)."""
    if not settings.RRP_PASSWORD_SIGN_IN:
        return "With their trust account" + ("" if account.sso_subject else " (not linked yet: rrp link-sso)")
    if account.password_change_required:
        return "With the first password an administrator set: they choose their own at their next sign-in"
    if account.has_usable_password():
        return "With their own password"
    if account.invited_at is not None:
        return (
            f"Invited on {long_date_time(account.invited_at)}; the link works until "
            f"{long_date_time(invitation_expires_at(account.invited_at))} unless they have used it"
        )
    return "No password yet: send them an invitation"


@require_http_methods(FORM_METHODS)
def account_invitation(request: HttpRequest, account_id: int) -> HttpResponse:
    """Send (or send again) the invitation email; any earlier link stops working."""
    account = selectors.account_get(request.user, account_id)
    if not services.may_manage_account(request.user, account):
        raise Http404
    form = forms.InvitationForm(request.POST or None)
    back = reverse("administration:account", args=[account.pk])
    link_words = (
        f"a link to choose their password, which works once, for {settings.RRP_INVITATION_HOURS} hours"
        if settings.RRP_PASSWORD_SIGN_IN
        else "word to sign in with their trust account"
    )
    return form_page(
        request,
        form,
        save=lambda: services.user_invite(
            by=request.user, account=account, request=request, **form.cleaned_data
        ),
        done=lambda expires: redirect(back),
        template=FORM_TEMPLATE,
        context=lambda: _form_context(
            form,
            title="Send an invitation",
            caption=f"Account {account.username}",
            back=back,
            button="Send invitation",
            intro=f"RRP emails {account.email or 'them (the account has no email address yet)'} {link_words}. "
            "Any link sent before stops working.",
        ),
        message=f"Invitation sent to {account.email}.",
    )


@require_http_methods(FORM_METHODS)
def account_two_factor(request: HttpRequest, account_id: int) -> HttpResponse:
    account = selectors.account_get(request.user, account_id)
    if not services.may_manage_account(request.user, account):
        raise Http404
    form = forms.TwoFactorResetForm(request.POST or None)
    back = reverse("administration:account", args=[account.pk])
    return form_page(
        request,
        form,
        save=lambda: services.user_two_factor_reset(
            by=request.user, account=account, request=request, **form.cleaned_data
        ),
        done=lambda removed: redirect(back),
        template=FORM_TEMPLATE,
        context=lambda: _form_context(
            form,
            title="Reset two-factor sign-in",
            caption=f"Account {account.username}",
            back=back,
            button="Reset two-factor sign-in",
            intro="Use this when someone has lost or replaced the phone with their authenticator app. Their "
            "app's codes stop working now, and they set it up again with a new QR code the next time they "
            "sign in with their password.",
        ),
        message="Two-factor sign-in reset: they set it up again at their next sign-in.",
    )


# --- Staff roster ---------------------------------------------------------------------------------------


@require_safe
def staff_list(request: HttpRequest, provider_id: int) -> HttpResponse:
    _administrator(request)
    provider = selectors.provider_get(request.user, provider_id)
    _need(request, Permission.STAFF_ROSTER_MANAGE, provider)
    return render(
        request,
        "administration/staff_list.jinja",
        {"provider": provider, "staff": selectors.provider_staff(provider)},
    )


@require_http_methods(FORM_METHODS)
def staff_add(request: HttpRequest, provider_id: int) -> HttpResponse:
    _administrator(request)
    provider = selectors.provider_get(request.user, provider_id)
    _need(request, Permission.STAFF_ROSTER_MANAGE, provider)
    form = forms.StaffForm(request.POST or None, wards=selectors.provider_wards(provider))
    back = reverse("administration:staff-list", args=[provider.pk])
    return form_page(
        request,
        form,
        save=lambda: services.staff_create(
            by=request.user,
            provider=provider,
            request=request,
            **{k: v for k, v in form.cleaned_data.items() if k != "seen"},
        ),
        done=lambda member: redirect(back),
        template=FORM_TEMPLATE,
        context=lambda: _form_context(
            form, title="Add to the staff roster", caption=provider.name, back=back, button="Add"
        ),
        message="Added to the staff roster.",
    )


@require_http_methods(FORM_METHODS)
def staff_change(request: HttpRequest, staff_id: int) -> HttpResponse:
    _administrator(request)
    member = selectors.staff_get(request.user, staff_id)
    _need(request, Permission.STAFF_ROSTER_MANAGE, member.provider)
    fields = services.STAFF_FIELDS
    initial = {f: getattr(member, f) for f in fields if f != "wards"} | {
        "wards": list(member.wards.values_list("pk", flat=True)),
        "seen": services.fingerprint(member, fields),
    }
    form = forms.StaffChangeForm(
        request.POST or None, initial=initial, wards=selectors.provider_wards(member.provider)
    )
    back = reverse("administration:staff-list", args=[member.provider_id])
    return form_page(
        request,
        form,
        save=lambda: services.staff_change(
            by=request.user, member=member, request=request, **form.cleaned_data
        ),
        done=lambda saved: redirect(back),
        template=FORM_TEMPLATE,
        context=lambda: _form_context(
            form, title=member.name, caption=f"{member.provider.name} staff roster", back=back, button="Save"
        ),
        message="Staff roster saved.",
    )


# --- Review rules ---------------------------------------------------------------------------------------


@require_http_methods(FORM_METHODS)
def review_rules(request: HttpRequest, provider_id: int) -> HttpResponse:
    """The provider's seclusion and segregation review intervals, with segregation's own form and service,
    and a reason."""
    _administrator(request)
    provider = selectors.provider_get(request.user, provider_id)
    _need(request, Permission.REVIEW_RULES_SET, provider)
    labels = review_rule_labels()
    current = rules_for(provider.pk)
    form_class = type(
        "AdminReviewRulesForm", (review_rules_form_class(labels),), {"reason": forms.reason_field()}
    )
    form = form_class(request.POST or None, initial={name: getattr(current, name) for name in labels})

    def save() -> object:
        minutes = {k: v for k, v in form.cleaned_data.items() if k != "reason" and v != getattr(current, k)}
        return services.provider_review_rules_set(
            by=request.user, provider=provider, request=request, reason=form.cleaned_data["reason"], **minutes
        )

    return form_page(
        request,
        form,
        save=save,
        done=lambda saved: redirect(_provider_url(provider.pk)),
        template=FORM_TEMPLATE,
        context=lambda: _form_context(
            form,
            title="Seclusion and segregation review rules",
            caption=provider.name,
            back=_provider_url(provider.pk),
            button="Save review rules",
            intro="When each review is due, in minutes, counted from the start of the episode or the last "
            "review of the same kind. The defaults follow the Mental Health Act Code of Practice, chapter 26; "
            "check them against the Code and your policy.",
        ),
        message="Review rules saved.",
    )
