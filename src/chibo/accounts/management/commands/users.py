"""Accounts from the command line (the administrator on the server; every write audited as
"system"):

    chibo users list [ORG]                       accounts of ORG's subtree (or all)
    chibo users create CITIZEN_ID                an account for that person: username + one-time code
    chibo users reset USERNAME                   forget the password; print a new one-time code
    chibo users unlock USERNAME                  forget the failed sign-ins
    chibo users deactivate USERNAME              close the account (not the last administrator's)
    chibo users reactivate USERNAME              open it again
    chibo users grant USERNAME ROLE ORG [--from D] [--until D]   a staff role, with dates
    chibo users end USERNAME ROLE ORG [--on D]   end an explicit role on D (its last day)

A code is printed once: give it to the person, who sets their own password on /kich-hoat/."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from chibo.access import scope_for_command
from chibo.accounts import services
from chibo.accounts.models import Role, RoleAssignment, User
from chibo.core.dates import in_range, parse_vn_date, today
from chibo.members.models import Membership, Person
from chibo.organisations.commands import find_organisation
from chibo.organisations.models import Organisation

ACTIONS = ("list", "create", "reset", "unlock", "deactivate", "reactivate", "grant", "end")


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        day = parse_vn_date(value)
    except ValueError:
        raise CommandError(f"{name}: ngày không hợp lệ “{value}”. Viết theo dạng 31/12/2026.") from None
    if not in_range(day):
        raise CommandError(f"{name}: năm phải từ 1900 đến 2099.")
    return day


class Command(BaseCommand):
    help = "List and administer user accounts: " + ", ".join(ACTIONS) + " (see `chibo users --help`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=ACTIONS)
        parser.add_argument("target", nargs="?", help="ORG (list), CITIZEN_ID (create) or USERNAME")
        parser.add_argument("role", nargs="?", choices=[r.value for r in Role], help="grant/end: the role")
        parser.add_argument("org", nargs="?", help="grant/end: the organisation's code")
        parser.add_argument("--from", dest="valid_from", help="grant: first day (default today), dd/mm/yyyy")
        parser.add_argument("--until", dest="valid_to", help="grant: last day (default none)")
        parser.add_argument("--on", dest="on", help="end: last day (default today)")

    def handle(self, *args: Any, **o: Any) -> None:
        action, target = o["action"], o["target"]
        if action == "list":
            self._list(target)
            return
        if not target:
            raise CommandError("Thiếu tên đăng nhập (hoặc số CCCD với “create”).")
        try:
            if action == "create":
                person = Person.objects.filter(citizen_id=target.strip()).first()
                if person is None:
                    raise CommandError(f"Không có ai mang số CCCD {target} trong chibo. Kiểm tra lại số.")
                user, code = services.account_create_for_person(actor=None, person=person)
                self._code(user, code)
                return
            found = User.objects.filter(username=target.strip().lower()).first()
            if found is None:
                raise CommandError(f"Không có tài khoản “{target}”. Xem danh sách: chibo users list")
            user = found
            if action == "reset":
                self._code(user, services.password_reset(actor=None, user=user))
            elif action == "unlock":
                n = services.user_unlock(actor=None, user=user)
                self.stdout.write(f"Đã mở khóa {user.username} ({n} lần đăng nhập sai được xóa).")
            elif action == "deactivate":
                services.user_deactivate(actor=None, user=user)
                self.stdout.write(f"Đã khóa tài khoản {user.username}.")
            elif action == "reactivate":
                services.user_reactivate(actor=None, user=user)
                self.stdout.write(f"Đã mở lại tài khoản {user.username}.")
            else:
                self._role(action, user, o)
        except ValidationError as exc:
            raise CommandError(" ".join(m for ms in exc.message_dict.values() for m in ms)) from None

    def _role(self, action: str, user: User, o: dict[str, Any]) -> None:
        if not o["role"] or not o["org"]:
            raise CommandError(f"Cần vai trò và mã tổ chức: chibo users {action} {user.username} ROLE ORG")
        org = find_organisation(o["org"])
        if action == "grant":
            granted = services.role_grant(actor=None, scope=scope_for_command(None), user=user, organisation=org,
                                          role=o["role"], valid_from=_date(o["valid_from"], "--from") or today(),
                                          valid_to=_date(o["valid_to"], "--until"))
            self.stdout.write(f"Đã giao vai trò {granted.get_role_display()} ở {org.code} cho {user.username}.")
            return
        open_roles = RoleAssignment.objects.active_on(today()).filter(user=user, organisation=org, role=o["role"],
                                                                       post__isnull=True)
        ra = open_roles.first()
        if ra is None:
            raise CommandError("Tài khoản này không có vai trò đó (được giao riêng, đang có hiệu lực) ở tổ chức này.")
        services.role_end(actor=None, assignment=ra, on=_date(o["on"], "--on") or today())
        self.stdout.write(f"Vai trò {ra.get_role_display()} ở {org.code} của {user.username} kết thúc.")

    def _code(self, user: User, code: str) -> None:
        until = timezone.localdate() + dt.timedelta(days=services.settings.CHIBO_ACTIVATION_DAYS)
        self.stdout.write(f"Tên đăng nhập: {user.username}\nMã dùng một lần: {services.format_code(code)}\n"
                          f"Dùng được đến: {until:%d/%m/%Y}\n"
                          "Người dùng mở trang /kich-hoat/, gõ tên đăng nhập và mã, rồi tự đặt mật khẩu.")

    def _list(self, code: str | None) -> None:
        users = User.objects.select_related("person").order_by("username")
        if code:
            org = find_organisation(code)
            orgs = Organisation.objects.subtree(org).values("pk")
            people = Membership.objects.filter(organisation__in=orgs).values("person_id")
            held = RoleAssignment.objects.filter(organisation__in=orgs).values("user_id")
            users = users.filter(person_id__in=people) | users.filter(pk__in=held)
        day = today()
        roles: dict[int, list[str]] = {}
        for ra in RoleAssignment.objects.active_on(day).select_related("organisation").filter(user__in=users):
            roles.setdefault(ra.user_id, []).append(f"{ra.role}@{ra.organisation.code}")
        for u in users.distinct():
            state = "mở" if u.is_active else "khóa"
            last = f"{timezone.localtime(u.last_login):%d/%m/%Y}" if u.last_login else "chưa đăng nhập"
            extra = " quản trị" if u.is_superuser else ""
            self.stdout.write(f"{u.username:<20} {str(u):<30} {state:<5} {last:<15} {' '.join(roles.get(u.pk, []))}{extra}")
