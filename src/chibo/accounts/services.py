"""Writes for user accounts and their roles, audited in the same transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.accounts.models import RoleAssignment, User
from chibo.audit import services as audit
from chibo.organisations.models import Organisation


@transaction.atomic
def user_create(*, actor: Any, username: str, password: str, person_id: int | None = None,
                superuser: bool = False, first_name: str = "", last_name: str = "") -> User:
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("The username %(name)s is taken. Choose another.") % {"name": username}})
    user = User(username=username, person_id=person_id, is_staff=superuser, is_superuser=superuser,
                first_name=first_name[:150], last_name=last_name[:150])
    user.set_password(password)
    user.save()
    audit.record(actor=actor, action="create", obj=user, object_repr=username,
                 after={"username": username, "person_id": person_id, "is_superuser": superuser})
    return user


@transaction.atomic
def role_assign(*, actor: Any, user: User, organisation: Organisation, role: str) -> RoleAssignment:
    ra, created = RoleAssignment.objects.get_or_create(user=user, organisation=organisation, role=role)
    if created:
        audit.record(actor=actor, action="create", obj=ra, org_path=organisation.path,
                     after={"user_id": user.pk, "organisation_id": organisation.pk, "role": role})
    return ra
