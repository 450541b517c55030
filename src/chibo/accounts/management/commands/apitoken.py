"""API tokens from the command line:

    chibo apitoken USERNAME [--name N] [--days D]   create one and print it once
    chibo apitoken --list [USERNAME]                 list tokens (never the secret)
    chibo apitoken --revoke PREFIX_OR_ID             revoke one"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from chibo.accounts.models import ApiToken, User
from chibo.accounts.tokens import api_token_create, api_token_revoke


def _when(value: dt.datetime | None, empty: str = "-") -> str:
    return f"{timezone.localtime(value):%d/%m/%Y %H:%M}" if value else empty


class Command(BaseCommand):
    help = ("Create an API token for a user and print it once (only its hash is stored); "
            "or --list tokens, or --revoke one.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", nargs="?")
        parser.add_argument("--name", default="API", help="what the token is for (shown in lists)")
        parser.add_argument("--days", type=int, default=None,
                            help="expire after this many days (default: CHIBO_API_TOKEN_TTL_DAYS, "
                                 f"now {settings.CHIBO_API_TOKEN_TTL_DAYS})")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--list", action="store_true", help="list the tokens (of USERNAME, or everyone's)")
        action.add_argument("--revoke", metavar="PREFIX_OR_ID", help="revoke the token with this prefix or id")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            self.list_tokens(options["username"])
        elif options["revoke"]:
            self.revoke(options["revoke"])
        elif options["username"]:
            self.create(options["username"], options["name"], options["days"])
        else:
            raise CommandError("Name a user to create a token for, or use --list or --revoke.")

    def create(self, username: str, name: str, days: int | None) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is inactive; a token for it would not work.")
        expires_at = None
        if days is not None:
            if days < 1:
                raise CommandError("--days must be 1 or more.")
            expires_at = timezone.now() + dt.timedelta(days=days)
        token, plaintext = api_token_create(user, name, expires_at=expires_at)
        self.stdout.write(plaintext)
        self.stderr.write(
            f"Token {token.prefix}… ({token.name}) created for {user.username}"
            + (f", expires {_when(token.expires_at)}" if token.expires_at else ", never expires")
            + ". It is shown only this once: store it now.")

    def list_tokens(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at", "-id")
        if username:
            if not User.objects.filter(username=username).exists():
                raise CommandError(f"No user named {username!r}.")
            tokens = tokens.filter(user__username=username)
        now = timezone.now()
        rows = [("id", "prefix", "user", "name", "created", "last used", "expires", "status")]
        for t in tokens:
            status = (f"revoked {_when(t.revoked_at)}" if t.revoked_at
                      else "expired" if t.expires_at and t.expires_at <= now else "active")
            rows.append((str(t.pk), f"{t.prefix}…", t.user.username, t.name, _when(t.created_at),
                         _when(t.last_used_at, "never"), _when(t.expires_at, "never"), status))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())

    def revoke(self, which: str) -> None:
        which = which.strip().rstrip("…")
        match = Q(prefix=which) | (Q(pk=int(which)) if which.isdigit() else Q(pk__in=[]))
        found = list(ApiToken.objects.select_related("user").filter(match))
        if not found:
            raise CommandError(f"No token with the prefix or id {which!r}. See `chibo apitoken --list`.")
        if len(found) > 1:
            ids = ", ".join(str(t.pk) for t in found)
            raise CommandError(f"Several tokens begin with {which!r} (ids {ids}); revoke one by its id.")
        token = found[0]
        if token.revoked_at is not None:
            self.stderr.write(f"Token {token.prefix}… of {token.user.username} was already revoked "
                              f"on {_when(token.revoked_at)}.")
            return
        api_token_revoke(token, reason="chibo apitoken --revoke")
        self.stderr.write(f"Token {token.prefix}… ({token.name}) of {token.user.username} revoked.")
