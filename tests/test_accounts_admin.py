"""Issue 12, points 1 and 2: roles follow posts, and commune and province staff administer the
accounts of their own people — through HTTP as each persona, in and out of scope. A password is
never chosen or seen by the staff: an account and a reset give a one-time code, with which the
person sets their own password on the activation page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from chibo import access
from chibo.accounts import services as accounts
from chibo.accounts.models import ActivationCode, Role, RoleAssignment, SignInFailure, User
from chibo.audit.models import AuditEvent
from chibo.core.dates import today
from chibo.members import services as members
from chibo.members.models import MembershipEvent
from tests.conftest import PASSWORD, add_member

pytestmark = pytest.mark.django_db

STRONG = "ruong-lua-bac-thang-2026"


def _code(response: Any) -> str:
    match = re.search(r'id="code">([\d ]+)<', response.content.decode())
    assert match, "no code on the page"
    return match.group(1)


def _activate(username: str, code: str, password: str = STRONG, client: Client | None = None) -> Any:
    return (client or Client()).post("/kich-hoat/", {"username": username, "code": code, "password1": password,
                                                     "password2": password})


# --- roles follow posts ---------------------------------------------------------------------------

def test_a_committee_post_gives_its_role_for_the_post_s_dates(world: Any) -> None:
    member = world.m["b_member"]
    user, _code_ = accounts.account_create_for_person(actor=None, person=member.person)
    assert not access.scope_for(User.objects.get(pk=user.pk)).writes_org(world.org["B"])

    post, _w = members.post_create(actor=None, person=member.person, kind="deputy_secretary",
                                   organisation=world.org["B"], start_date=today() - dt.timedelta(days=30))
    fresh = User.objects.get(pk=user.pk)
    assert access.scope_for(fresh).writes_org(world.org["B"])
    ra = RoleAssignment.objects.get(user=user, post=post)
    assert (ra.role, ra.organisation, ra.valid_to) == (Role.CELL_COMMITTEE, world.org["B"], None)
    assert AuditEvent.objects.filter(object_type="roleassignment", action="create", object_id=str(ra.pk)).exists()

    members.post_update(post, actor=None, end_date=today() - dt.timedelta(days=1))
    assert RoleAssignment.objects.get(pk=ra.pk).valid_to == today() - dt.timedelta(days=1)
    assert not access.scope_for(User.objects.get(pk=user.pk)).writes_org(world.org["B"])  # ended with the post


def test_a_commune_committee_post_gives_the_commune_role_and_a_head_post_none(world: Any) -> None:
    person = world.m["member"].person
    user = world.users["member"]  # made before the posts: the next post change syncs all of them
    members.post_create(actor=None, person=person, kind="committee_member", organisation=world.org["C1"],
                        start_date=today() - dt.timedelta(days=3))
    members.post_create(actor=None, person=person, kind="village_head", locality=world.loc["B"],
                        start_date=today() - dt.timedelta(days=3))
    held = {(ra.role, ra.organisation.code) for ra in RoleAssignment.objects.filter(user=user)}
    assert held == {(Role.COMMUNE_STAFF, "C1"), (Role.CELL_COMMITTEE, "A")}  # and committee_a's; none for the head


def test_the_account_closes_when_the_membership_ends_and_follows_a_transfer(world: Any) -> None:
    m = world.m["b_member"]
    user, _c = accounts.account_create_for_person(actor=None, person=m.person)
    members.member_record_event(m, actor=None, kind=MembershipEvent.Kind.TRANSFERRED_OUT,
                                effective_date=today() - dt.timedelta(days=2))
    user.refresh_from_db()
    assert not user.is_active and user.inactive_reason == User.Inactive.MEMBERSHIP_ENDED
    members.member_record_event(m, actor=None, kind=MembershipEvent.Kind.TRANSFERRED_IN,
                                effective_date=today() - dt.timedelta(days=1), organisation=world.org["X"])
    user.refresh_from_db()
    assert user.is_active  # the receiving committee recorded the transfer: the account follows
    assert access.scope_for(user).own_membership.organisation == world.org["X"]  # type: ignore[union-attr]

    accounts.user_deactivate(actor=None, user=user)  # the staff closed it: a later event does not open it
    members.member_record_event(m, actor=None, kind=MembershipEvent.Kind.DECEASED, effective_date=today())
    user.refresh_from_db()
    assert not user.is_active and user.inactive_reason == User.Inactive.STAFF


def test_a_secretary_s_post_and_role_end_when_the_membership_ends(world: Any) -> None:
    secretary = world.m["secretary_b"]
    user = world.users["secretary_b"]
    members.post_update(world.posts["secretary_b"], actor=None)  # an edit syncs: the post now gives the role
    assert RoleAssignment.objects.filter(user=user, post=world.posts["secretary_b"]).exists()
    members.member_record_event(secretary, actor=None, kind=MembershipEvent.Kind.REMOVED, effective_date=today())
    world.posts["secretary_b"].refresh_from_db()
    assert world.posts["secretary_b"].end_date == today()
    assert RoleAssignment.objects.get(user=user, post=world.posts["secretary_b"]).valid_to == today()


# --- accounts administration through HTTP -------------------------------------------------------

def test_who_may_open_the_accounts_pages(world: Any) -> None:
    for persona in ("member", "secretary_a", "secretary_b"):
        assert world.client(persona).get("/tai-khoan/").status_code == 404
    page = world.client("commune_staff").get("/tai-khoan/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "secretary_a" in text and "member" in text
    assert "other_commune_staff" not in text and "province_staff" not in text and ">admin<" not in text
    assert world.client("province_staff").get("/tai-khoan/").status_code == 200
    assert "Tài khoản và vai trò" in world.client("commune_staff").get("/").content.decode()  # the footer link
    assert "Tài khoản và vai trò" not in world.client("secretary_a").get("/").content.decode()


def test_out_of_scope_accounts_are_404_for_every_action(world: Any) -> None:
    staff = world.client("commune_staff")
    x_user, _c = accounts.account_create_for_person(actor=None, person=world.m["x_member"].person)
    # a province officer whose party membership is kept in a cell of the commune
    officer = world.users["province_staff"]
    officer.person = world.m["a_woman"].person
    officer.save()
    for target in (x_user, officer, world.users["admin"], world.users["other_commune_staff"]):
        assert staff.get(f"/tai-khoan/{target.pk}/").status_code == 404
        for action in ("reset", "unlock", "deactivate"):
            assert staff.post(f"/tai-khoan/{target.pk}/{action}/").status_code == 404
        assert staff.post(f"/tai-khoan/{target.pk}/vai-tro/", {"organisation": world.org["A"].pk, "role": "cell_committee",
                                                               "valid_from": "2026-01-01"}).status_code == 404
    officer.refresh_from_db()
    assert officer.is_active and officer.has_usable_password()
    assert staff.post(f"/tai-khoan/mo/{world.m['x_member'].person_id}/").status_code == 404
    assert world.client("secretary_a").post(f"/tai-khoan/mo/{world.m['b_member'].person_id}/").status_code == 404


def test_open_an_account_then_the_member_activates_it_with_the_code(world: Any) -> None:
    staff = world.client("commune_staff")
    person = world.m["b_member"].person  # Lê Văn Bình
    response = staff.post(f"/tai-khoan/mo/{person.pk}/")
    assert response.status_code == 200
    user = User.objects.get(person=person)
    assert user.username == "binhlv" and not user.has_usable_password()
    code = _code(response)
    assert "binhlv" in response.content.decode() and "/kich-hoat/" in response.content.decode()
    assert not ActivationCode.objects.filter(digest__contains=code.replace(" ", "")).exists()  # stored hashed

    weak = _activate("binhlv", code, "12345678")
    assert weak.status_code == 400 and "id_password1" in weak.content.decode()
    wrong = _activate("binhlv", "0000000000")
    assert wrong.status_code == 400 and "không khớp" in wrong.content.decode()
    member = Client()
    done = _activate("BinhLV ", code, client=member)
    assert done.status_code == 302
    assert member.get("/").status_code == 200 and "_auth_user_id" in member.session
    assert Client().login(username="binhlv", password=STRONG)
    again = _activate("binhlv", code, "mot-mat-khau-khac-2026")
    assert again.status_code == 400  # single use
    assert Client().login(username="binhlv", password=STRONG)
    assert AuditEvent.objects.filter(object_type="user", object_id=str(user.pk), note__contains="activation code").count() == 2

    assert staff.post(f"/tai-khoan/mo/{person.pk}/").status_code == 302  # already has one: sent to it


def test_username_collisions_get_a_suffix(world: Any) -> None:
    a = add_member(world.org["A"], "Lê", "Văn", "Bình")
    b = add_member(world.org["A"], "Lý", "Vĩnh", "Bình")
    names = [accounts.account_create_for_person(actor=None, person=m.person)[0].username
             for m in (world.m["b_member"], a, b)]
    assert names == ["binhlv", "binhlv2", "binhlv3"]


def test_reset_unlock_deactivate_and_reactivate(world: Any) -> None:
    staff = world.client("commune_staff")
    target = world.users["secretary_a"]
    assert Client().login(username="secretary_a", password=PASSWORD)
    SignInFailure.objects.create(username="secretary_a", ip="203.0.113.9", at=timezone.now())

    page = staff.get(f"/tai-khoan/{target.pk}/")
    assert page.status_code == 200 and "Mở khóa" in page.content.decode()
    assert staff.post(f"/tai-khoan/{target.pk}/unlock/").status_code == 302
    assert not SignInFailure.objects.filter(username="secretary_a").exists()

    reset = staff.post(f"/tai-khoan/{target.pk}/reset/")
    assert reset.status_code == 200
    assert not Client().login(username="secretary_a", password=PASSWORD)  # the old password is gone
    assert _activate("secretary_a", _code(reset)).status_code == 302

    assert staff.post(f"/tai-khoan/{target.pk}/deactivate/").status_code == 302
    assert not Client().login(username="secretary_a", password=STRONG)
    assert staff.post(f"/tai-khoan/{target.pk}/reactivate/").status_code == 302
    assert Client().login(username="secretary_a", password=STRONG)


def test_the_last_administrator_cannot_be_closed(world: Any) -> None:
    admin = world.client("admin")
    response = admin.post(f"/tai-khoan/{world.users['admin'].pk}/deactivate/", follow=True)
    assert "quản trị" in response.content.decode()
    assert User.objects.get(pk=world.users["admin"].pk).is_active


def test_roles_are_granted_no_higher_than_one_s_own_and_ended(world: Any) -> None:
    staff = world.client("commune_staff")
    target = world.users["member"]
    too_high = staff.post(f"/tai-khoan/{target.pk}/vai-tro/", {"organisation": world.org["C1"].pk,
                                                               "role": "province_staff", "valid_from": "2026-01-01"})
    assert too_high.status_code == 400  # not a role the clerk may grant: the field says so
    above = staff.post(f"/tai-khoan/{target.pk}/vai-tro/", {"organisation": world.org["P"].pk,
                                                            "role": "commune_staff", "valid_from": "2026-01-01"})
    assert above.status_code == 404  # the province is outside the clerk's scope
    assert not RoleAssignment.objects.filter(user=target, role="province_staff").exists()
    outside = staff.post(f"/tai-khoan/{target.pk}/vai-tro/", {"organisation": world.org["X"].pk,
                                                             "role": "cell_committee", "valid_from": "2026-01-01"})
    assert outside.status_code == 404  # C2's cell is outside the clerk's scope: as if it did not exist
    bad_date = staff.post(f"/tai-khoan/{target.pk}/vai-tro/", {"organisation": world.org["B"].pk,
                                                              "role": "cell_committee", "valid_from": "01/01/0001"})
    assert bad_date.status_code == 400
    start = today() - dt.timedelta(days=1)
    ok = staff.post(f"/tai-khoan/{target.pk}/vai-tro/", {"organisation": world.org["B"].pk, "role": "cell_committee",
                                                        "valid_from": start.isoformat()})
    assert ok.status_code == 302
    ra = RoleAssignment.objects.get(user=target, organisation=world.org["B"])
    assert ra.granted_by == world.users["commune_staff"]
    assert access.scope_for(User.objects.get(pk=target.pk)).writes_org(world.org["B"])

    ended = staff.post(f"/tai-khoan/{target.pk}/vai-tro/{ra.pk}/ket-thuc/", {"on": start.isoformat()})
    assert ended.status_code == 302
    assert not access.scope_for(User.objects.get(pk=target.pk)).writes_org(world.org["B"])
    assert AuditEvent.objects.filter(object_type="roleassignment", object_id=str(ra.pk), action="update").exists()


def test_a_code_expires_and_wrong_codes_are_throttled(world: Any, settings: Any) -> None:
    user, code = accounts.account_create_for_person(actor=None, person=world.m["b_member"].person)
    ActivationCode.objects.filter(user=user).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    expired = _activate(user.username, code)
    assert expired.status_code == 400 and "hết hạn" in expired.content.decode()

    settings.CHIBO_SIGNIN_FREE_TRIES = 3
    _u, fresh = accounts.account_create_for_person(actor=None, person=world.m["x_member"].person)
    statuses = [_activate(_u.username, "1111111111").status_code for _i in range(4)]
    assert statuses[-1] == 429
    assert _activate(_u.username, fresh).status_code == 429  # even the right code waits its turn


def test_the_member_page_offers_the_account_to_those_who_administer_it(world: Any) -> None:
    staff = world.client("commune_staff")
    b_member = world.m["b_member"]
    page = staff.get(f"/dang-vien/{b_member.pk}/").content.decode()
    assert f"/tai-khoan/mo/{b_member.person_id}/" in page  # no account yet: the offer
    staff.post(f"/tai-khoan/mo/{b_member.person_id}/")
    account = User.objects.get(person=b_member.person)
    page = staff.get(f"/dang-vien/{b_member.pk}/").content.decode()
    assert f"/tai-khoan/{account.pk}/" in page and "/tai-khoan/mo/" not in page
    secretary_view = world.client("secretary_b").get(f"/dang-vien/{b_member.pk}/").content.decode()
    assert "/tai-khoan/" not in secretary_view.split("<footer")[0]  # a secretary administers no account


# --- the same from the command line --------------------------------------------------------------

def _run(*args: str) -> str:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_users_command(world: Any) -> None:
    from django.core.management.base import CommandError

    person = world.m["b_member"].person
    created = _run("users", "create", person.citizen_id)
    code = re.search(r"Mã dùng một lần: ([\d ]+)", created).group(1)  # type: ignore[union-attr]
    assert "binhlv" in created
    assert _activate("binhlv", code).status_code == 302
    assert "binhlv" in _run("users", "list", "B") and "binhlv" not in _run("users", "list", "X")

    assert "Đã khóa" in _run("users", "deactivate", "binhlv")
    assert not Client().login(username="binhlv", password=STRONG)
    _run("users", "reactivate", "binhlv")
    reset = _run("users", "reset", "binhlv")
    assert not Client().login(username="binhlv", password=STRONG)
    assert _activate("binhlv", re.search(r"Mã dùng một lần: ([\d ]+)", reset).group(1), "mat-khau-moi-cua-binh") \
        .status_code == 302  # type: ignore[union-attr]

    _run("users", "grant", "binhlv", "commune_staff", "C1", "--from", "01/01/2026")
    assert access.scope_for(User.objects.get(username="binhlv")).writes_structure(world.org["C1"])
    _run("users", "end", "binhlv", "commune_staff", "C1", "--on", "01/01/2026")
    assert not access.scope_for(User.objects.get(username="binhlv")).writes_structure(world.org["C1"])
    with pytest.raises(CommandError, match="CCCD"):
        _run("users", "create", "000000000000")
    with pytest.raises(CommandError, match="cuối cùng|quản trị"):
        _run("users", "deactivate", "admin")


def test_createadmin_prints_a_code_and_no_password(world: Any) -> None:
    out = _run("createadmin", "quantri.xa")
    user = User.objects.get(username="quantri.xa")
    assert user.is_superuser and not user.has_usable_password()
    code = re.search(r"Mã dùng một lần: ([\d ]+)", out).group(1)  # type: ignore[union-attr]
    assert _activate("quantri.xa", code).status_code == 302
    assert AuditEvent.objects.filter(object_type="user", object_id=str(user.pk), action="create").exists()


# --- onboarding slips at a cell meeting -------------------------------------------------------------

def test_a_secretary_prints_slips_for_the_cell_and_members_activate_with_them(world: Any, tmp_path: Any) -> None:
    from tests.test_meetings_web import pdf_text

    secretary = world.client("secretary_a")
    page = secretary.get("/to-chuc/A/tai-khoan/")
    assert page.status_code == 200
    html = page.content.decode()
    woman = world.m["a_woman"].person
    assert f'value="{woman.pk}"' in html  # no account yet: offered, ticked
    assert f'value="{world.m["member"].person_id}"' not in html  # has an account in use: not offered
    before = AuditEvent.objects.count()

    response = secretary.post("/to-chuc/A/tai-khoan/", {"person": [woman.pk, world.m["x_member"].person_id]})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content, tmp_path)
    account = User.objects.get(person=woman)
    assert account.username == "hoatt" and "hoatt" in text and "/kich-hoat/" in text
    assert not User.objects.filter(person_id=world.m["x_member"].person_id).exists()  # not of this cell: ignored
    code = re.search(r"Mã dùng một lần: (\d{5} \d{5})", text).group(1)  # type: ignore[union-attr]
    assert AuditEvent.objects.count() > before

    again = secretary.get("/to-chuc/A/tai-khoan/").content.decode()
    assert "chưa kích hoạt" in again
    assert _activate("hoatt", code).status_code == 302
    assert "hoatt: đang dùng" in secretary.get("/to-chuc/A/tai-khoan/").content.decode()


def test_slips_are_only_for_those_who_write_for_the_cell(world: Any) -> None:
    for persona, status in (("member", 404), ("secretary_b", 404), ("other_commune_staff", 404),
                            ("province_staff", 404), ("commune_staff", 200), ("admin", 200)):
        assert world.client(persona).get("/to-chuc/A/tai-khoan/").status_code == status, persona
    assert world.client("secretary_b").post("/to-chuc/A/tai-khoan/", {"person": [world.m["a_woman"].person_id]}) \
        .status_code == 404
    assert not User.objects.filter(person_id=world.m["a_woman"].person_id).exists()


# --- the first run of a real installation -----------------------------------------------------------

@pytest.mark.django_db
def test_setup_on_an_empty_database_then_the_administrator_activates() -> None:
    from django.core.management.base import CommandError

    from chibo.organisations.models import Locality, Organisation

    with pytest.raises(CommandError, match="Thiếu"):
        _run("setup", "--no-input", "--province-code", "GL")
    assert not Organisation.objects.exists()
    out = _run("setup", "--no-input", "--province-code", "gl", "--province-name", "Đảng bộ tỉnh Gia Lai",
               "--commune-code", "IAMO", "--commune-name", "Đảng bộ xã Ia Mơ", "--admin", "quantri")
    province, commune = Organisation.objects.get(code="GL"), Organisation.objects.get(code="IAMO")
    assert commune.parent == province and commune.kind == "commune"
    assert Locality.objects.get(organisation=commune).parent == Locality.objects.get(organisation=province)
    assert "/nhap-du-lieu/mau.xlsx" in out
    code = re.search(r"Mã dùng một lần: ([\d ]+)", out).group(1)  # type: ignore[union-attr]
    assert _activate("quantri", code).status_code == 302
    assert User.objects.get(username="quantri").is_superuser
    with pytest.raises(CommandError, match="đã có dữ liệu"):
        _run("setup", "--no-input", "--province-code", "X", "--province-name", "X", "--admin", "khac")


def test_an_account_reached_through_its_role_links_to_no_page_the_viewer_cannot_open(world: Any) -> None:
    """A member of commune C2's cell X who holds a role in C1: C1's clerk administers the account
    (the role is theirs to grant) but may not open the member's page, so the account page does
    not link to it."""
    user, _code = accounts.account_create_for_person(actor=None, person=world.m["x_member"].person)
    RoleAssignment.objects.create(user=user, organisation=world.org["B"], role=Role.CELL_COMMITTEE,
                                  valid_from=today() - dt.timedelta(days=1))
    staff = world.client("commune_staff")
    page = staff.get(f"/tai-khoan/{user.pk}/").content.decode()
    assert f"/dang-vien/{world.m['x_member'].pk}/" not in page
    assert staff.get(f"/dang-vien/{world.m['x_member'].pk}/").status_code == 404
    assert f"/dang-vien/{world.m['x_member'].pk}/" in world.client("admin").get(f"/tai-khoan/{user.pk}/").content.decode()
