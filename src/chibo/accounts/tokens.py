"""Writes for API tokens. The plaintext token is returned once and never stored: the
database keeps its SHA-256 and a short prefix to recognise it by."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from chibo.accounts.models import ApiToken, User
from chibo.audit import services as audit

TOKEN_SCHEME = "chb_"  # makes leaked tokens easy to recognise (and to scan for)
PREFIX_LENGTH = 8  # ApiToken.prefix: the scheme and the first random characters
TOKEN_FIELDS = ["user_id", "name", "prefix", "expires_at", "revoked_at"]
LAST_USED_GRANULARITY = dt.timedelta(minutes=1)  # last_used_at is written at most this often per token

log = logging.getLogger(__name__)


def user_for_token(token: str) -> User | None:
    """The active account a presented token belongs to, while the token is neither revoked nor
    expired; None otherwise. Notes the token's last use (at most once a minute)."""
    found = ApiToken.objects.select_related("user").filter(
        digest=ApiToken.digest_of(token), revoked_at__isnull=True).first()
    if found is None:
        return None
    now = timezone.now()
    if found.expires_at is not None and found.expires_at <= now:
        return None
    if not found.user.is_active:
        return None
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_GRANULARITY:
        _record_use(found, now)
    return found.user


def _record_use(token: ApiToken, now: dt.datetime) -> None:
    """Note when a token was last used. Only bookkeeping: if the database cannot take the
    write (read-only, disk full, locked too long) the request goes on and the failure is logged."""
    try:
        with transaction.atomic():  # a savepoint inside a transaction: nothing else is spoiled
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    except DatabaseError:
        log.warning("could not record the last use of API token %s", token.prefix, exc_info=True)


def default_expiry(now: dt.datetime | None = None) -> dt.datetime | None:
    """When a token issued now expires: CHIBO_API_TOKEN_TTL_DAYS from now (0: never)."""
    days = settings.CHIBO_API_TOKEN_TTL_DAYS
    return (now or timezone.now()) + dt.timedelta(days=days) if days > 0 else None


@transaction.atomic
def api_token_create(user: User, name: str, *, actor: Any = None,
                     expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the plaintext (show it once). Without
    `expires_at` it expires after CHIBO_API_TOKEN_TTL_DAYS."""
    if expires_at is None:
        expires_at = default_expiry()
    plaintext = TOKEN_SCHEME + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100] or "API", prefix=plaintext[:PREFIX_LENGTH],
        digest=ApiToken.digest_of(plaintext), expires_at=expires_at,
    )
    audit.record(actor=actor, action="create", obj=token, object_repr=f"{user.get_username()}: {token}",
                 after=audit.snapshot(token, TOKEN_FIELDS))
    return token, plaintext


@transaction.atomic
def api_token_revoke(token: ApiToken, *, actor: Any = None, reason: str = "") -> ApiToken:
    """Revoke a token from now on (idempotent)."""
    if token.revoked_at is not None:
        return token
    before = audit.snapshot(token, TOKEN_FIELDS)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    old, new = audit.diff(before, audit.snapshot(token, TOKEN_FIELDS))
    audit.record(actor=actor, action="update", obj=token, object_repr=f"{token.user.get_username()}: {token}",
                 before=old, after=new, note=f"revoked: {reason}" if reason else "revoked")
    return token


@transaction.atomic
def api_tokens_revoke_all(user: User, *, reason: str, actor: Any = None) -> int:
    """Revoke every live token of `user` (password changed, account deactivated); how many."""
    live = list(ApiToken.objects.select_related("user").filter(user=user, revoked_at__isnull=True))
    for token in live:
        api_token_revoke(token, actor=actor, reason=reason)
    return len(live)
