"""Users, the roles they hold on organisations, and their API tokens."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    person = models.OneToOneField(
        "members.Person", verbose_name=_("person"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="user",
    )


    class Meta:
        verbose_name = _("user account")
        verbose_name_plural = _("user accounts")

    def __str__(self) -> str:
        return self.person.full_name if self.person is not None else self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, and revoke the account's API tokens when its password changed or it was
        deactivated — whichever path did it (chibo's services, Django's `changepassword`,
        the shell). Not a signal: the same transaction, in the one place every path passes."""
        reason = self._token_revocation_reason(kwargs.get("update_fields"))
        with transaction.atomic():
            super().save(*args, **kwargs)
            if reason:
                from chibo.accounts.tokens import api_tokens_revoke_all

                api_tokens_revoke_all(self, reason=reason)

    def _token_revocation_reason(self, update_fields: Any) -> str:
        if self._state.adding or self.pk is None:
            return ""
        if getattr(self, "_password", None) is not None:  # set_password() since the last save
            return "password changed"
        deactivating = not self.is_active and (update_fields is None or "is_active" in update_fields)
        if deactivating and User.objects.filter(pk=self.pk, is_active=True).exists():
            return "account deactivated"
        return ""


class Role(models.TextChoices):
    CELL_COMMITTEE = "cell_committee", _("cell secretary / committee")
    COMMUNE_STAFF = "commune_staff", _("commune committee staff")
    PROVINCE_STAFF = "province_staff", _("province staff")


class RoleAssignment(models.Model):
    """A user's role on an organisation; the role reaches the organisation's subtree.

    Being a member needs no assignment: a user whose person holds a membership may see
    their own record and their own cell's basics. Administrators are superusers."""

    user = models.ForeignKey(User, verbose_name=_("user account"), on_delete=models.CASCADE, related_name="roles")
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("organisation"),
        on_delete=models.PROTECT, related_name="role_assignments",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()} @ {self.organisation}"


class ApiToken(models.Model):
    """A per-user API token. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, verbose_name=_("user account"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class SignInFailure(models.Model):
    """A sign-in attempt not (yet) known to have succeeded: written before the password is
    checked and deleted when it was right, so attempts sent in parallel count too
    (accounts/throttle.py). `username` is what was typed, folded to lower case; `ip` the
    client address (an IPv6 address by its /64 network)."""

    username = models.CharField(max_length=150)
    ip = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"], name="signin_failure_user"),
            models.Index(fields=["ip", "at"], name="signin_failure_ip"),
            models.Index(fields=["at"], name="signin_failure_at"),
        ]


class SignInPlace(models.Model):
    """An address a username signed in from successfully: its usual place. Failures from
    elsewhere do not slow down sign-in from here (accounts/throttle.py)."""

    username = models.CharField(max_length=150)
    ip = models.CharField(max_length=64)
    last_success_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["username", "ip"], name="signin_place_unique")]
        indexes = [models.Index(fields=["last_success_at"], name="signin_place_at")]
