"""Writes through the web forms: good input saves and is audited; bad input names the
field, writes nothing, and never answers 500."""

from __future__ import annotations

import datetime as dt

import pytest

from chibo.audit.models import AuditEvent
from chibo.members.models import Membership, Person, Post


def member_form(world, **over):
    data = {
        "family_name": "Võ", "middle_name": "Thị", "given_name": "Sáu", "sex": "F", "birth_date": "12/04/1990",
        "ethnicity": "01", "religion": "none", "citizen_id": "052190000123", "phone": "0905 111 222",
        "residence": world.loc["A"].pk, "education": "university", "political_theory": "elementary",
        "organisation": world.org["A"].pk, "status": "official", "admission_date": "03/02/2015",
        "official_date": "03/02/2016", "card_number": "79001234",
    }
    data.update(over)
    return data


def test_secretary_adds_a_member_to_their_cell(world):
    c = world.client("secretary_a")
    response = c.post("/dang-vien/moi/", member_form(world))
    assert response.status_code == 302
    m = Membership.objects.get(person__citizen_id="052190000123")
    assert m.organisation == world.org["A"] and m.commune == world.org["C1"]
    assert m.person.full_name == "Võ Thị Sáu"
    assert AuditEvent.objects.filter(object_type="membership", object_id=str(m.pk), action="create").exists()
    assert [e.kind for e in m.events.all()] == ["admitted", "recognised"]


def test_names_are_stored_nfc(world):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Nguyễn")
    world.client("commune_staff").post("/dang-vien/moi/", member_form(world, family_name=nfd, citizen_id="052190000124"))
    p = Person.objects.get(citizen_id="052190000124")
    assert p.family_name == "Nguyễn" and unicodedata.is_normalized("NFC", p.family_name)


BAD_MEMBER_INPUT = [
    ({"citizen_id": "12345678901"}, "citizen_id"),
    ({"citizen_id": "05219000012a"}, "citizen_id"),
    ({"official_date": "01/01/2016"}, "official_date"),  # < admission + 12 months
    ({"birth_date": "01/06/2000", "admission_date": "01/01/2018", "official_date": "01/01/2019"}, "admission_date"),
    ({"birth_date": "31/02/1990"}, "birth_date"),
    ({"admission_date": "01/01/2099", "official_date": ""}, "admission_date"),
    ({"given_name": ""}, "given_name"),
    ({"admission_date": "01/01/1899", "official_date": ""}, "admission_date"),
    ({"admission_date": "31/12/9999", "official_date": "31/12/9999"}, "admission_date"),
    ({"status": "official", "official_date": ""}, "official_date"),
]


@pytest.mark.parametrize(("override", "field"), BAD_MEMBER_INPUT)
def test_bad_member_input_names_the_field_and_writes_nothing(world, override, field):
    before = (Person.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
    response = world.client("commune_staff").post("/dang-vien/moi/", member_form(world, **override))
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert 'class="alert error"' in response.content.decode()
    assert (Person.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == before


def test_duplicate_citizen_id_is_refused(world):
    taken = world.m["b_member"].person.citizen_id
    response = world.client("commune_staff").post("/dang-vien/moi/", member_form(world, citizen_id=taken))
    assert "citizen_id" in response.context["form"].errors
    assert Person.objects.filter(citizen_id=taken).count() == 1


def test_member_outside_the_editors_scope_is_refused(world):
    response = world.client("secretary_a").post("/dang-vien/moi/", member_form(world, organisation=world.org["B"].pk))
    assert "organisation" in response.context["form"].errors
    assert not Person.objects.filter(citizen_id="052190000123").exists()


def test_editing_a_member_is_audited_with_before_and_after(world):
    m = world.m["member"]
    data = member_form(world, family_name="Nguyễn", middle_name="Văn", given_name="Đức", sex="M",
                       birth_date="17/05/1980", citizen_id=m.person.citizen_id, admission_date="02/03/2010",
                       official_date="02/03/2011", phone="0912 345 678", card_number="")
    response = world.client("secretary_a").post(f"/dang-vien/{m.pk}/sua/", data)
    assert response.status_code == 302
    m.person.refresh_from_db()
    assert m.person.phone == "0912 345 678"
    event = AuditEvent.objects.filter(object_type="person", object_id=str(m.person.pk), action="update").latest("at")
    assert event.after["phone"] == "0912 345 678" and event.before["phone"] == ""
    assert event.actor == world.users["secretary_a"]


def test_an_exemption_is_not_an_event_of_the_event_form(world):
    """An exemption goes through its procedure (tests/test_exemption.py), which records the
    cell's resolution and the committee's decision: the event form points there."""
    m = world.m["b_member"]
    response = world.client("secretary_b").post(f"/dang-vien/{m.pk}/su-kien/", {
        "kind": "exempted", "effective_date": dt.date.today().strftime("%d/%m/%Y"), "decision_number": "05-QĐ/CB"})
    assert response.status_code == 200
    assert "Miễn công tác và sinh hoạt đảng" in " ".join(response.context["form"].errors["kind"])
    m.refresh_from_db()
    assert not m.exempt


def test_an_event_for_a_probationary_member_that_does_not_apply_is_refused(world):
    m = world.m["a_woman"]  # probationary
    response = world.client("secretary_a").post(f"/dang-vien/{m.pk}/su-kien/", {
        "kind": "transferred_out", "effective_date": dt.date.today().strftime("%d/%m/%Y")})
    assert response.status_code == 302  # a probationary member may be transferred out …
    response = world.client("secretary_a").post(f"/dang-vien/{m.pk}/su-kien/", {
        "kind": "removed", "effective_date": dt.date.today().strftime("%d/%m/%Y")})
    assert "kind" in response.context["form"].errors  # … but not removed once gone
    m.refresh_from_db()
    assert m.status == "transferred_out"


def test_a_post_ending_before_it_starts_is_refused(world):
    response = world.client("secretary_a").post("/chuc-vu/moi/?org=A", {
        "kind": "deputy_secretary", "person": world.m["member"].person.pk, "organisation": world.org["A"].pk,
        "start_date": "01/09/2025", "end_date": "01/08/2025"})
    assert "end_date" in response.context["form"].errors
    assert not Post.objects.filter(kind="deputy_secretary").exists()


def test_a_head_not_resident_there_is_saved_with_a_warning(world):
    outsider = world.m["x_member"].person  # lives in VX, not in VB
    response = world.client("province_staff").get("/chuc-vu/moi/?locality=VB")
    assert response.status_code == 403
    c = world.client("admin")
    response = c.post("/chuc-vu/moi/?locality=VB", {
        "kind": "village_head", "person": outsider.pk, "locality": world.loc["B"].pk, "start_date": "01/10/2025"},
        follow=True)
    assert response.status_code == 200
    levels = [m.level_tag for m in response.context["messages"]]
    assert "warning" in levels
    assert Post.objects.filter(person=outsider, kind="village_head").exists()


def test_a_committee_post_for_a_non_member_is_refused(world):
    response = world.client("commune_staff").post("/chuc-vu/moi/?org=B", {
        "kind": "committee_member", "person": world.outsider.pk, "organisation": world.org["B"].pk,
        "start_date": "01/09/2025"})
    assert "person" in response.context["form"].errors


def test_organisation_created_under_commune_and_kind_rules_enforced(world):
    c = world.client("commune_staff")
    ok = c.post("/to-chuc/moi/?parent=C1", {"code": "C1-TH", "name": "Chi bộ Trường học", "kind": "grassroots_cell",
                                           "sector": "education_health", "parent": world.org["C1"].pk,
                                           "valid_from": "01/09/2025"})
    assert ok.status_code == 302
    bad = c.post("/to-chuc/moi/?parent=C1", {"code": "C1-BAD", "name": "Tổ sai", "kind": "party_group",
                                            "sector": "other", "parent": world.org["C1"].pk, "valid_from": "01/09/2025"})
    assert "kind" in bad.context["form"].errors


def test_garbage_query_strings_never_500(world):
    c = world.client("commune_staff")
    for url in ["/dang-vien/?page=abc", "/dang-vien/?sort=zzz&status=%00", "/?org=C1&date=99/99/9999",
                "/?org=C1&date=01/01/2999", "/dang-vien/999999999/", "/dang-vien/?age=xx&q=%27%22<script>"]:
        assert c.get(url).status_code in (200, 404), url


def test_change_log_speaks_in_words_not_field_names(world):
    from django.utils import translation

    m = world.m["member"]
    data = member_form(world, family_name="Nguyễn", middle_name="Văn", given_name="Đức", sex="M",
                       birth_date="17/05/1980", citizen_id=m.person.citizen_id, admission_date="02/03/2010",
                       official_date="02/03/2011", phone="0912 345 678", card_number="")
    world.client("secretary_a").post(f"/dang-vien/{m.pk}/sua/", data)
    html = world.client("commune_staff").get("/nhat-ky/").content.decode()
    with translation.override("vi"):
        label = str(Person._meta.get_field("phone").verbose_name)
        kind = str(Person._meta.verbose_name)
    assert f"{label[0].upper()}{label[1:]}: — → 0912 345 678" in html
    assert f"{kind[0].upper()}{kind[1:]}: Nguyễn Văn Đức" in html
    assert "phone →" not in html and "residence_id" not in html


def test_a_non_member_resident_is_recorded_then_made_village_head(world):
    c = world.client("commune_staff")
    response = c.post("/nguoi/moi/?locality=VA", {
        "family_name": "Rơ Mah", "middle_name": "", "given_name": "Blưi", "sex": "M", "birth_date": "05/06/1975",
        "ethnicity": "10", "religion": "protestant", "citizen_id": "064075000321", "residence": world.loc["A"].pk,
        "political_theory": "none"})
    assert response.status_code == 302 and response["Location"] == "/chuc-vu/moi/?locality=VA"
    person = Person.objects.get(citizen_id="064075000321")
    assert not Membership.objects.filter(person=person).exists()
    c.post("/chuc-vu/ket-thuc/".replace("ket-thuc/", f"{world.posts['head_a'].pk}/ket-thuc/"),
           {"end_date": dt.date.today().strftime("%d/%m/%Y")})
    response = c.post("/chuc-vu/moi/?locality=VA", {"kind": "village_head", "person": person.pk,
                                                    "locality": world.loc["A"].pk,
                                                    "start_date": dt.date.today().strftime("%d/%m/%Y")})
    assert response.status_code == 302
    html = c.get("/dia-ban/VA/").content.decode()
    assert "Rơ Mah Blưi" in html


def test_an_organisation_with_members_cannot_be_ended(world):
    response = world.client("commune_staff").post("/to-chuc/A/sua/", {
        "code": "A", "name": "Chi bộ Thôn Đông", "sector": "residential", "valid_from": "01/07/2025",
        "valid_to": dt.date.today().strftime("%d/%m/%Y"), "locality": world.loc["A"].pk})
    assert "valid_to" in response.context["form"].errors
    world.org["A"].refresh_from_db()
    assert world.org["A"].valid_to is None


def test_an_empty_organisation_is_ended_and_kept_in_history(world):
    c = world.client("commune_staff")
    response = c.post("/to-chuc/A1/sua/", {"code": "A1", "name": "Tổ đảng số 1", "sector": "other",
                                          "valid_from": "01/07/2025", "valid_to": dt.date.today().strftime("%d/%m/%Y")})
    assert response.status_code == 302
    assert "Tổ đảng số 1" not in c.get("/to-chuc/?parent=A").content.decode()
    assert "Tổ đảng số 1" in c.get("/to-chuc/?parent=A&ended=1").content.decode()


def test_members_are_listed_in_vietnamese_name_order(world):
    from tests.conftest import add_member

    for given in ("Ánh", "An", "Ăn", "Đức", "Dũng", "Âu"):
        add_member(world.org["X"], "Lê", "Thị", given, sex="F")
    html = world.client("other_commune_staff").get("/dang-vien/?org=X&q=le+thi").content.decode()
    positions = [html.index(f"Lê Thị {g}<") for g in ("An", "Ánh", "Ăn", "Âu", "Dũng", "Đức")]
    assert positions == sorted(positions)


def test_repeated_wrong_passwords_pause_sign_in(world, settings):
    from django.test import Client

    settings.CHIBO_SIGNIN_FREE_TRIES = 3
    c = Client()
    for _ in range(3):
        c.post("/dang-nhap/", {"username": "member", "password": "wrong"})
    response = c.post("/dang-nhap/", {"username": "member", "password": "a-long-test-password-42"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Chờ 30 giây" in page and 'name="password"' in page  # how long to wait, and the form to try again


def test_commune_staff_add_a_village_and_bad_codes_are_refused(world):
    c = world.client("commune_staff")
    response = c.post("/dia-ban/moi/?parent=LC1", {"code": "v-moi", "name": "Plei Ring", "kind": "plei"})
    assert response.status_code == 302
    from chibo.organisations.models import Locality

    loc = Locality.objects.get(code="V-MOI")
    assert loc.parent == world.loc["C1"] and loc.organisation == world.org["C1"]
    again = c.post("/dia-ban/moi/?parent=LC1", {"code": "V-MOI", "name": "Trùng mã", "kind": "village"})
    assert "code" in again.context["form"].errors
    assert Locality.objects.filter(code="V-MOI").count() == 1
