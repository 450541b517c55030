"""Bad input says what to do next, never an error (issue 14, "Bad input").

A page number past the end or not a number on every paginated list; deep links to objects out
of scope, to ended organisations and to deleted things."""

from __future__ import annotations

import datetime as D
from typing import Any

import pytest

from chibo.documents import services as documents

# Every paginated list, with the persona who reads it. Lists of a fixed page size of 50 or
# more have one page in the test world; the members list is read with a page size of 1, so
# "past the end" lands on a real last page.
LISTS = [
    ("/dang-vien/?org=A", "secretary_a"),
    ("/nhat-ky/", "admin"),
    ("/tai-khoan/", "admin"),
    ("/van-ban/", "commune_staff"),
    ("/van-ban/{doc}/chua-doc/", "commune_staff"),
    ("/hoc-tap/", "commune_staff"),
    ("/nghi-quyet/", "commune_staff"),
    ("/hoi-dap/tra-loi/", "secretary_a"),
    ("/to-chuc/A/sinh-hoat/", "secretary_a"),
]


def _url(world: Any, url: str) -> str:
    if "{doc}" in url:
        doc = documents.document_publish(actor=world.users["commune_staff"], organisation=world.org["C1"],
                                         kind="regulation", number="339-QĐ/TW", issuer="Ban Bí thư",
                                         issued_on=D.date(2025, 7, 10), title="Quy định về Sổ tay")
        url = url.format(doc=doc.pk)
    return url


def _with(url: str, page: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}page={page}"


@pytest.mark.parametrize(("url", "persona"), LISTS)
@pytest.mark.parametrize("page", ["999", "-1", "abc", "99999999999999999999"])
def test_a_page_number_that_is_not_a_page_shows_a_page_with_a_note(world, settings, url, persona, page):
    settings.CHIBO_PAGE_SIZE = 1
    url = _url(world, url)
    c = world.client(persona)
    response = c.get(_with(url, page))
    assert response.status_code == 200, (url, page, response.status_code)
    note = response.context["page"].note
    assert note, (url, page)
    assert note in response.content.decode()
    # The same list without a page number has no note, and its page 1 is not an error.
    plain = c.get(url)
    assert plain.status_code == 200 and plain.context["page"].note == ""
    assert c.get(_with(url, "1")).context["page"].note == ""


@pytest.mark.parametrize(("url", "persona"), LISTS)
def test_htmx_fragment_of_a_list_also_carries_the_note(world, settings, url, persona):
    settings.CHIBO_PAGE_SIZE = 1
    url = _url(world, url)
    response = world.client(persona).get(_with(url, "999"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.context["page"].note in response.content.decode()


def test_past_the_end_shows_the_last_page_and_not_a_number_the_first(world, settings):
    settings.CHIBO_PAGE_SIZE = 1
    c = world.client("secretary_a")
    first = c.get("/dang-vien/?org=A")
    last_number = first.context["page"].paginator.num_pages
    assert last_number > 1
    past = c.get("/dang-vien/?org=A&page=999")
    assert past.context["page"].number == last_number
    assert "999" in past.context["page"].note
    for bad in ("abc", "-1", "0"):
        assert c.get(f"/dang-vien/?org=A&page={bad}").context["page"].number == 1
    # An existing page is shown as asked, without a note.
    second = c.get("/dang-vien/?org=A&page=2")
    assert second.context["page"].number == 2 and second.context["page"].note == ""


# --- Deep links out of scope, or to what was removed: one friendly 404 ---------------------------

def _not_found_page(response: Any) -> None:
    """The 404 page in chibo's words, with what to do next (the next steps and a way home),
    which never says whether the thing exists."""
    from django.utils.translation import gettext, override

    assert response.status_code == 404
    html = response.content.decode()
    assert 'id="next-steps"' in html
    assert 'href="/"' in html
    with override("vi"):
        assert gettext("Page not found") in html
        assert gettext("If you think your post should let you see it, ask your cell secretary or the commune "
                       "party committee office to give you access.") in html


@pytest.fixture
def far(world):
    """For each commune, one of its member, meeting, task and document: the deep links a
    persona of the other commune must not open."""
    from chibo.core.dates import today
    from chibo.meetings import services as meetings
    from chibo.tasks import services as tasks

    day = today()
    links: dict[str, list[str]] = {}
    for commune, cell, member, secretary in (("C1", "A", "member", "secretary_a"), ("C2", "X", "x_member", "x_secretary")):
        meeting = meetings.meeting_create(actor=None, organisation=world.org[cell], kind="regular",
                                          date=day + D.timedelta(days=3), start_time=D.time(19, 30), place="Nhà văn hóa")
        task = tasks.task_create(actor=None, organisation=world.org[cell], title=f"Việc chi bộ {cell}",
                                 verifier=world.m[secretary].person, start_on=day, due_on=day + D.timedelta(days=10),
                                 expected_output="Kết quả", verify_by=day + D.timedelta(days=12),
                                 assignees=[tasks.Assign(person=world.m[member].person, lead=True)])
        doc = documents.document_publish(actor=None, organisation=world.org[commune], kind="regulation",
                                         number=f"1-QĐ/{commune}", issuer="Đảng ủy", issued_on=D.date(2025, 7, 10),
                                         title="Quy định")
        links[commune] = [f"/dang-vien/{world.m[member].pk}/", f"/hop/{meeting.pk}/", f"/viec/{task.pk}/",
                          f"/van-ban/{doc.pk}/"]
    return links


@pytest.mark.parametrize("persona", ["member", "secretary_a", "secretary_b", "commune_staff", "other_commune_staff"])
def test_a_link_to_another_communes_member_meeting_task_or_document_is_the_friendly_404(world, far, persona):
    c = world.client(persona)
    other = "C1" if persona == "other_commune_staff" else "C2"
    for url in far[other]:
        _not_found_page(c.get(url, HTTP_REFERER="http://testserver/viec-cua-toi/"))


@pytest.mark.parametrize("persona", ["member", "commune_staff", "province_staff", "admin"])
def test_a_link_to_something_that_is_not_there_is_the_same_404(world, far, persona):
    """A removed or never-created object looks exactly like one out of scope."""
    c = world.client(persona)
    for url in ("/dang-vien/987654/", "/hop/987654/", "/viec/987654/", "/van-ban/987654/",
                "/nhap-du-lieu/987654/", "/xuat-du-lieu/987654/", "/hop/bien-ban/987654.pdf"):
        _not_found_page(c.get(url))


def test_a_cancelled_meeting_or_task_opens_and_says_it_was_cancelled(world, far):
    """Cancelled is not deleted: the link keeps working and says so, with the reason."""
    from chibo.meetings import services as meetings
    from chibo.meetings.models import Meeting
    from chibo.tasks import services as tasks
    from chibo.tasks.models import Task

    meeting = Meeting.objects.get(pk=int(far["C1"][1].split("/")[2]))
    meetings.meeting_cancel(meeting, actor=None, reason="Mưa bão lớn")
    task = Task.objects.get(pk=int(far["C1"][2].split("/")[2]))
    tasks.task_cancel(task, actor=world.users["secretary_a"], note="Không còn cần thiết")
    c = world.client("member")
    page = c.get(far["C1"][1])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="cancelled"' in html and 'href="/to-chuc/A/sinh-hoat/"' in html
    assert "Mưa bão lớn" in html
    page = c.get(far["C1"][2])
    assert page.status_code == 200
    assert "Không còn cần thiết" in page.content.decode()


def test_removing_a_day_off_twice_says_it_was_already_removed(world):
    from chibo.core import services as core
    from chibo.core.models import Holiday

    day = core.holiday_set(actor=None, day=D.date(2026, 12, 28), name="Nghỉ bù")
    c = world.client("admin")
    first = c.post(f"/ngay-nghi/{day.pk}/xoa/")
    assert first.status_code == 302 and not Holiday.objects.filter(pk=day.pk).exists()
    again = c.post(f"/ngay-nghi/{day.pk}/xoa/", follow=True)
    assert again.status_code == 200
    assert any("already" in str(m) or "đã được xóa" in str(m) for m in again.context["messages"])
    assert world.client("member").post(f"/ngay-nghi/{day.pk}/xoa/").status_code == 403


# --- A second regular meeting in the month: the API warns as the web form does ------------------

def test_the_api_warns_of_a_second_regular_meeting_in_the_month_and_does_not_refuse(world):
    from chibo.core.dates import add_months, today
    from chibo.meetings.models import Meeting
    from tests.api_client import Api

    api = Api(world)
    month = add_months(today().replace(day=1), 1)

    def create(day: D.date, kind: str = "regular", **over: Any) -> Any:
        response = api("secretary_a", "POST", "meetings/", {
            "organisation": "A", "kind": kind, "date": day.isoformat(), "start_time": "19:30",
            "place": "Nhà văn hóa thôn Đông", **over})
        assert response.status_code == 201, response.content
        return response.json()

    first = create(month + D.timedelta(days=4))
    assert first["warnings"] == []
    second = create(month + D.timedelta(days=19))
    assert len(second["warnings"]) == 1
    assert (month + D.timedelta(days=4)).strftime("%d/%m/%Y") in second["warnings"][0]
    assert Meeting.objects.filter(kind="regular").count() == 2  # created all the same
    thematic = create(month + D.timedelta(days=20), kind="thematic", thematic_topic="Chuyên đề")
    assert thematic["warnings"] == []
    # announcing the second one repeats the warning beside the invitations
    published = api("secretary_a", "POST", f"meetings/{second['id']}/publish/", {})
    assert published.status_code == 200, published.content
    body = published.json()
    assert body["meeting"]["status"] == "published" and len(body["warnings"]) == 1
    # moving a later meeting into the month warns; reading a meeting is not a write and carries none
    later = create(add_months(month, 1) + D.timedelta(days=2))
    assert later["warnings"] == []
    moved = api("secretary_a", "PATCH", f"meetings/{later['id']}/",
                {"version": later["version"], "date": (month + D.timedelta(days=25)).isoformat()})
    assert moved.status_code == 200 and len(moved.json()["warnings"]) == 1
    assert "warnings" not in api("secretary_a", "GET", f"meetings/{later['id']}/").json()


# --- Deep links to an ended organisation (merged or dissolved) ---------------------------------

@pytest.fixture
def ended(world):
    """Cell B merged into cell A: its members moved to A a month ago, then B ended the next day."""
    from chibo.core.dates import today
    from chibo.members import services as members
    from chibo.organisations import services as orgs

    day = today() - D.timedelta(days=30)
    for key in ("secretary_b", "b_member"):
        members.member_record_event(world.m[key], actor=None, kind="moved", effective_date=day,
                                    organisation=world.org["A"], decision_number="12-QĐ/ĐU")
    return orgs.organisation_end(world.org["B"], actor=None, on=day + D.timedelta(days=1))


ENDED_PAGES = ["/to-chuc/B/", "/dang-vien/?org=B", "/to-chuc/B/sinh-hoat/", "/to-chuc/B/chi-tieu/",
               "/to-chuc/B/ke-hoach/"]


@pytest.mark.parametrize("persona", ["commune_staff", "province_staff", "admin"])
@pytest.mark.parametrize("url", ENDED_PAGES)
def test_an_ended_organisations_pages_open_and_say_it_ended_and_where_its_members_are(world, ended, persona, url):
    response = world.client(persona).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="ended"' in html
    assert ended.valid_to.strftime("%d/%m/%Y") in html
    notice = html[html.index('id="ended"'):]
    notice = notice[:notice.index("</div>")]
    assert 'href="/to-chuc/A/"' in notice and "(2 " in notice  # both members went to cell A
    assert 'href="/to-chuc/C1/"' in notice  # the commune, for current work
    # nothing offers to add to it
    assert "/hop/moi/?org=B" not in html and "/viec/moi/?org=B" not in html and "/dang-vien/moi/?org=B" not in html


def test_a_current_organisations_pages_have_no_ended_notice(world):
    for url in ["/to-chuc/A/", "/dang-vien/?org=A", "/to-chuc/A/sinh-hoat/", "/to-chuc/A/chi-tieu/", "/to-chuc/A/ke-hoach/"]:
        assert 'id="ended"' not in world.client("commune_staff").get(url).content.decode()


@pytest.mark.parametrize("persona", ["commune_staff", "admin"])
def test_forms_to_add_a_meeting_or_a_task_to_an_ended_cell_refuse_with_a_message(world, ended, persona):
    from chibo.meetings.models import Meeting
    from chibo.tasks.models import Task

    c = world.client(persona)
    for url, back in (("/hop/moi/?org=B", "/to-chuc/B/sinh-hoat/"), ("/viec/moi/?org=B", "/to-chuc/B/ke-hoach/")):
        response = c.get(url, follow=True)
        assert response.redirect_chain == [(back, 302)]
        said = [str(m) for m in response.context["messages"]]
        assert any(ended.valid_to.strftime("%d/%m/%Y") in m for m in said), said
        posted = c.post(url, {"kind": "regular", "date": "01/01/2027", "start_time": "19:30", "place": "Nhà văn hóa",
                              "title": "Việc", "agenda": "Tình hình"})
        assert posted.status_code == 302 and posted["Location"] == back
    assert not Meeting.objects.exists() and not Task.objects.exists()


def test_the_services_refuse_new_meetings_and_tasks_in_an_ended_cell_but_keep_its_history(world, ended):
    from django.core.exceptions import ValidationError

    from chibo.core.dates import today
    from chibo.meetings import services as meetings
    from chibo.tasks import services as tasks

    with pytest.raises(ValidationError) as refused:
        meetings.meeting_create(actor=None, organisation=ended, date=today() + D.timedelta(days=3),
                                start_time=D.time(19, 30), place="Nhà văn hóa")
    assert "organisation" in refused.value.message_dict
    # a meeting held before it ended can still be recorded
    before = meetings.meeting_create(actor=None, organisation=ended, date=ended.valid_to - D.timedelta(days=3),
                                     start_time=D.time(19, 30), place="Nhà văn hóa")
    assert before.pk
    with pytest.raises(ValidationError) as refused:
        tasks.task_create(actor=None, organisation=ended, title="Việc", start_on=today(),
                          due_on=today() + D.timedelta(days=10), expected_output="Kết quả",
                          verify_by=today() + D.timedelta(days=12), verifier=world.m["secretary_a"].person,
                          assignees=[tasks.Assign(organisation=ended, lead=True)])
    assert "organisation" in refused.value.message_dict
    # its meeting opens and says the cell ended
    response = world.client("commune_staff").get(f"/hop/{before.pk}/")
    assert response.status_code == 200 and 'id="ended"' in response.content.decode()


# --- The minutes: each fact once, on the page and in the PDF; numbering and paragraphs kept ---------

def _pdf_lines(content: bytes, tmp_path: Any) -> list[str]:
    import shutil
    import subprocess

    assert shutil.which("pdftotext"), "pdftotext is missing: run scripts/bootstrap.sh (installs poppler-utils)"
    path = tmp_path / "bien-ban.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def test_the_final_minutes_say_each_fact_once_and_keep_their_numbering(world, tmp_path):
    from chibo.core.dates import today
    from chibo.meetings import services as meetings
    from chibo.meetings.models import Minutes

    day = today()
    meeting = meetings.meeting_create(actor=None, organisation=world.org["A"], kind="regular", date=day,
                                      start_time=D.time(0, 0), place="Nhà văn hóa thôn Đông",
                                      chair=world.m["secretary_a"].person, recorder=world.m["member"].person)
    meetings.guest_add(meeting, actor=None, guest=meetings.Guest(person=world.m["secretary_b"].person,
                                                                 title="Đảng ủy viên phụ trách"))
    for row in meeting.attendance.all():
        excused = row.person_id == world.m["a_woman"].person_id
        meetings.attendance_record(meeting, actor=None, person_id=row.person_id,
                                   status="excused" if excused else "present", reason="ốm nằm viện" if excused else "")
    meetings.vote_record(meeting, actor=None, kind="general", title="Nghị quyết chi bộ tháng mười hai",
                         votes_for=3, votes_against=0, votes_abstain=0, decision="Vận động năm hộ làm nhà vệ sinh")
    meetings.meeting_held(meeting, actor=None, end_time=D.time(21, 45))
    draft = meetings.minutes_draft(meeting, actor=None)
    # The draft's text does not restate what the record prints: attendance, guests, votes.
    for fact in ("ốm nằm viện", "Trần Thị Hoa", "Rơ Châm H'Luyên", "3/0/0", "Nghị quyết chi bộ tháng mười hai",
                 "Vận động năm hộ"):
        assert fact not in draft.opening + draft.content + draft.conclusions + draft.closing, fact
    content = ("1. Tình hình thôn\nAn ninh ổn định, không có vụ việc phức tạp.\n\n"
               "2. Nhiệm vụ tháng tới\na) Làm đường liên xóm.\nb) Thu quỹ khuyến học.")
    meetings.minutes_update(draft, actor=None, content=content,
                            conclusions="Chi bộ thống nhất giao chi ủy theo dõi việc làm đường.")
    meetings.minutes_finalise(draft, actor=None)
    final = Minutes.objects.get(pk=draft.pk)

    response = world.client("member").get(f"/hop/bien-ban/{final.pk}.pdf")
    assert response.status_code == 200
    lines = _pdf_lines(b"".join(response.streaming_content), tmp_path)
    repeated = {line for line in lines if lines.count(line) > 1}
    assert not repeated, repeated
    text = "\n".join(lines)
    for fact in ("ốm nằm viện", "Rơ Châm H'Luyên", "Nghị quyết chi bộ tháng mười hai", "Vận động năm hộ làm nhà vệ sinh",
                 "Nhà văn hóa thôn Đông", "Chi bộ thống nhất giao chi ủy"):
        assert text.count(fact) == 1, (fact, text.count(fact))
    numbered = [line for line in lines if line.startswith(("1. Tình hình thôn", "2. Nhiệm vụ tháng tới",
                                                           "a) Làm đường", "b) Thu quỹ"))]
    assert len(numbered) == 4, lines

    page = world.client("member").get(f"/hop/{meeting.pk}/bien-ban/").content.decode()
    for fact in ("ốm nằm viện", "Rơ Châm H&#x27;Luyên", "Nghị quyết chi bộ tháng mười hai",
                 "Vận động năm hộ làm nhà vệ sinh", "Chi bộ thống nhất giao chi ủy"):
        assert page.count(fact) == 1, (fact, page.count(fact))
    for paragraph in ("<p>1. Tình hình thôn<br>An ninh ổn định, không có vụ việc phức tạp.</p>",
                      "<p>2. Nhiệm vụ tháng tới<br>a) Làm đường liên xóm.<br>b) Thu quỹ khuyến học.</p>"):
        assert page.count(paragraph) == 1, paragraph


# --- Query counts of what this adds: flat with more data --------------------------------------------

def _queries(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


def test_an_ended_organisations_page_reads_a_fixed_number_of_queries(world, ended):
    """Cell B (2 members went to A) against cell E (12 members went to A and to D)."""
    from chibo.core.dates import today
    from chibo.members import services as members
    from chibo.organisations import services as orgs
    from tests.conftest import add_member

    c = world.client("commune_staff")
    _queries(c, "/to-chuc/B/")
    small = {url: _queries(c, url) for url in ENDED_PAGES}
    cells = {code: orgs.organisation_create(actor=None, code=code, name=f"Chi bộ {code}", kind="grassroots_cell",
                                            sector="residential", parent=world.org["C1"],
                                            valid_from=D.date(2025, 7, 1)) for code in ("D", "E")}
    day = today() - D.timedelta(days=30)
    for i in range(12):
        m = add_member(cells["E"], "Lê", "Văn", f"Thêm{i}")
        members.member_record_event(m, actor=None, kind="moved", effective_date=day,
                                    organisation=cells["D"] if i % 2 else world.org["A"])
    orgs.organisation_end(cells["E"], actor=None, on=day + D.timedelta(days=1))
    for url, n in small.items():
        other = url.replace("/B/", "/E/").replace("org=B", "org=E")
        assert 'href="/to-chuc/D/"' in c.get(other).content.decode()
        assert _queries(c, other) <= n, other


def test_the_minutes_page_reads_a_fixed_number_of_queries(world):
    from chibo.core.dates import today
    from chibo.meetings import services as meetings
    from tests.conftest import add_member

    def held(n_votes: int) -> int:
        meeting = meetings.meeting_create(actor=None, organisation=world.org["A"], kind="regular", date=today(),
                                          start_time=D.time(0, 0), place="Nhà văn hóa")
        for row in meeting.attendance.all():
            meetings.attendance_record(meeting, actor=None, person_id=row.person_id, status="present")
        for i in range(n_votes):
            meetings.vote_record(meeting, actor=None, kind="general", title=f"Nội dung {i}", votes_for=1,
                                 votes_against=0, votes_abstain=0)
        meetings.meeting_held(meeting, actor=None, end_time=D.time(23, 59))
        meetings.minutes_finalise(meetings.minutes_draft(meeting, actor=None), actor=None)
        return meeting.pk

    c = world.client("secretary_a")
    first = held(1)
    _queries(c, f"/hop/{first}/bien-ban/")
    small = _queries(c, f"/hop/{first}/bien-ban/")
    for i in range(8):
        add_member(world.org["A"], "Lê", "Văn", f"Thêm{i}")
    second = held(5)
    assert _queries(c, f"/hop/{second}/bien-ban/") <= small


@pytest.mark.parametrize("persona", ["commune_staff", "admin"])
def test_nothing_about_an_ended_organisation_is_a_server_error(world, ended, persona):
    c = world.client(persona)
    for url in ("/to-chuc/B/den-han/", "/to-chuc/B/huy-hieu/", "/to-chuc/B/phat-trien-dang-vien/",
                "/to-chuc/B/tai-khoan/", "/to-chuc/B/viec-den-han/", "/to-chuc/B/sinh-hoat/con-thieu/",
                "/to-chuc/B/sua/", "/ket-nap/moi/?org=B", "/dang-vien/moi/?org=B", "/chuc-vu/moi/?org=B",
                "/?org=B", "/to-chuc/?parent=C1", "/to-chuc/C1/", "/dang-vien/?org=C1", "/hop/moi/?org=B",
                "/viec/moi/?org=B", "/nghi-quyet/?org=B", "/hoi-dap/moi/"):
        response = c.get(url)
        assert response.status_code in (200, 302, 403), (url, response.status_code)
