"""`chibo synth --members N --communes M --seed S`: a synthetic province (code SYN) for
load and performance work: M communes/wards, about N/25 party cells (residential and
other sectors, a few grassroots party committees with their cells), N members, villages
with heads, cell secretaries and committees, like the demo; each commune's congress
resolution with its 19 targets broken down to its cells and villages, about five tasks per
cell, and twelve months of regular meetings for each cell with every member's attendance
(bulk inserts, with audit rows). Everything is written in one transaction, members in
chunks; then ANALYZE. Synthetic data only."""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, reset_queries, transaction
from django.utils.translation import gettext as _

from chibo.accounts.models import Role
from chibo.core.dates import today
from chibo.devtools.demo.builders import (
    COMMUNE_START,
    MIX_AGENCY,
    MIX_BAHNAR,
    MIX_JRAI,
    MIX_KINH,
    SERVER_URL,
    Builder,
    CellPlan,
    CommunePlan,
    Login,
    People,
    VillagePlan,
    allocate,
    demo_password,
    logins_table,
    random_date,
)
from chibo.devtools.demo.meetings import bulk_synth_meetings
from chibo.devtools.demo.work import (
    bulk_write_work,
    committee_members,
    commune_work,
)
from chibo.indicators.services import snapshot_all
from chibo.members.models import Post
from chibo.organisations.models import Locality, Organisation

PROVINCE_CODE = "SYN"
MEMBERS_PER_CELL = 25

S = Organisation.Sector
K = Organisation.Kind
LK = Locality.Kind

LOGINS = [
    Login("synth.tinh", Role.PROVINCE_STAFF, PROVINCE_CODE),
    Login("synth.xa", Role.COMMUNE_STAFF, f"{PROVINCE_CODE}-X001", person_key="synth_xa"),
    Login("synth.bithu", Role.CELL_COMMITTEE, f"{PROVINCE_CODE}-X001-001", person_key="synth_bithu"),
    Login("synth.dangvien", "", "", person_key="synth_dangvien"),  # a member of that cell with no post
]

# Syllables for commune and village names.
KINH_PLACE = ["An", "Bình", "Hòa", "Tân", "Phú", "Hưng", "Thạnh", "Kim", "Đông", "Tây", "Nam", "Bắc",
              "Thuận", "Phước", "Lộc", "Long", "Mỹ", "Quang", "Thành", "Vĩnh", "Xuân", "Trung", "Hải",
              "Sơn", "Lâm", "Đức", "Nhơn", "Cát", "Hoài", "Tuy"]
HIGHLAND_FIRST = ["Ia", "Chư", "Kon", "Đak", "Krông", "Pờ", "Tơ", "Ayun", "Đê", "Plei"]
HIGHLAND_SECOND = ["Mơ", "Nueng", "Gri", "Lang", "Kênh", "Sơ", "Bia", "Púch", "Lâu", "Tao", "Kdăm", "Rbol",
                   "Dreng", "Hiao", "Peng", "Sol", "Yeng", "Klăh", "Hrang", "Bông", "Tung", "Blang", "Krối",
                   "Băng", "Grêl", "Pếch", "Ake", "Rtô", "Kriêng", "Phang", "Pơ", "Sao", "Ly", "Rsai", "Dom",
                   "Hlốp", "Ko", "Pa", "Nan", "Mrông"]

UNITS: dict[str, list[str]] = {
    S.STATE_AGENCY: ["Chi bộ Cơ quan Đảng - Mặt trận - Đoàn thể", "Chi bộ Cơ quan Ủy ban nhân dân",
                     "Chi bộ Trung tâm Phục vụ hành chính công", "Chi bộ Ngân hàng Chính sách xã hội",
                     "Chi bộ Kho bạc Nhà nước", "Chi bộ Hạt Kiểm lâm", "Chi bộ Ban Quản lý rừng phòng hộ",
                     "Chi bộ Chi cục Thuế"],
    S.EDUCATION_HEALTH: ["Chi bộ Trường Mầm non", "Chi bộ Trường Tiểu học", "Chi bộ Trường THCS",
                         "Chi bộ Trường Tiểu học và THCS", "Chi bộ Trạm Y tế", "Chi bộ Trường THPT"],
    S.ARMED_FORCES: ["Chi bộ Công an", "Chi bộ Quân sự"],
    S.ENTERPRISE: ["Chi bộ Hợp tác xã Nông nghiệp", "Chi bộ Quỹ Tín dụng nhân dân", "Chi bộ Điện lực",
                   "Chi bộ Bưu điện văn hóa", "Chi bộ Nông trường Cao su", "Chi bộ Công ty Cà phê"],
    S.OTHER: ["Chi bộ Ban Quản lý chợ", "Chi bộ Ban Quản lý khu du lịch"],
}
SECTOR_WEIGHTS = [(S.STATE_AGENCY, 32), (S.EDUCATION_HEALTH, 38), (S.ARMED_FORCES, 10), (S.ENTERPRISE, 15),
                  (S.OTHER, 5)]
COMMITTEES = [
    ("Đảng bộ Cơ quan Ủy ban nhân dân", S.STATE_AGENCY,
     ["Chi bộ Văn phòng HĐND và UBND", "Chi bộ Phòng Kinh tế", "Chi bộ Phòng Văn hóa - Xã hội",
      "Chi bộ Bộ phận Tài chính - Kế toán", "Chi bộ Bộ phận Địa chính - Xây dựng", "Chi bộ Bộ phận Tư pháp"]),
    ("Đảng bộ Công an", S.ARMED_FORCES,
     ["Chi bộ Đội Cảnh sát trật tự", "Chi bộ Đội An ninh", "Chi bộ Đội Tổng hợp", "Chi bộ Công an các thôn"]),
    ("Đảng bộ Trung tâm Y tế khu vực", S.EDUCATION_HEALTH,
     ["Chi bộ Khoa Khám bệnh", "Chi bộ Khoa Nội - Nhi", "Chi bộ Khoa Ngoại - Sản", "Chi bộ Khoa Kiểm soát bệnh tật",
      "Chi bộ Phòng Hành chính"]),
    ("Đảng bộ Công ty Cao su", S.ENTERPRISE,
     ["Chi bộ Nông trường 1", "Chi bộ Nông trường 2", "Chi bộ Nông trường 3", "Chi bộ Nhà máy chế biến",
      "Chi bộ Văn phòng Công ty"]),
]


class Plan:
    def __init__(self, rng: random.Random, members: int, communes: int):
        self.rng = rng
        self.members = members
        self.communes_n = communes
        self.cells_n = max(2 * communes, round(members / MEMBERS_PER_CELL))

    def _unique(self, used: set[str], make: Any) -> str:
        for _i in range(50):
            name = make()
            if name not in used:
                used.add(name)
                return str(name)
        n = 2
        base = make()
        while f"{base} {n}" in used:
            n += 1
        used.add(f"{base} {n}")
        return f"{base} {n}"

    def _highland(self) -> str:
        return f"{self.rng.choice(HIGHLAND_FIRST)} {self.rng.choice(HIGHLAND_SECOND)}"

    def _kinh(self) -> str:
        a, b = self.rng.sample(KINH_PLACE, 2)
        return f"{a} {b}"

    def communes(self) -> list[CommunePlan]:
        rng = self.rng
        used: set[str] = set()
        weights = [rng.uniform(0.6, 1.4) for _i in range(self.communes_n)]
        total_w = sum(weights)
        counts = [max(2, int(self.cells_n * w / total_w)) for w in weights]
        i = 0
        while sum(counts) < self.cells_n:
            counts[i % len(counts)] += 1
            i += 1
        out = []
        for i, n_cells in enumerate(counts, start=1):
            ward = rng.random() < 0.15
            place = self._unique(used, self._kinh if ward or rng.random() < 0.55 else self._highland)
            code = f"{PROVINCE_CODE}-X{i:03d}"
            word = "phường" if ward else "xã"
            commune = CommunePlan(code=code, name=f"Đảng bộ {word} {place}", place=f"{word.capitalize()} {place}",
                                  locality_code=code, locality_kind=LK.WARD if ward else LK.COMMUNE)
            self._cells(commune, place, word, n_cells, ward)
            out.append(commune)
        return out

    def _cells(self, c: CommunePlan, place: str, word: str, n_cells: int, ward: bool) -> None:
        rng = self.rng
        n_committees = 0 if n_cells < 12 else 1 + (n_cells >= 40) + (n_cells >= 70)
        children = [rng.randint(3, 5) for _i in range(n_committees)]
        grassroots_cells = n_cells - sum(children)
        residential = max(1, round(grassroots_cells * (0.65 if ward else 0.58)))
        villages_used: set[str] = set()
        j = 0
        thon = 0

        def next_code() -> str:
            nonlocal j
            j += 1
            return f"{c.code}-{j:03d}"

        for _i in range(residential):
            if ward:
                thon += 1
                kind, name, mix = LK.NEIGHBOURHOOD, f"Tổ dân phố {thon}", MIX_KINH
            else:
                kind = rng.choices([LK.VILLAGE, LK.LANG, LK.PLEI, LK.BUON], weights=[45, 30, 10, 15])[0]
                if kind == LK.VILLAGE:
                    thon += 1
                    name, mix = f"Thôn {thon}", MIX_KINH
                else:
                    prefix = {LK.LANG: "Làng", LK.PLEI: "Plei", LK.BUON: "Buôn"}[kind]
                    name = self._unique(villages_used, lambda p=prefix: f"{p} {self._highland()}")
                    mix = MIX_BAHNAR if rng.random() < 0.15 else MIX_JRAI
            code = next_code()
            village = VillagePlan(code=f"{c.code}-V{code[-3:]}", name=name, kind=kind, mix=mix)
            c.villages.append(village)
            rest = name.split(" ", 3 if kind == LK.NEIGHBOURHOOD else 1)[-1]
            label = {LK.NEIGHBOURHOOD: "tổ dân phố", LK.LANG: "làng", LK.PLEI: "plei", LK.BUON: "buôn"}.get(kind, "thôn")
            c.cells.append(CellPlan(
                code=code, name=f"Chi bộ {label} {rest}", kind=K.GRASSROOTS_CELL, sector=S.RESIDENTIAL,
                valid_from=random_date(rng, dt.date(1976, 1, 1), dt.date(2015, 12, 31)),
                weight=rng.uniform(0.5, 1.8), min_size=3, village=village, mix=mix,
                head_mode=rng.choices(["secretary", "member", "non_member"], weights=[75, 22, 3])[0]))
        seen: dict[str, int] = {}
        for _i in range(grassroots_cells - residential):
            sector = rng.choices([s for s, _w in SECTOR_WEIGHTS], weights=[w for _s, w in SECTOR_WEIGHTS])[0]
            base = rng.choice(UNITS[sector])
            seen[base] = seen.get(base, 0) + 1
            name = f"{base} {word} {place}" + (f" số {seen[base]}" if seen[base] > 1 else "")
            c.cells.append(CellPlan(code=next_code(), name=name, kind=K.GRASSROOTS_CELL, sector=sector,
                                    valid_from=random_date(rng, dt.date(1985, 1, 1), dt.date(2020, 12, 31)),
                                    weight=rng.uniform(0.3, 1.2), min_size=3, mix=dict(MIX_AGENCY)))
        for k, n_children in enumerate(children):
            name, sector, cell_names = COMMITTEES[k % len(COMMITTEES)]
            code = next_code()
            c.cells.append(CellPlan(code=code, name=f"{name} {word} {place}", kind=K.GRASSROOTS_COMMITTEE,
                                    sector=sector, valid_from=COMMUNE_START, min_size=0, mix=dict(MIX_AGENCY)))
            for m in range(n_children):
                c.cells.append(CellPlan(code=f"{code}-{m + 1}", name=cell_names[m % len(cell_names)], kind=K.CELL,
                                        sector=sector, parent_code=code, valid_from=COMMUNE_START,
                                        weight=rng.uniform(0.4, 1.0), min_size=3, mix=dict(MIX_AGENCY)))


class Command(BaseCommand):
    help = "Build a synthetic province (code SYN) for load tests: --members N --communes M --seed S."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=150_000, help="number of members (default 150000)")
        parser.add_argument("--communes", type=int, default=135, help="number of communes/wards (default 135)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--chunk", type=int, default=10_000, help="members per bulk insert (default 10000)")

    def handle(self, *args: Any, **options: Any) -> None:
        n_members, n_communes, seed = options["members"], options["communes"], options["seed"]
        if Organisation.objects.filter(code=PROVINCE_CODE).exists():
            raise CommandError(_("The synthetic province %(code)s already exists in this database. "
                                 "Build it in an empty database (set CHIBO_DATA_DIR or DATABASE_URL).")
                               % {"code": PROVINCE_CODE})
        if n_communes < 1 or n_communes > 999:
            raise CommandError(_("--communes must be between 1 and 999."))
        if n_members < 10 * n_communes:
            raise CommandError(_("--members must be at least 10 per commune (%(n)s here).") % {"n": 10 * n_communes})
        started = time.monotonic()
        password = demo_password()
        day = today()
        rng = random.Random(seed)
        people = People(rng, day, serial_base=500_000, card_prefix="99")
        builder = Builder(rng=rng, today=day, people=people, chunk=max(1000, options["chunk"]))
        plan = Plan(rng, n_members, n_communes)

        def say(msg: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:6.1f} s] {msg}")
            self.stdout.flush()

        with transaction.atomic():
            communes = plan.communes()
            cells = [cell for c in communes for cell in c.cells if cell.holds_members]
            allocate(n_members, cells)
            for cell in rng.sample(cells, k=min(len(cells), n_members // 500)):
                if cell.size > 4:  # a few members here on temporary activity (not counted)
                    cell.size -= 1
                    cell.temporary += 1
            province = builder.organisations([{
                "code": PROVINCE_CODE, "name": "Đảng bộ tỉnh Thử nghiệm (dữ liệu tổng hợp)", "kind": K.PROVINCE,
                "valid_from": COMMUNE_START}])[PROVINCE_CODE]
            province_loc = builder.locality(code=PROVINCE_CODE, name="Tỉnh Thử nghiệm", kind=LK.PROVINCE,
                                            parent=None, organisation=province)
            builder.commune_tree(province, province_loc, communes)
            n_orgs = Organisation.objects.subtree(province).count()
            say(_("%(orgs)s organisations (%(cells)s cells) and %(locs)s localities")
                % {"orgs": n_orgs, "cells": len(cells), "locs": 1 + sum(1 + len(c.villages) for c in communes)})

            for c in communes:
                residences = [v.locality for v in c.villages if v.locality is not None]
                for cell in c.cells:
                    if cell.holds_members:
                        builder.plan_members(cell, residences=residences)
            builder.insert_members(cells, total=n_members, progress=say)

            for c in communes:
                assert c.org is not None
                reset_queries()  # DEBUG keeps every statement otherwise
                for cell in c.cells:
                    if cell.holds_members:
                        builder.cell_posts(cell, decision_scope=c.code)
                for committee in (x for x in c.cells if x.kind == K.GRASSROOTS_COMMITTEE):
                    assert committee.org is not None
                    pool = [p for x in c.cells if x.parent_code == committee.code for p in x.members]
                    builder.committee_posts(committee.org, pool, start=dt.date(2025, 5, 20),
                                            decision=builder.decision(c.code, "QĐ/ĐU"), deputies=1, members=3)
                agency = [p for x in c.cells if x.holds_members and x.sector in {S.STATE_AGENCY, S.ARMED_FORCES}
                          for p in x.members]
                holders = builder.committee_posts(c.org, agency or [p for x in c.cells for p in x.members],
                                                  start=COMMUNE_START, decision=builder.decision(PROVINCE_CODE, "QĐ/TU"),
                                                  deputies=2, members=6)
                if c is communes[0] and holders:
                    builder.named["synth_xa"] = holders[-1]
            builder.flush_posts()
            first_cell = communes[0].cells[0]
            if first_cell.secretary is not None:
                builder.named["synth_bithu"] = first_cell.secretary
            with_post = set(Post.objects.filter(person_id__in=[p.person_id for p in first_cell.members])
                            .values_list("person_id", flat=True))
            plain = [p for p in first_cell.members if not p.temporary and p.person_id not in with_post]
            if plain:
                builder.named["synth_dangvien"] = plain[0]
            say(_("%(posts)s posts (%(heads)s village heads not in the party)")
                % {"posts": builder.posts, "heads": builder.non_members})

            # Each commune's congress resolution (19 targets, broken down to its grassroots
            # organisations and villages) and about five tasks per cell, in bulk.
            work_rng = random.Random(seed + 1_000_003)  # its own stream: the members above do not change
            anchors = [c.org for c in communes] + [x.org for c in communes for x in c.cells
                                                   if x.kind == K.GRASSROOTS_COMMITTEE]
            committees = committee_members(o for o in anchors if o is not None)
            plans, tasks = [], []
            for c in communes:
                more_plans, more_tasks = commune_work(
                    work_rng, c, today=day, development=work_rng.uniform(0.2, 0.9), committees=committees,
                    issued_on=random_date(work_rng, dt.date(2025, 8, 1), dt.date(2025, 8, 31)),
                    tasks_per_cell=(5, 5), cell_plans=False)
                plans += more_plans
                tasks += more_tasks
            work = bulk_write_work(plans, tasks, today=day)
            say(_("%(resolutions)s resolutions with %(targets)s targets; %(tasks)s tasks") % work)

            # Twelve months of regular meetings for each cell, with the attendance of every member.
            meetings = bulk_synth_meetings(communes, today=day, seed=seed + 2_000_003)
            say(_("%(meetings)s meetings with %(attendance)s attendance records") % meetings)

            scopes = {o.code: o for o in Organisation.objects.filter(code__in=[lg.scope for lg in LOGINS])}
            for lg in LOGINS:
                person = builder.named.get(lg.person_key) if lg.person_key else None
                if lg.person_key and person is None:
                    continue
                builder.account(lg.username, password=password, person_id=person.person_id if person else None,
                                role=lg.role, organisation=scopes.get(lg.scope),
                                full_name=person.full_name if person else "")
        say(_("committed"))
        with connection.cursor() as cursor:
            # PostgreSQL: VACUUM as autovacuum soon would, so counts can be index-only scans.
            in_tx = connection.in_atomic_block
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" and not in_tx else "ANALYZE")
            if connection.vendor == "sqlite" and not in_tx:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        say(_("ANALYZE done"))
        for province, n_communes in snapshot_all(day):  # the comparison the province home reads
            say(f"comparison of {province.code}: {n_communes} communes")
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            _("Synthetic province %(code)s built in %(s).1f s: %(members)s members, %(orgs)s organisations, "
              "%(posts)s posts.") % {"code": PROVINCE_CODE, "s": elapsed, "members": builder.members,
                                     "orgs": n_orgs, "posts": builder.posts}))
        size = _db_size()
        if size:
            self.stdout.write(_("Database file: %(mb).1f MB") % {"mb": size / 1e6})
        self.stdout.write("")
        self.stdout.write(_("Logins (synthetic data only), at %(url)s:") % {"url": SERVER_URL})
        for line in logins_table(LOGINS, password):
            self.stdout.write("  " + line)


def _db_size() -> int:
    db = settings.DATABASES["default"]
    if connection.vendor != "sqlite" or str(db["NAME"]).startswith(("file:", ":memory:")):
        return 0
    name = str(db["NAME"])
    return sum(os.path.getsize(p) for p in (name, name + "-wal") if os.path.exists(p))
