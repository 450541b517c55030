"""Users, the roles they hold on organisations, and their API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    class Inactive(models.TextChoices):
        STAFF = "staff", _("deactivated by the staff")
        MEMBERSHIP_ENDED = "membership_ended", _("the membership ended")

    person = models.OneToOneField(
        "members.Person", verbose_name=_("person"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="user",
    )
    # Why the account is inactive: one closed because the membership ended is opened again
    # when the member is transferred in elsewhere (accounts/services.py); one the staff closed is not.
    inactive_reason = models.CharField(max_length=20, choices=Inactive.choices, blank=True)
    # The language the person chose on "My account" ("" — the browser's, Vietnamese first).
    language = models.CharField(_("language"), max_length=8, blank=True,
                                choices=[("vi", "Tiếng Việt"), ("en", "English")])

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


def _today() -> dt.date:
    from chibo.core.dates import today

    return today()


class Role(models.TextChoices):
    CELL_COMMITTEE = "cell_committee", _("cell secretary / committee")
    COMMUNE_STAFF = "commune_staff", _("commune committee staff")
    PROVINCE_STAFF = "province_staff", _("province staff")


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active_on(self, day: dt.date) -> RoleAssignmentQuerySet:
        """Assignments in force on `day` (a role ends at the end of its last day)."""
        return self.filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day), valid_from__lte=day)


class RoleAssignment(models.Model):
    """A user's role on an organisation, for a period; the role reaches the organisation's subtree.

    Roles follow posts (accounts/roles.py): a committee post on a cell gives that cell's
    committee role, one on a commune (or grassroots) committee gives the commune's, for the
    post's dates — such an assignment names its `post`. Staff roles that are not posts are
    granted explicitly, with dates. Being a member needs no assignment: a user whose person
    holds a membership may see their own record and their own cell's basics. Administrators
    are superusers."""

    user = models.ForeignKey(User, verbose_name=_("user account"), on_delete=models.CASCADE, related_name="roles")
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("organisation"),
        on_delete=models.PROTECT, related_name="role_assignments",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    valid_from = models.DateField(_("from"), default=_today)
    valid_to = models.DateField(_("until"), null=True, blank=True)
    post = models.ForeignKey("members.Post", verbose_name=_("post"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="role_assignments")
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        indexes = [models.Index(fields=["organisation", "role"], name="role_org_role")]
        constraints = [
            models.CheckConstraint(condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                                   name="role_ends_after_start"),
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


class ActivationCode(models.Model):
    """A one-time code to set one's password: printed on an onboarding slip, or given by the
    staff after a reset. Only its hash is stored; it works once, until `expires_at`, and a
    newer code replaces the older ones."""

    class Purpose(models.TextChoices):
        ONBOARD = "onboard", _("new account")
        RESET = "reset", _("password reset")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activation_codes")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    digest = models.CharField(max_length=128)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "used_at"], name="activation_user_open")]


class TwoStep(models.Model):
    """A person's authenticator (TOTP, RFC 6238): the shared secret sealed with a key derived
    from SECRET_KEY (accounts/totp.py), and the last time step accepted, so that a code is
    never accepted twice. The row exists once the person has confirmed the set-up with a code
    (until then the new secret waits, sealed, in their session)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="twostep")
    sealed_secret = models.CharField(max_length=200)
    confirmed_at = models.DateTimeField(default=timezone.now)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("two-step sign-in")
        verbose_name_plural = _("two-step sign-ins")


class RecoveryCode(models.Model):
    """A one-time code to sign in without the phone; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "used_at"], name="recovery_user_open")]
