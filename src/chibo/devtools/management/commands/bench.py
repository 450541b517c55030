"""`chibo bench`: server-side timings of the pages that matter, on the synthetic province.

Requests run in-process through Django's full stack (middleware, session, scope, view,
template) with the test client, so the figures are server time without the network.
Run `chibo synth` first. Prints median and p95 in milliseconds; `--json` for machines."""

from __future__ import annotations

import datetime as dt
import json
import platform
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _

from chibo.accounts import twostep
from chibo.accounts.models import User
from chibo.core.dates import today
from chibo.devtools.bench import import_benchmark
from chibo.members.models import Membership
from chibo.organisations.models import Organisation

SEARCHES = ["nguyen van duc", "tran thi", "ksor", "le hoang nam", "pham", "rah lan", "duc", "nguyen thi thu ha"]
SORTS = ["name", "-name", "birth", "-birth", "admission", "-admission"]
SITE_SEARCHES = ["nguyen van", "ksor", "dao thi", "chi bo", "nghi quyet", "hung", "thon 3", "siu h"]
TARGETS_MS = {"home page": 30, "home figures": 30, "member list": 20, "search p95": 50, "member update p95": 30,
              "province comparison": 50, "site search": 100, "commune overview": 50, "my tasks": 20, "cell plan": 30, "meeting page": 30, "missing meetings": 50}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


class Command(BaseCommand):
    help = ("Measure server time of dashboards, member lists, search, member updates, the commune's targets, a "
            "cell's plan and a member's tasks on the synthetic province.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--repeat", type=int, default=40, help="timed requests per case (default 40)")
        parser.add_argument("--province", default="SYN", help="code of the synthetic province (default SYN)")
        parser.add_argument("--exports", action="store_true",
                            help="also time exporting the whole province to XLSX and CSV (about a minute)")
        parser.add_argument("--imports", action="store_true",
                            help="also time importing the whole province into an empty database (about two minutes)")

    def handle(self, *args: Any, **opts: Any) -> None:
        province = Organisation.objects.filter(code=opts["province"]).first()
        if province is None:
            raise CommandError(_("No synthetic province %(code)s. Run `chibo synth` first.") % {"code": opts["province"]})
        users = {u.username: u for u in User.objects.filter(
            username__in=["synth.tinh", "synth.xa", "synth.bithu", "synth.dangvien"])}
        if len(users) != 4:
            raise CommandError(_("The synthetic accounts are missing. Run `chibo synth` again on an empty database."))
        clients = {}
        for name, user in users.items():
            c = Client(raise_request_exception=True)
            c.force_login(user)
            session = c.session  # measured as a signed-in user who has passed two-step sign-in
            session[twostep.SESSION_VERIFIED] = True
            session.save()
            clients[name] = c
        commune = users["synth.xa"].roles.first().organisation  # type: ignore[union-attr]
        cell = users["synth.bithu"].roles.first().organisation  # type: ignore[union-attr]
        if settings.DEBUG and not opts["json"]:
            self.stderr.write(_("Note: DEBUG is on, which logs every query and slows each page by a few "
                                "milliseconds. For production-like figures run without CHIBO_DEBUG."))
        repeat = opts["repeat"]
        results: list[dict[str, Any]] = []

        def case(name: str, group: str, fn: Callable[[int], Any]) -> None:
            for i in range(3):
                fn(i)
            times = []
            for i in range(repeat):
                start = time.perf_counter()
                fn(i)
                times.append((time.perf_counter() - start) * 1000)
            results.append({"case": name, "group": group, "n": repeat, "median_ms": round(statistics.median(times), 2),
                            "p95_ms": round(_percentile(times, 0.95), 2), "max_ms": round(max(times), 2)})
            if not opts["json"]:
                self.stdout.write(f"{name:<52} median {results[-1]['median_ms']:>7.2f} ms   p95 {results[-1]['p95_ms']:>7.2f} ms")

        def get(client: Client, url: str) -> Callable[[int], Any]:
            def run(_i: int) -> None:
                response = client.get(url)
                if response.status_code != 200:
                    raise CommandError(f"{url}: HTTP {response.status_code}")
            return run

        def get_fragment(client: Client, url: str) -> Callable[[int], Any]:
            def run(_i: int) -> None:
                response = client.get(url, headers={"HX-Request": "true"})
                if response.status_code != 200:
                    raise CommandError(f"{url} (htmx): HTTP {response.status_code}")
            return run

        members = Membership.objects.filter(province=province).count()
        # Each role's home page: "Việc cần làm" first, then the figures (issue 14).
        case("home page: province staff", "home page", get(clients["synth.tinh"], f"/?org={province.code}"))
        case("home page: commune staff", "home page", get(clients["synth.xa"], f"/?org={commune.code}"))
        case("home page: cell secretary", "home page", get(clients["synth.bithu"], f"/?org={cell.code}"))
        case("home page: member", "home page", get(clients["synth.dangvien"], "/"))
        # Its figures follow in their own request (htmx, on load): timed as the dashboards were.
        for name, org in (("synth.tinh", province), ("synth.xa", commune), ("synth.bithu", cell)):
            case(f"home figures: {org.get_kind_display()}", "home figures", get_fragment(clients[name], f"/?org={org.code}"))
        # A past date rebuilds the member figures from the dated history (no rollup): reported,
        # not held to the dashboards' target.
        past = (today() - dt.timedelta(days=60)).strftime("%d/%m/%Y")
        case("dashboard: province, 60 days ago", "dashboard, past date",
             get(clients["synth.tinh"], f"/?org={province.code}&date={past}"))
        case("dashboard: commune, 60 days ago", "dashboard, past date",
             get(clients["synth.xa"], f"/?org={commune.code}&date={past}"))
        for scope, client, org in (("province", clients["synth.tinh"], province), ("commune", clients["synth.xa"], commune),
                                   ("cell", clients["synth.bithu"], cell)):
            for sort in SORTS:
                case(f"member list: {scope}, sort {sort}", "member list",
                     get(client, f"/dang-vien/?org={org.code}&sort={sort}"))
            case(f"member list: {scope}, page 40", "member list", get(client, f"/dang-vien/?org={org.code}&page=40"))

        def search(client: Client, org: Organisation) -> Callable[[int], Any]:
            def run(i: int) -> None:
                client.get(f"/dang-vien/?org={org.code}&q={SEARCHES[i % len(SEARCHES)].replace(' ', '+')}")
            return run

        case("search (accent-insensitive): province", "search p95", search(clients["synth.tinh"], province))
        case("search (accent-insensitive): commune", "search p95", search(clients["synth.xa"], commune))

        # Issue 14: the communes side by side (read from the day's snapshot) and the search box
        # of every page (members, organisations, documents, meetings, resolutions within scope).
        compare = reverse("province-compare", args=[province.code])
        case(f"province comparison: {province.children.count()} communes", "province comparison",
             get(clients["synth.tinh"], compare))
        case("province comparison: sorted by attendance", "province comparison",
             get(clients["synth.tinh"], f"{compare}?sort=attendance_pct&dir=desc"))

        def site_search(client: Client) -> Callable[[int], Any]:
            def run(i: int) -> None:
                response = client.get(f"/tim-kiem/?q={SITE_SEARCHES[i % len(SITE_SEARCHES)].replace(' ', '+')}")
                if response.status_code != 200:
                    raise CommandError(f"/tim-kiem/: HTTP {response.status_code}")
            return run

        case("search from any page: province staff", "site search", site_search(clients["synth.tinh"]))
        case("search from any page: commune staff", "site search", site_search(clients["synth.xa"]))

        target = Membership.objects.filter(commune=commune, current=True).select_related("person").order_by("id").first()
        if target is None:
            raise CommandError(_("The synthetic commune has no members."))
        p = target.person
        form = {
            "family_name": p.family_name, "middle_name": p.middle_name, "given_name": p.given_name, "sex": p.sex,
            "birth_date": p.birth_date.strftime("%d/%m/%Y"), "ethnicity": p.ethnicity, "religion": p.religion,
            "citizen_id": p.citizen_id or "", "residence": p.residence_id or "", "education": p.education,
            "political_theory": p.political_theory, "admission_date": target.admission_date.strftime("%d/%m/%Y"),
            "official_date": target.official_date.strftime("%d/%m/%Y") if target.official_date else "",
            "card_number": target.card_number or "",
        }

        def update(i: int) -> None:
            response = clients["synth.xa"].post(f"/dang-vien/{target.pk}/sua/", {**form, "phone": f"09{i:08d}"})
            if response.status_code != 302:
                raise CommandError(_("The member update was refused: %(errors)s") % {
                    "errors": response.context["form"].errors.as_text() if response.context else response.status_code})

        case("member update (form, service, audit, rollup)", "member update p95", update)

        # Issue 4: the commune's targets × its cells, a cell's plan, and a secretary's own tasks
        # (assigned to them, or waiting for their verification).
        case("commune overview: targets × cells", "commune overview",
             get(clients["synth.xa"], f"/to-chuc/{commune.code}/chi-tieu/"))
        largest = (Organisation.objects.subtree(province).filter(kind=Organisation.Kind.COMMUNE)
                   .annotate(n=Count("children")).order_by("-n", "path").first())
        if largest is not None:
            with _every_target_broken_down(largest):
                case(f"commune overview: every target × {largest.n} cells", "commune overview",  # type: ignore[attr-defined]
                     get(clients["synth.tinh"], f"/to-chuc/{largest.code}/chi-tieu/"))
        case("cell plan: targets and tasks", "cell plan", get(clients["synth.bithu"], f"/to-chuc/{cell.code}/ke-hoach/"))
        case("my tasks: cell secretary", "my tasks", get(clients["synth.bithu"], "/viec-cua-toi/"))

        # Issue 5: a meeting with 60 invitees (its votes and minutes), as the cell's secretary sees it;
        # the missing meetings of the commune with the most cells over the last 12 months.
        with _meeting_with_invitees(cell, 60) as (meeting, invited):
            case(f"meeting page: {invited} invitees", "meeting page",
                 get(clients["synth.bithu"], reverse("meeting", args=[meeting.pk])))
        most, n_cells = _commune_with_most_cells(province)
        if most is not None:
            case(f"missing meetings: {n_cells} cells × 12 months", "missing meetings",
                 get(clients["synth.tinh"], reverse("org-meeting-gaps", args=[most.code])))

        exports = self._exports(province) if opts["exports"] else []
        imports = import_benchmark(province) if opts["imports"] else None
        report = {
            "database": connection.vendor, "members": members, "python": platform.python_version(),
            "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
            "debug": settings.DEBUG, "results": results, "targets_ms": TARGETS_MS, "exports": exports,
            "import": imports,
        }
        if opts["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self.stdout.write("")
        for e in exports:
            self.stdout.write(f"export {e['format']}: {e['rows']} rows in {e['seconds']:.1f} s "
                              f"(the library alone: {e['library_seconds']:.1f} s, ratio {e['ratio']:.1f}x; "
                              f"targets ≤ 20 s and ≤ 3x)")
        if imports:
            self.stdout.write(
                f"import of the whole province ({imports['file_mb']} MB workbook, {imports['rows']} rows, "
                f"{imports['members']} members) into an empty database: {imports['import_seconds']:.1f} s, peak "
                f"{imports['peak_mb'] or '?'} MB (python-calamine alone reads it in {imports['read_seconds']:.1f} s, ratio "
                f"{imports['ratio']:.1f}x; targets ≤ 60 s and ≤ 500 MB); same figures as the source: "
                f"{'yes' if imports['same_figures'] else 'NO'}; longest write transaction "
                f"{imports['longest_write_seconds']} s; another writer waited at most "
                f"{imports['other_writer_max_wait_seconds']} s (p95 {imports['other_writer_p95_wait_seconds']} s)")
        self.stdout.write(f"{connection.vendor}, {members} members in {province.code}")
        for group, limit in TARGETS_MS.items():
            key = "p95_ms" if "p95" in group else "median_ms"
            worst = max((r[key] for r in results if r["group"] == group), default=0.0)
            verdict = "OK" if worst <= limit else "MISSED"
            self.stdout.write(f"  {group:<20} worst {key.replace('_ms', '')} {worst:7.2f} ms (target ≤ {limit} ms) {verdict}")


    def _exports(self, province: Organisation) -> list[dict[str, Any]]:
        """Export the province end to end, then write the same rows with the library alone."""
        import csv
        import tempfile

        import xlsxwriter

        from chibo.exchange import services
        from chibo.exchange.columns import MEMBER_COLUMNS
        from chibo.exchange.services import _member_rows
        from chibo.members.selectors import filter_members

        qs = filter_members(Membership.objects.filter(province=province))
        out = []
        rows = list(_member_rows(qs))
        headers = [c.header for c in MEMBER_COLUMNS]
        for fmt in ("xlsx", "csv"):
            with tempfile.TemporaryDirectory() as tmp:
                start = time.perf_counter()
                count = services.export_members(actor=None, queryset=qs, fmt=fmt, out=f"{tmp}/a.{fmt}", scope=province,
                                                description="chibo bench")
                ours = time.perf_counter() - start
                start = time.perf_counter()
                if fmt == "xlsx":
                    wb = xlsxwriter.Workbook(f"{tmp}/b.xlsx", {"constant_memory": True})
                    ws = wb.add_worksheet()
                    ws.write_row(0, 0, headers)
                    for r, row in enumerate(rows, start=1):
                        ws.write_row(r, 0, row)
                    wb.close()
                else:
                    with open(f"{tmp}/b.csv", "w", encoding="utf-8", newline="") as handle:
                        writer = csv.writer(handle)
                        writer.writerow(headers)
                        writer.writerows(rows)
                raw = time.perf_counter() - start
            out.append({"format": fmt, "rows": count, "seconds": round(ours, 2), "library_seconds": round(raw, 2),
                        "ratio": round(ours / raw, 2) if raw else None})
        return out


class _Rollback(Exception):
    pass


def _commune_with_most_cells(province: Organisation) -> tuple[Organisation | None, int]:
    best: tuple[Organisation | None, int] = (None, 0)
    for commune in Organisation.objects.subtree(province).filter(kind=Organisation.Kind.COMMUNE):
        n = Organisation.objects.filter(Organisation.subtree_q(commune, include_root=False),
                                        kind__in=Organisation.CELL_KINDS, valid_to__isnull=True).count()
        if n > best[1]:
            best = (commune, n)
    return best


@contextmanager
def _meeting_with_invitees(cell: Organisation, n: int) -> Iterator[tuple[Any, int]]:
    """The cell's latest meeting held, with `n` invitees (members of its commune invited as
    well when the cell has fewer), a vote by majority, an admission vote and finalised minutes
    — built in a transaction that is rolled back afterwards."""
    import datetime as dt

    from chibo.core.dates import today
    from chibo.meetings import services as meeting_services
    from chibo.meetings.models import Attendance, Meeting

    try:
        with transaction.atomic():
            meeting = Meeting.objects.filter(organisation=cell, status=Meeting.Status.HELD).order_by("-date").first()
            if meeting is None:
                meeting = meeting_services.meeting_create(
                    actor=None, organisation=cell, date=today() - dt.timedelta(days=1), start_time=dt.time(19, 30),
                    place="Nhà văn hóa")
                meeting.attendance.update(status=Attendance.Status.PRESENT)
                meeting_services.meeting_held(meeting, actor=None, end_time=dt.time(21, 30))
            invited = set(meeting.attendance.values_list("person_id", flat=True))
            commune = Organisation.objects.filter(path__in=cell.ancestor_paths(), kind=Organisation.Kind.COMMUNE).first()
            if len(invited) < n and commune is not None:
                extra = (Membership.objects.filter(commune=commune, current=True, exempt=False)
                         .exclude(person_id__in=invited).order_by("id")[:n - len(invited)])
                Attendance.objects.bulk_create([
                    Attendance(meeting=meeting, person_id=m.person_id, official=m.status == "official",
                               status=Attendance.Status.PRESENT if i % 9 else Attendance.Status.EXCUSED,
                               reason="" if i % 9 else "ốm") for i, m in enumerate(extra)])
            _called, _present, official, voters = meeting_services.counts(meeting)
            meeting_services.vote_record(meeting, actor=None, kind="general", title="Nghị quyết chi bộ tháng",
                                         votes_for=voters, votes_against=0, votes_abstain=0)
            meeting_services.vote_record(meeting, actor=None, kind="admission", title="Đề nghị kết nạp đảng viên",
                                         votes_for=min(voters, -(-official * 2 // 3)), votes_against=0,
                                         votes_abstain=0)
            meeting.minutes.all().delete()
            meeting_services.minutes_finalise(meeting_services.minutes_draft(meeting, actor=None), actor=None)
            yield meeting, meeting.attendance.count()
            raise _Rollback
    except _Rollback:
        pass


@contextmanager
def _every_target_broken_down(commune: Organisation) -> Iterator[None]:
    """The issue's worst case for the commune overview — every target of the commune's
    resolution given to every cell, each part with a figure — built in a transaction that is
    rolled back afterwards."""
    from decimal import Decimal

    from chibo.core.dates import today
    from chibo.plans import services as plan_services
    from chibo.plans.models import Target

    try:
        with transaction.atomic():
            cells = list(Organisation.objects.filter(parent=commune, valid_to__isnull=True))
            day = today()
            for target in Target.objects.filter(organisation=commune, parent__isnull=True).select_related("resolution"):
                if target.parts.exists():
                    continue
                share = Decimal(1) if target.kind == Target.Kind.YESNO else target.target_value
                if target.kind in (Target.Kind.COUNT, Target.Kind.AMOUNT):
                    share = max(Decimal(1), (target.target_value / len(cells)).quantize(Decimal(1)))
                plan_services.target_update(target, actor=None, roll_up=(
                    Target.RollUp.ALL if target.kind == Target.Kind.YESNO else
                    Target.RollUp.MEAN if target.kind == Target.Kind.PERCENT else Target.RollUp.SUM))
                for i, part in enumerate(plan_services.target_break_down(target, actor=None,
                                                                          shares=dict.fromkeys(cells, share))):
                    if i % 5:  # four parts in five have reported
                        value = Decimal(i % 2) if part.kind == Target.Kind.YESNO else share
                        plan_services.measurement_record(actor=None, target=part, measured_on=day, value=value)
            yield
            raise _Rollback
    except _Rollback:
        pass
