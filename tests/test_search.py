"""The search from any page (issue 14 point 10): `/tim-kiem/?q=` finds members, organisations,
documents, meetings and resolutions — within the viewer's scope only.

Attack tests first: every persona searches for the people, organisations, documents, meetings
and resolutions of other cells and communes. Whatever lies outside the scope never appears,
not even in a count, and the answer to a query naming it is byte for byte the answer to a query
naming nobody."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any
from urllib.parse import quote_plus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chibo.documents import services as documents
from chibo.meetings import services as meetings
from chibo.members.models import Membership
from chibo.plans import services as plans
from chibo.plans.models import Resolution
from chibo.web.search import MAX_LENGTH, clean_query
from tests.conftest import PERSONAS, add_member

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
URL = "/tim-kiem/"
HTMX = {"HTTP_HX_REQUEST": "true"}

# Whose memberships each persona may list (a plain member: only themself).
CELL_A = {"member", "secretary_a", "a_woman", "c1_staff"}
CELL_B = {"secretary_b", "b_member"}
CELL_X = {"x_member", "x_secretary"}
SEES_MEMBERS: dict[str, set[str]] = {
    "member": {"member"},
    "secretary_a": CELL_A,
    "secretary_b": CELL_B,
    "commune_staff": CELL_A | CELL_B,
    "other_commune_staff": CELL_X,
    "province_staff": CELL_A | CELL_B | CELL_X,
    "admin": CELL_A | CELL_B | CELL_X,
}
# Organisations found by name: their page is open to the persona (a member: their own cell).
ORG_NAMES = {"A": "Chi bộ Thôn Đông", "B": "Chi bộ Làng Ia Rơ", "X": "Chi bộ Buôn Ma", "C2": "Đảng bộ Xã Hai"}
SEES_ORGS: dict[str, set[str]] = {
    "member": {"A"}, "secretary_a": {"A"}, "secretary_b": {"B"}, "commune_staff": {"A", "B"},
    "other_commune_staff": {"X", "C2"}, "province_staff": {"A", "B", "X", "C2"}, "admin": {"A", "B", "X", "C2"},
}
SEES_X_WORK = {"other_commune_staff", "province_staff", "admin"}  # commune C2's and cell X's papers and meetings


@pytest.fixture
def found(world: Any) -> dict[str, Any]:
    """A document, a meeting and a resolution of cell X / commune C2, and the same of cell A / C1."""
    other = world.users["other_commune_staff"]
    x_doc = documents.document_publish(actor=other, organisation=world.org["X"], kind="regulation", number="07-TB/CB",
                                       issuer="Chi ủy", issued_on=dt.date(2025, 9, 10),
                                       title="Thông báo thu hoạch cà phê", file=(PDF, "x.pdf"))
    a_doc = documents.document_publish(actor=world.users["secretary_a"], organisation=world.org["A"], kind="regulation",
                                       number="08-TB/CB", issuer="Chi ủy", issued_on=dt.date(2025, 9, 10),
                                       title="Thông báo vụ đông xuân", file=(PDF, "a.pdf"))
    x_meeting = meetings.meeting_create(actor=None, organisation=world.org["X"], kind="regular",
                                        date=dt.date(2026, 3, 5), start_time=dt.time(19, 30), place="Nhà rông")
    a_meeting = meetings.meeting_create(actor=None, organisation=world.org["A"], kind="regular",
                                        date=dt.date(2026, 3, 6), start_time=dt.time(19, 30), place="Nhà văn hóa")
    x_res = plans.resolution_create(actor=other, organisation=world.org["C2"], body=Resolution.Body.COMMITTEE,
                                    number="05-NQ/ĐU", issued_on=dt.date(2025, 8, 1), period_start=2025,
                                    period_end=2030, title="Chuyển đổi số ở Xã Hai")
    a_res = plans.resolution_create(actor=world.users["commune_staff"], organisation=world.org["C1"],
                                    body=Resolution.Body.COMMITTEE, number="06-NQ/ĐU", issued_on=dt.date(2025, 8, 1),
                                    period_start=2025, period_end=2030, title="Xây dựng nông thôn mới kiểu mẫu")
    return {"x_doc": x_doc, "a_doc": a_doc, "x_meeting": x_meeting, "a_meeting": a_meeting, "x_res": x_res,
            "a_res": a_res}


def fragment(client: Any, q: str) -> str:
    r = client.get(URL, {"q": q}, **HTMX)
    assert r.status_code == 200, q
    return r.content.decode()


def without(text: str, q: str) -> str:
    """The answer with the query itself taken out (it is echoed, escaped, in the message)."""
    for form in (escape(q), q, quote_plus(q)):
        text = text.replace(form, "«Q»")
    return text


def same_as_nobody(client: Any, q: str) -> None:
    nobody = "Zyxw Qvbn"
    assert without(fragment(client, q), q) == without(fragment(client, nobody), nobody), q


# --- Attack tests: scope -------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
def test_members_outside_the_scope_are_never_found(world: Any, persona: str) -> None:
    client = world.client(persona)
    for key, m in world.m.items():
        name = m.person.full_name
        page = fragment(client, name)
        if key in SEES_MEMBERS[persona]:
            assert f'href="/dang-vien/{m.pk}/"' in page, (persona, name)
        else:
            assert f"/dang-vien/{m.pk}/" not in page, (persona, name)
            if not any(world.m[k].person.full_name == name for k in SEES_MEMBERS[persona]):
                same_as_nobody(client, name)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_shared_given_name_counts_only_the_members_in_scope(world: Any, persona: str) -> None:
    """'Đức' is Nguyễn Văn Đức of cell A and Phạm Văn Đức of cell X: the count is of those the
    viewer may list, and the other one leaves no trace."""
    r = world.client(persona).get(URL, {"q": "Đức"})
    assert r.status_code == 200
    members = next((g for g in r.context["groups"] if g.key == "members"), None)
    expected = {k for k in ("member", "x_member") if k in SEES_MEMBERS[persona]}
    assert (members.count if members else 0) == len(expected)
    assert {m.pk for m in (members.rows if members else [])} == {world.m[k].pk for k in expected}


@pytest.mark.parametrize("persona", PERSONAS)
def test_organisations_outside_the_scope_are_never_found(world: Any, persona: str) -> None:
    client = world.client(persona)
    for code, name in ORG_NAMES.items():
        page = fragment(client, name)
        if code in SEES_ORGS[persona]:
            assert f'href="/to-chuc/{code}/"' in page, (persona, name)
        else:
            assert f"/to-chuc/{code}/" not in page, (persona, name)
            same_as_nobody(client, name)


@pytest.mark.parametrize("persona", PERSONAS)
def test_documents_meetings_and_resolutions_outside_the_scope_are_never_found(
        world: Any, found: dict[str, Any], persona: str) -> None:
    client = world.client(persona)
    for q, link in (("thu hoạch cà phê", f"/van-ban/{found['x_doc'].pk}/"),
                    ("Chuyển đổi số", f"/nghi-quyet/{found['x_res'].pk}/"),
                    ("Buôn Ma", f"/hop/{found['x_meeting'].pk}/")):
        page = fragment(client, q)
        if persona in SEES_X_WORK:
            assert f'href="{link}"' in page, (persona, q)
        else:
            assert link not in page, (persona, q)
            same_as_nobody(client, q)


@pytest.mark.parametrize("persona", ["member", "secretary_a", "commune_staff", "province_staff"])
def test_the_own_cells_papers_and_meetings_are_found(world: Any, found: dict[str, Any], persona: str) -> None:
    client = world.client(persona)
    assert f'href="/van-ban/{found["a_doc"].pk}/"' in fragment(client, "dong xuan")
    assert f'href="/nghi-quyet/{found["a_res"].pk}/"' in fragment(client, "nong thon moi")
    assert f'href="/hop/{found["a_meeting"].pk}/"' in fragment(client, "thon dong")


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_citizen_id_or_card_number_finds_only_a_member_in_scope(world: Any, persona: str) -> None:
    Membership.objects.filter(pk=world.m["b_member"].pk).update(card_number="79001234")
    client = world.client(persona)
    b = world.m["b_member"]
    for number in (b.person.citizen_id, "79001234"):
        page = fragment(client, number)
        if "b_member" in SEES_MEMBERS[persona]:
            assert f'href="/dang-vien/{b.pk}/"' in page, (persona, number)
        else:
            assert f"/dang-vien/{b.pk}/" not in page
            same_as_nobody(client, number)
    # exact only: the first digits alone find nobody
    assert f"/dang-vien/{b.pk}/" not in fragment(client, b.person.citizen_id[:6])


def test_the_outsider_who_is_not_a_member_is_not_found(world: Any) -> None:
    """Siu Bơi is a village head, not a party member: the search is of members."""
    for persona in PERSONAS:
        same_as_nobody(world.client(persona), "Siu Bơi")


def test_signed_out_visitors_are_sent_to_sign_in(client: Any, world: Any) -> None:
    r = client.get(URL, {"q": "Nguyễn"})
    assert r.status_code == 302 and "/dang-nhap/" in r["Location"]


# --- Vietnamese text ------------------------------------------------------------------------------------

@pytest.mark.parametrize("q", ["nguyen van", "Nguyễn Văn", "NGUYEN VAN DUC", "nguyễn  văn", "van duc"])
def test_accents_and_case_do_not_matter(world: Any, q: str) -> None:
    page = fragment(world.client("commune_staff"), q)
    assert f'href="/dang-vien/{world.m["member"].pk}/"' in page


def test_d_stroke_folds_to_d_and_decomposed_input_is_read(world: Any) -> None:
    client = world.client("commune_staff")
    ninh = f'href="/dang-vien/{world.m["c1_staff"].pk}/"'
    assert ninh in fragment(client, "dao")
    assert ninh in fragment(client, "ĐÀO THỊ")
    assert ninh in fragment(client, unicodedata.normalize("NFD", "Đào Thị Ninh"))
    assert 'href="/to-chuc/A/"' in fragment(client, unicodedata.normalize("NFD", "thôn đông"))


def test_the_member_list_link_shows_the_same_members(world: Any) -> None:
    for i in range(7):
        add_member(world.org["B"], "Nguyễn", "Văn", f"Thêm{i}")
    client = world.client("commune_staff")
    r = client.get(URL, {"q": "nguyen van"})
    members = next(g for g in r.context["groups"] if g.key == "members")
    assert members.count == 8 and len(members.rows) < members.count
    assert members.more_url == "/dang-vien/?q=nguyen+van"
    assert f'href="{members.more_url}"' in r.content.decode()
    listed = client.get(members.more_url)
    assert listed.context["page"].paginator.count == members.count


def test_the_whole_group_of_organisations_or_meetings_is_paged_on_the_search_page(world: Any) -> None:
    client = world.client("province_staff")
    r = client.get(URL, {"q": "chi bo"})
    orgs = next(g for g in r.context["groups"] if g.key == "organisations")
    assert orgs.count == 3
    whole = client.get(URL, {"q": "chi bo", "nhom": "to-chuc"})
    assert whole.status_code == 200
    assert whole.context["page"].paginator.count == 3
    for code in ("A", "B", "X"):
        assert f'href="/to-chuc/{code}/"' in whole.content.decode()
    assert client.get(URL, {"q": "chi bo", "nhom": "hop"}).status_code == 200
    # a plain member's whole group is still their own cell only
    mine = world.client("member").get(URL, {"q": "chi bo", "nhom": "to-chuc"})
    assert mine.context["page"].paginator.count == 1


# --- Odd input ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("q", ["a", " b ", "đ", "\u0301", "  "])
def test_a_query_shorter_than_two_characters_says_so(world: Any, q: str) -> None:
    r = world.client("commune_staff").get(URL, {"q": q})
    assert r.status_code == 200
    assert r.context["groups"] == []
    if q.strip():
        assert r.context["too_short"]


def test_the_empty_page_shows_the_form(world: Any) -> None:
    r = world.client("member").get(URL)
    assert r.status_code == 200
    assert b'name="q"' in r.content and r.context["groups"] == [] and not r.context["too_short"]


def test_a_very_long_query_is_cut_safely(world: Any) -> None:
    r = world.client("province_staff").get(URL, {"q": "Nguyễn Văn Đức " * 500})
    assert r.status_code == 200
    assert len(r.context["q"]) <= MAX_LENGTH
    assert f'href="/dang-vien/{world.m["member"].pk}/"' in r.content.decode()


@pytest.mark.parametrize("q", ["%", "_", "%%", "' OR 1=1 --", "\x00\x00", "a\x00b", "<script>x</script>", "\\", "\ufeff",
                               "😀😀", "\u200b\u200b", "339-QĐ/TW", "12/13/2026", "0" * 30])
def test_odd_input_is_answered_calmly(world: Any, q: str) -> None:
    r = world.client("province_staff").get(URL, {"q": q})
    assert r.status_code == 200
    assert b"<script>x</script>" not in r.content


@given(st.text(max_size=300))
def test_clean_query_takes_any_string(raw: str) -> None:
    q = clean_query(raw)
    assert len(q) <= MAX_LENGTH
    assert q == q.strip()
    assert unicodedata.is_normalized("NFC", q)
    assert not any(unicodedata.category(ch) in {"Cc", "Cs"} for ch in q)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=150))
def test_any_unicode_query_gives_a_page(world: Any, raw: str) -> None:
    assert world.client("commune_staff").get(URL, {"q": raw}).status_code == 200


# --- Query count --------------------------------------------------------------------------------------

def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["member", "commune_staff", "province_staff", "admin"])
@pytest.mark.parametrize("q", ["nguyen+van", "thon", "339", "chi+bo&nhom=to-chuc", "chi+bo&nhom=hop"])
def test_the_number_of_queries_does_not_grow(world: Any, found: dict[str, Any], persona: str, q: str) -> None:
    client = world.client(persona)
    url = f"{URL}?q={q}"
    _count(client, url)
    small = _count(client, url)
    for i in range(12):
        add_member(world.org["A"], "Nguyễn", "Văn", f"Thôn{i}")
        add_member(world.org["X"], "Nguyễn", "Văn", f"Thôn{i}")
    large = _count(client, url)
    assert small <= 16, f"{url}: {small} queries"
    assert large == small, f"{url}: {small} queries with little data, {large} with more"


# --- The box in the top bar ------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_has_the_search_box(world: Any, persona: str) -> None:
    for url in ("/", "/cua-toi/", "/van-ban/"):
        page = world.client(persona).get(url).content.decode()
        assert 'role="search"' in page and f'action="{URL}"' in page and 'id="quick-q"' in page, (persona, url)
