"""Writes for user accounts and their roles, audited in the same transaction.

Accounts are administered by the staff of a commune or province for the people in their
scope (chibo.access decides who may open which account). A password is never chosen or seen
by the staff: a new account and a reset get a one-time activation code, printed or read out,
with which the person sets their own password (`activate`)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from chibo.accounts import roles
from chibo.accounts.models import ActivationCode, Role, RoleAssignment, SignInFailure, User
from chibo.accounts.tokens import api_tokens_revoke_all
from chibo.audit import services as audit
from chibo.core.text import fold
from chibo.members.models import Person
from chibo.organisations.models import Organisation

ROLE_RANK: dict[str, int] = {Role.CELL_COMMITTEE: 1, Role.COMMUNE_STAFF: 2, Role.PROVINCE_STAFF: 3}
GRANTING_ROLES = {Role.COMMUNE_STAFF, Role.PROVINCE_STAFF}
CODE_DIGITS = 10


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
    if person_id is not None:
        roles.sync_post_roles([person_id], actor=actor)  # the person's posts give their roles
    return user


@transaction.atomic
def role_assign(*, actor: Any, user: User, organisation: Organisation, role: str) -> RoleAssignment:
    """An open-ended role from today, unchecked (the demo, `chibo users`, set-up commands)."""
    ra = RoleAssignment.objects.filter(user=user, organisation=organisation, role=role, post__isnull=True,
                                       valid_to__isnull=True).first()
    created = ra is None
    if ra is None:
        ra = RoleAssignment.objects.create(user=user, organisation=organisation, role=role)
    if created:
        audit.record(actor=actor, action="create", obj=ra, org_path=organisation.path,
                     after={"user_id": user.pk, "organisation_id": organisation.pk, "role": role})
    return ra


# --- Accounts for people --------------------------------------------------------------------

def username_for(person: Person) -> str:
    """A username typeable on any phone keyboard: the given name and the initials of the
    family and middle names, without diacritics (Nguyễn Văn Đức → ducnv); taken → ducnv2, …"""
    given = re.sub(r"[^a-z0-9]", "", fold(person.given_name))
    initials = "".join(w[0] for w in re.split(r"\s+", fold(f"{person.family_name} {person.middle_name}")) if w)
    base = (re.sub(r"[^a-z0-9]", "", given + initials) or "dangvien")[:30]
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def _code_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=settings.CHIBO_ACTIVATION_DAYS)


def format_code(code: str) -> str:
    """"12345 67890": easier to read out and type."""
    return f"{code[:5]} {code[5:]}"


def _code_digest(code: str, nonce: str) -> str:
    """"nonce$hmac": keyed with SECRET_KEY, so a copy of the database alone cannot be searched for
    the codes, and cheap, so printing the slips of a 60-member cell takes no time (PBKDF2 took
    0.15 s a code)."""
    return f"{nonce}${salted_hmac('chibo.activation-code', f'{nonce}:{code}', algorithm='sha256').hexdigest()}"


def _code_matches(code: str, digest: str) -> bool:
    nonce, _sep, _mac = digest.partition("$")
    return constant_time_compare(_code_digest(code, nonce), digest)


def _issue_code(user: User, *, actor: Any, purpose: str) -> str:
    now = timezone.now()
    ActivationCode.objects.filter(user=user, used_at__isnull=True, replaced_at__isnull=True).update(replaced_at=now)
    code = "".join(secrets.choice("0123456789") for _i in range(CODE_DIGITS))
    ActivationCode.objects.create(user=user, purpose=purpose, digest=_code_digest(code, secrets.token_hex(8)), created_by=_user(actor),
                                  expires_at=_code_expiry())
    audit.record(actor=actor, action="event", obj=user, object_repr=user.username, org_path=_account_path(user),
                 note=f"activation code issued ({purpose})")
    return code


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def _account_path(user: User) -> str:
    """Where the account's audit rows are read: the person's organisation, else the first role's."""
    from chibo.members.models import Membership

    if user.person_id:
        m = Membership.objects.filter(person_id=user.person_id).select_related("organisation").order_by(
            "-current", "-id").first()
        if m is not None:
            return str(m.organisation.path)
    ra = user.roles.select_related("organisation").first()
    return ra.organisation.path if ra is not None else ""


@transaction.atomic
def account_create_for_person(*, actor: Any, person: Person) -> tuple[User, str]:
    """An account for a person, with a generated username and a one-time activation code
    (returned once, to print or read out). The person's posts give their roles at once."""
    if User.objects.filter(person=person).exists():
        raise ValidationError({"person": _("This person already has an account. Open it instead.")})
    user = User(username=username_for(person), person=person, first_name=person.given_name[:150],
                last_name=f"{person.family_name} {person.middle_name}".strip()[:150])
    user.set_unusable_password()
    user.save()
    audit.record(actor=actor, action="create", obj=user, object_repr=user.username, org_path=_account_path(user),
                 after={"username": user.username, "person_id": person.pk})
    roles.sync_post_roles([person.pk], actor=actor)
    return user, _issue_code(user, actor=actor, purpose=ActivationCode.Purpose.ONBOARD)


@transaction.atomic
def password_reset(*, actor: Any, user: User) -> str:
    """Forget the password (and the API tokens) and give a one-time code to set a new one."""
    user.set_unusable_password()
    user.save(update_fields=["password"])
    api_tokens_revoke_all(user, reason="password reset", actor=actor)
    return _issue_code(user, actor=actor, purpose=ActivationCode.Purpose.RESET)


class ActivationRefused(Exception):
    """The username and code do not open an account (the message says why, for the person)."""


@transaction.atomic
def activate(*, username: str, code: str, password: str) -> User:
    """Set the password of the account whose current code this is; the code is then used up.
    Raises ValidationError for a weak password (nothing is used up), ActivationRefused for a
    wrong, used or expired code."""
    user = User.objects.filter(username=username.strip().lower(), is_active=True).first()
    digits = re.sub(r"\D", "", code)
    now = timezone.now()
    current = (ActivationCode.objects.select_for_update().filter(user=user, used_at__isnull=True,
                                                                 replaced_at__isnull=True).first()
               if user is not None else None)
    if user is None or current is None or not _code_matches(digits, current.digest):
        raise ActivationRefused(_("This username and code do not match. Check both against the slip (the code has "
                                  "10 digits) and try again. A code works once: if you have used it, sign in "
                                  "with your password."))
    if current.expires_at <= now:
        raise ActivationRefused(_("This code has expired. Ask your cell secretary or the commune party committee "
                                  "office for a new one."))
    validate_password(password, user)
    user.set_password(password)
    if user.inactive_reason:
        user.inactive_reason = ""
    user.save()
    current.used_at = now
    current.save(update_fields=["used_at"])
    audit.record(actor=user, action="event", obj=user, object_repr=user.username, org_path=_account_path(user),
                 note=f"activation code used ({current.purpose}); password set")
    return user


@transaction.atomic
def user_deactivate(*, actor: Any, user: User, reason: str = User.Inactive.STAFF) -> User:
    """Close an account: it can no longer sign in, its sessions and tokens stop working. The
    last active administrator cannot be closed."""
    if not user.is_active:
        return user
    if user.is_superuser and not User.objects.filter(is_superuser=True, is_active=True).exclude(pk=user.pk).exists():
        raise ValidationError({"is_active": _("This is the last administrator's account: make another administrator "
                                              "first, then close this one.")})
    user.is_active = False
    user.inactive_reason = reason
    user.save(update_fields=["is_active", "inactive_reason"])
    end_sessions(user)
    audit.record(actor=actor, action="update", obj=user, object_repr=user.username, org_path=_account_path(user),
                 before={"is_active": True}, after={"is_active": False, "reason": reason})
    return user


def end_sessions(user: User, *, keep: str | None = None) -> int:
    """Sign the account out everywhere but in the session `keep` (database sessions: read
    each to find its user). Returns how many sessions ended."""
    from django.contrib.sessions.models import Session

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.session_key != keep and str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def sessions_end_others(*, user: User, keep: str | None) -> int:
    """The person signs out on every other device (their own "My account" page)."""
    ended = end_sessions(user, keep=keep)
    audit.record(actor=user, action="event", obj=user, object_repr=user.username, org_path=_account_path(user),
                 note=f"signed out of the other sessions ({ended})")
    return ended


@transaction.atomic
def password_change(*, user: User, password: str) -> User:
    """The person's own new password (checked by the form: old password, validators). Saving
    it revokes the account's API tokens (User.save) and ends the other sessions (Django
    checks each session against the password)."""
    user.set_password(password)
    user.save()
    audit.record(actor=user, action="event", obj=user, object_repr=user.username, org_path=_account_path(user),
                 note="password changed by its owner")
    return user


def language_set(*, user: User, language: str) -> User:
    """The person's language ("" — the browser's). Not audited: a preference."""
    if language not in {"", *dict(settings.LANGUAGES)}:
        raise ValidationError({"language": _("Choose one of the listed languages.")})
    user.language = language
    user.save(update_fields=["language"])
    return user


@transaction.atomic
def user_reactivate(*, actor: Any, user: User) -> User:
    if user.is_active:
        return user
    user.is_active = True
    reason = user.inactive_reason
    user.inactive_reason = ""
    user.save(update_fields=["is_active", "inactive_reason"])
    audit.record(actor=actor, action="update", obj=user, object_repr=user.username, org_path=_account_path(user),
                 before={"is_active": False, "reason": reason}, after={"is_active": True})
    return user


@transaction.atomic
def user_unlock(*, actor: Any, user: User) -> int:
    """Forget the account's failed sign-ins, so that it may sign in again at once."""
    from chibo.accounts.throttle import username_key

    n, _detail = SignInFailure.objects.filter(username=username_key(user.username)).delete()
    audit.record(actor=actor, action="event", obj=user, object_repr=user.username, org_path=_account_path(user),
                 note=f"unlocked ({n} failed sign-ins forgotten)")
    return n


def follow_membership(person_id: int, *, current: bool, actor: Any) -> None:
    """Called by members.services when a membership changes status: an account whose member
    left the party's rolls (transferred out, removed, expelled, died) is closed the same day;
    one closed that way opens again when the member is transferred in to a new cell."""
    user = User.objects.filter(person_id=person_id).first()
    if user is None:
        return
    if not current and user.is_active and not user.is_superuser:
        user_deactivate(actor=actor, user=user, reason=User.Inactive.MEMBERSHIP_ENDED)
    elif current and not user.is_active and user.inactive_reason == User.Inactive.MEMBERSHIP_ENDED:
        user_reactivate(actor=actor, user=user)


# --- Roles ----------------------------------------------------------------------------------------

def may_grant(scope: Any, org: Organisation, role: str) -> bool:
    """Whether this scope may grant `role` on `org`: an administrator anything; commune or
    province staff a role no higher than their own, inside their own organisation's subtree."""
    if scope.superuser:
        return True
    return any(g.role in GRANTING_ROLES and g.covers(org.path) and ROLE_RANK[g.role] >= ROLE_RANK[role]
               for g in scope.grants)


@transaction.atomic
def role_grant(*, actor: Any, scope: Any, user: User, organisation: Organisation, role: str,
               valid_from: dt.date, valid_to: dt.date | None = None) -> RoleAssignment:
    """Grant a staff role explicitly, with dates (a role that comes with a post follows the post)."""
    errors: dict[str, str] = {}
    if role not in ROLE_RANK:
        errors["role"] = _("Choose one of the listed roles.")
    elif not may_grant(scope, organisation, role):
        errors["role"] = _("You may grant only roles no higher than your own, inside your own organisation.")
    if role == Role.PROVINCE_STAFF and organisation.kind != Organisation.Kind.PROVINCE:
        errors["organisation"] = _("Province staff work for a provincial party organisation: choose one.")
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = _("The end date must be on or after the start date.")
    if errors:
        raise ValidationError(errors)
    ra = RoleAssignment.objects.create(user=user, organisation=organisation, role=role, valid_from=valid_from,
                                       valid_to=valid_to, granted_by=_user(actor))
    audit.record(actor=actor, action="create", obj=ra, org_path=organisation.path, after=roles._fields(ra))
    return ra


@transaction.atomic
def role_end(*, actor: Any, assignment: RoleAssignment, on: dt.date) -> RoleAssignment:
    """End an explicit role on `on` (its last day). A role given by a post ends with the post."""
    if assignment.post_id is not None:
        raise ValidationError({"valid_to": _("This role comes with a post: record the end of the post on the "
                                             "member's page, and the role ends with it.")})
    if on < assignment.valid_from:
        raise ValidationError({"valid_to": _("The end date must be on or after the start date.")})
    before = roles._fields(assignment)
    assignment.valid_to = on
    assignment.save(update_fields=["valid_to"])
    old, new = audit.diff(before, roles._fields(assignment))
    audit.record(actor=actor, action="update", obj=assignment, org_path=assignment.organisation.path,
                 before=old, after=new, note="role ended")
    return assignment


@transaction.atomic
def onboard(*, actor: Any, persons: list[Person]) -> list[tuple[User, str]]:
    """Accounts and one-time codes to print on slips at a cell meeting: an account is opened
    for each person without one; one not yet activated gets a new code (the old one stops
    working); an account already in use is left alone. Returns (account, code) in order."""
    out: list[tuple[User, str]] = []
    existing = {u.person_id: u for u in User.objects.filter(person__in=persons)}
    for person in persons:
        user = existing.get(person.pk)
        if user is None:
            out.append(account_create_for_person(actor=actor, person=person))
        elif user.is_active and not user.has_usable_password():
            out.append((user, _issue_code(user, actor=actor, purpose=ActivationCode.Purpose.ONBOARD)))
    return out
