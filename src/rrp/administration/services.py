"""Setting a provider up and keeping it right: regions and providers, sites and wards, accounts, the staff
roster and the review rules (issue 18 item 1, decision 0049).

Who may do each: the system administrator everywhere, a provider administrator on their own provider only
(``accounts.permissions.has_permission`` with the provider), and only with the provider's own roles and
wards when giving accounts. Every change names its reason and is audited with who, when, why and what
changed (each field's value before and after). Nothing here is deleted: a ward is closed, an account
deactivated and a member of staff marked as a leaver, so every record that names them still reads true.
Nothing clinical is reachable from here.

Each change function takes ``seen``, the fingerprint of the record as the form showed it (``fingerprint``):
if someone saved the record since, the change is refused and nothing is saved, so two administrators at
once never silently undo each other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission, Role
from rrp.accounts.scope import PROVIDER_ACCOUNT_ROLES, PROVIDER_ADMIN_GRANTABLE, PROVIDER_ROLES, WARD_ROLES
from rrp.accounts.services import InvitationNotSent, invitation_send
from rrp.core.formatting import long_date
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.organisations.models import Commissioner, Provider, Region, Site, Ward
from rrp.people.models import StaffMember
from rrp.segregation.models import ReviewRules
from rrp.segregation.services import review_rules_set

Errors = dict[str, list[str]]

STALE_MESSAGE = (
    "Someone else changed this {what} after you opened it, so nothing was saved. Check its details as they "
    "are now and make your change again."
)


class StaleChange(ValidationError):
    """The record changed since the form was opened (its fingerprint differs): nothing was saved."""


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _plain(value: Any) -> Any:
    """A value as the audit log's JSON keeps it (dates as ISO text, records by id, sets sorted)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (set, frozenset, list, tuple)):
        return sorted(_plain(v) for v in value)
    return value


def _state(obj: models.Model, fields: Sequence[str]) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for name in fields:
        if name == "wards":
            state[name] = sorted(obj.wards.values_list("pk", flat=True)) if obj.pk else []
        else:
            state[name] = _plain(getattr(obj, name))
    return state


def fingerprint(obj: models.Model, fields: Sequence[str]) -> str:
    """A short digest of the record's editable fields, carried by the form to spot a change made since."""
    text = json.dumps(_state(obj, fields), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _check_seen(obj: models.Model, fields: Sequence[str], seen: str | None, what: str) -> None:
    if seen is not None and seen != fingerprint(obj, fields):
        raise StaleChange({"__all__": [STALE_MESSAGE.format(what=what)]})


def _reason(errors: Errors, reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        _add(errors, "reason", "Enter why you are making this change")
    return text


def _allowed(by: User, permission: Permission, provider: Provider | None) -> None:
    """PermissionDenied unless ``by`` may do this on the provider (system administrators: on any)."""
    if not has_permission(by, permission, provider=provider):
        raise PermissionDenied("You cannot change this provider's set-up")


def _audit(
    *,
    by: User,
    action: AuditAction,
    record: models.Model,
    provider_id: int | None,
    reason: str,
    request: HttpRequest | None,
    changes: dict[str, Any],
) -> None:
    audit_record(
        actor=by,
        action=action,
        record=record,
        provider_id=provider_id,
        request=request,
        detail={"reason": reason, "changes": changes},
    )


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: {"from": before.get(k), "to": v} for k, v in after.items() if before.get(k) != v}


def _save_new(
    record: models.Model,
    *,
    errors: Errors,
    changes: Callable[[], dict[str, Any]],
    by: User,
    why: str,
    request: HttpRequest | None,
    then: Callable[[], None] | None = None,
) -> None:
    """The end of every addition here: refuse it with every error so nothing is saved; else save it (and
    ``then`` its many-to-many links) and audit what it holds (``changes``, read once saved) with the
    reason, under its provider (none for a region)."""
    _raise(errors)
    record.save()
    if then is not None:
        then()
    provider_id = record.pk if isinstance(record, Provider) else getattr(record, "provider_id", None)
    _audit(
        by=by,
        action=AuditAction.CREATE,
        record=record,
        provider_id=provider_id,
        reason=why,
        request=request,
        changes=changes(),
    )


NOTHING_CHANGED = "Nothing was changed: change a detail, or go back"


def _save_change(
    record: Site | Ward | User | StaffMember,
    *,
    before: dict[str, Any],
    after: dict[str, Any],
    errors: Errors,
    by: User,
    why: str,
    request: HttpRequest | None,
    save: Callable[[], None],
    unchanged: tuple[str, str] = ("__all__", NOTHING_CHANGED),
) -> None:
    """The end of every change here: refuse it with every error (and, when it changes nothing, with
    ``unchanged``'s field and message) so nothing is saved; else ``save`` it and audit each changed
    field's value before and after with the reason."""
    changes = _changes(before, after)
    if not changes and not errors:
        _add(errors, *unchanged)
    _raise(errors)
    save()
    _audit(
        by=by,
        action=AuditAction.CHANGE,
        record=record,
        provider_id=record.provider_id,
        reason=why,
        request=request,
        changes=changes,
    )


def _model_errors(obj: models.Model, errors: Errors, exclude: Iterable[str] = ()) -> None:
    """The model's own checks (lengths, choices, unique codes, constraints) as field errors."""
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=True)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                _add(errors, name, message)


# --- Regions and providers (the system administrator) -----------------------------------------------------


@transaction.atomic
def region_create(
    *, by: User, code: str, name: str, reason: str, request: HttpRequest | None = None
) -> Region:
    """Add an NHS England region (code such as Y56), which every provider belongs to."""
    _allowed(by, Permission.ORGANISATION_MANAGE, None)
    errors: Errors = {}
    why = _reason(errors, reason)
    region = Region(code=code.strip().upper(), name=name.strip())
    if Region.objects.filter(code=region.code).exists():
        _add(errors, "code", f"A region with the code {region.code} already exists")
    _model_errors(region, errors, exclude=["code"] if "code" in errors else [])
    _save_new(
        region,
        errors=errors,
        changes=lambda: _state(region, ["code", "name"]),
        by=by,
        why=why,
        request=request,
    )
    return region


@transaction.atomic
def provider_create(
    *,
    by: User,
    ods_code: str,
    name: str,
    kind: str,
    region: Region | None,
    commissioners: Sequence[Commissioner] = (),
    reason: str,
    request: HttpRequest | None = None,
) -> Provider:
    """Add a provider (an NHS trust or independent provider) by its ODS code."""
    _allowed(by, Permission.ORGANISATION_MANAGE, None)
    errors: Errors = {}
    why = _reason(errors, reason)
    provider = Provider(ods_code=ods_code.strip().upper(), name=name.strip(), kind=kind, region=region)
    if Provider.objects.filter(ods_code=provider.ods_code).exists():
        _add(errors, "ods_code", f"A provider with the ODS code {provider.ods_code} already exists")
    if region is None:
        _add(errors, "region", "Choose the provider's NHS England region")
    _model_errors(provider, errors, exclude=["ods_code", "region"])
    _save_new(
        provider,
        errors=errors,
        changes=lambda: (
            _state(provider, ["ods_code", "name", "kind", "region"])
            | {"commissioners": _plain(list(commissioners))}
        ),
        by=by,
        why=why,
        request=request,
        then=lambda: provider.commissioners.set(commissioners),
    )
    return provider


# --- Sites and wards ------------------------------------------------------------------------------------

SITE_FIELDS = ("name",)
WARD_FIELDS = ("name", "specialism", "sex", "beds", "closed_on")


@transaction.atomic
def site_create(
    *, by: User, provider: Provider, ods_code: str, name: str, reason: str, request: HttpRequest | None = None
) -> Site:
    """Add a hospital site to a provider."""
    _allowed(by, Permission.WARD_MANAGE, provider)
    errors: Errors = {}
    why = _reason(errors, reason)
    site = Site(provider=provider, ods_code=ods_code.strip().upper(), name=name.strip())
    if Site.objects.filter(ods_code=site.ods_code).exists():
        _add(errors, "ods_code", f"A site with the ODS code {site.ods_code} already exists")
    _model_errors(site, errors, exclude=["ods_code"])
    _save_new(
        site,
        errors=errors,
        changes=lambda: _state(site, ["ods_code", "name"]),
        by=by,
        why=why,
        request=request,
    )
    return site


@transaction.atomic
def site_change(
    *,
    by: User,
    site: Site,
    name: str,
    reason: str,
    seen: str | None = None,
    request: HttpRequest | None = None,
) -> Site:
    """Rename a site (its ODS code stays: it is how other systems know it)."""
    _allowed(by, Permission.WARD_MANAGE, site.provider)
    site = Site.objects.select_for_update().get(pk=site.pk)
    _check_seen(site, SITE_FIELDS, seen, "site")
    errors: Errors = {}
    why = _reason(errors, reason)
    before = _state(site, SITE_FIELDS)
    site.name = name.strip()
    _model_errors(site, errors, exclude=["ods_code", "provider"])
    _save_change(
        site,
        before=before,
        after=_state(site, SITE_FIELDS),
        errors=errors,
        by=by,
        why=why,
        request=request,
        save=lambda: site.save(update_fields=["name"]),
        unchanged=("name", "The name is the same as before: nothing to change"),
    )
    return site


@transaction.atomic
def ward_create(
    *,
    by: User,
    site: Site,
    code: str,
    name: str,
    specialism: str,
    sex: str,
    beds: int | None,
    opened_on: dt.date | None,
    reason: str,
    request: HttpRequest | None = None,
) -> Ward:
    """Open a ward on one of the provider's sites."""
    _allowed(by, Permission.WARD_MANAGE, site.provider)
    errors: Errors = {}
    why = _reason(errors, reason)
    ward = Ward(
        site=site,
        provider_id=site.provider_id,
        code=code.strip(),
        name=name.strip(),
        specialism=specialism,
        sex=sex,
        beds=beds,
        opened_on=opened_on,
    )
    if ward.code and Ward.objects.filter(code=ward.code).exists():
        _add(errors, "code", f"A ward with the code {ward.code} already exists: ward codes are unique in RRP")
    if beds is not None and beds < 1:
        _add(errors, "beds", "Enter the number of beds: at least 1")
    _model_errors(ward, errors, exclude=["code", "beds"] if errors.keys() & {"code", "beds"} else [])
    _save_new(
        ward,
        errors=errors,
        changes=lambda: _state(ward, ["code", "name", "site", "specialism", "sex", "beds", "opened_on"]),
        by=by,
        why=why,
        request=request,
    )
    return ward


@transaction.atomic
def ward_change(
    *,
    by: User,
    ward: Ward,
    name: str,
    specialism: str,
    sex: str,
    beds: int | None,
    closed_on: dt.date | None,
    reason: str,
    seen: str | None = None,
    request: HttpRequest | None = None,
) -> Ward:
    """Rename a ward, change its beds, specialism or sex, close it (from a date) or open it again.

    A ward is never deleted: closing it keeps every record, stay and figure, and it reopens by clearing
    the date."""
    _allowed(by, Permission.WARD_MANAGE, ward.provider)
    ward = Ward.objects.select_for_update().get(pk=ward.pk)
    _check_seen(ward, WARD_FIELDS, seen, "ward")
    errors: Errors = {}
    why = _reason(errors, reason)
    before = _state(ward, WARD_FIELDS)
    ward.name, ward.specialism, ward.sex, ward.beds, ward.closed_on = (
        name.strip(),
        specialism,
        sex,
        beds,
        closed_on,
    )
    if beds is not None and beds < 1:
        _add(errors, "beds", "Enter the number of beds: at least 1")
    if closed_on is not None and closed_on < ward.opened_on:
        _add(errors, "closed_on", f"The ward cannot close before it opened ({long_date(ward.opened_on)})")
    _model_errors(ward, errors, exclude=["beds", "closed_on", "code", "site", "provider"])
    _save_change(
        ward,
        before=before,
        after=_state(ward, WARD_FIELDS),
        errors=errors,
        by=by,
        why=why,
        request=request,
        save=lambda: ward.save(update_fields=list(WARD_FIELDS)),
    )
    return ward


# --- Accounts -------------------------------------------------------------------------------------------

USER_FIELDS = ("first_name", "last_name", "email", "job_title", "role", "wards", "is_active")


def grantable_roles(by: User) -> list[Role]:
    """The roles ``by`` may give: every role for the system administrator, the roles of a provider's
    accounts for a provider administrator (its own roles and the expert by experience it involves,
    decision 0083), none for anyone else."""
    if not has_permission(by, Permission.USER_MANAGE):
        return []
    if by.role == Role.SYSTEM_ADMIN:
        return list(Role)
    return [Role(r) for r in PROVIDER_ADMIN_GRANTABLE]


def may_manage_account(by: User, account: User) -> bool:
    """Whether ``by`` may change this account: any for the system administrator; for a provider
    administrator, only an account of their own provider holding a role they may give."""
    if not has_permission(by, Permission.USER_MANAGE):
        return False
    if by.role == Role.SYSTEM_ADMIN:
        return True
    return (
        account.provider_id is not None
        and account.role in PROVIDER_ADMIN_GRANTABLE
        and has_permission(by, Permission.USER_MANAGE, provider=account.provider)
    )


def _check_role_and_wards(
    errors: Errors,
    *,
    by: User,
    role: str,
    provider: Provider | None,
    wards: Sequence[Ward],
    commissioner: Commissioner | None = None,
) -> None:
    if role not in {r.value for r in grantable_roles(by)}:
        _add(errors, "role", "Choose one of the roles you may give")
    elif role in PROVIDER_ROLES and provider is None:
        _add(errors, "role", "A provider's role is given from the provider's page: add the account there")
    elif role not in PROVIDER_ACCOUNT_ROLES and provider is not None:
        _add(errors, "role", "An account of a provider has one of the provider's roles")
    elif role == Role.COMMISSIONER and commissioner is None:
        _add(errors, "commissioner", "Choose the integrated care board this commissioner works for")
    if role in WARD_ROLES and not wards:
        _add(errors, "wards", "Choose at least one ward: ward staff and ward managers see only their wards")
    if role == Role.EXPERT_BY_EXPERIENCE and wards:
        _add(
            errors,
            "wards",
            "Tick no wards for an expert by experience: they see only the wards of the project teams they "
            "are added to",
        )
    if any(provider is None or w.provider_id != provider.pk for w in wards):
        _add(errors, "wards", "Choose wards of this provider only")


@transaction.atomic
def user_create(
    *,
    by: User,
    provider: Provider | None,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    job_title: str,
    role: str,
    wards: Sequence[Ward] = (),
    commissioner: Commissioner | None = None,
    password: str = "",
    invite: bool = False,
    reason: str,
    request: HttpRequest | None = None,
) -> User:
    """Create an account with its role and wards, and how the person first gets in (decision 0081): an
    emailed invitation (``invite``; sent by ``user_invite`` once the account is saved), or a first password
    the administrator gives them, which they must replace at their first sign-in. With password sign-in
    switched off (RRP_PASSWORD_SIGN_IN=0) no account has a password at all.

    A provider administrator creates accounts of their own provider only, with its roles and wards."""
    _allowed(by, Permission.USER_MANAGE, provider)
    errors: Errors = {}
    why = _reason(errors, reason)
    account = User(
        username=username.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        job_title=job_title.strip(),
        role=role,
        provider=provider,
        commissioner=commissioner if role == Role.COMMISSIONER else None,
    )
    _check_role_and_wards(
        errors, by=by, role=role, provider=provider, wards=wards, commissioner=account.commissioner
    )
    if account.username and User.objects.filter(username__iexact=account.username).exists():
        _add(errors, "username", f"The username {account.username} is taken: choose another")
    with_password = settings.RRP_PASSWORD_SIGN_IN and not invite
    if invite and not account.email:
        _add(errors, "email", "Enter their email address: the invitation is sent to it")
    if with_password and not password:
        _add(errors, "password", "Enter a first password, or choose to email them an invitation")
    elif with_password:
        try:
            validate_password(password, account)
        except ValidationError as problem:
            for message in problem.messages:
                _add(errors, "password", message)
    _model_errors(account, errors, exclude=["password", "username"] if "username" in errors else ["password"])
    if with_password:
        account.set_password(password)
        account.password_change_required = True
    else:
        account.set_unusable_password()  # they choose one from the invitation, or sign in through the trust
    _save_new(
        account,
        errors=errors,
        changes=lambda: (
            _state(account, ["username", *USER_FIELDS, "provider", "commissioner"])
            | {"first_sign_in": "invitation" if invite else ("first password" if with_password else "none")}
        ),
        by=by,
        why=why,
        request=request,
        then=lambda: account.wards.set(wards),
    )
    return account


@transaction.atomic
def user_change(
    *,
    by: User,
    account: User,
    first_name: str,
    last_name: str,
    email: str,
    job_title: str,
    role: str,
    wards: Sequence[Ward],
    is_active: bool,
    reason: str,
    seen: str | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Change an account's name, role and wards, or deactivate it (it can no longer sign in; it is kept,
    with everything it recorded) or reactivate it."""
    if not may_manage_account(by, account):
        raise PermissionDenied("You cannot change this account")
    account = User.objects.select_for_update().get(pk=account.pk)
    _check_seen(account, USER_FIELDS, seen, "account")
    errors: Errors = {}
    why = _reason(errors, reason)
    before = _state(account, USER_FIELDS)
    provider = account.provider
    _check_role_and_wards(
        errors, by=by, role=role, provider=provider, wards=wards, commissioner=account.commissioner
    )
    if account.pk == by.pk and (not is_active or role != by.role):
        _add(
            errors,
            "is_active" if not is_active else "role",
            "You cannot deactivate or change your own account",
        )
    account.first_name, account.last_name, account.email, account.job_title = (
        first_name.strip(),
        last_name.strip(),
        email.strip(),
        job_title.strip(),
    )
    account.role, account.is_active = role, is_active
    after = _state(account, [f for f in USER_FIELDS if f != "wards"]) | {"wards": _plain(list(wards))}
    _model_errors(account, errors, exclude=["password", "username"])

    def save() -> None:
        account.save()
        account.wards.set(wards)

    _save_change(
        account, before=before, after=after, errors=errors, by=by, why=why, request=request, save=save
    )
    return account


def user_invite(*, by: User, account: User, reason: str, request: HttpRequest | None = None) -> dt.datetime:
    """Email the person an invitation: a link to choose their password that works once and expires
    (RRP_INVITATION_HOURS), or, with password sign-in off, word to sign in with their trust account.
    Sending it again voids every earlier link. Returns when the new link expires; audited either way.

    Refused (nothing sent) for an account the administrator may not manage, a deactivated one, one with
    no email address, without a reason, or when the mail server does not take it."""
    if not may_manage_account(by, account):
        raise PermissionDenied("You cannot change this account")
    errors: Errors = {}
    why = _reason(errors, reason)
    if not account.is_active:
        _add(errors, "__all__", "This account is deactivated: reactivate it before sending an invitation")
    if not account.email:
        _add(errors, "__all__", "This account has no email address: add one on the account's page first")
    _raise(errors)
    try:
        return invitation_send(user=account, by=by, reason=why, request=request)
    except InvitationNotSent:
        raise ValidationError(
            {
                "__all__": [
                    "The invitation was not sent: the mail server could not be reached or refused it. Try "
                    "again later; if it keeps failing, ask whoever runs RRP to check its email settings"
                ]
            }
        ) from None


@transaction.atomic
def user_two_factor_reset(*, by: User, account: User, reason: str, request: HttpRequest | None = None) -> int:
    """Forget the account's authenticator app (a lost or new phone): at the next sign-in the person sets
    one up again with a new QR code. Returns how many devices were removed."""
    if not may_manage_account(by, account):
        raise PermissionDenied("You cannot change this account")
    errors: Errors = {}
    why = _reason(errors, reason)
    _raise(errors)
    removed, _ = TOTPDevice.objects.filter(user=account).delete()
    _audit(
        by=by,
        action=AuditAction.CHANGE,
        record=account,
        provider_id=account.provider_id,
        reason=why,
        request=request,
        changes={"two_factor": {"from": f"{removed} device(s)", "to": "reset: set up at next sign-in"}},
    )
    return removed


# --- The staff roster -----------------------------------------------------------------------------------

STAFF_FIELDS = (
    "given_name",
    "family_name",
    "job_title",
    "staff_group",
    "employee_number",
    "wards",
    "left_on",
)


def _staff_checks(errors: Errors, member: StaffMember, wards: Sequence[Ward]) -> None:
    if any(w.provider_id != member.provider_id for w in wards):
        _add(errors, "wards", "Choose wards of this provider only")
    number = member.employee_number
    if number:
        taken = StaffMember.objects.filter(provider_id=member.provider_id, employee_number=number)
        if taken.exclude(pk=member.pk).exists():
            _add(errors, "employee_number", f"Someone on the roster already has the employee number {number}")
    _model_errors(member, errors, exclude=["user", "provider"])


@transaction.atomic
def staff_create(
    *,
    by: User,
    provider: Provider,
    given_name: str,
    family_name: str,
    job_title: str,
    staff_group: str,
    employee_number: str = "",
    wards: Sequence[Ward] = (),
    reason: str,
    request: HttpRequest | None = None,
) -> StaffMember:
    """Add someone to the provider's staff roster, so records can name them."""
    _allowed(by, Permission.STAFF_ROSTER_MANAGE, provider)
    errors: Errors = {}
    why = _reason(errors, reason)
    member = StaffMember(
        provider=provider,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        job_title=job_title.strip(),
        staff_group=staff_group,
        employee_number=employee_number.strip(),
    )
    _staff_checks(errors, member, wards)
    _save_new(
        member,
        errors=errors,
        changes=lambda: _state(member, STAFF_FIELDS),
        by=by,
        why=why,
        request=request,
        then=lambda: member.wards.set(wards),
    )
    return member


@transaction.atomic
def staff_change(
    *,
    by: User,
    member: StaffMember,
    given_name: str,
    family_name: str,
    job_title: str,
    staff_group: str,
    employee_number: str,
    wards: Sequence[Ward],
    left_on: dt.date | None,
    reason: str,
    seen: str | None = None,
    request: HttpRequest | None = None,
) -> StaffMember:
    """Change a roster entry, or record that they left (a leaver stays on the roster for history)."""
    _allowed(by, Permission.STAFF_ROSTER_MANAGE, member.provider)
    member = StaffMember.objects.select_for_update().get(pk=member.pk)
    _check_seen(member, STAFF_FIELDS, seen, "member of staff")
    errors: Errors = {}
    why = _reason(errors, reason)
    before = _state(member, STAFF_FIELDS)
    member.given_name, member.family_name, member.job_title = (
        given_name.strip(),
        family_name.strip(),
        job_title.strip(),
    )
    member.staff_group, member.employee_number, member.left_on = staff_group, employee_number.strip(), left_on
    _staff_checks(errors, member, wards)
    after = _state(member, [f for f in STAFF_FIELDS if f != "wards"]) | {"wards": _plain(list(wards))}

    def save() -> None:
        member.save()
        member.wards.set(wards)

    _save_change(
        member, before=before, after=after, errors=errors, by=by, why=why, request=request, save=save
    )
    return member


# --- Review rules ---------------------------------------------------------------------------------------


def provider_review_rules_set(
    *, by: User, provider: Provider, reason: str, request: HttpRequest | None = None, **minutes: int
) -> ReviewRules | None:
    """The provider's seclusion and segregation review intervals, through segregation's own service (which
    checks and audits them), with the reason these pages require. None when nothing changed."""
    _allowed(by, Permission.REVIEW_RULES_SET, provider)
    errors: Errors = {}
    why = _reason(errors, reason)
    _raise(errors)
    if not minutes:
        return None
    return review_rules_set(provider=provider, by=by, request=request, reason=why, **minutes)
