"""`chibo demo`: a realistic demo of the new Gia Lai province (after 1 July 2025), with the
four communes of the Báo Gia Lai article of 3 September 2025 (docs: seed-article.md).

The article's figures come out of `chibo indicators`: Biển Hồ 61 grassroots party
organisations and 1,189 members; Phú Thiện 69 organisations, 100% of residential cells
with a cell committee, 97.3% of village heads party members, 81.1% of cell secretaries
also village heads; Ia Mơ's làng Krông cell with 16 members and its secretary Ksor Thăng,
also the village head. Each commune has its congress resolution (lần thứ I, 2025–2030)
with 19 key targets broken down to its cells and villages, measured in 2025 and 2026; each
cell its plan and 5–10 tasks in every state (`build_work`); every cell its meetings of the past
twelve months with attendance, votes and minutes, and làng Krông's next meeting announced
and QĐ 339-QĐ/TW, CT 50-CT/TW and HD 42-HD/BTCTW in the document library, read by most members
(`demo.meetings`); candidates at every stage in làng Krông and làng Tơ Vơ, probationary members
near their 12-month date and badges due at the next occasion (`demo.recruitment`). Deterministic (fixed seed;
dates counted from today) and idempotent. Demo data only: the people are generated and
every login shares one demo password."""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.accounts.models import Role, User
from chibo.core.dates import today
from chibo.core.ethnicities import KINH
from chibo.devtools.demo.builders import (
    COMMUNE_START,
    JRAI,
    MIX_AGENCY,
    MIX_BAHNAR,
    MIX_JRAI,
    MIX_KINH,
    PASSWORD_ENV,
    SERVER_URL,
    Builder,
    CellPlan,
    CommunePlan,
    Login,
    Named,
    People,
    VillagePlan,
    allocate,
    demo_password,
    logins_table,
    random_date,
    slug,
)
from chibo.devtools.demo.meetings import build_demo_documents, build_demo_meetings
from chibo.devtools.demo.recruitment import build_demo_recruitment
from chibo.devtools.demo.work import (
    ResolutionPlan,
    TaskPlan,
    bulk_write_work,
    committee_members,
    commune_work,
    write_resolution,
    write_tasks,
)
from chibo.indicators.services import snapshot_all
from chibo.members.models import Membership, Sex
from chibo.notifications import services as notifications
from chibo.organisations.models import Locality, Organisation
from chibo.quality.services import check_communes

SEED = 20250903  # the article's date
PROVINCE_CODE = "GL"

# The communes' congresses (lần thứ I, 2025–2030), held in August 2025; how developed each
# commune is (which sizes its targets); the article's figures where it gives them.
CONGRESS = {"BH": (dt.date(2025, 8, 8), 0.85), "GAO": (dt.date(2025, 8, 12), 0.45),
            "IAMO": (dt.date(2025, 8, 20), 0.25), "PT": (dt.date(2025, 8, 14), 0.7)}
OVERRIDES: dict[str, dict[str, tuple[float, float]]] = {
    "PT": {"heads": (97.3, 100), "irrigation": (3850, 4600)},  # Ayun Hạ irrigation works
    "IAMO": {"irrigation": (1200, 3500)},  # the Ia Mơ irrigation works
}

S = Organisation.Sector
K = Organisation.Kind
LK = Locality.Kind

LOGINS = [
    Login("dangvien", "", "IAMO-KRONG", person_key="dangvien"),
    Login("bithu.krong", Role.CELL_COMMITTEE, "IAMO-KRONG", person_key="ksor_thang"),
    Login("bithu.khac", Role.CELL_COMMITTEE, "IAMO-TOVO", person_key="bithu_khac"),
    Login("vanphong.bienho", Role.COMMUNE_STAFF, "BH", person_key="vanphong_bienho"),
    Login("vanphong.gao", Role.COMMUNE_STAFF, "GAO", person_key="dao_thi_ninh"),
    Login("tinh", Role.PROVINCE_STAFF, PROVINCE_CODE),
    Login("admin", "superuser", ""),
]

# Agencies, schools and other units each commune has (code suffix, name, sector, weight).
AGENCIES = [
    ("CQD", "Chi bộ Cơ quan Đảng - Mặt trận - Đoàn thể xã {x}", S.STATE_AGENCY, 1.1),
    ("UBND", "Chi bộ Cơ quan Ủy ban nhân dân xã {x}", S.STATE_AGENCY, 1.2),
    ("TTHC", "Chi bộ Trung tâm Phục vụ hành chính công xã {x}", S.STATE_AGENCY, 0.45),
    ("CA", "Chi bộ Công an xã {x}", S.ARMED_FORCES, 0.9),
    ("QS", "Chi bộ Quân sự xã {x}", S.ARMED_FORCES, 0.5),
    ("TYT", "Chi bộ Trạm Y tế xã {x}", S.EDUCATION_HEALTH, 0.45),
]


def _named(key: str, full: str, sex: str, ethnicity: str, age: int, *roles: str) -> Named:
    words = full.split()
    if ethnicity == JRAI and len(words) == 2:
        family, middle, given = words[0], "", words[1]
    else:
        family, middle, given = words[0], " ".join(words[1:-1]), words[-1]
    return Named(key=key, family=family, middle=middle, given=given, sex=sex, ethnicity=ethnicity, age=age,
                 roles=frozenset(roles))


class Spec:
    """The four communes: villages, cells and who is named where."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def village(self, commune: str, name: str, kind: str, mix: dict[str, float]) -> VillagePlan:
        return VillagePlan(code=f"{PROVINCE_CODE}-{commune}-{slug(name)}", name=name, kind=kind, mix=mix)

    def residential(self, commune: str, v: VillagePlan, *, min_size: int = 5, min_official: int = 3,
                    weights: tuple[float, float] = (0.25, 2.2)) -> CellPlan:
        rng = self.rng
        words: dict[str, str] = {LK.NEIGHBOURHOOD: "tổ dân phố", LK.LANG: "làng", LK.PLEI: "plei", LK.BUON: "buôn"}
        kind_word = words.get(v.kind, "thôn")
        # "Chi bộ thôn 7", "Chi bộ làng Krông", "Chi bộ tổ dân phố 3"
        rest = v.name.split(" ", 3 if v.kind == LK.NEIGHBOURHOOD else 1)[-1]
        return CellPlan(
            code=f"{commune}-{slug(v.name)}", name=f"Chi bộ {kind_word} {rest}", kind=K.GRASSROOTS_CELL,
            sector=S.RESIDENTIAL, valid_from=random_date(rng, dt.date(1976, 1, 1), dt.date(2012, 12, 31)),
            weight=rng.uniform(*weights), min_size=min_size, min_official=min_official, village=v, mix=v.mix,
        )

    def unit(self, commune: str, suffix: str, name: str, sector: str, weight: float, *,
             kind: str = K.GRASSROOTS_CELL, parent_code: str = "", new: bool = False) -> CellPlan:
        rng = self.rng
        valid_from = COMMUNE_START if new else random_date(rng, dt.date(1985, 1, 1), dt.date(2018, 12, 31))
        return CellPlan(code=f"{commune}-{suffix}", name=name, kind=kind, sector=sector, valid_from=valid_from,
                        weight=weight * rng.uniform(0.8, 1.2), min_size=3 if weight < 0.5 else 4,
                        parent_code=parent_code, mix=dict(MIX_AGENCY))

    def agencies(self, commune: str, place: str, skip: frozenset[str] = frozenset()) -> list[CellPlan]:
        return [self.unit(commune, suffix, name.format(x=place), sector, w, new=suffix in {"CQD", "UBND", "TTHC"})
                for suffix, name, sector, w in AGENCIES if suffix not in skip]

    def schools(self, commune: str, names: list[tuple[str, str]]) -> list[CellPlan]:
        return [self.unit(commune, code, f"Chi bộ Trường {name}", S.EDUCATION_HEALTH, 0.55) for code, name in names]

    def head_modes(self, cells: list[CellPlan], *, exact: tuple[int, int, int] | None = None) -> None:
        """Who heads each village: the cell secretary, another member, or a non-member."""
        rng = self.rng
        free = [c for c in cells if c.village is not None and not c.head_mode]
        if exact is not None:
            modes = ["secretary"] * exact[0] + ["member"] * exact[1] + ["non_member"] * exact[2]
            if len(modes) != len(free):
                raise AssertionError("head modes do not match the residential cells")
            rng.shuffle(modes)
        else:
            modes = [rng.choices(["secretary", "member", "non_member"], weights=[72, 24, 4])[0] for _c in free]
        for c, mode in zip(free, modes, strict=True):
            c.head_mode = mode

    # --- the communes ---------------------------------------------------------------

    def bien_ho(self) -> CommunePlan:
        c = "BH"
        villages = [self.village(c, f"Thôn {n}", LK.VILLAGE, MIX_KINH) for n in range(1, 21)]
        villages += [self.village(c, f"Làng {n}", LK.LANG, MIX_JRAI) for n in [
            "Ia Nueng", "Ia Gri", "Chuet 1", "Chuet 2", "Ốp", "Kép", "Tơ Nùng", "Ia Lang", "Ia Sơ",
            "Mơ Nú", "Kơ Tu", "Plei Bông", "Đê Rơn", "Ia Kênh", "Klăh", "Grôp"]]
        cells = [self.residential(c, v) for v in villages]  # 36
        t07 = next(x for x in cells if x.code == "BH-T07")
        t07.named.append(_named("ngo_duc_phuong", "Ngô Đức Phương", Sex.MALE, KINH, 47, "committee_member", "head"))
        t07.head_mode, t07.min_size, t07.min_official = "member", 14, 9
        cells += self.agencies(c, "Biển Hồ")  # 6
        cells += self.schools(c, [("MNHS", "Mầm non Hoa Sen"), ("MNHM", "Mầm non Họa Mi"), ("MNSC", "Mầm non Sơn Ca"),
                                  ("THLL", "Tiểu học Lê Lợi"), ("THND", "Tiểu học Nguyễn Du"),
                                  ("THKD", "Tiểu học Kim Đồng"), ("THVTS", "Tiểu học Võ Thị Sáu"),
                                  ("THCSN", "Tiểu học và THCS Anh hùng Núp"), ("THCSTP", "THCS Trần Phú"),
                                  ("THCSCVA", "THCS Chu Văn An"), ("THCSNVX", "THCS Nguyễn Viết Xuân")])  # 11
        cells.append(self.unit(c, "CHE", "Đảng bộ Công ty Cổ phần Chè Biển Hồ", S.ENTERPRISE, 0, kind=K.GRASSROOTS_COMMITTEE))
        cells += [self.unit(c, f"CHE-{s}", n, S.ENTERPRISE, 0.7, kind=K.CELL, parent_code="BH-CHE") for s, n in [
            ("NT1", "Chi bộ Nông trường Chè 1"), ("NT2", "Chi bộ Nông trường Chè 2"), ("VP", "Chi bộ Văn phòng Công ty")]]
        cells += [self.unit(c, s, n, sector, w) for s, n, sector, w in [
            ("NMN", "Chi bộ Nhà máy nước Biển Hồ", S.ENTERPRISE, 0.6),
            ("HTX", "Chi bộ Hợp tác xã Nông nghiệp Biển Hồ", S.ENTERPRISE, 0.4),
            ("QTD", "Chi bộ Quỹ Tín dụng nhân dân Biển Hồ", S.ENTERPRISE, 0.35),
            ("RPH", "Chi bộ Ban Quản lý rừng phòng hộ Biển Hồ", S.STATE_AGENCY, 0.45),
            ("DL", "Chi bộ Ban Quản lý Khu du lịch Biển Hồ", S.OTHER, 0.35),
            ("BD", "Chi bộ Bưu điện văn hóa xã Biển Hồ", S.ENTERPRISE, 0.3),
            ("DL2", "Chi bộ Điện lực Biển Hồ", S.ENTERPRISE, 0.4)]]  # 1 + 7
        cqd = next(x for x in cells if x.code == "BH-CQD")
        cqd.named.append(_named("nay_kien", "Nay Kiên", Sex.MALE, JRAI, 51))
        next(x for x in cells if x.code == "BH-T03").temporary = 1
        next(x for x in cells if x.code == "BH-NMN").temporary = 1
        self.head_modes(cells)
        allocate(1189, cells)
        return CommunePlan(code=c, name="Đảng bộ xã Biển Hồ", place="Xã Biển Hồ", locality_code=f"{PROVINCE_CODE}-{c}",
                           villages=villages, cells=cells, secretary_key="nay_kien")

    def phu_thien(self) -> CommunePlan:
        c = "PT"
        villages = [self.village(c, f"Tổ dân phố {n}", LK.NEIGHBOURHOOD, MIX_KINH) for n in range(1, 10)]
        villages += [self.village(c, f"Thôn {n}", LK.VILLAGE, MIX_KINH) for n in [
            "Thắng Lợi", "Hòa Bình", "Đoàn Kết", "Tân Phú", "Thống Nhất", "Phú Sơn", "Phú Lộc",
            "Quyết Thắng", "Đồng Tâm", "Kim Tân"]]
        villages += [self.village(c, f"Plei {n}", LK.PLEI, MIX_JRAI) for n in [
            "Ơi", "Thơ Ga", "Kte Lớn", "Kte Nhỏ", "Djrăng", "Kdam", "Đing", "Hrai", "Rbai"]]
        villages += [self.village(c, f"Buôn {n}", LK.BUON, MIX_JRAI) for n in [
            "Chư Ba", "Ma Leo", "Bang", "Ia Hiao", "Tơ Khế", "Sô Ma Hang", "Ia Sol", "Chư Krei", "Ia Peng"]]
        # Every residential cell here has a cell committee: at least 9 official members.
        cells = [self.residential(c, v, min_size=12, min_official=9, weights=(0.8, 2.2)) for v in villages]  # 37
        cells += self.agencies(c, "Phú Thiện", skip=frozenset({"UBND"}))  # 5
        cells.append(self.unit(c, "UBND", "Đảng bộ Cơ quan Ủy ban nhân dân xã Phú Thiện", S.STATE_AGENCY, 0,
                               kind=K.GRASSROOTS_COMMITTEE, new=True))
        cells += [self.unit(c, f"UBND-{s}", n, S.STATE_AGENCY, 0.5, kind=K.CELL, parent_code="PT-UBND", new=True)
                  for s, n in [("VP", "Chi bộ Văn phòng HĐND và UBND"), ("KT", "Chi bộ Phòng Kinh tế"),
                               ("VHXH", "Chi bộ Phòng Văn hóa - Xã hội"), ("TCKT", "Chi bộ Bộ phận Tài chính - Kế toán")]]
        cells.append(self.unit(c, "TTYT", "Đảng bộ Trung tâm Y tế khu vực Phú Thiện", S.EDUCATION_HEALTH, 0,
                               kind=K.GRASSROOTS_COMMITTEE))
        cells += [self.unit(c, f"TTYT-{s}", n, S.EDUCATION_HEALTH, 0.6, kind=K.CELL, parent_code="PT-TTYT")
                  for s, n in [("KB", "Chi bộ Khoa Khám bệnh"), ("NOI", "Chi bộ Khoa Nội - Nhi"),
                               ("YTDP", "Chi bộ Khoa Kiểm soát bệnh tật")]]
        cells += self.schools(c, [
            ("MNHH", "Mầm non Hoa Hồng"), ("MNVK", "Mầm non Vành Khuyên"), ("MNTT", "Mầm non Tuổi Thơ"),
            ("MNAD", "Mầm non Ánh Dương"), ("THQT", "Tiểu học Quang Trung"), ("THLTT", "Tiểu học Lý Tự Trọng"),
            ("THNH", "Tiểu học Ngô Mây"), ("THKK", "Tiểu học Kpă Klơng"), ("THHHT", "Tiểu học Hà Huy Tập"),
            ("THCSLQD", "THCS Lê Quý Đôn"), ("THCSPBC", "THCS Phan Bội Châu"), ("THCSNBK", "THCS Nguyễn Bỉnh Khiêm"),
            ("THCSCVA", "THCS Chu Văn An"), ("THPTPT", "THPT Phú Thiện"), ("THPTNTH", "THPT Nguyễn Thái Học"),
            ("DTNT", "Phổ thông Dân tộc nội trú THCS Phú Thiện")])  # 16
        cells += [self.unit(c, s, n, sector, w) for s, n, sector, w in [
            ("TLAH", "Chi bộ Xí nghiệp Khai thác công trình thủy lợi Ayun Hạ", S.ENTERPRISE, 0.7),
            ("HTX", "Chi bộ Hợp tác xã Nông nghiệp Phú Thiện", S.ENTERPRISE, 0.35),
            ("QTD", "Chi bộ Quỹ Tín dụng nhân dân Phú Thiện", S.ENTERPRISE, 0.35),
            ("NHCS", "Chi bộ Ngân hàng Chính sách xã hội, Phòng giao dịch Phú Thiện", S.STATE_AGENCY, 0.4),
            ("KB", "Chi bộ Kho bạc Nhà nước khu vực Phú Thiện", S.STATE_AGENCY, 0.35),
            ("DL", "Chi bộ Điện lực Phú Thiện", S.ENTERPRISE, 0.5),
            ("BD", "Chi bộ Bưu điện văn hóa xã Phú Thiện", S.ENTERPRISE, 0.3),
            ("KL", "Chi bộ Hạt Kiểm lâm Phú Thiện", S.STATE_AGENCY, 0.4),
            ("RPH", "Chi bộ Ban Quản lý rừng phòng hộ Ayun Pa", S.STATE_AGENCY, 0.4)]]  # 9
        next(x for x in cells if x.code == "PT-CQD").named.append(
            _named("vu_hong_duy", "Vũ Hồng Duy", Sex.MALE, KINH, 50))
        next(x for x in cells if x.code == "PT-TLAH").temporary = 1
        # 37 residential cells: 30 secretaries are the village head (81.1%), 6 heads are
        # other members, 1 is not a party member (36/37 = 97.3%).
        self.head_modes(cells, exact=(30, 6, 1))
        allocate(1342, cells)
        return CommunePlan(code=c, name="Đảng bộ xã Phú Thiện", place="Xã Phú Thiện", locality_code=f"{PROVINCE_CODE}-{c}",
                           villages=villages, cells=cells, secretary_key="vu_hong_duy")

    def gao(self) -> CommunePlan:
        c = "GAO"
        villages = [self.village(c, f"Làng {n}", LK.LANG, MIX_JRAI) for n in [
            "Gào", "Bông Phun", "Lang", "Ia Băng", "Chư Krối", "Kte", "Ia Tơ", "Pơ Yám", "Ia Lâm",
            "Dơ Ko", "Mun", "Tai Pêr", "Ia Grêl", "Hrach"]]
        villages += [self.village(c, f"Làng {n}", LK.LANG, MIX_BAHNAR) for n in ["Kon Dơng", "Đê Kjiêng"]]
        villages += [self.village(c, f"Thôn {n}", LK.VILLAGE, MIX_KINH) for n in range(1, 5)]
        cells = [self.residential(c, v) for v in villages]  # 20
        cells += self.agencies(c, "Gào")  # 6
        cells += self.schools(c, [("MNHM", "Mầm non Họa Mi"), ("THG", "Tiểu học Gào"),
                                  ("THCSG", "THCS Nguyễn Văn Trỗi")])  # 3
        cells.append(self.unit(c, "HTX", "Chi bộ Hợp tác xã Dịch vụ nông nghiệp Gào", S.ENTERPRISE, 0.35))
        cqd = next(x for x in cells if x.code == "GAO-CQD")
        cqd.named.append(_named("dao_thi_ninh", "Đào Thị Ninh", Sex.FEMALE, KINH, 41))
        next(x for x in cells if x.code == "GAO-THG").temporary = 1
        self.head_modes(cells)
        allocate(726, cells)
        return CommunePlan(code=c, name="Đảng bộ xã Gào", place="Xã Gào", locality_code=f"{PROVINCE_CODE}-{c}",
                           villages=villages, cells=cells, committee_keys=["dao_thi_ninh"])

    def ia_mo(self) -> CommunePlan:
        c = "IAMO"
        villages = [self.village(c, f"Làng {n}", LK.LANG, MIX_JRAI) for n in [
            "Krông", "Tơ Vơ", "Dơ", "Bi", "Kdăm", "Ia Mơ", "Tao Kó", "Klăh", "Phun", "Ia Púch", "Ia Lâu", "Hrang"]]
        villages += [self.village(c, f"Thôn {n}", LK.VILLAGE, MIX_KINH) for n in ["Ia Mơ Nông", "Đồng Tâm"]]
        cells = [self.residential(c, v) for v in villages]  # 14
        krong = cells[0]
        assert krong.code == "IAMO-KRONG"
        krong.size, krong.min_official, krong.head_mode = 16, 9, "secretary"
        krong.named.append(_named("ksor_thang", "Ksor Thăng", Sex.MALE, JRAI, 54, "secretary", "head"))
        cells[1].head_mode = "secretary"  # làng Tơ Vơ: its secretary signs in as bithu.khac
        cells[1].min_size = 8
        cells += self.agencies(c, "Ia Mơ", skip=frozenset({"TTHC"}))  # 5
        cells += self.schools(c, [("MN", "Mầm non Ia Mơ"), ("THCS", "Tiểu học và THCS Ia Mơ")])  # 2
        cells.append(self.unit(c, "TL", "Chi bộ Ban Quản lý công trình thủy lợi Ia Mơ", S.STATE_AGENCY, 0.5))
        next(x for x in cells if x.code == "IAMO-CA").temporary = 1
        self.head_modes(cells)
        allocate(548, cells)
        return CommunePlan(code=c, name="Đảng bộ xã Ia Mơ", place="Xã Ia Mơ", locality_code=f"{PROVINCE_CODE}-{c}",
                           villages=villages, cells=cells)


def build(*, today_: dt.date, password: str) -> dict[str, int]:
    rng = random.Random(SEED)
    people = People(rng, today_, serial_base=0, card_prefix="64")
    builder = Builder(rng=rng, today=today_, people=people)
    spec = Spec(rng)
    people.reserved.update({"Ngô Đức Phương", "Đào Thị Ninh", "Ksor Thăng", "Nay Kiên", "Vũ Hồng Duy"})
    communes = [spec.bien_ho(), spec.gao(), spec.ia_mo(), spec.phu_thien()]

    province = builder.organisations([{"code": PROVINCE_CODE, "name": "Đảng bộ tỉnh Gia Lai", "kind": K.PROVINCE,
                                       "valid_from": COMMUNE_START}])[PROVINCE_CODE]
    province_loc = builder.locality(code=PROVINCE_CODE, name="Tỉnh Gia Lai", kind=LK.PROVINCE, parent=None,
                                    organisation=province)
    builder.commune_tree(province, province_loc, communes)

    for commune in communes:
        residences = [v.locality for v in commune.villages if v.locality is not None]
        for cell in commune.cells:
            if cell.holds_members:
                builder.plan_members(cell, residences=residences)
    builder.insert_members(cell for commune in communes for cell in commune.cells if cell.holds_members)

    for commune in communes:
        assert commune.org is not None
        for cell in commune.cells:
            if cell.holds_members:
                builder.cell_posts(cell, decision_scope=commune.code)
        by_code = {cell.code: cell for cell in commune.cells}
        for committee in (cell for cell in commune.cells if cell.kind == K.GRASSROOTS_COMMITTEE):
            assert committee.org is not None
            pool = [p for cell in commune.cells if cell.parent_code == committee.code for p in cell.members]
            builder.committee_posts(committee.org, pool, start=random_date(rng, dt.date(2025, 5, 5), dt.date(2025, 6, 20)),
                                    decision=builder.decision(commune.code, "QĐ/ĐU"), deputies=1, members=3)
        agency_pool = [p for cell in commune.cells if cell.sector in {S.STATE_AGENCY, S.ARMED_FORCES}
                       and cell.holds_members for p in cell.members]
        builder.committee_posts(
            commune.org, agency_pool, start=COMMUNE_START, decision=builder.decision("GL", "QĐ/TU"),
            secretary=builder.named.get(commune.secretary_key), deputies=2, members=7,
            extra_members=[builder.named[k] for k in commune.committee_keys])
        # Accounts' people
        if commune.code == "BH":
            staff = [p for p in by_code["BH-CQD"].members if not p.key and p.can_hold_post()]
            builder.named["vanphong_bienho"] = staff[0]
        if commune.code == "IAMO":
            krong = by_code["IAMO-KRONG"]
            plain = [p for p in krong.members if p not in krong.post_holders and not p.temporary]
            builder.named["dangvien"] = plain[0]
            other = next(c for c in commune.cells if c.code == "IAMO-TOVO")
            assert other.secretary is not None
            builder.named["bithu_khac"] = other.secretary

    builder.flush_posts()
    orgs_by_code = {o.code: o for o in Organisation.objects.filter(code__in=[lg.scope for lg in LOGINS if lg.scope])}
    accounts = 0
    for lg in LOGINS:
        person = builder.named.get(lg.person_key) if lg.person_key else None
        role = lg.role if lg.role != "superuser" else ""
        accounts += builder.account(
            lg.username, password=password, person_id=person.person_id if person else None,
            superuser=lg.role == "superuser", role=role, organisation=orgs_by_code.get(lg.scope) if role else None,
            full_name=person.full_name if person else "")
    work = build_work(communes, today_=today_, dangvien=builder.named["dangvien"].person_id)
    meetings = build_demo_meetings(communes, today=today_, seed=SEED + 5)  # its own stream
    users = {u.username: u for u in User.objects.filter(username__in=["dangvien", "bithu.krong"])}
    documents = build_demo_documents(communes, province=province, today=today_, seed=SEED + 6, readers=[
        (users["dangvien"], ["339-QĐ/TW"]), (users["bithu.krong"], ["339-QĐ/TW", "50-CT/TW", "42-HD/BTCTW"])])
    recruitment = build_demo_recruitment(communes, today=today_)  # candidates, probation ends, badges
    notifications.send_daily(day=today_)  # today's reminders, as the daily pass would write them
    return {"organisations": Organisation.objects.subtree(province).count(),
            "localities": 1 + sum(1 + len(c.villages) for c in communes),
            "members": Membership.objects.filter(province=province, current=True).count(), "posts": builder.posts, "non_members": builder.non_members,
            "accounts": accounts, **work, **meetings, **documents, **recruitment}


def build_work(communes: list[CommunePlan], *, today_: dt.date, dangvien: int | None) -> dict[str, int]:
    """Each commune's congress resolution with its 19 targets, each cell's plan, and 5–10
    tasks per cell in every state. Ia Mơ's resolution and the plans and tasks of the two cells
    with logins go through the services (every check and audit row of a real user's writes);
    the rest, the same kind of data, through the bulk writer, which keeps `chibo demo` fast.
    Làng Krông: the member login leads a task due within three days, an overdue one and one
    done; the secretary has one to verify (the article: 2–3 new members in 2025–2027)."""
    rng = random.Random(SEED + 4)  # its own stream: the members above do not change
    anchors = [c.org for c in communes] + [x.org for c in communes for x in c.cells if x.kind == K.GRASSROOTS_COMMITTEE]
    committees = committee_members(o for o in anchors if o is not None)
    krong = next(x for c in communes for x in c.cells if x.code == "IAMO-KRONG")
    other = next(p.person_id for p in krong.members
                 if p.person_id not in (dangvien, krong.secretary.person_id if krong.secretary else None)
                 and not p.temporary)
    forced: dict[str, list[tuple[str, int | None]]] = {"IAMO-KRONG": [
        ("due_soon", dangvien), ("overdue", dangvien), ("on_time", dangvien), ("submitted", other)]}
    plans: list[ResolutionPlan] = []
    tasks: list[TaskPlan] = []
    for commune in communes:
        held_on, development = CONGRESS[commune.code]
        more_plans, more_tasks = commune_work(
            rng, commune, today=today_, development=development, committees=committees, issued_on=held_on,
            overrides=OVERRIDES.get(commune.code), shares={"IAMO-KRONG": 3}, forced=forced,
            tasks_per_cell=(10, 10) if commune.code == "IAMO" else (5, 10),
            notes={"IAMO-KRONG": "Chú trọng lực lượng trẻ; công tác tạo nguồn còn khó khăn"})
        plans += more_plans
        tasks += more_tasks
    by_services = {"IAMO", "IAMO-KRONG", "IAMO-TOVO"}
    targets = sum(write_resolution(p) for p in plans if p.organisation.code in by_services)
    bulk = bulk_write_work([p for p in plans if p.organisation.code not in by_services],
                           [t for t in tasks if t.organisation.code not in by_services], today=today_)
    written = write_tasks([t for t in tasks if t.organisation.code in by_services], today=today_)
    return {"resolutions": len(plans), "targets": targets + bulk["targets"], "tasks": written + bulk["tasks"]}


class Command(BaseCommand):
    help = "Build the demo data (new Gia Lai province, four communes of the 2025 article). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        password = demo_password()
        if Organisation.objects.filter(code=PROVINCE_CODE).exists():
            self.stdout.write(_("The demo data already exist (organisation %(code)s): nothing was changed.")
                              % {"code": PROVINCE_CODE})
            self._logins(password, existing=True)
            return
        started = time.monotonic()
        with transaction.atomic():
            counts = build(today_=today(), password=password)
        snapshot_all(today())  # the comparison the province home reads
        check_communes(today())  # and the data-health score each commune home shows
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            _("Demo built in %(s).1f s: %(orgs)s organisations, %(locs)s localities, %(members)s members, "
              "%(posts)s posts, %(accounts)s accounts.") % {
                "s": elapsed, "orgs": counts["organisations"], "locs": counts["localities"],
                "members": counts["members"], "posts": counts["posts"], "accounts": counts["accounts"]}))
        self.stdout.write(_("Plans: %(resolutions)s resolutions and plans with %(targets)s targets; %(tasks)s tasks.")
                          % {"resolutions": counts["resolutions"], "targets": counts["targets"],
                             "tasks": counts["tasks"]})
        self.stdout.write(_("Meetings: %(held)s held in the past twelve months, with %(attendance)s attendance "
                            "records; %(announced)s announced.") % {
            "held": counts["meetings_held"], "attendance": counts["attendance"],
            "announced": counts["meetings_announced"]})
        self.stdout.write(_("Documents: %(documents)s in the library, %(receipts)s read receipts.") % {
            "documents": counts["documents"], "receipts": counts["receipts"]})
        self._logins(password, existing=False)

    def _logins(self, password: str, *, existing: bool) -> None:
        self.stdout.write("")
        self.stdout.write(_("Demo logins (demo data only — never use these on real data), at %(url)s:")
                          % {"url": SERVER_URL})
        for line in logins_table(LOGINS, password):
            self.stdout.write("  " + line)
        if existing:
            self.stdout.write(_("Passwords are those set when the demo was built (%(env)s or the default).")
                              % {"env": PASSWORD_ENV})
        else:
            self.stdout.write(_("Set %(env)s before `chibo demo` to choose another demo password.") % {"env": PASSWORD_ENV})
        from chibo.accounts.twostep import required_roles

        if required_roles():
            self.stdout.write(_("Two-step sign-in is required for %(roles)s (CHIBO_REQUIRE_2FA_FOR): those logins "
                                "set it up with an authenticator app when they first sign in. scripts/run-demo serves "
                                "the demo with CHIBO_REQUIRE_2FA_FOR empty, so that nobody must.")
                              % {"roles": ", ".join(sorted(required_roles()))})
