"""Users, the roles they hold on organisations, and their API tokens."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
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
