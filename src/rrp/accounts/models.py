"""Users: a person, their role and the organisations the role applies to."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from rrp.accounts.roles import ROLE_DEFINITIONS, TWO_FACTOR_ROLES, Role, RoleDefinition
from rrp.accounts.scope import WARD_ROLES, scope_of


class User(AbstractUser):
    """A person who signs in to RRP. Their role's scope comes from the links below."""

    role = models.CharField(max_length=40, choices=Role.choices)
    provider = models.ForeignKey(
        "organisations.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    commissioner = models.ForeignKey(
        "organisations.Commissioner", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    wards = models.ManyToManyField("organisations.Ward", blank=True, related_name="users")
    collaboratives = models.ManyToManyField(
        "organisations.Collaborative", blank=True, related_name="analysts"
    )
    is_responsible_person = models.BooleanField(
        default=False, help_text="The Use of Force Act 2018 s2 responsible person for the provider's units."
    )
    job_title = models.CharField(max_length=120, blank=True)
    # The identity provider's stable identifier for this person (the claim RRP_OIDC_SUBJECT_CLAIM names:
    # `sub` by default, `oid` for Entra ID), set by an administrator with `rrp link-sso`. Single sign-on
    # finds the account by it and never creates one (docs/sso.md, decision 0051).
    sso_subject = models.CharField(
        "single sign-on subject",
        max_length=255,
        blank=True,
        default="",
        help_text="The identity provider's stable identifier for this person, e.g. their Entra ID object ID.",
    )
    # A first password set by an administrator is theirs, not the person's: they choose their own at their
    # first password sign-in (RequireSignInMiddleware sends them to /account/password/). Decision 0081.
    password_change_required = models.BooleanField(
        "must choose a new password", default=False, help_text="Set when an administrator chose the password."
    )
    # When the latest invitation was emailed (decision 0081): part of its link's token, so sending it again
    # makes every earlier link stop working.
    invited_at = models.DateTimeField("invitation sent at", null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="commissioner_role_has_commissioner",
                condition=~models.Q(role="commissioner") | models.Q(commissioner__isnull=False),
            ),
            models.CheckConstraint(
                name="provider_roles_have_provider",
                condition=~models.Q(
                    role__in=["ward_staff", "ward_manager", "provider_governance", "provider_admin"]
                )
                | models.Q(provider__isnull=False),
            ),
            models.UniqueConstraint(
                name="sso_subject_unique", fields=["sso_subject"], condition=~models.Q(sso_subject="")
            ),
        ]

    @property
    def role_definition(self) -> RoleDefinition | None:
        return ROLE_DEFINITIONS.get(Role(self.role)) if self.role else None

    @property
    def sees_patient_identifiers(self) -> bool:
        definition = self.role_definition
        return bool(definition and definition.sees_patient_identifiers)

    @property
    def requires_two_factor(self) -> bool:
        """Two-factor sign-in for every role that can see more than one ward's patients."""
        if self.role in TWO_FACTOR_ROLES:
            return True
        if self.role in WARD_ROLES:
            # The links are read once per request and shared with the ward role's scope.
            return len(scope_of(self).linked_wards) > 1
        return False

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""
