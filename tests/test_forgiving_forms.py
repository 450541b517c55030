"""Forms that forgive (issue 14 point 6): a form sent twice is written once, dates are read in
every spelling people use, a date that cannot be read is an error on its field, and the
committee is listed Bí thư, Phó bí thư, then members."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chibo.core.dates import parse_vn_date, today
from chibo.meetings.models import Vote
from chibo.members.models import MembershipEvent
from chibo.plans.models import Measurement
from chibo.tasks.models import Update as TaskUpdate
from chibo.web.forms import date_field
from chibo.web.models import FormSubmission
from tests.test_meetings_web import a_meeting, everyone
from tests.test_plans_web import plan  # noqa: F401  (fixture)
from tests.test_tasks_web import make_task

# --- One date parser --------------------------------------------------------------------------


def spellings(day: dt.date) -> list[str]:
    d, m, y = day.day, day.month, day.year
    return [f"{d:02}/{m:02}/{y}", f"{d}/{m}/{y}", f"{d:02}-{m:02}-{y}", f"{d:02}.{m:02}.{y}", f"{d:02}{m:02}{y}",
            f"{y}-{m:02}-{d:02}", f"  {d:02}/{m:02}/{y} ", f"{d}.{m}.{y}"]


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_every_accepted_spelling_reads_back_the_same_date(day):
    field = date_field("date")
    for text in spellings(day):
        assert parse_vn_date(text) == day, text
        assert field.clean(text) == day, text


NOT_DATES = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Nd",)), min_size=1).filter(lambda s: s.strip()),
    st.from_regex(r"\A\d{1,7}\Z"), st.from_regex(r"\A\d{9,12}\Z"),
    st.sampled_from(["31/02/2026", "29/02/2027", "15/13/2026", "00/01/2026", "15/03/26", "15/03-2026",
                     "2026/03/15", "١٥/٠٣/٢٠٢٦", "15 03 2026", "32012026"]),
)


@given(NOT_DATES)
def test_what_is_not_a_date_is_refused_with_a_message(text):
    with pytest.raises(ValueError):
        parse_vn_date(text)
    from django.core.exceptions import ValidationError
    with pytest.raises(ValidationError) as exc:
        date_field("date").clean(text)
    assert "dd/mm/yyyy" in str(exc.value.messages[0])


def test_a_form_reads_every_spelling(world):
    m = world.m["b_member"]
    for text in ["15032026", "15-03-2026", "15.03.2026", " 15/3/2026 ", "2026-03-15"]:
        response = world.client("secretary_b").post(f"/dang-vien/{m.pk}/su-kien/", {
            "kind": "exempted", "effective_date": text, "decision_number": "05-QĐ/CB"})
        # an exemption has its own procedure: refused on the kind, nothing written; the date was read
        form = response.context["form"]
        assert "kind" in form.errors and "effective_date" not in form.errors
        assert form.cleaned_data["effective_date"] == dt.date(2026, 3, 15)
    response = world.client("secretary_b").post(f"/dang-vien/{m.pk}/su-kien/", {
        "kind": "exempted", "effective_date": "15/03", "decision_number": "05-QĐ/CB"})
    assert "effective_date" in response.context["form"].errors


@pytest.mark.parametrize("text", ["15032026", "15-03-2026", "15.03.2026", "15/3/2026", "2026-03-15"])
def test_the_dashboard_reads_every_spelling(world, text):
    response = world.client("admin").get("/", {"date": text})
    assert response.status_code == 200
    assert response.context["day"] == dt.date(2026, 3, 15) and not response.context["date_error"]
    assert 'value="15/03/2026"' in response.content.decode()


def test_an_unreadable_dashboard_date_is_an_error_on_its_field(world):
    response = world.client("admin").get("/", {"date": "15/3"})
    html = response.content.decode()
    assert response.status_code == 200 and response.context["day"] is None
    assert 'aria-invalid="true"' in html and 'id="id_date_error"' in html and 'value="15/3"' in html
    error = html.split('id="id_date_error"', 1)[1].split("</ul>", 1)[0]
    assert "15/3" in error and ("dd/mm/yyyy" in error or "ngày/tháng/năm" in error)


# --- A form sent twice is written once --------------------------------------------------------

def token() -> str:
    return str(uuid.uuid4())


def test_every_writing_form_carries_a_fresh_token(world, plan):  # noqa: F811
    _res, _admit, a, _b = plan
    c = world.client("secretary_a")
    first = re.findall(r'name="submit_token" value="([0-9a-f-]{36})"', c.get(f"/chi-tieu/{a.pk}/").content.decode())
    again = re.findall(r'name="submit_token" value="([0-9a-f-]{36})"', c.get(f"/chi-tieu/{a.pk}/").content.decode())
    assert first and again and not set(first) & set(again)


@pytest.mark.parametrize("htmx", [False, True])
def test_a_measurement_sent_twice_is_written_once(world, plan, htmx):  # noqa: F811
    _res, _admit, a, _b = plan
    c = world.client("secretary_a")
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    data = {"measured_on": "30/06/2026", "value": "12", "note": "", "submit_token": token()}
    first = c.post(f"/chi-tieu/{a.pk}/so-lieu/", data, **headers)
    second = c.post(f"/chi-tieu/{a.pk}/so-lieu/", data, **headers)
    assert first.status_code in (200, 302)
    assert Measurement.objects.filter(target=a).count() == 1
    if htmx:
        assert second.status_code == 200 and second["HX-Refresh"] == "true"
    else:
        assert second.status_code == 302 and second["Location"] == first["Location"]
    # another figure, from a fresh form, is written
    c.post(f"/chi-tieu/{a.pk}/so-lieu/", {**data, "value": "14", "submit_token": token()}, **headers)
    assert Measurement.objects.filter(target=a).count() == 2


def test_a_task_update_sent_twice_is_written_once(world):
    task = make_task(world)
    c = world.client("member")
    data = {"action": "progress", "progress": "50", "note": "Đã rà soát 60 hộ", "version": task.version,
            "submit_token": token()}
    assert c.post(f"/viec/{task.pk}/cap-nhat/", data).status_code == 302
    again = c.post(f"/viec/{task.pk}/cap-nhat/", data)
    assert again.status_code == 302  # not 409: the same tap, answered calmly
    assert TaskUpdate.objects.filter(task=task, kind="progress").count() == 1


def test_a_vote_sent_twice_is_written_once(world):
    meeting = a_meeting(world, day=today())
    everyone(meeting)
    c = world.client("secretary_a")
    data = {"kind": "general", "title": "Nghị quyết tháng", "votes_for": "3", "votes_against": "0",
            "votes_abstain": "0", "decision": "", "submit_token": token()}
    first = c.post(f"/hop/{meeting.pk}/bieu-quyet/", data)
    second = c.post(f"/hop/{meeting.pk}/bieu-quyet/", data)
    assert first.status_code == 302 and second.status_code == 302 and second["Location"] == first["Location"]
    assert Vote.objects.filter(meeting=meeting).count() == 1
    page = c.get(second["Location"]).content.decode()
    assert "Nghị quyết tháng" in page


def test_a_member_event_sent_twice_is_written_once(world):
    m = world.m["a_woman"]
    c = world.client("secretary_a")
    data = {"kind": "transferred_out", "effective_date": today().strftime("%d/%m/%Y"), "submit_token": token()}
    before = MembershipEvent.objects.filter(membership=m).count()
    assert c.post(f"/dang-vien/{m.pk}/su-kien/", data).status_code == 302
    assert c.post(f"/dang-vien/{m.pk}/su-kien/", data).status_code == 302
    assert MembershipEvent.objects.filter(membership=m).count() == before + 1


def test_a_refused_form_frees_its_token(world):
    m = world.m["a_woman"]
    c = world.client("secretary_a")
    t = token()
    refused = c.post(f"/dang-vien/{m.pk}/su-kien/", {"kind": "transferred_out", "effective_date": "31/02/2026",
                                                     "submit_token": t})
    assert refused.status_code == 200 and "effective_date" in refused.context["form"].errors
    assert not FormSubmission.objects.filter(token=t).exists()
    fixed = c.post(f"/dang-vien/{m.pk}/su-kien/", {"kind": "transferred_out",
                                                   "effective_date": today().strftime("%d/%m/%Y"), "submit_token": t})
    assert fixed.status_code == 302


def test_a_token_is_one_persons(world):
    m = world.m["a_woman"]
    t = token()
    data = {"kind": "transferred_out", "effective_date": today().strftime("%d/%m/%Y"), "submit_token": t}
    assert world.client("secretary_a").post(f"/dang-vien/{m.pk}/su-kien/", data).status_code == 302
    assert FormSubmission.objects.get(token=t).user == world.users["secretary_a"]


# --- The committee in order -------------------------------------------------------------------

def test_the_committee_is_listed_secretary_deputy_members_inspection_then_by_name(world):
    from chibo.members import selectors as member_selectors
    from chibo.members import services as members
    from tests.conftest import add_member

    a = world.org["A"]
    an = add_member(a, "Bùi", "Văn", "An", residence=world.loc["A"])
    ba = add_member(a, "Võ", "Văn", "Ba", residence=world.loc["A"])
    start = dt.date(2025, 9, 1)
    # recorded in the wrong order on purpose: the inspection member first, the deputy last
    members.post_create(actor=None, person=ba.person, kind="inspection_member", organisation=a, start_date=start)
    members.post_create(actor=None, person=an.person, kind="committee_member", organisation=a, start_date=start)
    members.post_create(actor=None, person=world.m["c1_staff"].person, kind="deputy_secretary", organisation=a,
                        start_date=start)
    expected = ["Ksor Thăng", "Đào Thị Ninh", "Bùi Văn An", "Nguyễn Văn Đức", "Võ Văn Ba"]
    assert [p.person.full_name for p in member_selectors.committee_posts([a])] == expected
    html = world.client("secretary_a").get(f"/to-chuc/{a.code}/").content.decode()
    section = html[html.index("Ksor Thăng") - 200:]
    positions = [section.index(f"<strong>{name}</strong>") for name in expected]
    assert positions == sorted(positions)
