"""The demo's member development (issue 6, point 9), written through the recruitment and members
services for the two Ia Mơ cells with logins, so every check, step and audit row is a real
user's; dates are counted from today, so the demo always shows the same situation.

Làng Krông (the article: 2–3 new members in 2025–2027, "tạo nguồn" hard) has three people in the
pipeline: an applicant with a complete file and a passed cell resolution, waiting for the
commune's decision; a sympathiser whose awareness-class certificate has expired; an outstanding
citizen just introduced by the Youth Union. Its 16 members are not changed (the article's
figure). Làng Tơ Vơ has an applicant with an expired certificate, an outstanding citizen, a
probationary member whose 12 months end within two weeks, one overdue for recognition, and two
members whose 30- and 40-year party badges fall due at the next award occasion."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

from chibo.core.dates import add_months, add_years
from chibo.core.ethnicities import KINH
from chibo.devtools.demo.builders import JRAI, CellPlan, CommunePlan
from chibo.lifecycle.rules import BADGE_OCCASIONS
from chibo.members import services as members
from chibo.members.models import Membership, Person, Sex, Status
from chibo.recruitment import services
from chibo.recruitment.models import REQUIRED_FILES, Candidate, FileCode

YOUTH_UNION = "Chi đoàn thanh niên làng {village}"


def _person(ids: Iterator[int], cell: CellPlan, family: str, given: str, sex: str, birth: dt.date, ethnicity: str = JRAI,
            middle: str = "") -> dict[str, Any]:
    assert cell.org is not None
    century = (0 if birth.year < 2000 else 2) + (1 if sex == Sex.FEMALE else 0)
    citizen_id = f"064{century}{birth.year % 100:02d}{next(ids):06d}"  # born in Gia Lai
    return {"family_name": family, "middle_name": middle, "given_name": given, "sex": sex, "birth_date": birth,
            "ethnicity": ethnicity, "residence": cell.org.locality, "citizen_id": citizen_id}


def _introduce(cell: CellPlan, person: dict[str, Any], on: dt.date, by: str) -> Candidate:
    assert cell.org is not None
    return services.candidate_create(actor=None, organisation=cell.org, introduced_on=on, introduced_by=by,
                                     person_data=person)


def _sympathiser(c: Candidate, on: dt.date, number: str, helper: Person) -> None:
    services.sympathiser_record(c, actor=None, on=on, number=number)
    services.helper_assign(c, actor=None, person=helper, on=on + dt.timedelta(days=1))


def _official(cell: CellPlan) -> tuple[Person, int]:
    """An official member of the cell to help the candidates, and how many official members vote."""
    qs = Membership.objects.filter(organisation=cell.org, status=Status.OFFICIAL, temporary=False)
    helper = qs.exclude(person__posts__isnull=True).order_by("pk").first() or qs.order_by("pk").first()
    assert helper is not None
    return Person.objects.get(pk=helper.person_id), qs.count()


def build_demo_recruitment(communes: list[CommunePlan], *, today: dt.date) -> dict[str, int]:
    cells = {x.code: x for c in communes for x in c.cells}
    krong, tovo = cells["IAMO-KRONG"], cells["IAMO-TOVO"]
    t = today
    ids = itertools.count(990_000)  # citizen ID serials above the generated people's

    def ago(days: int) -> dt.date:
        return t - dt.timedelta(days=days)

    # Làng Krông: three in the pipeline.
    helper, official = _official(krong)
    by = YOUTH_UNION.format(village="Krông")
    bo = _introduce(krong, _person(ids, krong, "Rơ Mah", "H'Bơ", Sex.FEMALE, add_years(ago(100), -23)), ago(420), by)
    _sympathiser(bo, ago(360), "03-NQ/CB", helper)
    services.test_task_give(bo, actor=None, title="Vận động thanh niên trong làng tham gia dọn vệ sinh nhà rông",
                            given_on=ago(358), due_on=ago(300))
    services.file_receive(bo, actor=None, code=FileCode.CERTIFICATE, received_on=ago(250))
    services.applicant_record(bo, actor=None, on=ago(120), number="08-NQ/CB")
    for code in (*REQUIRED_FILES, FileCode.YOUTH_UNION):
        if code != FileCode.CERTIFICATE:
            services.file_receive(bo, actor=None, code=code, received_on=ago(80))
    services.verification_record(bo, actor=None, on=ago(40), result="Lý lịch rõ ràng, gia đình chấp hành tốt")
    services.resolution_record(bo, actor=None, on=ago(20), number="11-NQ/CB", votes_for=official, against=0,
                               abstain=0, present=official, official=official)

    duc = _introduce(krong, _person(ids, krong, "Siu", "Đức", Sex.MALE, add_years(ago(200), -20)), ago(300), by)
    _sympathiser(duc, ago(200), "09-NQ/CB", helper)
    # an awareness-class certificate from six years ago: expired (valid 60 months)
    services.file_receive(duc, actor=None, code=FileCode.CERTIFICATE, received_on=add_years(ago(30), -6))

    _introduce(krong, _person(ids, krong, "Ksor", "Nhã", Sex.FEMALE, add_years(ago(40), -19)), ago(12), by)

    # Làng Tơ Vơ: an applicant with an expired certificate and an outstanding citizen.
    helper, _official_count = _official(tovo)
    by = YOUTH_UNION.format(village="Tơ Vơ")
    lan = _introduce(tovo, _person(ids, tovo, "Nay", "H'Lan", Sex.FEMALE, add_years(ago(10), -25)), ago(500), by)
    _sympathiser(lan, ago(420), "02-NQ/CB", helper)
    services.file_receive(lan, actor=None, code=FileCode.CERTIFICATE, received_on=add_years(ago(60), -5))
    services.applicant_record(lan, actor=None, on=ago(90), number="06-NQ/CB")
    services.file_receive(lan, actor=None, code=FileCode.APPLICATION, received_on=ago(60))
    _introduce(tovo, _person(ids, tovo, "Rcom", "Kơ", Sex.MALE, add_years(ago(300), -22)), ago(25),
               "Hội Liên hiệp Phụ nữ và Chi đoàn làng Tơ Vơ")

    # Probationary members near their 12-month date, and badges due at the next occasion.
    assert tovo.org is not None

    def member(person: dict[str, Any], status: str, admitted: dt.date, number: str) -> None:
        official_on = add_years(admitted, 1) if status == Status.OFFICIAL else None
        card = f"64{9_000_000 + int(person['citizen_id'][-6:]):07d}" if official_on else None
        members.member_create(actor=None, person_data=person, organisation=tovo.org, status=status,
                              admission_date=admitted, official_date=official_on, card_number=card,
                              decision_number=number)

    member(_person(ids, tovo, "Kpă", "H'Mai", Sex.FEMALE, add_years(ago(50), -27)), Status.PROBATIONARY,
           add_months(t, -12) + dt.timedelta(days=10), "112-QĐ/ĐU")  # 12 months end within two weeks
    member(_person(ids, tovo, "Rmah", "Thuận", Sex.MALE, add_years(ago(80), -29)), Status.PROBATIONARY,
           add_months(t, -14), "87-QĐ/ĐU")  # recognition overdue
    occasion = BADGE_OCCASIONS.next_on_or_after(t)
    member(_person(ids, tovo, "Nguyễn", "Thành", Sex.MALE, add_years(occasion, -53), KINH, middle="Văn"), Status.OFFICIAL,
           add_years(occasion, -30), "15-QĐ/HU")
    member(_person(ids, tovo, "Rơ Châm", "Blơng", Sex.FEMALE, add_years(occasion, -63)), Status.OFFICIAL,
           add_years(occasion, -40), "04-QĐ/HU")
    return {"candidates": 5, "probationary_near_end": 2, "badges_due": 2, "transfers": _transfers(tovo, krong, t)}


def _transfers(tovo: Any, krong: Any, t: dt.date) -> int:
    """Two letters: an official transfer from Tơ Vơ to Krông issued 20 days ago and not yet
    presented (due in 10 days), and a temporary one out of the province for study, presented."""
    from chibo.lifecycle import services as lifecycle
    from chibo.members.models import Membership

    movers = list(Membership.objects.filter(organisation=tovo.org, current=True, status=Status.OFFICIAL)
                  .order_by("-admission_date", "pk")[:2])
    if len(movers) < 2 or krong.org is None:
        return 0
    lifecycle.letter_issue(movers[0], actor=None, kind="official", reason_date=t - dt.timedelta(days=30),
                           number="21-GGT/ĐU", letter_date=t - dt.timedelta(days=20), other_organisation=krong.org)
    letter, _warnings = lifecycle.letter_issue(
        movers[1], actor=None, kind="temporary", reason_date=t - dt.timedelta(days=45), number="19-GGT/ĐU",
        letter_date=t - dt.timedelta(days=40), other_name="Đảng ủy Trường Chính trị tỉnh Gia Lai",
        temporary_end=add_months(t - dt.timedelta(days=40), 10), study=True)
    lifecycle.letter_present(letter, actor=None, on=t - dt.timedelta(days=30))
    return 2
