"""`chibo createadmin USERNAME`: an administrator's account, audited, with a one-time code
(printed once) with which its holder sets their own password on /kich-hoat/. Unlike Django's
`createsuperuser`, no password is typed into the server's shell history."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from chibo.accounts import services
from chibo.accounts.models import User


class Command(BaseCommand):
    help = "Create an administrator's account and print its one-time activation code."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="lower-case letters, digits, dots (typeable on a phone)")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip().lower()
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{1,29}", username):
            raise CommandError("Tên đăng nhập chỉ gồm chữ thường không dấu, chữ số, dấu chấm hoặc gạch, 2–30 ký tự.")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"Tên đăng nhập {username} đã có. Chọn tên khác, hoặc đặt lại mật khẩu: "
                               f"chibo users reset {username}")
        with transaction.atomic():
            user = services.user_create(actor=None, username=username, password="", superuser=True)
            user.set_unusable_password()
            user.save(update_fields=["password"])
            code = services._issue_code(user, actor=None, purpose="onboard")
        until = timezone.localdate() + dt.timedelta(days=services.settings.CHIBO_ACTIVATION_DAYS)
        self.stdout.write(f"Đã tạo tài khoản quản trị {username}.\nMã dùng một lần: {services.format_code(code)} "
                          f"(dùng được đến {until:%d/%m/%Y})\nMở trang /kich-hoat/ của chibo, gõ tên đăng nhập và mã, "
                          "rồi tự đặt mật khẩu.")
