"""Exemption from party work and meetings as a procedure (chibo.lifecycle.exemptions,
domain-rules.md §5.2 and §0): request or proposal → the cell's resolution → the decision with its
start date → the return to activity, through HTTP as the cell secretary and the commune staff;
its effects on the member's dated history, the indicators on a past date, the meetings' invitees
and the removal flag; bad input named by field with nothing half-written; access; query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.audit.models import AuditEvent
from chibo.core.dates import format_vn_date, today
from chibo.indicators.figures import indicators
from chibo.lifecycle import exemptions
from chibo.lifecycle import selectors as lifecycle
from chibo.lifecycle.models import Exemption
from chibo.meetings import services as meetings
from chibo.meetings.models import Attendance
from chibo.members import services as members
from chibo.members.models import Membership, MembershipEvent
from tests.conftest import add_member
from tests.test_lifecycle import _held

D = dt.date
OLD = D(1950, 4, 2)


def _vn(day: dt.date) -> str:
    return format_vn_date(day)


def _future_meeting(world, cell="A", days=10):
    return meetings.meeting_create(actor=None, organisation=world.org[cell], date=today() + dt.timedelta(days=days),
                                   start_time=dt.time(19, 30), place="Nhà văn hóa")


def _invited(meeting, m):
    return meeting.attendance.filter(person_id=m.person_id, role=Attendance.Role.MEMBER).exists()


def _request(client, m, **kw):
    data = {"action": "request", "request-origin": "request", "request-request_on": "02/03/2026",
            "request-grounds": "age_health", "request-reason": "Tai biến, điều trị dài ngày"}
    data.update({f"request-{k}": v for k, v in kw.items()})
    return client.post(f"/dang-vien/{m.pk}/mien-sinh-hoat/", data)


def _resolve(client, ex, **kw):
    data = {"action": "resolve", "resolve-agreed": "yes", "resolve-resolution_on": "10/03/2026",
            "resolve-resolution_number": "05-NQ/CB", "resolve-votes_for": "9", "resolve-votes_against": "0"}
    data.update({f"resolve-{k}": v for k, v in kw.items()})
    return client.post(f"/mien-sinh-hoat/{ex.pk}/", data)


def _decide(client, ex, **kw):
    data = {"action": "decide", "decide-agreed": "yes", "decide-decided_by": "cell_committee",
            "decide-decision_on": "15/03/2026", "decide-decision_number": "07-QĐ/CB", "decide-start_on": "15/03/2026"}
    data.update({f"decide-{k}": v for k, v in kw.items()})
    return client.post(f"/mien-sinh-hoat/{ex.pk}/", data)


def _return(client, ex, **kw):
    data = {"action": "return", "return-return_request_on": "01/10/2026", "return-return_on": "05/10/2026",
            "return-return_number": "12-QĐ/CB", "return-end_on": "05/10/2026"}
    data.update({f"return-{k}": v for k, v in kw.items()})
    return client.post(f"/mien-sinh-hoat/{ex.pk}/", data)


@pytest.fixture
def old(world):
    return add_member(world.org["A"], "Lê", "Văn", "Cao", birth=OLD, admission=D(1980, 5, 19), residence=world.loc["A"])


def test_the_full_procedure_through_the_pages(world, old):
    sec, staff = world.client("secretary_a"), world.client("commune_staff")
    assert f"/dang-vien/{old.pk}/mien-sinh-hoat/" in sec.get(f"/dang-vien/{old.pk}/").content.decode()
    page = sec.get(f"/dang-vien/{old.pk}/mien-sinh-hoat/").content.decode()
    assert 'id="request-form"' in page and "27-HD/BTCTW" in page and 'id="exemption-effects"' in page
    upcoming = _future_meeting(world)
    assert _invited(upcoming, old)

    r = _request(sec, old)
    assert r.status_code == 302, r.content.decode()[:3000]
    ex = Exemption.objects.get(membership=old)
    assert r["Location"] == f"/mien-sinh-hoat/{ex.pk}/"
    assert (ex.state, ex.origin, ex.request_on, ex.grounds) == ("requested", "request", D(2026, 3, 2), "age_health")
    assert 'id="resolve-form"' in sec.get(r["Location"]).content.decode()
    assert _resolve(sec, ex).status_code == 302
    ex.refresh_from_db()
    assert (ex.state, ex.resolution_on, ex.resolution_number, ex.votes_for) == ("resolved", D(2026, 3, 10), "05-NQ/CB", 9)
    old.refresh_from_db()
    assert not old.exempt  # the cell's resolution alone changes nothing

    r = _decide(staff, ex)
    assert r.status_code == 302, r.content.decode()[:3000]
    ex.refresh_from_db()
    old.refresh_from_db()
    assert (ex.state, ex.start_on, ex.decided_by, ex.decision_number) == ("decided", D(2026, 3, 15), "cell_committee", "07-QĐ/CB")
    assert old.exempt
    event = old.events.get(kind=MembershipEvent.Kind.EXEMPTED)
    assert (event.effective_date, event.decision_number) == (D(2026, 3, 15), "07-QĐ/CB")
    # the meeting prepared before the decision no longer calls the member; a new one does not either
    assert not _invited(upcoming, old)
    assert not _invited(_future_meeting(world, days=20), old)
    # the indicators on a past date: not exempt the day before the start, exempt from it
    assert indicators(world.org["A"], D(2026, 3, 14)).figures["members_exempt"] == 0
    assert indicators(world.org["A"], D(2026, 3, 15)).figures["members_exempt"] == 1
    assert indicators(world.org["A"]).figures["members_exempt"] == 1
    page = sec.get(f"/mien-sinh-hoat/{ex.pk}/").content.decode()
    assert 'id="return-form"' in page and "15/03/2026" in page and "07-QĐ/CB" in page

    r = _return(sec, ex)
    assert r.status_code == 302, r.content.decode()[:3000]
    ex.refresh_from_db()
    old.refresh_from_db()
    assert (ex.state, ex.end_on, ex.return_on, ex.return_request_on) == ("ended", D(2026, 10, 5), D(2026, 10, 5), D(2026, 10, 1))
    assert not old.exempt
    assert [e.kind for e in old.events.order_by("effective_date", "id")][-2:] == ["exempted", "exemption_ended"]
    assert _invited(upcoming, old)  # called again to the meetings not held yet
    assert indicators(world.org["A"], D(2026, 6, 1)).figures["members_exempt"] == 1
    assert indicators(world.org["A"], D(2026, 10, 5)).figures["members_exempt"] == 0
    steps = AuditEvent.objects.filter(object_type__endswith="exemption", object_id=str(ex.pk))
    assert steps.count() == 4
    history = sec.get(f"/dang-vien/{old.pk}/mien-sinh-hoat/").content.decode()
    assert f"/mien-sinh-hoat/{ex.pk}/" in history and "05/10/2026" in history and 'id="request-form"' in history


def test_refused_by_the_cell_or_the_decision(world, old):
    sec = world.client("secretary_a")
    _request(sec, old)
    ex = Exemption.objects.get(membership=old)
    assert _resolve(sec, ex, agreed="no").status_code == 302
    ex.refresh_from_db()
    assert (ex.state, ex.refused_on) == ("refused", D(2026, 3, 10))
    assert _request(sec, old, request_on="01/04/2026").status_code == 302  # a new request may follow
    second = Exemption.objects.filter(membership=old).latest("id")
    _resolve(sec, second, resolution_on="05/04/2026")
    assert _decide(sec, second, agreed="no", decision_on="06/04/2026", start_on="").status_code == 302
    second.refresh_from_db()
    old.refresh_from_db()
    assert second.state == "refused" and not old.exempt and not old.events.filter(kind="exempted").exists()


def test_an_age_below_the_guidance_is_a_warning_with_the_rule(world):
    young = add_member(world.org["A"], "Lê", "Văn", "Trẻ", birth=D(1980, 5, 17))
    sec = world.client("secretary_a")
    r = _request(sec, young)
    assert r.status_code == 302
    page = sec.get(r["Location"]).content.decode()
    assert "27-HD/BTCTW" in page and "60" in page
    # the rules carry their citation, confirmed (HD 27 was read)
    rule = exemptions.age_rule(young, D(2026, 3, 2))
    assert rule is not None and rule.value == 60 and rule.confirmed and "27-HD/BTCTW" in rule.citation
    woman = add_member(world.org["A"], "Lê", "Thị", "Hà", sex="F", birth=D(1970, 1, 1))
    assert exemptions.age_rule(woman, D(2026, 3, 2)).value == 55
    assert exemptions.condition_warnings(woman, "age_health", D(2026, 3, 2)) == []  # 56: past the age
    assert exemptions.condition_warnings(young, "travel", D(2026, 3, 2)) == []  # another case: no age


def _errors_of(response) -> str:
    assert response.status_code == 400, response.status_code
    return response.content.decode()


def test_bad_input_is_named_by_field_and_nothing_is_half_written(world, old):
    sec = world.client("secretary_a")
    # a probationary member
    html = _errors_of(_request(sec, world.m["a_woman"], request_on="01/11/2026"))
    assert "form-errors" in html and not Exemption.objects.filter(membership=world.m["a_woman"]).exists()
    with pytest.raises(ValidationError) as exc:
        exemptions.exemption_request(world.m["a_woman"], actor=None, origin="request", request_on=D(2026, 11, 1),
                                     grounds="age_health")
    assert "membership" in exc.value.message_dict
    # a request before the member became official, in the future, "other" without a reason
    for kw, field in (({"request_on": "01/01/1981"}, "request_on"),
                      ({"request_on": _vn(today() + dt.timedelta(days=1))}, "request_on"),
                      ({"grounds": "other", "reason": ""}, "reason"),
                      ({"request_on": "31/02/2026"}, "request_on")):
        html = _errors_of(_request(sec, old, **kw))
        assert f'id="id_request-{field}_error"' in html, kw
    assert not Exemption.objects.filter(membership=old).exists()

    _request(sec, old)
    ex = Exemption.objects.get(membership=old)
    # a second procedure while one is under way
    assert "form-errors" in _errors_of(_request(sec, old, request_on="03/03/2026"))
    html = _errors_of(_decide(sec, ex))  # the cell's resolution comes first
    assert 'id="id_decide-decision_on_error"' in html
    html = _errors_of(_resolve(sec, ex, resolution_on="01/03/2026"))  # before the request
    assert 'id="id_resolve-resolution_on_error"' in html
    _resolve(sec, ex)
    audits = AuditEvent.objects.count()
    for kw, field in (({"start_on": "01/03/1980"}, "start_on"),  # before the admission
                      ({"start_on": "01/03/1981"}, "start_on"),  # before the member became official
                      ({"start_on": _vn(today() + dt.timedelta(days=1))}, "start_on"),  # in the future
                      ({"start_on": ""}, "start_on"),  # the start is said explicitly
                      ({"decision_on": "09/03/2026"}, "decision_on"),  # before the cell's resolution
                      ({"decided_by": ""}, "decided_by")):
        html = _errors_of(_decide(sec, ex, **kw))
        assert f'id="id_decide-{field}_error"' in html, kw
    assert AuditEvent.objects.count() == audits
    # before the member's latest event (a move recorded after the request): the error of
    # chibo.members lands on the start date
    members.member_record_event(old, actor=None, kind="moved", effective_date=D(2026, 3, 20),
                                organisation=world.org["A1"])
    audits = AuditEvent.objects.count()
    html = _errors_of(_decide(sec, ex, decision_on="21/03/2026", start_on="16/03/2026"))
    assert 'id="id_decide-start_on_error"' in html and "20/03/2026" in html
    old.refresh_from_db()
    ex.refresh_from_db()
    assert ex.state == "resolved" and ex.start_on is None and not old.exempt
    assert not old.events.filter(kind="exempted").exists() and AuditEvent.objects.count() == audits

    assert _decide(sec, ex, decision_on="21/03/2026", start_on="21/03/2026").status_code == 302
    for kw, field in (({"end_on": "20/03/2026", "return_on": "21/03/2026", "return_request_on": ""}, "end_on"),
                      ({"end_on": _vn(today() + dt.timedelta(days=1))}, "end_on"),
                      ({"return_on": "20/03/2026", "return_request_on": ""}, "return_on"),
                      ({"return_request_on": "01/01/2026"}, "return_request_on")):
        html = _errors_of(_return(sec, ex, **kw))
        assert f'id="id_return-{field}_error"' in html, kw
    old.refresh_from_db()
    assert old.exempt and Exemption.objects.get(pk=ex.pk).state == "decided"


def test_an_exemption_cannot_overlap_an_earlier_one(world, old):
    first = exemptions.exemption_request(old, actor=None, origin="proposal", request_on=D(2026, 1, 5),
                                         grounds="travel", reason="Đi làm ăn xa 6 tháng")[0]
    exemptions.exemption_resolve(first, actor=None, agreed=True, resolution_on=D(2026, 1, 10))
    exemptions.exemption_decide(first, actor=None, agreed=True, decision_on=D(2026, 1, 12), decided_by="cell",
                                start_on=D(2026, 1, 12))
    exemptions.exemption_return(old, actor=None, end_on=D(2026, 5, 1), return_on=D(2026, 5, 1))
    second = exemptions.exemption_request(old, actor=None, origin="request", request_on=D(2026, 4, 20),
                                          grounds="age_health")[0]
    exemptions.exemption_resolve(second, actor=None, agreed=True, resolution_on=D(2026, 5, 2))
    with pytest.raises(ValidationError) as exc:
        exemptions.exemption_decide(second, actor=None, agreed=True, decision_on=D(2026, 5, 3), decided_by="cell",
                                    start_on=D(2026, 4, 25))
    assert list(exc.value.message_dict) == ["start_on"] and "01/05/2026" in exc.value.message_dict["start_on"][0]
    exemptions.exemption_decide(second, actor=None, agreed=True, decision_on=D(2026, 5, 3), decided_by="cell",
                                start_on=D(2026, 5, 3))
    assert Membership.objects.get(pk=old.pk).exempt


def test_a_member_exempted_before_the_procedure_returns_the_same_way(world, old):
    members.member_record_event(old, actor=None, kind="exempted", effective_date=D(2025, 9, 1), decision_number="3-QĐ")
    page = world.client("secretary_a").get(f"/dang-vien/{old.pk}/mien-sinh-hoat/").content.decode()
    assert 'id="return-form"' in page and 'id="request-form"' not in page
    r = world.client("commune_staff").post(f"/dang-vien/{old.pk}/mien-sinh-hoat/", {
        "action": "return", "return-return_on": "02/11/2026", "return-end_on": "02/11/2026"})
    assert r.status_code == 302, r.content.decode()[:3000]
    ex = Exemption.objects.get(membership=old)
    assert (ex.origin, ex.state, ex.start_on, ex.decision_number, ex.end_on) == (
        "history", "ended", D(2025, 9, 1), "3-QĐ", D(2026, 11, 2))
    assert not Membership.objects.get(pk=old.pk).exempt


def test_a_meeting_calls_the_members_not_exempt_on_its_day(world, old):
    exemptions.exemption_request(old, actor=None, origin="request", request_on=D(2026, 3, 2), grounds="age_health")
    ex = Exemption.objects.get(membership=old)
    exemptions.exemption_resolve(ex, actor=None, agreed=True, resolution_on=D(2026, 3, 10))
    exemptions.exemption_decide(ex, actor=None, agreed=True, decision_on=D(2026, 3, 15), decided_by="cell",
                                start_on=D(2026, 3, 15))
    exemptions.exemption_return(old, actor=None, end_on=D(2026, 9, 1), return_on=D(2026, 9, 1))

    def called(day: dt.date) -> bool:
        meeting = meetings.meeting_create(actor=None, organisation=world.org["A"], date=day,
                                          start_time=dt.time(19, 30), place="Nhà văn hóa")
        return _invited(meeting, old)

    # meetings recorded afterwards for past days follow the dated history
    assert called(D(2026, 3, 14)) and not called(D(2026, 3, 15)) and not called(D(2026, 8, 31))
    assert called(D(2026, 9, 1)) and called(today() + dt.timedelta(days=3))


def test_months_while_exempt_do_not_count_towards_the_removal_flag(world):
    member = world.m["member"]
    # meetings whose invitations went out before the exemption was recorded, then recorded as missed
    _held(world, "A", D(2026, 1, 15), {member.person_id: "unexcused"})
    _held(world, "A", D(2026, 2, 10), {member.person_id: "unexcused"})
    _held(world, "A", D(2026, 3, 5), {member.person_id: "unexcused"})
    flagged = [i for i in lifecycle.due_items(world.org["A"], D(2026, 6, 1), 30) if i.kind == "removal_flag"]
    assert [i.membership.pk for i in flagged] == [member.pk]
    members.member_record_event(member, actor=None, kind="exempted", effective_date=D(2026, 2, 1))
    assert not [i for i in lifecycle.due_items(world.org["A"], D(2026, 6, 1), 30) if i.kind == "removal_flag"]
    # back in activity: the months after the return count again
    members.member_record_event(member, actor=None, kind="exemption_ended", effective_date=D(2026, 4, 1))
    _held(world, "A", D(2026, 4, 15), {member.person_id: "unexcused"})
    _held(world, "A", D(2026, 5, 15), {member.person_id: "unexcused"})
    flagged = [i for i in lifecycle.due_items(world.org["A"], D(2026, 6, 1), 30) if i.kind == "removal_flag"]
    assert [(i.membership.pk, [m.month for m in i.missed_months]) for i in flagged] == [(member.pk, [1, 4, 5])]


# --- Access (the persona matrix is in tests/test_access_lifecycle.py) -------------------------------

@pytest.fixture
def exemption(world):
    return exemptions.exemption_request(world.m["member"], actor=None, origin="request", request_on=D(2026, 3, 2),
                                        grounds="age_health")[0]


def test_the_member_reads_their_own_procedure_without_the_forms(world, exemption):
    html = world.client("member").get(f"/mien-sinh-hoat/{exemption.pk}/").content.decode()
    assert 'id="resolve-form"' not in html
    html = world.client("member").get(f"/dang-vien/{world.m['member'].pk}/").content.decode()
    assert "/mien-sinh-hoat/" not in html  # the link is for those who act on the member's cell


def test_unknown_or_malformed_procedure_is_404(world):
    assert world.client("admin").get("/mien-sinh-hoat/999999/").status_code == 404


# --- Query counts ----------------------------------------------------------------------------------

def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_history(world, old):
    sec = world.client("secretary_a")
    url = f"/dang-vien/{old.pk}/mien-sinh-hoat/"
    sec.get(url)

    def one_round(start: dt.date) -> Exemption:
        ex = exemptions.exemption_request(old, actor=None, origin="request", request_on=start, grounds="age_health")[0]
        exemptions.exemption_resolve(ex, actor=None, agreed=True, resolution_on=start)
        exemptions.exemption_decide(ex, actor=None, agreed=True, decision_on=start, decided_by="cell", start_on=start)
        return exemptions.exemption_return(old, actor=None, end_on=start + dt.timedelta(days=20),
                                           return_on=start + dt.timedelta(days=20))

    ex = one_round(D(2026, 1, 5))
    few, page = _queries(sec, url), _queries(sec, f"/mien-sinh-hoat/{ex.pk}/")
    for month in range(2, 8):
        ex = one_round(D(2026, month, 5))
    assert _queries(sec, url) == few
    assert _queries(sec, f"/mien-sinh-hoat/{ex.pk}/") == page
    assert few <= 16 and page <= 12, (few, page)


def test_the_api_does_not_step_around_a_procedure_under_way(world, old):
    """While a procedure is open, the API's event endpoint refuses "exempted" and "exemption
    ended", naming the field, so the procedure and the history cannot disagree."""
    from tests.api_client import Api, fields_of

    _request(world.client("secretary_a"), old)
    api = Api(world)
    body = {"kind": "exempted", "effective_date": today().isoformat()}
    assert fields_of(api("secretary_a", "POST", f"members/{old.pk}/events/", body)) == ["kind"]
    old.refresh_from_db()
    assert not old.exempt and not old.events.filter(kind="exempted").exists()
