"""Shared machinery of `chibo demo` and `chibo synth`: deterministic generators of
Vietnamese, Jrai and Bahnar people, and a Builder that writes organisations, localities,
members, posts and accounts through the services (audit rows and the member rollup are
kept), as the system actor (actor=None).

Everything random comes from one `random.Random(seed)`, so a build is repeatable for a
given seed and date. All of this is demo / test data: the names are drawn from common
name lists and the places are illustrative, not a register of real people."""

from __future__ import annotations

import datetime as dt
import os
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import reset_queries
from django.utils.translation import gettext as _

from chibo.accounts import services as account_services
from chibo.accounts.models import Role, User
from chibo.core.dates import add_months, add_years
from chibo.core.ethnicities import KINH
from chibo.core.text import fold, nfc
from chibo.members import services as member_services
from chibo.members.models import Education, Person, PoliticalTheory, Post, Religion, Sex, Status
from chibo.organisations import services as org_services
from chibo.organisations.models import Locality, Organisation

# --- Demo password --------------------------------------------------------------------

PASSWORD_ENV = "CHIBO_DEMO_PASSWORD"
# Demo data only: every demo/synthetic login gets this password. Never load demo data
# into an instance that holds real records.
DEFAULT_PASSWORD = "chibo-demo-2026"
SERVER_URL = "http://127.0.0.1:8000/"


def demo_password() -> str:
    return os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD


# --- Name lists -------------------------------------------------------------------------

JRAI = "10"
BAHNAR = "13"

KINH_FAMILY: list[tuple[str, int]] = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 3), ("Phan", 4),
    ("Vũ", 4), ("Võ", 4), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2), ("Dương", 1),
    ("Lý", 1), ("Đào", 1), ("Đinh", 1), ("Trương", 1), ("Lương", 1), ("Mai", 1), ("Tạ", 1),
]
KINH_MIDDLE_M = ["Văn", "Văn", "Văn", "Đức", "Hữu", "Minh", "Quang", "Thanh", "Ngọc", "Công", "Xuân",
                 "Hồng", "Trọng", "Đình", "Quốc", "Anh", "Tấn", "Bá", "Duy", "Thế"]
KINH_MIDDLE_F = ["Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Kim", "Mai", "Thùy",
                 "Phương", "Bích", "Minh", "Hoài", "Diệu"]
KINH_GIVEN_M = ["Hùng", "Dũng", "Tuấn", "Minh", "Hải", "Nam", "Sơn", "Thắng", "Long", "Quân", "Phương",
                "Bình", "Cường", "Hưng", "Toàn", "Tài", "Khánh", "Lâm", "Phúc", "Trung", "Việt", "Hiếu",
                "Duy", "Tâm", "Thành", "Vinh", "Lộc", "Đạt", "Hòa", "Nghĩa", "Quang", "Thịnh", "Tùng",
                "Kiên", "Hoàng", "Huy", "Thanh", "Tú", "Chiến", "Đông", "Sang", "Tiến", "Lợi", "Thái"]
KINH_GIVEN_F = ["Lan", "Hương", "Hoa", "Mai", "Hằng", "Thảo", "Ngọc", "Trang", "Linh", "Nhung", "Hạnh",
                "Thủy", "Loan", "Hà", "Yến", "Vân", "Nga", "Phượng", "Dung", "Ninh", "Huyền", "Oanh",
                "Liên", "Tuyết", "Hiền", "Thu", "Nhàn", "Lệ", "Quyên", "Trinh", "Diễm", "Thơm", "Xuân"]
JRAI_FAMILY: list[tuple[str, int]] = [
    ("Ksor", 14), ("Rơ Châm", 10), ("Nay", 12), ("Siu", 14), ("Rah Lan", 8), ("Kpă", 8), ("Puih", 8),
    ("Rơ Mah", 10), ("Rơ Lan", 6), ("Rơ Ô", 4), ("Hiao", 2), ("Kpuih", 3), ("Rơ Com", 3),
]
JRAI_GIVEN_M = ["Thăng", "Kiên", "Blik", "Hyưn", "Tuyn", "Phai", "Bình", "Chung", "Nhớ", "Thuyên",
                "Dương", "Phước", "Blin", "Hoan", "Thoan", "Lơk", "Hlup", "Khen", "Jứ", "Hiếu", "Byơk",
                "Kuin", "Yin", "Nghim", "Krin", "Pơl", "Dớt", "Đoan", "Tuất", "Sang", "Ƀlan", "Hiam",
                "Thơ", "Ngưm", "Hmar", "Djuh", "Thuần", "Khang", "Luân", "Đức"]
JRAI_GIVEN_F = ["H'Nhi", "H'Yên", "H'Bia", "H'Ler", "H'Uyên", "H'Lan", "H'Dơng", "H'Mai", "H'Juin",
                "H'Thu", "H'Lai", "H'Prăk", "H'Ngưm", "H'Ly", "Nhi", "Hồng", "Thuý", "Hyang", "Blơi",
                "Dliê", "Hnem", "Ngoan", "Phin", "Thanh", "Hạnh", "Dương", "Loan", "Nhung"]
BAHNAR_GIVEN_M = ["Hmun", "Blao", "Hlin", "Nhun", "Phúc", "Khoa", "Thuyết", "Ngư", "Dớt", "Hyơn",
                  "Rơng", "Gương", "Bưi", "Thoi", "Kui", "Jơr", "Nhứt", "Pyin", "Tơ", "Dũng"]
BAHNAR_GIVEN_F = ["Ngâm", "Hnhí", "Plin", "Bul", "Drui", "Yơr", "Lương", "Nhi", "Hiên", "Blúi",
                  "Hlem", "Mlô", "Pơn", "Nga", "Thu"]

# Mobile number prefixes in use in Viet Nam.
PHONE_PREFIXES = ["086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039",
                  "088", "091", "094", "081", "082", "083", "084", "085", "070", "076", "077", "078",
                  "079", "089", "090", "093", "056", "058"]

# Age bands (lower, upper inclusive, weight) for members of rural party cells.
AGE_WEIGHTS = [(20, 29, 10), (30, 39, 22), (40, 49, 22), (50, 59, 20), (60, 69, 14), (70, 85, 12)]

# Ethnic mixes: ethnicity code -> weight.
MIX_KINH = {KINH: 0.92, JRAI: 0.06, BAHNAR: 0.02}
MIX_JRAI = {JRAI: 0.86, KINH: 0.12, BAHNAR: 0.02}
MIX_BAHNAR = {BAHNAR: 0.85, KINH: 0.10, JRAI: 0.05}
MIX_AGENCY = {KINH: 0.64, JRAI: 0.30, BAHNAR: 0.06}

CELL_TERM_START = dt.date(2025, 4, 1)   # cell congresses for the 2025–2027 term
COMMUNE_START = dt.date(2025, 7, 1)     # the two-level local government (NQ 60-NQ/TW)
POST_ELIGIBLE_BEFORE = dt.date(2025, 3, 31)


def weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    total = sum(w for _v, w in pairs)
    x = rng.random() * total
    for value, weight in pairs:
        x -= weight
        if x < 0:
            return value
    return pairs[-1][0]


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


# --- Planned people --------------------------------------------------------------------

@dataclass
class Named:
    """A named person placed in a cell: names as in the article, and their roles there."""

    key: str
    family: str
    middle: str
    given: str
    sex: str
    ethnicity: str
    age: int
    roles: frozenset[str] = frozenset()  # secretary, deputy, committee_member, head


@dataclass(eq=False, slots=True)
class Planned:
    """A member to insert, kept small: its person id is filled after the insert."""

    cid: str
    family: str
    middle: str
    given: str
    sex: str
    age: int
    ethnicity: str
    status: str
    birth: dt.date
    admission: dt.date
    official: dt.date | None
    exempt: bool
    temporary: bool
    residence_id: int | None
    roles: frozenset[str] = frozenset()
    key: str = ""
    person_id: int | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family, self.middle, self.given) if p)

    def person(self) -> Person:
        """A Person with its primary key, enough for the post services."""
        return Person(pk=self.person_id, family_name=self.family, middle_name=self.middle,
                      given_name=self.given, residence_id=self.residence_id, sex=self.sex)

    def can_hold_post(self, on: dt.date = POST_ELIGIBLE_BEFORE) -> bool:
        return (self.status == Status.OFFICIAL and not self.exempt and not self.temporary
                and self.official is not None and self.official <= on and 24 <= self.age <= 68)


class People:
    """Deterministic people: names, birth dates, IDs, cards and phones.

    Citizen IDs follow the 12-digit layout (province of birth, century/sex digit, year of
    birth, serial); serials start at `serial_base` so the demo and the synthetic data
    never collide. Card numbers carry `card_prefix`."""

    def __init__(self, rng: random.Random, today: dt.date, *, serial_base: int = 0,
                 card_prefix: str = "64", birth_provinces: Sequence[tuple[str, float]] = (("064", 0.8), ("052", 0.12), ("040", 0.04), ("034", 0.04))):
        self.rng = rng
        self.today = today
        self.serial_base = serial_base
        self.card_prefix = card_prefix
        self.birth_provinces = list(birth_provinces)
        self._serials: Counter[str] = Counter()
        self._cards = 0
        # Full names kept for named people: generated people never get them.
        self.reserved: set[str] = set()

    # names
    def name(self, sex: str, ethnicity: str) -> tuple[str, str, str]:
        rng = self.rng
        female = sex == Sex.FEMALE
        if ethnicity == JRAI:
            family = weighted(rng, JRAI_FAMILY)
            given = rng.choice(JRAI_GIVEN_F if female else JRAI_GIVEN_M)
            middle = "Thị" if female and not given.startswith("H'") and rng.random() < 0.3 else ""
            return family, middle, given
        if ethnicity == BAHNAR:
            given = rng.choice(BAHNAR_GIVEN_F if female else BAHNAR_GIVEN_M)
            middle = ("Thị" if female else "Văn") if rng.random() < 0.45 else ""
            return "Đinh", middle, given
        family = weighted(rng, KINH_FAMILY)
        middle = rng.choice(KINH_MIDDLE_F if female else KINH_MIDDLE_M)
        given = rng.choice(KINH_GIVEN_F if female else KINH_GIVEN_M)
        return family, middle, given

    def ethnicity(self, mix: dict[str, float]) -> str:
        return str(weighted(self.rng, list(mix.items())))

    def age(self, probationary: bool) -> int:
        if probationary:  # new members: mostly young (the article's "lực lượng trẻ")
            return self.rng.choice([20, 21, 22, 23, 24, 25, 25, 26, 27, 28, 29, 30, 31, 32, 34, 36, 38, 41])
        lo, hi, _w = weighted(self.rng, [((lo, hi, w), w) for lo, hi, w in AGE_WEIGHTS])
        return self.rng.randint(lo, hi)

    def birth(self, age: int) -> dt.date:
        """A birth date giving exactly `age` full years today."""
        latest = add_years(self.today, -age)
        return latest - dt.timedelta(days=self.rng.randint(0, 364))

    def citizen_id(self, birth: dt.date, sex: str) -> str:
        province = weighted(self.rng, self.birth_provinces)
        century = (0 if birth.year < 2000 else 2) + (1 if sex == Sex.FEMALE else 0)
        prefix = f"{province}{century}{birth.year % 100:02d}"
        k = self._serials[prefix]
        self._serials[prefix] += 1
        serial = self.serial_base + k * 7 + self.rng.randint(0, 6)
        if serial >= 1_000_000:
            raise OverflowError("citizen ID serials exhausted; lower --members")
        return f"{prefix}{serial:06d}"

    def card(self) -> str:
        self._cards += 1
        return f"{self.card_prefix}{self._cards:07d}"

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randint(0, 9_999_999):07d}"

    def membership_dates(self, birth: dt.date, probationary: bool) -> tuple[dt.date, dt.date | None]:
        """(admission, official date): admitted at 18 or later; official 12 months on."""
        rng = self.rng
        earliest = add_years(birth, 18) + dt.timedelta(days=30)
        if probationary:
            admission = self.today - dt.timedelta(days=rng.randint(14, 350))
            return max(admission, earliest), None
        latest = add_months(self.today, -12) - dt.timedelta(days=1)
        at_age = rng.choice([19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 33, 35, 38, 42])
        admission = add_years(birth, at_age) + dt.timedelta(days=rng.randint(0, 364))
        admission = min(max(admission, earliest), latest)
        return admission, add_months(admission, 12)

    def plan(self, *, mix: dict[str, float], residence_id: int | None, probationary: bool = False,
             temporary: bool = False, named: Named | None = None) -> Planned:
        rng = self.rng
        if named is not None:
            sex, ethnicity, age = named.sex, named.ethnicity, named.age
            family, middle, given = named.family, named.middle, named.given
        else:
            age = self.age(probationary)
            # Women: about a third overall, more among the young.
            sex = Sex.FEMALE if rng.random() < (0.42 if age < 40 else 0.32 if age < 60 else 0.24) else Sex.MALE
            ethnicity = self.ethnicity(mix)
            family, middle, given = self.name(sex, ethnicity)
            while " ".join(p for p in (family, middle, given) if p) in self.reserved:
                family, middle, given = self.name(sex, ethnicity)
        birth = self.birth(age)
        admission, official = self.membership_dates(birth, probationary)
        exempt = (not probationary and named is None and age >= 70
                  and rng.random() < (0.3 if age >= 75 else 0.12) and admission <= add_years(self.today, -30))
        p = Planned(cid=self.citizen_id(birth, sex), family=nfc(family), middle=nfc(middle), given=nfc(given),
                    sex=sex, age=age, ethnicity=ethnicity,
                    status=Status.PROBATIONARY if probationary else Status.OFFICIAL, birth=birth,
                    admission=admission, official=official, exempt=exempt, temporary=temporary,
                    residence_id=residence_id)
        if named is not None:
            p.roles, p.key = named.roles, named.key
        return p

    def person_fields(self, p: Planned) -> dict[str, Any]:
        rng = self.rng
        if p.age < 35:
            education = weighted(rng, [(Education.UNIVERSITY, 4), (Education.UPPER_SECONDARY, 4), (Education.VOCATIONAL, 2)])
        elif p.age < 60:
            education = weighted(rng, [(Education.UNIVERSITY, 3), (Education.UPPER_SECONDARY, 4), (Education.VOCATIONAL, 1),
                                       (Education.LOWER_SECONDARY, 2)])
        else:
            education = weighted(rng, [(Education.UPPER_SECONDARY, 3), (Education.LOWER_SECONDARY, 4), (Education.PRIMARY, 2),
                                       (Education.UNIVERSITY, 1)])
        if p.status == Status.PROBATIONARY:
            theory = PoliticalTheory.NONE
        else:
            theory = weighted(rng, [(PoliticalTheory.ELEMENTARY, 62), (PoliticalTheory.INTERMEDIATE, 20),
                                    (PoliticalTheory.NONE, 12), (PoliticalTheory.ADVANCED, 5), (PoliticalTheory.BACHELOR, 1)])
        if p.ethnicity == KINH:
            religion = weighted(rng, [(Religion.NONE, 93), (Religion.BUDDHISM, 5), (Religion.CATHOLIC, 2)])
        else:
            religion = weighted(rng, [(Religion.NONE, 90), (Religion.PROTESTANT, 7), (Religion.CATHOLIC, 3)])
        return {
            "family_name": p.family, "middle_name": p.middle, "given_name": p.given, "sex": p.sex,
            "birth_date": p.birth, "ethnicity": p.ethnicity, "religion": religion, "citizen_id": p.cid,
            "phone": self.phone() if p.age < 75 or rng.random() < 0.5 else "",
            "education": education, "political_theory": theory,
        }

    def resident(self, *, mix: dict[str, float], residence: Locality, age_range: tuple[int, int] = (35, 62)) -> dict[str, Any]:
        """person_create data for a non-member (e.g. a village head who is not in the party)."""
        rng = self.rng
        age = rng.randint(*age_range)
        sex = Sex.MALE if rng.random() < 0.85 else Sex.FEMALE
        ethnicity = self.ethnicity(mix)
        family, middle, given = self.name(sex, ethnicity)
        while " ".join(p for p in (family, middle, given) if p) in self.reserved:
            family, middle, given = self.name(sex, ethnicity)
        birth = self.birth(age)
        return {"family_name": family, "middle_name": middle, "given_name": given, "sex": sex,
                "birth_date": birth, "ethnicity": ethnicity, "citizen_id": self.citizen_id(birth, sex),
                "phone": self.phone(), "residence": residence,
                "education": Education.UPPER_SECONDARY if age < 50 else Education.LOWER_SECONDARY}


# --- Plans ----------------------------------------------------------------------------

@dataclass(eq=False)
class VillagePlan:
    code: str
    name: str
    kind: str
    mix: dict[str, float]
    locality: Locality | None = None

    @property
    def head_kind(self) -> str:
        return Post.Kind.GROUP_HEAD if self.kind == Locality.Kind.NEIGHBOURHOOD else Post.Kind.VILLAGE_HEAD


@dataclass(eq=False)
class CellPlan:
    code: str
    name: str
    kind: str
    sector: str
    valid_from: dt.date
    parent_code: str = ""          # a grassroots committee of this plan (for chi bộ trực thuộc)
    size: int = 0                  # counted members (not temporary)
    temporary: int = 0             # extra members here on temporary activity (not counted)
    weight: float = 1.0
    min_size: int = 4
    village: VillagePlan | None = None
    mix: dict[str, float] = field(default_factory=lambda: dict(MIX_AGENCY))
    named: list[Named] = field(default_factory=list)
    head_mode: str = ""            # residential: secretary | member | non_member
    min_official: int = 3
    org: Organisation | None = None
    members: list[Planned] = field(default_factory=list)
    secretary: Planned | None = None
    committee: bool = False
    post_holders: list[Planned] = field(default_factory=list)

    @property
    def holds_members(self) -> bool:
        return self.kind in Organisation.MEMBER_KINDS


@dataclass(eq=False)
class CommunePlan:
    code: str
    name: str                      # party organisation name
    place: str                     # locality name, e.g. "Xã Biển Hồ"
    locality_code: str
    locality_kind: str = Locality.Kind.COMMUNE
    villages: list[VillagePlan] = field(default_factory=list)
    cells: list[CellPlan] = field(default_factory=list)
    org: Organisation | None = None
    locality: Locality | None = None
    secretary_key: str = ""        # a Named key for the commune secretary
    committee_keys: list[str] = field(default_factory=list)


def allocate(total: int, cells: Sequence[CellPlan]) -> None:
    """Set `size` of each member-holding cell so that they sum exactly to `total`: fixed
    sizes stay, the rest get their minimum plus a share by weight (largest remainder)."""
    free = [c for c in cells if c.holds_members and not c.size]
    fixed = sum(c.size for c in cells if c.holds_members and c.size)
    left = total - fixed - sum(c.min_size for c in free)
    if left < 0:
        raise ValueError(f"cannot place {total} members in {len(free)} cells with their minimum sizes")
    weight = sum(c.weight for c in free) or 1.0
    shares = [left * c.weight / weight for c in free]
    sizes = [int(s) for s in shares]
    order = sorted(range(len(free)), key=lambda i: shares[i] - sizes[i], reverse=True)
    for i in order[: left - sum(sizes)]:
        sizes[i] += 1
    for c, s in zip(free, sizes, strict=True):
        c.size = c.min_size + s


def slug(name: str) -> str:
    """A code part from a place name: "Thôn 7" → T07, "Làng Krông" → KRONG."""
    words = fold(name).upper().split()
    if words[:3] == ["TO", "DAN", "PHO"] and len(words) == 4 and words[3].isdigit():
        return f"TDP{int(words[3]):02d}"
    if words[:1] == ["THON"] and len(words) == 2 and words[1].isdigit():
        return f"T{int(words[1]):02d}"
    if words[:1] in (["THON"], ["LANG"], ["PLEI"], ["BUON"], ["TO"]):
        words = words[1:]
    return "".join(ch for ch in "".join(words) if ch.isalnum())[:14]


# --- Builder --------------------------------------------------------------------------

Printer = Callable[[str], None]


class Builder:
    """Writes plans through the services, as the system (actor=None)."""

    def __init__(self, *, rng: random.Random, today: dt.date, people: People, out: Printer | None = None,
                 chunk: int = 10_000):
        self.rng = rng
        self.today = today
        self.people = people
        self.out = out or (lambda _s: None)
        self.chunk = chunk
        self.named: dict[str, Planned] = {}
        self.posts = 0
        self.pending_posts: list[dict[str, Any]] = []
        self.non_members = 0
        self.members = 0
        self._decision = Counter[str]()

    # organisations and localities
    def organisations(self, rows: list[dict[str, Any]]) -> dict[str, Organisation]:
        """bulk_create_organisations, one tree level per call (parents saved first)."""
        if not rows:
            return {}
        return {o.code: o for o in org_services.bulk_create_organisations(rows, actor=None)}

    def locality(self, *, code: str, name: str, kind: str, parent: Locality | None,
                 organisation: Organisation | None) -> Locality:
        return org_services.locality_create(actor=None, code=code, name=name, kind=kind, parent=parent,
                                            organisation=organisation)

    def commune_tree(self, province: Organisation, province_loc: Locality, communes: list[CommunePlan]) -> None:
        """Commune organisations, their localities and villages, then their cells."""
        created = self.organisations([
            {"code": c.code, "name": c.name, "kind": Organisation.Kind.COMMUNE, "parent": province,
             "valid_from": COMMUNE_START, "sector": Organisation.Sector.OTHER} for c in communes])
        for c in communes:
            c.org = created[c.code]
            c.locality = self.locality(code=c.locality_code, name=c.place, kind=c.locality_kind,
                                       parent=province_loc, organisation=c.org)
            for v in c.villages:
                v.locality = self.locality(code=v.code, name=v.name, kind=v.kind, parent=c.locality,
                                           organisation=c.org)
        # Grassroots level for all communes in one call, then the chi bộ trực thuộc.
        top = [(c, cell) for c in communes for cell in c.cells if not cell.parent_code]
        made = self.organisations([self._org_row(cell, parent=c.org) for c, cell in top])
        for _c, cell in top:
            cell.org = made[cell.code]
        by_code = {cell.code: cell for _c, cell in top}
        sub = [cell for c in communes for cell in c.cells if cell.parent_code]
        made = self.organisations([self._org_row(cell, parent=by_code[cell.parent_code].org) for cell in sub])
        for cell in sub:
            cell.org = made[cell.code]

    @staticmethod
    def _org_row(cell: CellPlan, parent: Organisation | None) -> dict[str, Any]:
        return {"code": cell.code, "name": cell.name, "kind": cell.kind, "sector": cell.sector,
                "parent": parent, "valid_from": cell.valid_from,
                "locality": cell.village.locality if cell.village else None}

    # members
    def plan_members(self, cell: CellPlan, *, probationary_rate: float = 0.04,
                     residences: Sequence[Locality] = ()) -> None:
        """Fill cell.members: the named people first, then generated ones."""
        rng = self.rng
        home = cell.village.locality if cell.village else None
        generated = cell.size - len(cell.named)
        cap = max(0, cell.size - max(cell.min_official, 3))
        n_prob = min(cap, sum(rng.random() < probationary_rate for _ in range(generated)))
        for named in cell.named:
            where = home or (rng.choice(residences) if residences else None)
            p = self.people.plan(mix=cell.mix, residence_id=where.pk if where else None, named=named)
            cell.members.append(p)
            self.named[named.key] = p
        for i in range(generated):
            where = home or (rng.choice(residences) if residences else None)
            cell.members.append(self.people.plan(mix=cell.mix, residence_id=where.pk if where else None,
                                                 probationary=i < n_prob))
        for _i in range(cell.temporary):
            where = home or (rng.choice(residences) if residences else None)
            cell.members.append(self.people.plan(mix=cell.mix, residence_id=where.pk if where else None,
                                                 temporary=True))

    def state_dates(self, p: Planned) -> dict[str, dt.date]:
        """The day an exemption or a temporary activity began: an exemption from the member's
        70th birthday (or the official date, when later); a temporary activity 3 to 11 months
        ago (from the day of birth, so that it is deterministic), never before admission."""
        out = {}
        if p.exempt:
            out["exempt_since"] = min(max(add_years(p.birth, 70), p.official or p.admission), self.people.today)
        if p.temporary:
            out["temporary_since"] = max(add_months(self.people.today, -(3 + p.birth.day % 9)), p.admission)
        return out

    def insert_members(self, cells: Iterable[CellPlan], *, total: int | None = None,
                       progress: Printer | None = None) -> int:
        """bulk_create_members in chunks of `self.chunk`, then fill person ids."""
        batch: list[tuple[Planned, dict[str, Any]]] = []
        done = 0

        def flush() -> None:
            nonlocal done
            if not batch:
                return
            created = member_services.bulk_create_members([row for _p, row in batch], actor=None)
            for (p, _row), m in zip(batch, created, strict=True):
                p.person_id = m.person_id
            done += len(batch)
            batch.clear()
            reset_queries()  # with DEBUG on, the log would keep every bulk INSERT
            if progress is not None:
                progress(_("%(done)s/%(total)s members") % {"done": done, "total": total or done})

        for cell in cells:
            assert cell.org is not None
            residence_cache: dict[int | None, Locality | None] = {}
            for p in cell.members:
                if p.residence_id not in residence_cache:
                    residence_cache[p.residence_id] = (Locality(pk=p.residence_id) if p.residence_id else None)
                row = self.people.person_fields(p)
                row.update({
                    "residence": residence_cache[p.residence_id], "organisation": cell.org,
                    "status": p.status, "exempt": p.exempt, "temporary": p.temporary,
                    "admission_date": p.admission, "official_date": p.official,
                    "card_number": self.people.card() if p.status == Status.OFFICIAL else None,
                    **self.state_dates(p),
                })
                batch.append((p, row))
                if len(batch) >= self.chunk:
                    flush()
        flush()
        self.members += done
        return done

    # posts
    def decision(self, scope: str, suffix: str, sep: str = "-") -> str:
        """A plausible decision number, numbered per issuing body: 12-QĐ/ĐU, 7/QĐ-UBND."""
        self._decision[scope] += 1
        return f"{self._decision[scope]}{sep}{suffix}"

    def post(self, person: Person, kind: str, *, organisation: Organisation | None = None,
             locality: Locality | None = None, start: dt.date, decision: str = "") -> None:
        """Queue a post; flush_posts() writes the queue through the bulk service."""
        self.pending_posts.append({"person": person, "kind": kind, "organisation": organisation, "locality": locality,
                                   "start_date": start, "decision_number": nfc(decision)})
        self.posts += 1

    def flush_posts(self) -> None:
        if self.pending_posts:
            member_services.bulk_create_posts(self.pending_posts, actor=None)
            self.pending_posts = []

    def _pick(self, pool: list[Planned], taken: set[int], prefer: tuple[int, int] = (32, 60)) -> Planned | None:
        free = [p for p in pool if id(p) not in taken]
        if not free:
            return None
        best = [p for p in free if prefer[0] <= p.age <= prefer[1]] or free
        choice = self.rng.choice(best)
        taken.add(id(choice))
        return choice

    def cell_posts(self, cell: CellPlan, *, decision_scope: str) -> None:
        """Secretary always; with ≥ 9 official members a cell committee (chi ủy): deputy
        secretary and 1–3 committee members; smaller cells a secretary (and often a
        deputy). Residential cells: the village head, per cell.head_mode."""
        assert cell.org is not None
        rng = self.rng
        counted = [p for p in cell.members if not p.temporary]
        officials = sum(p.status == Status.OFFICIAL for p in counted)
        cell.committee = officials >= 9
        eligible = [p for p in counted if p.can_hold_post()] or [p for p in counted if p.status == Status.OFFICIAL]
        taken: set[int] = set()

        def with_role(role: str) -> list[Planned]:
            found = [p for p in counted if role in p.roles]
            for p in found:
                taken.add(id(p))
            return found

        named_secretary = with_role("secretary")
        secretary = named_secretary[0] if named_secretary else self._pick(eligible, taken, (35, 62))
        if secretary is None:
            return
        cell.secretary = secretary
        start = random_date(rng, CELL_TERM_START, dt.date(2025, 5, 31))
        decision = self.decision(decision_scope, "QĐ/ĐU")
        holders = [(secretary, Post.Kind.SECRETARY)]
        deputies = with_role("deputy")
        members_cm = with_role("committee_member")
        if cell.committee:
            if not deputies:
                d = self._pick(eligible, taken)
                deputies = [d] if d else []
            want = 1 if officials < 15 else 2 if officials < 30 else 3
            while len(members_cm) < want:
                m = self._pick(eligible, taken, (25, 65))
                if m is None:
                    break
                members_cm.append(m)
        elif not deputies and officials >= 5 and rng.random() < 0.6:
            d = self._pick(eligible, taken)
            deputies = [d] if d else []
        holders += [(d, Post.Kind.DEPUTY_SECRETARY) for d in deputies]
        holders += [(m, Post.Kind.COMMITTEE_MEMBER) for m in members_cm]
        for p, kind in holders:
            self.post(p.person(), kind, organisation=cell.org, start=start, decision=decision)
        cell.post_holders = [p for p, _k in holders]

        village = cell.village
        if village is None or village.locality is None or not cell.head_mode:
            return
        head_start = random_date(rng, dt.date(2022, 6, 1), dt.date(2025, 9, 30))
        head_decision = self.decision(decision_scope + "-ubnd", "QĐ-UBND", sep="/")
        if cell.head_mode == "secretary":
            head = secretary.person()
        elif cell.head_mode == "member":
            named_head = [p for p in counted if "head" in p.roles and p is not secretary]
            if named_head:
                chosen: Planned | None = named_head[0]
            else:
                others = [p for p in cell.post_holders if p is not secretary]
                if others and rng.random() < 0.6:
                    chosen = rng.choice(others)
                else:
                    pool = [p for p in counted if p is not secretary and 25 <= p.age <= 68 and not p.exempt]
                    chosen = rng.choice(pool) if pool else (others[0] if others else None)
            if chosen is None:
                return
            head = chosen.person()
        else:
            head = member_services.person_create(actor=None, **self.people.resident(mix=village.mix, residence=village.locality))
            self.non_members += 1
        self.post(head, village.head_kind, locality=village.locality, start=head_start, decision=head_decision)

    def committee_posts(self, org: Organisation, pool: list[Planned], *, start: dt.date, decision: str,
                        secretary: Planned | None = None, deputies: int = 1, members: int = 3,
                        extra_members: Sequence[Planned] = ()) -> list[Planned]:
        """Posts of a party committee (đảng ủy) from a pool of its members."""
        taken: set[int] = {id(p) for p in extra_members}
        eligible = [p for p in pool if p.can_hold_post()]
        if secretary is None:
            secretary = self._pick(eligible, taken, (40, 60))
        else:
            taken.add(id(secretary))
        if secretary is None:
            return []
        chosen = [(secretary, Post.Kind.SECRETARY)]
        for _i in range(deputies):
            d = self._pick(eligible, taken, (35, 60))
            if d:
                chosen.append((d, Post.Kind.DEPUTY_SECRETARY))
        chosen += [(p, Post.Kind.COMMITTEE_MEMBER) for p in extra_members]
        for _i in range(members):
            m = self._pick(eligible, taken, (30, 60))
            if m:
                chosen.append((m, Post.Kind.COMMITTEE_MEMBER))
        for p, kind in chosen:
            self.post(p.person(), kind, organisation=org, start=start, decision=decision)
        return [p for p, _k in chosen]

    # accounts
    def account(self, username: str, *, password: str, person_id: int | None = None, superuser: bool = False,
                role: str = "", organisation: Organisation | None = None, full_name: str = "") -> bool:
        """Create a login (audited); an existing username is left untouched. True if created."""
        if User.objects.filter(username=username).exists():
            return False
        family, _sep, given = full_name.rpartition(" ")
        user = account_services.user_create(actor=None, username=username, password=password, person_id=person_id,
                                            superuser=superuser, first_name=given, last_name=family)
        # a secretary's post already gave the role (roles follow posts, accounts/roles.py)
        if role and organisation is not None and not user.roles.filter(organisation=organisation, role=role).exists():
            account_services.role_assign(actor=None, user=user, organisation=organisation, role=role)
        return True


@dataclass
class Login:
    username: str
    role: str            # Role value, "superuser" or "" (member)
    scope: str           # organisation code or ""
    person_key: str = ""


def role_label(role: str) -> str:
    if role == "superuser":
        return _("administrator")
    if not role:
        return _("member (no role)")
    return str(Role(role).label)


def logins_table(logins: Sequence[Login], password: str) -> list[str]:
    """Lines of the logins table: username, role, scope, password."""
    scopes = {o.code: o for o in Organisation.objects.filter(code__in=[lg.scope for lg in logins if lg.scope])}
    rows = [(_("Username"), _("Role"), _("Scope"), _("Password"))]
    for lg in logins:
        org = scopes.get(lg.scope)
        scope = f"{org.name} ({org.code})" if org else (_("whole system") if lg.role == "superuser" else "—")
        rows.append((lg.username, role_label(lg.role), scope, password))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines
