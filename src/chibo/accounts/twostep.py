"""Two-step sign-in: a code from an authenticator app (TOTP, accounts/totp.py) after the
password, or one of ten one-time recovery codes. Writes are atomic and audited.

- Set-up: a new secret waits, sealed, in the person's session while they scan it; a current
  code confirms it (`setup_confirm`), which stores it and gives ten recovery codes, shown once.
- Sign-in: after a right password, an account with two-step sign-in is not signed in yet: the
  session keeps the pending account (`pending_start`) for PENDING_SECONDS, and the code page
  signs it in once `check_code` accepts a code. A code is accepted once (the last accepted time
  step is kept), with one step of clock drift either way.
- Who must have it: settings.CHIBO_REQUIRE_2FA_FOR names roles (commune_staff, province_staff,
  admin, cell_committee, member — every account); accounts/middleware.py sends those who must
  and have not set it up to the set-up page before anything else."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts import totp
from chibo.accounts.models import RecoveryCode, TwoStep, User
from chibo.audit import services as audit

logger = logging.getLogger(__name__)

SESSION_VERIFIED = "_chibo_twostep"  # this session passed two-step sign-in (or set it up)
SESSION_PENDING = "_chibo_twostep_pending"  # password right, code still to come
SESSION_SETUP = "_chibo_twostep_setup"  # the sealed secret being set up
PENDING_SECONDS = 300
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
_RECOVERY_LENGTH = 10


# --- Who must have it -----------------------------------------------------------------------------

def required_roles() -> set[str]:
    return {part.strip() for part in settings.CHIBO_REQUIRE_2FA_FOR.split(",") if part.strip()}


def roles_of(user: Any) -> set[str]:
    """The roles CHIBO_REQUIRE_2FA_FOR speaks of that this account holds today."""
    from chibo.access import scope_for

    scope = scope_for(user)
    found = {"member"} | {str(g.role) for g in scope.grants}
    if user.is_superuser:
        found.add("admin")
    return found


def is_required(user: Any) -> bool:
    wanted = required_roles()
    return bool(wanted) and bool(wanted & roles_of(user))


def is_enabled(user: Any) -> bool:
    return TwoStep.objects.filter(user_id=user.pk).exists()


def must_set_up(user: Any) -> bool:
    return is_required(user) and not is_enabled(user)


# --- Set-up ---------------------------------------------------------------------------------------

def setup_secret(request: HttpRequest) -> bytes:
    """The secret being set up in this session (a new one the first time)."""
    sealed = request.session.get(SESSION_SETUP)
    if sealed:
        try:
            return totp.unseal(sealed)
        except totp.SealBroken:
            pass
    secret = totp.new_secret()
    request.session[SESSION_SETUP] = totp.seal(secret)
    return secret


def _account_path(user: User) -> str:
    from chibo.accounts.services import _account_path

    return _account_path(user)


@transaction.atomic
def setup_confirm(*, user: User, secret: bytes, code: str) -> list[str]:
    """Turn two-step sign-in on with `secret`, once `code` shows the app has it. Returns the
    recovery codes (shown once; only their hashes are kept)."""
    if TwoStep.objects.select_for_update().filter(user=user).exists():
        raise ValidationError({"code": _("Two-step sign-in is already on for this account.")})
    step = totp.match_step(secret, code, totp.now())
    if step is None:
        raise ValidationError({"code": _wrong_code_text()})
    TwoStep.objects.create(user=user, sealed_secret=totp.seal(secret), last_step=step)
    codes = _new_recovery_codes(user)
    audit.record(actor=user, action="event", obj=user, object_repr=user.username, org_path=_account_path(user),
                 note="two-step sign-in turned on")
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _i in range(_RECOVERY_LENGTH))
             for _n in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, digest=_digest(c)) for c in codes])
    return [format_recovery(c) for c in codes]


def format_recovery(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def _normal_recovery(text: str) -> str:
    return re.sub(r"[\s-]", "", text).lower()


def _digest(code: str) -> str:
    return hashlib.sha256(_normal_recovery(code).encode()).hexdigest()


def recovery_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


# --- Checking a code --------------------------------------------------------------------------------

class CodeRefused(Exception):
    """A code was not accepted; `replayed` when it was right but already used."""

    def __init__(self, message: str, *, replayed: bool = False) -> None:
        super().__init__(message)
        self.replayed = replayed


def _wrong_code_text() -> str:
    return _("This code is not right. Type the 6 digits the authenticator app shows now. If it still fails, check "
             "that the phone's date and time are set automatically (Settings → Date and time): the codes follow "
             "the clock.")


@transaction.atomic
def check_code(*, user: User, code: str) -> str:
    """Accept a code for this account's sign-in: the app's 6 digits ("totp"), or an unused
    recovery code ("recovery", used up and audited). Raises CodeRefused."""
    ts = TwoStep.objects.select_for_update().filter(user=user).first()
    if ts is None:
        raise CodeRefused(_wrong_code_text())
    text = "".join(code.split())
    if text.isdigit():
        try:
            secret = totp.unseal(ts.sealed_secret)
        except totp.SealBroken:
            logger.error("two-step secret of %r does not open with SECRET_KEY: was the key changed?", user.username)
            raise CodeRefused(_("Your two-step sign-in cannot be checked on this server at the moment. Type a "
                                "recovery code, or ask the commune party committee office to reset your two-step "
                                "sign-in.")) from None
        at = totp.now()
        step = totp.match_step(secret, text, at, after=ts.last_step)
        if step is None:
            if totp.match_step(secret, text, at) is not None:
                raise CodeRefused(_("This code has already been used. Wait until the app shows a new one (every 30 "
                                    "seconds), then type the new code."), replayed=True)
            raise CodeRefused(_wrong_code_text())
        ts.last_step = step
        ts.save(update_fields=["last_step"])
        return "totp"
    recovery = RecoveryCode.objects.select_for_update().filter(user=user, digest=_digest(text),
                                                               used_at__isnull=True).first()
    if recovery is None:
        raise CodeRefused(_("This recovery code is not right, or it has been used already (each works once). "
                            "Check it against your list, or type the 6 digits from the authenticator app."))
    recovery.used_at = timezone.now()
    recovery.save(update_fields=["used_at"])
    left = recovery_left(user)
    audit.record(actor=user, action="event", obj=user, object_repr=user.username, org_path=_account_path(user),
                 note=f"two-step sign-in: recovery code used ({left} left)")
    return "recovery"


@transaction.atomic
def recovery_renew(*, user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), once the app's current code is given."""
    if not "".join(code.split()).isdigit():
        raise ValidationError({"code": _wrong_code_text()})
    try:
        check_code(user=user, code=code)
    except CodeRefused as exc:
        raise ValidationError({"code": str(exc)}) from exc
    codes = _new_recovery_codes(user)
    audit.record(actor=user, action="event", obj=user, object_repr=user.username, org_path=_account_path(user),
                 note="two-step sign-in: new recovery codes")
    return codes


# --- Turning it off -----------------------------------------------------------------------------------

@transaction.atomic
def disable(*, actor: Any, user: User, keep_session: str | None = None) -> bool:
    """Turn two-step sign-in off (the person themselves, or the staff's reset: `actor` says
    who). The account's sessions end, but for `keep_session`, so that none goes on as if it
    had passed the second step. Returns whether it was on."""
    from chibo.accounts.services import end_sessions

    deleted, _detail = TwoStep.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    if not deleted:
        return False
    end_sessions(user, keep=keep_session)
    by_staff = getattr(actor, "pk", None) != user.pk
    audit.record(actor=actor, action="event", obj=user, object_repr=user.username, org_path=_account_path(user),
                 note="two-step sign-in reset by the staff" if by_staff else "two-step sign-in turned off")
    return True


# --- The pending sign-in ------------------------------------------------------------------------------

def pending_start(request: HttpRequest, user: User, *, next_url: str) -> None:
    request.session.cycle_key()
    request.session[SESSION_PENDING] = {"user": user.pk, "at": time.time(), "next": next_url,
                                        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0])}


def pending(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    """The account waiting for its code in this session (None when none, or it waited too long)."""
    data = request.session.get(SESSION_PENDING)
    if not isinstance(data, dict) or time.time() - float(data.get("at", 0)) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=int(data.get("user") or 0), is_active=True).first()
    return (user, data) if user is not None else None


def pending_end(request: HttpRequest) -> None:
    request.session.pop(SESSION_PENDING, None)
