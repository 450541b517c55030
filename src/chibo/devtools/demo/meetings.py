"""The cell meetings of the demo communes and the synthetic province (issue 5).

The demo: for every cell, the twelve months before this one (and this month's meeting when its
day has passed) — the regular monthly meeting with the four-part agenda, a thematic meeting in
most quarters (held with the regular meeting or on its own), the cell committee's meeting
where the cell has a committee —, each member's attendance (mostly present, some late, some
away with a reason such as "ốm" or "đi làm ăn xa", a few without one), the month's resolution
voted, and finalised minutes. Some cells missed a month, so their commune's list of missing
meetings is not empty. Làng Krông (the logins' cell) and làng Tơ Vơ are written through the
meetings services, every check and audit row included: Krông admitted a new member by
two-thirds of its official members, Tơ Vơ's admission vote fell short, and Krông's next monthly
meeting is announced for three days ahead with its draft resolution attached. The other cells,
the same kind of data, are written with bulk inserts (core.bulk), which keeps `chibo demo` fast.

The synthetic province: twelve months of regular meetings for each cell (a thematic part in most
quarters, a month missed now and then), every member's attendance — written with a few
INSERT … SELECT statements, the attendance of 1.7 million invitations in seconds.

Everything is decided from a seeded rng and the build's day."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit import services as audit_services
from chibo.core.bulk import insert_returning, insert_rows
from chibo.core.dates import add_months
from chibo.core.rules import RuleBook, RuleMissing
from chibo.devtools.demo.builders import CellPlan, CommunePlan, Planned
from chibo.meetings import rules
from chibo.meetings import services as meeting_services
from chibo.meetings.models import AgendaItem, Attendance, Meeting, Minutes, Vote
from chibo.members.models import Person, Post, Status
from chibo.organisations.models import Locality, Organisation

MS = Meeting.Status
AS = Attendance.Status
MONTHS = 12
# Absences with a reason (lý do vắng), as the minutes write them.
REASONS = ["ốm", "đi làm ăn xa", "bận việc gia đình", "đi công tác", "chăm người nhà ốm", "đi rẫy xa"]
HIGHLAND = {Locality.Kind.LANG, Locality.Kind.PLEI, Locality.Kind.BUON}
# Thematic topics (chuyên đề), each from the date its document made it topical; residential
# cells only for the last ones.
TOPICS: list[tuple[dt.date, str, bool]] = [
    (dt.date(2026, 2, 1), "Học tập, quán triệt Nghị quyết Đại hội XIV của Đảng", False),
    (dt.date(2025, 11, 1), "Quán triệt Chỉ thị 50-CT/TW của Ban Bí thư về tiếp tục đổi mới, nâng cao chất lượng "
                           "sinh hoạt chi bộ và Hướng dẫn 42-HD/BTCTW", False),
    (dt.date(2025, 9, 1), "Học tập, quán triệt Nghị quyết Đại hội Đảng bộ xã lần thứ I, nhiệm kỳ 2025–2030", False),
    (dt.date(2025, 8, 1), "Quy định 339-QĐ/TW về Sổ tay đảng viên điện tử: cài đặt, sử dụng và đọc tài liệu", False),
    (dt.date(2000, 1, 1), "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về đoàn kết các dân tộc",
     False),
    (dt.date(2000, 1, 1), "Phát huy vai trò đảng viên trong xây dựng nông thôn mới và giảm nghèo bền vững", True),
    (dt.date(2000, 1, 1), "Công tác tạo nguồn, phát triển đảng viên trong đồng bào dân tộc thiểu số", True),
]
NEXT_TASKS = [
    "Tập trung thu hoạch, chăm sóc cây trồng; vận động hộ nghèo vay vốn đúng mục đích",
    "Vận động các hộ làm nhà tiêu hợp vệ sinh; ra quân vệ sinh đường làng",
    "Thu đảng phí đúng hạn; rà soát quần chúng ưu tú để bồi dưỡng, tạo nguồn",
    "Tuyên truyền phòng, chống cháy rừng và giữ gìn an ninh, trật tự trên địa bàn",
    "Hướng dẫn đảng viên cài đặt, sử dụng Sổ tay đảng viên điện tử",
    "Chuẩn bị các điều kiện đón Tết, thăm hỏi gia đình chính sách, hộ khó khăn",
]
SITUATION = [
    "Tình hình an ninh, trật tự trên địa bàn ổn định; đảng viên và nhân dân phấn khởi, tin tưởng.",
    "Đảng viên chấp hành tốt chủ trương, đường lối của Đảng; một số hộ còn khó khăn do giá nông sản giảm.",
    "Tư tưởng đảng viên ổn định; nhân dân quan tâm đến việc sửa đường liên thôn và nước sạch.",
]
RESULTS = [
    "Hoàn thành các nhiệm vụ đề ra trong tháng; việc thu đảng phí đạt 100%.",
    "Cơ bản hoàn thành nhiệm vụ; việc vận động làm nhà tiêu hợp vệ sinh còn chậm so với kế hoạch.",
    "Các đảng viên được phân công hoàn thành nhiệm vụ; còn 1 đảng viên chưa nộp báo cáo kết quả.",
]


@dataclass(eq=False)
class VotePlan:
    kind: str
    title: str
    votes_for: int
    against: int
    abstain: int
    decision: str = ""


@dataclass(eq=False)
class MeetingPlan:
    cell: CellPlan
    kind: str
    date: dt.date
    start: dt.time
    end: dt.time | None
    place: str
    topic: str = ""
    status: str = MS.HELD
    chair: int | None = None
    recorder: int | None = None
    invitees: list[tuple[int, bool]] = field(default_factory=list)  # (person id, official)
    temporary: frozenset[int] = frozenset()  # invitees here on temporary activity: no vote here
    attendance: dict[int, tuple[str, str]] = field(default_factory=dict)  # person id → (status, reason)
    guests: list[tuple[int, str, str, str]] = field(default_factory=list)  # (person id, as, status, reason)
    votes: list[VotePlan] = field(default_factory=list)
    notes: dict[int, tuple[str, str]] = field(default_factory=dict)  # agenda position → (notes, conclusion)
    material: tuple[str, bytes] | None = None
    obj: Meeting | None = None

    @property
    def organisation(self) -> Organisation:
        assert self.cell.org is not None
        return self.cell.org

    @property
    def present(self) -> int:
        return sum(1 for s, _r in self.attendance.values() if s in (AS.PRESENT, AS.LATE))

    @property
    def officials(self) -> int:
        return sum(1 for _p, official in self.invitees if official)

    @property
    def official_called(self) -> int:
        """The votes' denominator (meetings.rules.roll): official members not here on temporary activity."""
        return sum(1 for p, official in self.invitees if official and p not in self.temporary)

    @property
    def voters(self) -> int:
        """Official members with a vote who came: the most votes that can be cast."""
        return sum(1 for p, official in self.invitees if official and p not in self.temporary
                   and self.attendance.get(p, ("", ""))[0] in (AS.PRESENT, AS.LATE))


def _at(day: dt.date, time: dt.time, minutes: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time) + dt.timedelta(minutes=minutes))


def _plus(time: dt.time, minutes: int) -> dt.time:
    return (dt.datetime.combine(dt.date.min, time) + dt.timedelta(minutes=minutes)).time()


def agenda_titles(plan: MeetingPlan) -> list[str]:
    """The agenda a meeting is prepared with (the services add the thematic part of a regular
    meeting with a topic)."""
    if plan.kind == Meeting.Kind.THEMATIC:
        return [f"Chuyên đề: {plan.topic}", "Trao đổi, thảo luận, liên hệ với nhiệm vụ của chi bộ",
                "Kết luận, phân công đảng viên viết bài thu hoạch"]
    if plan.kind == Meeting.Kind.COMMITTEE:
        return ["Đánh giá kết quả thực hiện nhiệm vụ tháng, thống nhất nội dung sinh hoạt chi bộ",
                "Dự thảo nghị quyết tháng tới, phân công chuẩn bị", "Công tác đảng viên, đảng phí"]
    return meeting_services.default_agenda()


def _place(cell: CellPlan) -> str:
    if cell.village is not None:
        word = "Nhà rông" if cell.village.kind in HIGHLAND else "Nhà văn hóa"
        return f"{word} {cell.village.name[:1].lower()}{cell.village.name[1:]}"
    return "Phòng họp " + (cell.name.removeprefix("Chi bộ ").removeprefix("Đảng bộ ") or cell.name)


def _invitees(cell: CellPlan) -> list[Planned]:
    """Who a meeting of the cell calls: its current members, not those exempt (as the service)."""
    return [p for p in cell.members if p.person_id is not None and not p.exempt]


class CellPlanner:
    """The meetings of one cell over the twelve months before `today`'s month."""

    def __init__(self, rng: random.Random, cell: CellPlan, *, today: dt.date) -> None:
        self.rng, self.cell, self.today = rng, cell, today
        self.people = _invitees(cell)
        self.invitees = [(p.person_id, p.status == Status.OFFICIAL) for p in self.people if p.person_id is not None]
        self.temporary = frozenset(p.person_id for p in self.people if p.temporary and p.person_id is not None)
        # Most members come every month; some are often away working, some often ill.
        self.away: dict[int, tuple[float, str]] = {}
        for p in self.people:
            assert p.person_id is not None
            r = rng.random()
            self.away[p.person_id] = ((0.45, "đi làm ăn xa") if r < 0.08 else (0.3, "ốm") if r < 0.12 or p.age > 72
                                      else (0.05, ""))
        holders = [p for p in cell.post_holders if p.person_id is not None]
        self.chair = cell.secretary.person_id if cell.secretary is not None else (
            self.invitees[0][0] if self.invitees else None)
        others = [p.person_id for p in holders if p.person_id != self.chair] or \
            [pid for pid, _o in self.invitees if pid != self.chair]
        self.recorder = others[0] if others else self.chair
        self.residential = cell.village is not None
        self.day = rng.randint(3, 10) if self.residential else rng.randint(22, 27)
        self.start = dt.time(19, 30) if self.residential else dt.time(14, 0)
        self.place = _place(cell)
        self.used_topics: set[str] = set()

    def attendance(self, *, all_but: int | None = None,
                   invitees: list[tuple[int, bool]] | None = None) -> dict[int, tuple[str, str]]:
        rng = self.rng
        out: dict[int, tuple[str, str]] = {}
        for pid, _official in (self.invitees if invitees is None else invitees):
            chance, usual = self.away[pid]
            if all_but is not None:
                chance = 0.0 if len(out) != all_but else 1.0
            if rng.random() < chance:
                if rng.random() < 0.12 and all_but is None:
                    out[pid] = (AS.UNEXCUSED, "")
                else:
                    out[pid] = (AS.EXCUSED, usual or rng.choice(REASONS))
            else:
                out[pid] = (AS.LATE, "") if rng.random() < 0.04 else (AS.PRESENT, "")
        return out

    def topic(self, day: dt.date) -> str:
        for since, topic, residential_only in TOPICS:
            if since <= day and topic not in self.used_topics and (self.residential or not residential_only):
                self.used_topics.add(topic)
                return topic
        return TOPICS[-3][1]

    def meeting(self, kind: str, day: dt.date, *, topic: str = "", minutes: int = 120) -> MeetingPlan:
        invitees = self.invitees
        if kind == Meeting.Kind.COMMITTEE:  # the cell committee meets alone
            committee = {p.person_id for p in self.cell.post_holders} | {self.chair}
            invitees = [(pid, official) for pid, official in self.invitees if pid in committee]
        m = MeetingPlan(cell=self.cell, kind=kind, date=day, start=self.start, end=_plus(self.start, minutes),
                        place=self.place, topic=topic, chair=self.chair, recorder=self.recorder,
                        invitees=invitees, temporary=self.temporary)
        m.attendance = self.attendance(invitees=invitees)
        if kind == Meeting.Kind.REGULAR:
            nxt = add_months(day.replace(day=1), 1)
            m.notes = {1: (self.rng.choice(SITUATION), ""), 2: (self.rng.choice(RESULTS), ""),
                       3: ("", self.rng.choice(NEXT_TASKS))}
            abstain = 1 if m.voters > 6 and self.rng.random() < 0.15 else 0
            m.votes.append(VotePlan(
                Vote.Kind.GENERAL, f"Nghị quyết chi bộ tháng {day.month}/{day.year}", m.voters - abstain, 0, abstain,
                decision=f"Thông qua nghị quyết lãnh đạo thực hiện nhiệm vụ tháng {nxt.month}/{nxt.year}."))
        return m

    def plan(self, *, missed: Iterable[dt.date] = (), committee_missed: Iterable[dt.date] = (),
             current_month: bool = True) -> list[MeetingPlan]:
        """Meetings of the months before this one (`missed`: months whose regular meeting was
        not held), and this month's when its day has passed and `current_month`."""
        if not self.invitees:
            return []
        rng, today = self.rng, self.today
        this_month = today.replace(day=1)
        months = [add_months(this_month, -k) for k in range(MONTHS, 0, -1)]
        if current_month:
            months.append(this_month)
        skip, skip_committee = set(missed), set(committee_missed)
        # A thematic meeting in most quarters: with a regular meeting (at least 120 minutes) or on its own.
        quarters: dict[tuple[int, int], list[dt.date]] = {}
        for first in months:
            quarters.setdefault((first.year, (first.month - 1) // 3), []).append(first)
        thematic: dict[dt.date, str] = {}
        for firsts in quarters.values():
            if rng.random() < 0.8:
                thematic[rng.choice(firsts)] = "combined" if rng.random() < 0.6 else "separate"
        out: list[MeetingPlan] = []
        for first in months:
            day = first.replace(day=min(28, max(1, self.day + rng.randint(-1, 1))))
            if day >= today:
                continue
            mode = thematic.get(first)
            if self.cell.committee and first not in skip_committee:
                out.append(self.meeting(Meeting.Kind.COMMITTEE, max(first, day - dt.timedelta(days=rng.randint(2, 4))),
                                        minutes=rng.choice([90, 105, 120])))
            if first not in skip:
                topic = self.topic(day) if mode == "combined" else ""
                out.append(self.meeting(Meeting.Kind.REGULAR, day, topic=topic,
                                        minutes=rng.choice([150, 165]) if topic else rng.choice([120, 135, 150])))
            if mode == "separate":
                alone = first.replace(day=rng.randint(12, 20))
                if alone < today:
                    out.append(self.meeting(Meeting.Kind.THEMATIC, alone, topic=self.topic(alone),
                                            minutes=rng.choice([90, 120])))
        return sorted(out, key=lambda m: (m.date, m.kind))


def _missed_month(rng: random.Random, today: dt.date) -> dt.date:
    """A month that has ended, this year if one has (so the commune's list shows it by default)."""
    this_month = today.replace(day=1)
    ended = [add_months(this_month, -k) for k in range(1, MONTHS + 1)]
    this_year = [m for m in ended if m.year == today.year]
    return rng.choice(this_year or ended)


def plan_commune(rng: random.Random, commune: CommunePlan, *, today: dt.date,
                 special: dict[str, dict[str, Any]] | None = None) -> list[MeetingPlan]:
    """Every cell's meetings. One cell in ten (and at least one per commune) missed a
    month's regular meeting; a few cells with a committee missed its meeting once."""
    cells = [c for c in commune.cells if c.org is not None and c.kind in Organisation.CELL_KINDS]
    kept = set(special or {})  # the cells whose story needs every month
    gap_cells = {id(c) for c in cells if rng.random() < 0.1 and c.code not in kept}
    if cells and not gap_cells:
        gap_cells.add(id(rng.choice([c for c in cells if c.code not in kept] or cells)))
    out: list[MeetingPlan] = []
    for cell in cells:
        planner = CellPlanner(rng, cell, today=today)
        options = dict((special or {}).get(cell.code, {}))
        missed = [_missed_month(rng, today)] if id(cell) in gap_cells else []
        committee_missed = [_missed_month(rng, today)] if cell.committee and rng.random() < 0.1 else []
        out += planner.plan(missed=missed, committee_missed=committee_missed,
                            current_month=options.get("current_month", True))
        if "vote" in options:
            _special_vote(rng, planner, [m for m in out if m.cell is cell], **options["vote"])
    return out


def _special_vote(rng: random.Random, planner: CellPlanner, meetings: list[MeetingPlan], *, months_ago: int,
                  passed: bool, title: str, decision: str) -> None:
    """An admission vote at the regular meeting `months_ago` months back: passed by two-thirds
    of the official members, or short of them by one vote."""
    first = add_months(planner.today.replace(day=1), -months_ago)
    m = next(x for x in meetings if x.kind == Meeting.Kind.REGULAR and x.date.replace(day=1) == first)
    m.attendance = planner.attendance(all_but=1)  # all but one member came
    present = m.voters
    for v in m.votes:  # the month's resolution, by the official members with a vote who came
        v.votes_for = present - v.abstain
    need = -(-m.official_called * 2 // 3)
    votes_for = min(present, need + rng.randint(0, 2)) if passed else need - 1
    against = min(present - votes_for, 0 if passed else 2)
    m.votes.append(VotePlan(Vote.Kind.ADMISSION, title, votes_for, against, 0, decision=decision))


# --- Writing through the services (a few cells) -----------------------------------------------------

def write_meetings(plans: Sequence[MeetingPlan]) -> int:
    """Write planned meetings through the meetings services, as the system: created, their
    attendance taken, notes and votes recorded, held, minutes drafted and finalised (or, for
    one in the future, announced with its material). The timestamps are then set to the days
    the meetings were prepared and held. Returns the meetings written."""
    ids = {pid for m in plans for pid in [m.chair, m.recorder, *(g[0] for g in m.guests)] if pid}
    people = Person.objects.in_bulk(sorted(ids))
    for plan in plans:
        m = meeting_services.meeting_create(
            actor=None, organisation=plan.organisation, kind=plan.kind, date=plan.date, start_time=plan.start,
            place=plan.place, thematic_topic=plan.topic, chair=people.get(plan.chair or 0),
            recorder=people.get(plan.recorder or 0), agenda=agenda_titles(plan),
            guests=[meeting_services.Guest(person=people[pid], title=title) for pid, title, _s, _r in plan.guests])
        plan.obj = m
        if plan.material is not None:
            meeting_services.material_add(m, actor=None, title="Dự thảo nghị quyết chi bộ tháng "
                                          f"{plan.date.month}/{plan.date.year}", upload=(plan.material[1],
                                                                                        plan.material[0]))
        if plan.status == MS.PUBLISHED:
            meeting_services.meeting_publish(m, actor=None)
            continue
        for pid, (status, reason) in plan.attendance.items():
            meeting_services.attendance_record(m, actor=None, person_id=pid, status=status, reason=reason)
        for pid, _title, status, reason in plan.guests:
            meeting_services.attendance_record(m, actor=None, person_id=pid, status=status, reason=reason)
        items = {a.position: a for a in m.agenda.all()}
        for position, (notes, conclusion) in plan.notes.items():
            meeting_services.agenda_note(m, actor=None, item_id=items[position].pk, notes=notes, conclusion=conclusion)
        for v in plan.votes:
            meeting_services.vote_record(m, actor=None, kind=v.kind, title=v.title, votes_for=v.votes_for,
                                         votes_against=v.against, votes_abstain=v.abstain, decision=v.decision)
        meeting_services.meeting_held(m, actor=None, end_time=plan.end)
        minutes = meeting_services.minutes_draft(m, actor=None)
        meeting_services.minutes_finalise(minutes, actor=None)
        announced = _at(plan.date - dt.timedelta(days=4), dt.time(8, 0))
        Meeting.objects.filter(pk=m.pk).update(published_at=announced, created_at=announced - dt.timedelta(days=1),
                                               updated_at=_at(plan.date, plan.end or plan.start))
        Minutes.objects.filter(pk=minutes.pk).update(
            finalised_at=_at(plan.date + dt.timedelta(days=1), dt.time(9, 0)),
            created_at=_at(plan.date, plan.end or plan.start))
    return len(plans)


def material_docx(title: str, paragraphs: Sequence[str]) -> bytes:
    """A small Word document (the draft resolution sent before a meeting)."""
    body = "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{escape(p)}</w:t></w:r></w:p>" for p in [title, *paragraphs])
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                               'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
                               'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="'
                               'application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
                               'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                       'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                       'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.'
                             f'org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return out.getvalue()


def announced_meeting(cell: CellPlan, *, today: dt.date, guest: int | None = None) -> MeetingPlan:
    """The cell's next monthly meeting, three days ahead, announced with its draft resolution."""
    planner = CellPlanner(random.Random(0), cell, today=today)
    day = today + dt.timedelta(days=3)
    m = MeetingPlan(cell=cell, kind=Meeting.Kind.REGULAR, date=day, start=planner.start, end=None,
                    place=planner.place, status=MS.PUBLISHED, chair=planner.chair, recorder=planner.recorder,
                    invitees=planner.invitees, temporary=planner.temporary,
                    guests=[(guest, "Đảng ủy viên phụ trách chi bộ", "", "")] if guest else [])
    m.material = (f"du-thao-nghi-quyet-thang-{day.month}-{day.year}.docx", material_docx(
        f"DỰ THẢO NGHỊ QUYẾT {cell.name.upper()} THÁNG {day.month}/{day.year}",
        ["I. Đánh giá kết quả thực hiện nhiệm vụ tháng trước.",
         "II. Nhiệm vụ trọng tâm tháng tới: " + NEXT_TASKS[day.month % len(NEXT_TASKS)] + ".",
         "III. Công tác xây dựng Đảng: thu đảng phí; bồi dưỡng quần chúng ưu tú; đảng viên đọc tài liệu trên Sổ "
         "tay đảng viên điện tử.",
         "Đề nghị đảng viên đọc trước và chuẩn bị ý kiến đóng góp tại buổi sinh hoạt."]))
    return m


# --- Writing many at once ----------------------------------------------------------------------------

def _rule_values(book: RuleBook, day: dt.date) -> tuple[int, int]:
    try:
        return (book.value(rules.RULE_KEYS["special_num"], day), book.value(rules.RULE_KEYS["special_den"], day))
    except RuleMissing:
        return 2, 3


def bulk_write_meetings(plans: Sequence[MeetingPlan]) -> dict[str, int]:
    """Write held meetings with bulk inserts: the meeting, its agenda (the four parts, and the
    thematic part), attendance, votes (passed or not by meetings.rules, as the service decides)
    and finalised minutes, with one audit row per meeting, as the system. What the services
    would check is what the planner makes (the demo writes two cells' meetings through them)."""
    book = RuleBook()
    agenda = meeting_services.default_agenda()
    names = {p.person_id: p.full_name for plan in plans for p in plan.cell.members}
    objs = []
    for plan in plans:
        announced = _at(plan.date - dt.timedelta(days=4), dt.time(8, 0))
        plan.obj = Meeting(organisation=plan.organisation, kind=plan.kind, date=plan.date, start_time=plan.start,
                           end_time=plan.end, place=plan.place, thematic_topic=plan.topic, chair_id=plan.chair,
                           recorder_id=plan.recorder, status=MS.HELD, published_at=announced, version=3,
                           created_at=announced - dt.timedelta(days=1), updated_at=_at(plan.date, plan.end or plan.start))
        objs.append(plan.obj)
    insert_returning(Meeting, objs)
    items, attendance, votes, minutes, audit_rows = [], [], [], [], []
    for plan in plans:
        m = plan.obj
        assert m is not None
        titles = list(agenda) if plan.kind == Meeting.Kind.REGULAR else agenda_titles(plan)
        if plan.topic and plan.kind == Meeting.Kind.REGULAR:
            titles.append(_("Thematic part: %(topic)s") % {"topic": plan.topic})
        for position, title in enumerate(titles, start=1):
            notes, conclusion = plan.notes.get(position, ("", ""))
            items.append({"meeting_id": m.pk, "position": position, "title": title[:300], "notes": notes,
                          "conclusion": conclusion, "revision": 2 if notes or conclusion else 1})
        official = dict(plan.invitees)
        for pid, (status, reason) in plan.attendance.items():
            attendance.append({"meeting_id": m.pk, "person_id": pid, "role": Attendance.Role.MEMBER,
                               "official": official[pid], "temporary": pid in plan.temporary, "status": status,
                               "reason": reason, "revision": 2})
        num, den = _rule_values(book, plan.date)
        for position, v in enumerate(plan.votes, start=1):
            result = rules.vote_result(kind=v.kind, votes_for=v.votes_for, against=v.against, abstain=v.abstain,
                                       present=plan.voters, official=plan.official_called, num=num, den=den)
            votes.append({"meeting_id": m.pk, "position": position, "kind": v.kind, "title": v.title,
                          "votes_for": v.votes_for, "votes_against": v.against, "votes_abstain": v.abstain,
                          "passed": result.passed, "basis": result.basis[:300], "decision": v.decision,
                          "official_called": plan.official_called, "voters_present": plan.voters,
                          "need": result.need})
        minutes.append(_minutes_row(plan, titles, names))
        audit_rows.append({"action": "create", "obj": m, "org_path": plan.organisation.path,
                           "after": {**audit_services.snapshot(m, meeting_services.MEETING_FIELDS),
                                     "agenda": titles}})
    insert_rows(AgendaItem, items)
    insert_rows(Attendance, attendance)
    insert_rows(Vote, votes)
    insert_rows(Minutes, minutes)
    audit_services.record_many(audit_rows, actor=None)
    return {"meetings": len(objs), "attendance": len(attendance), "votes": len(votes)}


def _minutes_row(plan: MeetingPlan, titles: list[str], names: dict[int | None, str]) -> dict[str, Any]:
    """The finalised minutes (biên bản) of a held meeting, as the secretary wrote them."""
    absent = [f"{names.get(pid, '')} ({reason or 'không có lý do'})" for pid, (status, reason) in plan.attendance.items()
              if status in (AS.EXCUSED, AS.UNEXCUSED)]
    called = len(plan.attendance)
    opening = (f"Thời gian: {plan.start:%H:%M}, ngày {plan.date:%d/%m/%Y}. Địa điểm: {plan.place}.\n"
               f"Đảng viên được triệu tập: {called}; có mặt: {plan.present}; vắng: {called - plan.present}"
               + (f" ({'; '.join(absent)})" if absent else "") + ".\n"
               f"Chủ trì: {names.get(plan.chair, '…')}. Thư ký: {names.get(plan.recorder, '…')}.")
    content = "\n\n".join(f"{i}. {t}\n{plan.notes.get(i, ('', ''))[0]}".rstrip() for i, t in enumerate(titles, start=1))
    conclusions = "\n".join([*(f"- {c}" for _n, c in plan.notes.values() if c),
                             *(f"- {v.title}: {v.votes_for}/{v.against}/{v.abstain}. {v.decision}".rstrip()
                               for v in plan.votes)])
    held_at = _at(plan.date, plan.end or plan.start)
    return {"meeting_id": plan.obj.pk if plan.obj else None, "version": 1, "opening": opening, "content": content,
            "conclusions": conclusions,
            "closing": f"Buổi sinh hoạt kết thúc lúc {(plan.end or plan.start):%H:%M} cùng ngày.",
            "finalised_at": held_at + dt.timedelta(hours=13), "created_at": held_at, "updated_at": held_at}


def build_demo_meetings(communes: Sequence[CommunePlan], *, today: dt.date, seed: int,
                        by_services: Iterable[str] = ("IAMO-KRONG", "IAMO-TOVO"),
                        services_months: int = 2) -> dict[str, int]:
    """The demo's meetings (see the module's docstring). The meetings of the last
    `services_months` months of the `by_services` cells, and Krông's announced one, go through
    the services; the rest in bulk."""
    rng = random.Random(seed)
    special: dict[str, dict[str, Any]] = {
        "IAMO-KRONG": {"current_month": False, "vote": {
            "months_ago": 2, "passed": True, "title": "Đề nghị kết nạp quần chúng Rơ Mah H'Nguyên vào Đảng",
            "decision": "Đề nghị Đảng ủy xã Ia Mơ xem xét, ra quyết định kết nạp quần chúng Rơ Mah H'Nguyên."}},
        "IAMO-TOVO": {"vote": {
            "months_ago": 1, "passed": False, "title": "Đề nghị kết nạp quần chúng Kpă Thuyết vào Đảng",
            "decision": "Chưa đủ hai phần ba số đảng viên chính thức tán thành; tiếp tục bồi dưỡng, xem xét lại."}},
    }
    plans: list[MeetingPlan] = []
    for commune in communes:
        plans += plan_commune(rng, commune, today=today, special=special)
    through = set(by_services)
    since = add_months(today.replace(day=1), -services_months)
    krong = next((c for commune in communes for c in commune.cells if c.code == "IAMO-KRONG"), None)
    few = [p for p in plans if p.cell.code in through and p.date >= since]
    if krong is not None and krong.org is not None:
        guest = _follower(krong)
        for p in few:
            if p.cell is krong and guest is not None and p.kind == Meeting.Kind.REGULAR:
                came = rng.random() < 0.7
                p.guests = [(guest, "Đảng ủy viên phụ trách chi bộ", AS.PRESENT if came else AS.EXCUSED,
                             "" if came else "họp ở Đảng ủy xã")]
        few.append(announced_meeting(krong, today=today, guest=guest))
    written = write_meetings(few)
    bulk = bulk_write_meetings([p for p in plans if p.cell.code not in through or p.date < since])
    held = sum(1 for p in few if p.status == MS.HELD) + bulk["meetings"]
    attendance = sum(len(p.attendance) + len(p.guests) for p in few if p.status == MS.HELD) + bulk["attendance"]
    return {"meetings": written + bulk["meetings"], "meetings_held": held, "attendance": attendance,
            "meetings_announced": sum(1 for p in few if p.status == MS.PUBLISHED)}


def _follower(cell: CellPlan) -> int | None:
    """The commune committee member who follows the cell (a member of the commune's committee
    who is not in the cell)."""
    assert cell.org is not None
    inside = {p.person_id for p in cell.members}
    for person_id in Post.objects.filter(organisation__path__in=cell.org.ancestor_paths(),
                                         organisation__kind=Organisation.Kind.COMMUNE, end_date__isnull=True,
                                         kind=Post.Kind.COMMITTEE_MEMBER).order_by("id").values_list("person_id",
                                                                                                   flat=True):
        if person_id not in inside:
            return int(person_id)
    return None


# --- Documents (the library, issue 5 point 6) -------------------------------------------------------

DOCUMENTS = [  # (issued on, issuer, number, kind, title, summary, share of members who have read it)
    (dt.date(2025, 7, 10), "Ban Bí thư Trung ương", "339-QĐ/TW", "regulation",
     "Quy định về Sổ tay đảng viên điện tử",
     "Quy định mục đích, yêu cầu, nội dung, nguyên tắc và phương thức sử dụng Sổ tay đảng viên điện tử đối với "
     "đảng viên chính thức, đảng viên dự bị (trừ đảng viên được miễn công tác và sinh hoạt đảng), các cấp ủy và chi "
     "bộ trong toàn Đảng.", 0.85),
    (dt.date(2025, 7, 23), "Ban Bí thư Trung ương", "50-CT/TW", "directive",
     "Chỉ thị về tiếp tục đổi mới, nâng cao chất lượng sinh hoạt chi bộ trong giai đoạn mới",
     "Sinh hoạt chi bộ thường kỳ ít nhất 90 phút; khi kết hợp sinh hoạt chuyên đề ít nhất 120 phút. Cấp ủy chuẩn "
     "bị kỹ nội dung, phát huy dân chủ, tự phê bình và phê bình trong sinh hoạt chi bộ.", 0.75),
    (dt.date(2025, 10, 28), "Ban Tổ chức Trung ương", "42-HD/BTCTW", "guidance",
     "Hướng dẫn nâng cao chất lượng sinh hoạt chi bộ",
     "Hướng dẫn chuẩn bị, nội dung và cách thức sinh hoạt chi bộ thường kỳ và chuyên đề; tài liệu sinh hoạt được "
     "đăng trên Sổ tay đảng viên điện tử ít nhất 1 ngày trước buổi sinh hoạt.", 0.6),
]


def build_demo_documents(communes: Sequence[CommunePlan], *, province: Organisation, today: dt.date, seed: int,
                         readers: Sequence[tuple[Any, Sequence[str]]] = ()) -> dict[str, int]:
    """QĐ 339-QĐ/TW, CT 50-CT/TW and HD 42-HD/BTCTW in the library, distributed to the province
    through the documents service (members with an account are told), and read by most members
    (receipts in bulk, as document_mark_read writes them). `readers`: users with the numbers
    of the documents they have read, marked through the service (the others stay for them to
    read). Exempt members are not addressed and do not read."""
    from chibo.documents import services as document_services
    from chibo.documents.models import Receipt

    rng = random.Random(seed)
    members = [p.person_id for c in communes for cell in c.cells for p in cell.members
               if p.person_id is not None and not p.exempt]
    chosen = {getattr(user, "person_id", None) for user, _numbers in readers}
    receipts: list[dict[str, Any]] = []
    written = 0
    for issued, issuer, number, kind, title, summary, share in DOCUMENTS:
        if issued > today:
            continue
        doc = document_services.document_publish(actor=None, organisation=province, issuer=issuer, number=number,
                                                 kind=kind, issued_on=issued, title=title, summary=summary)
        written += 1
        for user, numbers in readers:
            if number in numbers:
                document_services.document_mark_read(doc, actor=user)
        days = max(2, (today - issued).days)
        for person_id in members:
            if person_id not in chosen and rng.random() < share:
                receipts.append({"document_id": doc.pk, "person_id": person_id,
                                 "read_at": _at(issued + dt.timedelta(days=rng.randint(1, min(days - 1, 60))),
                                                dt.time(20, 0), rng.randint(0, 120))})
    insert_rows(Receipt, receipts)
    return {"documents": written, "receipts": len(receipts) + Receipt.objects.filter(person_id__in=chosen).count()}


# --- The synthetic province -----------------------------------------------------------------------

def bulk_synth_meetings(communes: Sequence[CommunePlan], *, today: dt.date, seed: int) -> dict[str, int]:
    """Twelve months of regular meetings for each cell of the synthetic province, held (one in
    thirty missed), a thematic part in four quarters of five, with the four-part agenda and
    every member's attendance. The meetings are inserted in bulk; their agenda and the
    attendance (present, late, away with a reason, a few without) are derived in the database
    from the meetings and the memberships, with one audit row per meeting."""
    rng = random.Random(seed)
    this_month = today.replace(day=1)
    months = [add_months(this_month, -k) for k in range(MONTHS, 0, -1)]
    topics = [t for _since, t, _r in TOPICS]
    objs: list[Meeting] = []
    for commune in communes:
        for cell in commune.cells:
            if cell.org is None or cell.kind not in Organisation.CELL_KINDS or not cell.members:
                continue
            residential = cell.village is not None
            base = rng.randint(3, 10) if residential else rng.randint(22, 27)
            start = dt.time(19, 30) if residential else dt.time(14, 0)
            place = _place(cell)
            chair = cell.secretary.person_id if cell.secretary is not None else None
            quarters: dict[tuple[int, int], list[dt.date]] = {}
            for first in months:
                quarters.setdefault((first.year, (first.month - 1) // 3), []).append(first)
            themed = {rng.choice(firsts) for firsts in quarters.values() if rng.random() < 0.8}
            for first in months:
                if rng.random() < 1 / 30:
                    continue
                topic = rng.choice(topics) if first in themed else ""
                day = first.replace(day=base)
                announced = _at(day - dt.timedelta(days=4), dt.time(8, 0))
                objs.append(Meeting(organisation=cell.org, kind=Meeting.Kind.REGULAR, date=day, start_time=start,
                                    end_time=_plus(start, 150 if topic else 120), place=place, thematic_topic=topic,
                                    chair_id=chair, status=MS.HELD, published_at=announced, version=3,
                                    created_at=announced - dt.timedelta(days=1), updated_at=_at(day, start, 150)))
    if not objs:
        return {"meetings": 0, "agenda": 0, "attendance": 0}
    insert_returning(Meeting, objs)
    first_id, last_id = min(m.pk for m in objs), max(m.pk for m in objs)
    counts = {"meetings": len(objs), **_derive_rows(first_id, last_id)}
    orgs = {m.organisation_id: m.organisation for m in objs}
    audit_services.record_many([{"action": "create", "obj": m, "org_path": orgs[m.organisation_id].path,
                                 "after": audit_services.snapshot(m, meeting_services.MEETING_FIELDS)}
                                for m in objs], actor=None)
    return counts


def _derive_rows(first_id: int, last_id: int) -> dict[str, int]:
    """The agenda and the attendance of the meetings with ids in [first_id, last_id], in the
    database: each member of the meeting's cell who is current and not exempt is invited
    (as meetings.services does); whether they came is spread by a hash of the two ids."""
    qn = connection.ops.quote_name
    meeting, member = qn(Meeting._meta.db_table), qn("members_membership")
    moment = Attendance._meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection)
    titles = meeting_services.default_agenda()
    values = ", ".join(["(%s, %s)"] * len(titles))
    prefix, _sep, suffix = (_("Thematic part: %(topic)s") % {"topic": "\x00"}).partition("\x00")
    reasons = " ".join(f"WHEN {i} THEN %s" for i in range(len(REASONS)))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(AgendaItem._meta.db_table)} (meeting_id, position, title, notes, conclusion, revision) "
            f"SELECT m.id, t.column1, t.column2, '', '', 1 FROM {meeting} m CROSS JOIN (VALUES {values}) AS t "
            f"WHERE m.id >= %s AND m.id <= %s",
            [x for i, title in enumerate(titles, start=1) for x in (i, title)] + [first_id, last_id])
        agenda = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {qn(AgendaItem._meta.db_table)} (meeting_id, position, title, notes, conclusion, revision) "
            f"SELECT m.id, %s, %s || m.thematic_topic || %s, '', '', 1 FROM {meeting} m "
            f"WHERE m.id >= %s AND m.id <= %s AND m.thematic_topic <> ''",
            [len(titles) + 1, prefix, suffix, first_id, last_id])
        agenda += cursor.rowcount
        cursor.execute(
            f"INSERT INTO {qn(Attendance._meta.db_table)} "
            f"(meeting_id, person_id, role, official, temporary, exempt, voted, excluded, excluded_note, guest_title, "
            f"notice, status, reason, revision, updated_at) "
            f"SELECT mid, pid, %s, st = %s, tmp, %s, %s, '', '', '', '', "
            f"CASE WHEN h < 86 THEN %s WHEN h < 91 THEN %s WHEN h < 98 THEN %s ELSE %s END, "
            f"CASE WHEN h >= 91 AND h < 98 THEN (CASE h %% {len(REASONS)} {reasons} END) ELSE '' END, 2, %s "
            f"FROM (SELECT m.id AS mid, ms.person_id AS pid, ms.status AS st, ms.temporary AS tmp, "
            f"(m.id * 7919 + ms.person_id * 104729) %% 100 AS h "
            f"FROM {meeting} m JOIN {member} ms ON ms.cell_id = m.organisation_id "
            f"WHERE m.id >= %s AND m.id <= %s AND ms.current = %s AND ms.exempt = %s) AS sub",
            [Attendance.Role.MEMBER, Status.OFFICIAL, False, False, AS.PRESENT, AS.LATE, AS.EXCUSED, AS.UNEXCUSED,
             *REASONS,
             moment, first_id, last_id, True, False])
        attendance = cursor.rowcount
    return {"agenda": agenda, "attendance": attendance}
