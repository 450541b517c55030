"""The recruitment pages over HTTP with the personas of the world fixture: adding an
outstanding citizen, recording steps (errors naming the rule, nothing saved), the cell's
list with the most urgent first, recognition of a probationary member, and query counts
that do not grow with the number of candidates (2 against 10)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.members import services as members
from chibo.recruitment import services
from chibo.recruitment.models import Candidate, Stage
from tests.conftest import person_data
from tests.test_recruitment import applicant, resolve

D = dt.date


def test_the_secretary_adds_an_outstanding_citizen(world):
    client = world.client("secretary_a")
    page = client.get("/ket-nap/moi/?org=A")
    assert page.status_code == 200
    response = client.post("/ket-nap/moi/?org=A", {
        "introduced_on": "01/03/2025", "introduced_by": "Chi đoàn thôn Đông", "family_name": "Rơ Mah",
        "given_name": "Hiền", "sex": "F", "birth_date": "05/06/2003", "ethnicity": "10", "religion": "none",
        "political_theory": "none"})
    c = Candidate.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ket-nap/{c.pk}/"
    assert (c.stage, c.organisation, c.person.full_name) == (Stage.OUTSTANDING, world.org["A"], "Rơ Mah Hiền")
    html = client.get(f"/ket-nap/{c.pk}/").content.decode()
    assert "Chi đoàn thôn Đông" in html and 'name="action" value="sympathiser"' in html


def test_the_commune_picks_a_resident_already_recorded(world):
    client = world.client("commune_staff")
    response = client.post("/ket-nap/moi/?org=A", {"existing": world.outsider.pk, "introduced_on": "01/03/2025",
                                                   "introduced_by": "Hội Phụ nữ"})
    assert response.status_code == 302
    assert Candidate.objects.get().person == world.outsider


def test_a_member_cannot_be_added_as_a_candidate(world):
    client = world.client("admin")
    response = client.post("/ket-nap/moi/?org=A", {"existing": world.m["member"].person.pk,
                                                   "introduced_on": "01/03/2025", "introduced_by": "Chi đoàn"})
    assert response.status_code == 400 and not Candidate.objects.exists()


def test_a_refused_step_shows_the_rule_and_saves_nothing(world):
    c = applicant(world, birth=D(2008, 2, 10))
    client = world.client("secretary_a")
    response = client.post(f"/ket-nap/{c.pk}/buoc/", {
        "action": "resolution", "resolution-on": "15/01/2026", "resolution-number": "12-NQ/CB",
        "resolution-votes_for": "8", "resolution-against": "1", "resolution-abstain": "0",
        "resolution-present": "9", "resolution-official": "9"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "294-QĐ/TW" in html and "form-errors" in html
    c.refresh_from_db()
    assert c.resolution_on is None


def test_steps_through_http_to_a_probationary_member(world):
    c = resolve(applicant(world))
    client = world.client("secretary_a")
    r = client.post(f"/ket-nap/{c.pk}/buoc/", {"action": "decision", "decision-on": "10/02/2026",
                                                "decision-number": "45-QĐ/ĐU", "decision-decided_by": "BTV",
                                                "decision-decider": "superior"})
    assert r.status_code == 302
    r = client.post(f"/ket-nap/{c.pk}/buoc/", {"action": "ceremony", "ceremony-on": "01/04/2026"}, follow=True)
    html = r.content.decode()
    assert "31/03/2026" in html  # the warning names the limit (from the decision's date: no receipt recorded)
    c.refresh_from_db()
    assert c.stage == Stage.ADMITTED and c.membership.admission_date == D(2026, 4, 1)


def test_the_list_puts_overdue_first_with_the_rule(world):
    services.candidate_create(actor=None, organisation=world.org["A"], introduced_on=D(2025, 3, 1),
                              introduced_by="Chi đoàn", person_data=person_data("Lê", "", "Mới"))
    late = resolve(applicant(world))  # decision due 16/04/2026, not recorded
    html = world.client("secretary_a").get("/to-chuc/A/phat-trien-dang-vien/").content.decode()
    assert html.index(f"candidate-{late.pk}") < html.index("Lê Mới")
    assert "16/04/2026" in html and "294-QĐ/TW" in html
    assert "Trần Thị Hoa" in html and "03/02/2027" in html  # a_woman's probation ends
    commune = world.client("commune_staff").get("/to-chuc/C1/phat-trien-dang-vien/").content.decode()
    assert f"candidate-{late.pk}" in commune and world.org["A"].name in commune


def test_recognition_through_http(world):
    m = members.member_create(actor=None, person_data=person_data("Lê", "Thị", "Mai", sex="F"),
                              organisation=world.org["A"], status="probationary", admission_date=D(2025, 9, 15))
    client = world.client("secretary_a")
    url = f"/dang-vien/{m.pk}/cong-nhan/"
    assert "15/09/2026" in client.get(url).content.decode()
    r = client.post(url, {"action": "resolution", "resolution-proposal": "recognise", "resolution-on": "20/11/2026",
                          "resolution-number": "20-NQ/CB", "resolution-votes_for": "8", "resolution-against": "0",
                          "resolution-abstain": "0", "resolution-present": "8", "resolution-official": "9"})
    assert r.status_code == 302
    rec = m.recognitions.get()
    r = client.post(url, {"action": "decision", "decision-recognition": rec.pk, "decision-on": "25/11/2026",
                          "decision-number": "60-QĐ/ĐU", "decision-decided_by": "BTV Đảng ủy xã"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == "official" and m.official_date == D(2026, 9, 15)
    assert world.client("province_staff").post(url, {"action": "resolution"}).status_code == 403


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_candidates(world):
    client = world.client("commune_staff")
    services.candidate_create(actor=None, organisation=world.org["A"], introduced_on=D(2025, 3, 1),
                              introduced_by="Chi đoàn", person_data=person_data("Lê", "", "Một"))
    resolve(applicant(world))
    url = "/to-chuc/C1/phat-trien-dang-vien/"
    few = _queries(client, url)
    for i in range(8):
        services.candidate_create(actor=None, organisation=world.org["B" if i % 2 else "A"],
                                  introduced_on=D(2025, 3, 1), introduced_by="Chi đoàn",
                                  person_data=person_data("Lê", "", f"Hai {i}"))
    assert Candidate.objects.count() == 10
    assert _queries(client, url) == few
    c = Candidate.objects.exclude(resolution_on=None).get()
    detail = _queries(client, f"/ket-nap/{c.pk}/")
    services.helper_assign(c, actor=None, person=world.m["member"].person, on=D(2025, 9, 1))
    assert _queries(client, f"/ket-nap/{c.pk}/") == detail
