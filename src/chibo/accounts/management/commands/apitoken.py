"""`chibo apitoken USERNAME [--name N] [--days D]`: create an API token and print it once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from chibo.accounts.models import User
from chibo.accounts.tokens import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print it once (only its hash is stored)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="API", help="what the token is for (shown in lists)")
        parser.add_argument("--days", type=int, default=None, help="expire after this many days (default: never)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is inactive; a token for it would not work.")
        expires_at = None
        if options["days"] is not None:
            if options["days"] < 1:
                raise CommandError("--days must be 1 or more.")
            expires_at = timezone.now() + dt.timedelta(days=options["days"])
        token, plaintext = api_token_create(user, options["name"], expires_at=expires_at)
        self.stdout.write(plaintext)
        self.stderr.write(
            f"Token {token.prefix}… ({token.name}) created for {user.username}"
            + (f", expires {timezone.localtime(expires_at):%d/%m/%Y %H:%M}" if expires_at else "")
            + ". It is shown only this once: store it now.")
