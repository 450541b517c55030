"""`chibo setup`: the first run of a real installation, on an empty database (no demo).

    chibo setup --province-code T --province-name "Đảng bộ tỉnh …" [--commune-code X
                --commune-name "Đảng bộ xã …" [--ward]] --admin USERNAME

Applies the migrations, creates the province's party organisation (and, for a commune's own
server, its commune or ward committee) with their localities, and the first administrator,
who gets a one-time code to set their password on /kich-hoat/ — and, at first sign-in, sets up
two-step sign-in. Asks for what the flags do not give when run in a terminal. Then says where
the import template is (docs/getting-started.md walks through the rest, in Vietnamese)."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from chibo.accounts import services
from chibo.accounts.models import User
from chibo.core.dates import today
from chibo.organisations import services as orgs
from chibo.organisations.models import Locality, Organisation


class Command(BaseCommand):
    help = "Set up an empty chibo: the province (and commune) and the first administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province-code")
        parser.add_argument("--province-name")
        parser.add_argument("--commune-code", help="for a commune's own server: its party committee's code")
        parser.add_argument("--commune-name")
        parser.add_argument("--ward", action="store_true", help="the commune is a ward (phường)")
        parser.add_argument("--admin", help="the first administrator's username")
        parser.add_argument("--no-input", action="store_true", help="never ask; fail if a flag is missing")

    def _ask(self, value: str | None, question: str, o: dict[str, Any], required: bool = True) -> str:
        if value:
            return value.strip()
        if o["no_input"] or not sys.stdin.isatty():
            if required:
                raise CommandError(f"Thiếu thông tin: {question} (xem chibo setup --help).")
            return ""
        answer = input(f"{question}: ").strip()
        if required and not answer:
            raise CommandError(f"Cần có: {question}.")
        return answer

    def handle(self, *args: Any, **o: Any) -> None:
        call_command("migrate", verbosity=0)
        if Organisation.objects.exists() or User.objects.filter(is_superuser=True).exists():
            raise CommandError("chibo đã có dữ liệu (tổ chức đảng hoặc tài khoản quản trị): “setup” chỉ dùng cho "
                               "cơ sở dữ liệu trống. Thêm tổ chức bằng trang Nhập dữ liệu; thêm quản trị: "
                               "chibo createadmin TÊN")
        p_code = self._ask(o["province_code"], "Mã đảng bộ tỉnh (ví dụ GL)", o).upper()
        p_name = self._ask(o["province_name"], "Tên đảng bộ tỉnh (ví dụ Đảng bộ tỉnh Gia Lai)", o)
        c_code = self._ask(o["commune_code"], "Mã đảng bộ xã/phường (để trống nếu máy chủ của cả tỉnh)", o,
                           required=False).upper()
        c_name = self._ask(o["commune_name"], "Tên đảng bộ xã/phường", o) if c_code else ""
        admin = self._ask(o["admin"], "Tên đăng nhập của người quản trị (chữ thường không dấu)", o).lower()
        start = today()
        try:
            with transaction.atomic():
                p_loc = orgs.locality_create(actor=None, code=f"{p_code}-DB", name=p_name.replace("Đảng bộ ", ""),
                                             kind=Locality.Kind.PROVINCE)
                province = orgs.organisation_create(actor=None, code=p_code, name=p_name,
                                                    kind=Organisation.Kind.PROVINCE, valid_from=start)
                orgs.locality_update(p_loc, actor=None, organisation=province)
                if c_code:
                    c_loc = orgs.locality_create(actor=None, code=f"{c_code}-DB", name=c_name.replace("Đảng bộ ", ""),
                                                 kind=Locality.Kind.WARD if o["ward"] else Locality.Kind.COMMUNE,
                                                 parent=p_loc)
                    commune = orgs.organisation_create(actor=None, code=c_code, name=c_name,
                                                       kind=Organisation.Kind.COMMUNE, parent=province,
                                                       valid_from=start)
                    orgs.locality_update(c_loc, actor=None, organisation=commune)
                user = services.user_create(actor=None, username=admin, password="", superuser=True)
                user.set_unusable_password()
                user.save(update_fields=["password"])
                code = services._issue_code(user, actor=None, purpose="onboard")
        except ValidationError as exc:
            raise CommandError(" ".join(m for ms in exc.message_dict.values() for m in ms)) from None
        until = timezone.localdate() + dt.timedelta(days=services.settings.CHIBO_ACTIVATION_DAYS)
        self.stdout.write(
            f"Đã tạo {p_name} ({p_code})" + (f" và {c_name} ({c_code})" if c_code else "") + ".\n"
            f"Tài khoản quản trị: {admin}\nMã dùng một lần: {services.format_code(code)} "
            f"(dùng được đến {until:%d/%m/%Y})\n\n"
            "Bước tiếp theo:\n"
            "  1. Mở trang /kich-hoat/ của chibo, gõ tên đăng nhập và mã, đặt mật khẩu; lần đăng nhập đầu tiên\n"
            "     chibo hướng dẫn bật xác thực hai bước.\n"
            "  2. Tải tệp mẫu ở trang Nhập dữ liệu (/nhap-du-lieu/mau.xlsx), điền tổ chức, địa bàn, đảng viên,\n"
            "     chức vụ, rồi nhập (kiểm tra trước, nhập sau).\n"
            "  3. Cấp tài khoản cho bí thư, in phiếu cho đảng viên: xem docs/getting-started.md.")
