"""The document library, read receipts and study sessions (issue 5, point 6), through HTTP
with the named personas of tests/conftest.py: publishing with real PDF and DOCX files,
refused files named on the file field, accent-insensitive search, "documents for me" and
marking read (idempotent), who has not read (for the secretary's own cell only), study
sessions with each participant's own reflection, the read counts behind documents_read_pct,
and query counts that do not grow with the data."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.audit.models import AuditEvent
from chibo.core import files
from chibo.core.dates import today
from chibo.documents import selectors, services
from chibo.documents.models import Document, Participant, Receipt, StudySession
from chibo.members import services as members
from chibo.notifications.models import Notification

D = dt.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


DOCX = _zip({"[Content_Types].xml": b'<?xml version="1.0"?><Types/>', "word/document.xml": b"<w:document/>"})


def client(world: Any, persona: str) -> Any:
    """A persona's client reading the pages in English (the msgids the assertions name)."""
    c = world.client(persona)
    c.cookies["django_language"] = "en"  # English chosen in this browser
    return c


def form(world: Any, org: str = "C1", **extra: Any) -> dict[str, Any]:
    data = {"organisation": world.org[org].pk, "kind": "regulation", "number": "339-QĐ/TW",
            "issuer": "Ban Bí thư Trung ương", "issued_on": "10/07/2025",
            "title": "Quy định về sử dụng Sổ tay đảng viên điện tử", "summary": "Mọi đảng viên cài đặt ứng dụng."}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def publish(world: Any, org: str = "C1", *, number: str = "339-QĐ/TW", title: str = "Quy định về Sổ tay",
            issued_on: dt.date | None = None, by: str = "commune_staff") -> Document:
    issued_on = issued_on or D(2025, 7, 10)
    return services.document_publish(actor=world.users[by], organisation=world.org[org], kind="regulation",
                                     number=number, issuer="Ban Bí thư", issued_on=issued_on, title=title)


def field_errors(response: Any, name: str) -> list[str]:
    assert response.status_code == 400, response.status_code
    return list(response.context["form"].errors.get(name, []))


# --- Publishing ------------------------------------------------------------------------------

def test_commune_staff_publish_a_pdf_and_the_members_it_reaches_are_told(world):
    c = client(world, "commune_staff")
    response = c.post("/van-ban/moi/", form(world, file=SimpleUploadedFile("339-QĐ-TW.pdf", PDF)))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    doc = Document.objects.get()
    assert response["Location"] == f"/van-ban/{doc.pk}/"
    assert (doc.number, doc.file_name, doc.kind, doc.organisation.code) == ("339-QĐ/TW", "339-QĐ-TW.pdf",
                                                                            "regulation", "C1")
    assert doc.search_text == "339 qd tw quy dinh ve su dung so tay dang vien dien tu ban bi thu trung uong"
    assert AuditEvent.objects.filter(object_type="document", object_id=str(doc.pk), action="create").exists()
    told = set(Notification.objects.filter(kind="document", key=f"document:{doc.pk}")
               .values_list("user__username", flat=True))
    assert told == {"member", "secretary_a", "secretary_b"}  # the publisher is not told; C2 is not reached
    note = Notification.objects.get(user=world.users["member"], kind="document")
    assert note.lines[0]["url"] == f"/van-ban/{doc.pk}/" and "339-QĐ/TW" in note.title
    download = client(world, "member").get(f"/van-ban/{doc.pk}/tep/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    assert AuditEvent.objects.filter(object_type="document", action="export", actor=world.users["member"]).exists()


def test_a_cell_secretary_publishes_a_docx_to_the_cell(world):
    c = client(world, "secretary_a")
    response = c.post("/van-ban/moi/", form(world, "A", kind="plan", number="05-KH/CB", title="Kế hoạch học tập",
                                            file=SimpleUploadedFile("ke-hoach.docx", DOCX)))
    assert response.status_code == 302
    doc = Document.objects.get()
    assert doc.organisation.code == "A" and doc.file_name == "ke-hoach.docx"
    path, ctype = files.open_stored(doc.file)
    assert path.read_bytes() == DOCX
    download = client(world, "member").get(f"/van-ban/{doc.pk}/tep/")
    assert download.status_code == 200
    told = set(Notification.objects.filter(kind="document").values_list("user__username", flat=True))
    assert told == {"member", "commune_staff"}  # the commune staff member is also a member of cell A
    # A secretary may not distribute to the commune, nor to another cell.
    assert field_errors(c.post("/van-ban/moi/", form(world, "B", number="06-KH")), "organisation")
    assert c.post("/van-ban/moi/", form(world, "C1", number="07-KH")).status_code == 400
    assert Document.objects.count() == 1


@pytest.mark.parametrize(("name", "content"), [
    ("nghi-quyet.pdf", b"MZ\x90\x00\x03\x00\x00\x00 a Windows program renamed"),
    ("ghi-chu.docx", "Văn bản thường, không phải tệp Word".encode()),
    ("bang.xlsx", _zip({"notes.txt": b"a plain zip"})),
    ("cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64),  # an old Word file: not in the issue's list
    ("trang.html", b"<html><script>alert(1)</script></html>"),
])
def test_a_file_of_the_wrong_type_is_refused_naming_the_file_field(world, name, content):
    response = client(world, "commune_staff").post("/van-ban/moi/", form(world, file=SimpleUploadedFile(name, content)))
    errors = field_errors(response, "file")
    assert errors and all(e.endswith(".") for e in errors)
    html = response.content.decode()
    assert "Nothing was saved" in html and errors[0].split(".")[0][:30] in html.replace("&#x27;", "'")
    assert not Document.objects.exists() and not Notification.objects.exists()
    assert not (files.root() / "documents").exists()


def test_an_oversized_file_is_refused_naming_the_file_field(world, settings):
    settings.CHIBO_UPLOAD_MAX_BYTES = 1024
    response = client(world, "commune_staff").post("/van-ban/moi/", form(
        world, file=SimpleUploadedFile("lon.pdf", PDF + b"x" * 4000)))
    errors = field_errors(response, "file")
    assert "limit" in errors[0] and "MB" in errors[0] and "smaller file" in errors[0]
    assert not Document.objects.exists()
    with pytest.raises(ValidationError) as exc:  # the service refuses it too, whoever calls
        services.document_publish(actor=None, organisation=world.org["C1"], kind="plan", number="1-KH",
                                  issuer="Đảng ủy", issued_on=D(2025, 8, 1), title="T", file=(PDF + b"x" * 4000, "a.pdf"))
    assert list(exc.value.message_dict) == ["file"]


def test_missing_and_wrong_fields_are_named_with_how_to_fix_them(world):
    c = client(world, "commune_staff")
    response = c.post("/van-ban/moi/", form(world, number="", title="", issuer="", issued_on=""))
    errors = response.context["form"].errors
    assert response.status_code == 400
    assert set(errors) == {"number", "title", "issuer", "issued_on"}
    assert "339-QĐ/TW" in errors["number"][0] and "dd/mm/yyyy" in errors["issued_on"][0]
    future = (today() + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    assert "future" in field_errors(c.post("/van-ban/moi/", form(world, issued_on=future)), "issued_on")[0]
    assert "dd/mm/yyyy" in field_errors(c.post("/van-ban/moi/", form(world, issued_on="31/02/2025")), "issued_on")[0]
    publish(world)
    again = field_errors(c.post("/van-ban/moi/", form(world, number="339 - qđ / tw")), "number")
    assert "already in the library" in again[0]
    assert Document.objects.count() == 1


def test_a_document_is_corrected_but_stays_with_its_organisation(world):
    doc = publish(world)
    c = client(world, "commune_staff")
    page = c.get(f"/van-ban/{doc.pk}/sua/")
    assert page.status_code == 200 and "organisation" not in page.context["form"].fields
    response = c.post(f"/van-ban/{doc.pk}/sua/", {"kind": "regulation", "number": "339-QĐ/TW", "issuer": "Ban Bí thư",
                                                  "issued_on": "10/07/2025", "title": "Quy định 339 (sửa)",
                                                  "file": SimpleUploadedFile("ban-ky.pdf", PDF)})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.title == "Quy định 339 (sửa)" and doc.file_name == "ban-ky.pdf" and "sua" in doc.search_text
    event = AuditEvent.objects.get(object_type="document", action="update")
    assert event.after == {"title": "Quy định 339 (sửa)", "file_name": "ban-ky.pdf"}
    with pytest.raises(ValidationError) as exc:
        services.document_update(doc, actor=None, organisation=world.org["C2"])
    assert list(exc.value.message_dict) == ["organisation"]


# --- Search -----------------------------------------------------------------------------------

def test_search_is_accent_insensitive_on_number_and_title(world):
    publish(world, number="339-QĐ/TW", title="Quy định về sử dụng Sổ tay đảng viên điện tử")
    publish(world, number="05-HD/BTGDVTW", title="Hướng dẫn Học tập chuyên đề năm 2026")
    c = client(world, "member")

    def found(q: str) -> set[str]:
        page = c.get("/van-ban/", {"q": q}).context["page"]
        return {d.number for d in page.object_list}

    assert found("339 qd") == {"339-QĐ/TW"}
    assert found("339-QĐ/TW") == {"339-QĐ/TW"}
    assert found("qd 339") == {"339-QĐ/TW"}
    assert found("hoc tap") == {"05-HD/BTGDVTW"}
    assert found("HỌC TẬP") == {"05-HD/BTGDVTW"}
    assert found("so tay dang vien") == {"339-QĐ/TW"}
    assert found("ban bi thu") == {"339-QĐ/TW", "05-HD/BTGDVTW"}  # the issuing body too
    assert found("nghi quyet") == set()
    fragment = c.get("/van-ban/", {"q": "hoc tap"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and b"<html" not in fragment.content and b"05-HD/BTGDVTW" in fragment.content
    assert found("") == {"339-QĐ/TW", "05-HD/BTGDVTW"}
    assert {d.number for d in c.get("/van-ban/", {"kind": "guidance"}).context["page"].object_list} == set()


# --- Documents for me and read receipts ------------------------------------------------------------

def test_documents_for_me_and_marking_read_is_idempotent(world):
    doc = publish(world, "C1")
    a_doc = publish(world, "A", number="01-TB/CB", by="secretary_a")
    x_doc = publish(world, "X", number="02-TB/CB", by="other_commune_staff")
    c = client(world, "member")
    page = c.get("/van-ban/cua-toi/")
    assert [d.pk for d in page.context["mine"].to_read] == [a_doc.pk, doc.pk]  # newest first; X's is not for me
    assert x_doc.pk not in {d.pk for d in page.context["mine"].to_read}
    assert "not read yet" in page.content.decode()

    card = c.post(f"/van-ban/{doc.pk}/da-doc/", {"from": "card"}, HTTP_HX_REQUEST="true")
    assert card.status_code == 200 and b"<html" not in card.content
    html = card.content.decode()
    assert "✓" in html and "Marked as read." in html and "I have read it" not in html
    first = Receipt.objects.get(document=doc, person=world.m["member"].person).read_at
    again = c.post(f"/van-ban/{doc.pk}/da-doc/")  # a plain form: back to the document
    assert again.status_code == 302 and again["Location"] == f"/van-ban/{doc.pk}/"
    assert Receipt.objects.filter(document=doc).count() == 1
    assert Receipt.objects.get(document=doc).read_at == first

    mine = c.get("/van-ban/cua-toi/").context["mine"]
    assert [d.pk for d in mine.to_read] == [a_doc.pk] and [d.pk for d in mine.read] == [doc.pk]
    detail = c.get(f"/van-ban/{doc.pk}/").content.decode()
    assert "you read it on" in detail and "I have read it" not in detail

    # Only addressees mark a document: province staff read it but it is not addressed to them.
    assert client(world, "province_staff").post(f"/van-ban/{doc.pk}/da-doc/").status_code == 403
    assert client(world, "other_commune_staff").post(f"/van-ban/{doc.pk}/da-doc/").status_code == 404
    assert client(world, "secretary_b").post(f"/van-ban/{a_doc.pk}/da-doc/").status_code == 404
    with pytest.raises(ValidationError):
        services.document_mark_read(x_doc, actor=world.users["member"])
    staff = client(world, "province_staff").get("/van-ban/cua-toi/")
    assert staff.status_code == 200 and "not linked to a current member" in staff.content.decode()


def test_who_has_not_read_is_shown_to_the_secretary_for_their_own_cell_only(world):
    doc = publish(world, "C1")
    services.document_mark_read(doc, actor=world.users["member"])
    names = {"Nguyễn Văn Đức", "Ksor Thăng", "Trần Thị Hoa", "Đào Thị Ninh", "Lê Văn Bình", "Rơ Châm H'Luyên",
             "Phạm Văn Đức"}

    def unread(persona: str) -> set[str]:
        response = client(world, persona).get(f"/van-ban/{doc.pk}/chua-doc/")
        assert response.status_code == 200, (persona, response.status_code)
        return {m.person.full_name for m in response.context["page"].object_list}

    assert unread("secretary_a") == {"Ksor Thăng", "Trần Thị Hoa", "Đào Thị Ninh"}
    assert unread("secretary_b") == {"Lê Văn Bình", "Rơ Châm H'Luyên"}
    assert unread("commune_staff") == {"Ksor Thăng", "Trần Thị Hoa", "Đào Thị Ninh", "Lê Văn Bình",
                                       "Rơ Châm H'Luyên"}
    assert unread("admin") == unread("commune_staff")
    page = client(world, "secretary_a").get(f"/van-ban/{doc.pk}/chua-doc/").content.decode()
    assert "1 of 4 members have read it." in page and "Lê Văn Bình" not in page
    assert all(n not in page for n in names - {"Ksor Thăng", "Trần Thị Hoa", "Đào Thị Ninh"})
    assert "Nguyễn Văn Đức" not in page  # has read
    for persona, status in (("member", 403), ("province_staff", 403), ("other_commune_staff", 404)):
        assert client(world, persona).get(f"/van-ban/{doc.pk}/chua-doc/").status_code == status, persona
    detail = client(world, "secretary_a").get(f"/van-ban/{doc.pk}/")
    assert (detail.context["read"], detail.context["expected"]) == (1, 4)
    assert client(world, "member").get(f"/van-ban/{doc.pk}/").context["follow_up"] == []
    # An exempt member is not followed up.
    members.member_record_event(world.m["c1_staff"], actor=None, kind="exempted", effective_date=today())
    assert unread("secretary_a") == {"Ksor Thăng", "Trần Thị Hoa"}


def test_read_counts_for_the_documents_read_indicator(world):
    in_period = D(2025, 9, 1)
    to_c1 = publish(world, "C1", number="1-CV", issued_on=in_period)
    to_a = publish(world, "A", number="2-CV", issued_on=in_period, by="secretary_a")
    publish(world, "B", number="3-CV", issued_on=in_period, by="secretary_b")
    to_p = services.document_publish(actor=None, organisation=world.org["P"], kind="directive", number="4-CT/TU",
                                     issuer="Tỉnh ủy", issued_on=in_period, title="Chỉ thị của Tỉnh ủy")
    old = publish(world, "C1", number="5-CV", issued_on=D(2025, 6, 1))
    for doc in (to_c1, to_a, to_p, old):
        services.document_mark_read(doc, actor=world.users["member"])
    services.document_mark_read(to_c1, actor=world.users["secretary_b"])
    period = (D(2025, 7, 1), D(2025, 12, 31))
    # Cell A: 4 members × (C1, A, P) = 12 pairs; the member read 3 of them (the June one is outside).
    assert selectors.read_counts(world.org["A"], *period) == (3, 12)
    # Cell B: 2 members × (C1, B, P) = 6 pairs; its secretary read the C1 one.
    assert selectors.read_counts(world.org["B"], *period) == (1, 6)
    # Commune C1: 6 members × (C1, P) + A's 4 + B's 2 = 18; the A and B receipts all count.
    assert selectors.read_counts(world.org["C1"], *period) == (4, 18)
    # Commune C2 only gets the province's directive: 2 members, nobody read it.
    assert selectors.read_counts(world.org["C2"], *period) == (0, 2)
    assert selectors.read_counts(world.org["A"], D(2030, 1, 1), D(2030, 12, 31)) == (0, 0)
    # An exempt member is not expected to read (and their receipts are not counted).
    members.member_record_event(world.m["member"], actor=None, kind="exempted", effective_date=today())
    assert selectors.read_counts(world.org["A"], *period) == (0, 9)


# --- Study sessions ----------------------------------------------------------------------------------

def _session_post(world: Any, doc: Document, **extra: Any) -> dict[str, Any]:
    data = {"title": "Học tập, quán triệt Quy định 339-QĐ/TW", "held_on": "01/09/2025", "place": "Nhà văn hóa thôn",
            "summary": "Đồng chí Bí thư truyền đạt.\nCác đảng viên thảo luận.", "documents": [str(doc.pk)],
            "participants": [str(world.m["member"].person_id), str(world.m["secretary_a"].person_id)]}
    data.update(extra)
    return data


def test_a_study_session_with_participants_and_their_own_reflections(world):
    doc = publish(world, "C1")
    sec = client(world, "secretary_a")
    page = sec.get(f"/hoc-tap/moi/?org=A&document={doc.pk}")
    assert page.status_code == 200
    choices = {v for v, _l in page.context["form"].fields["participants"].choices}
    assert str(world.m["member"].person_id) in choices and str(world.m["b_member"].person_id) not in choices
    # A member of another cell is not a participant of cell A's session.
    refused = sec.post("/hoc-tap/moi/?org=A", _session_post(world, doc, participants=[
        str(world.m["member"].person_id), str(world.m["b_member"].person_id)]))
    assert "only current members" in field_errors(refused, "participants")[0]
    response = sec.post("/hoc-tap/moi/?org=A", _session_post(world, doc))
    assert response.status_code == 302
    session = StudySession.objects.get()
    assert session.organisation.code == "A" and list(session.documents.all()) == [doc]
    assert session.summary == "Đồng chí Bí thư truyền đạt.\nCác đảng viên thảo luận."
    assert set(session.participants.values_list("person_id", flat=True)) == {
        world.m["member"].person_id, world.m["secretary_a"].person_id}
    assert AuditEvent.objects.filter(object_type="studysession", action="create").exists()
    with pytest.raises(ValidationError) as exc:
        services.study_session_create(actor=None, organisation=world.org["A"], title="T", held_on=D(2025, 9, 1),
                                      participants=[world.m["b_member"].person])
    assert list(exc.value.message_dict) == ["participants"]

    member = client(world, "member")
    url = f"/hoc-tap/{session.pk}/thu-hoach/"
    empty = member.post(url, {"reflection": "  "})
    assert "Write your reflection" in field_errors(empty, "reflection")[0]
    long = member.post(url, {"reflection": "x" * 2001})
    assert "2000" in field_errors(long, "reflection")[0]
    saved = member.post(url, {"reflection": "Tôi nắm được quy định.\nSẽ cài ứng dụng trong tuần."},
                        HTTP_HX_REQUEST="true")
    assert saved.status_code == 200 and b"<html" not in saved.content
    assert "Your reflection was saved." in saved.content.decode()
    own = Participant.objects.get(session=session, person=world.m["member"].person)
    assert own.reflection == "Tôi nắm được quy định.\nSẽ cài ứng dụng trong tuần." and own.reflected_at
    assert sec.post(url, {"reflection": "Bí thư: đã quán triệt."}).status_code == 302  # their own
    assert AuditEvent.objects.filter(object_type="participant").count() == 2
    # Nobody writes another's reflection; a non-participant gets 403.
    with pytest.raises(ValidationError):
        services.reflection_write(own, actor=world.users["secretary_a"], reflection="Viết hộ")
    assert client(world, "commune_staff").post(url, {"reflection": "x"}).status_code == 403
    assert client(world, "secretary_b").post(url, {"reflection": "x"}).status_code == 404

    # A member reads their own reflection, not the others'; the secretary reads them all.
    as_member = member.get(f"/hoc-tap/{session.pk}/").content.decode()
    assert "Sẽ cài ứng dụng" in as_member and "Bí thư: đã quán triệt." not in as_member
    as_secretary = sec.get(f"/hoc-tap/{session.pk}/").content.decode()
    assert "Sẽ cài ứng dụng" in as_secretary and "Bí thư: đã quán triệt." in as_secretary
    # Someone who wrote a reflection stays among the participants.
    edit = sec.post(f"/hoc-tap/{session.pk}/sua/", _session_post(world, doc, participants=[
        str(world.m["secretary_a"].person_id)]))
    assert "already wrote a reflection" in field_errors(edit, "participants")[0]
    edit = sec.post(f"/hoc-tap/{session.pk}/sua/", _session_post(world, doc, participants=[
        str(world.m["member"].person_id), str(world.m["secretary_a"].person_id), str(world.m["a_woman"].person_id)]))
    assert edit.status_code == 302 and session.participants.count() == 3
    # The document page lists the sessions that studied it; the list finds it without accents.
    assert session in client(world, "member").get(f"/van-ban/{doc.pk}/").context["sessions"]
    found = sec.get("/hoc-tap/", {"q": "quan triet 339"}).context["page"].object_list
    assert [s.pk for s in found] == [session.pk]


def test_a_session_without_title_or_date_is_refused_naming_them(world):
    response = client(world, "secretary_a").post("/hoc-tap/moi/?org=A", {"title": "", "held_on": "hôm qua"})
    errors = response.context["form"].errors
    assert response.status_code == 400 and set(errors) == {"title", "held_on"}
    assert "Học tập, quán triệt" in errors["title"][0] and "dd/mm/yyyy" in errors["held_on"][0]
    assert not StudySession.objects.exists()


def test_a_reflection_waits_until_the_session_is_held(world):
    session = services.study_session_create(actor=None, organisation=world.org["A"], title="Học tập chuyên đề",
                                            held_on=today() + dt.timedelta(days=5),
                                            participants=[world.m["member"].person])
    response = client(world, "member").post(f"/hoc-tap/{session.pk}/thu-hoach/", {"reflection": "Sớm quá"})
    assert "Write your reflection after it" in field_errors(response, "reflection")[0]


# --- Query counts --------------------------------------------------------------------------------------

def test_page_query_counts_do_not_grow_with_the_documents(world, django_assert_max_num_queries):
    member_ids = [world.m[k].person for k in ("member", "secretary_a")]
    first = publish(world, "C1", number="0-CV")

    def add(n: int) -> None:
        start = Document.objects.count()
        for i in range(n):
            doc = publish(world, "C1" if i % 2 else "A", number=f"{start + i}-CV",
                          by="commune_staff" if i % 2 else "secretary_a")
            services.document_mark_read(doc, actor=world.users["member"])
            services.study_session_create(actor=None, organisation=world.org["A"], title=f"Học tập {start + i}",
                                          held_on=D(2025, 9, 1), documents=[doc, first], participants=member_ids)

    calls = [("member", "/van-ban/"), ("member", "/van-ban/cua-toi/"), ("commune_staff", "/van-ban/"),
             ("commune_staff", "/van-ban/?q=cv"), ("secretary_a", f"/van-ban/{first.pk}/chua-doc/"),
             ("secretary_a", f"/van-ban/{first.pk}/"), ("member", "/hoc-tap/"), ("secretary_a", "/hoc-tap/")]

    def count(persona: str, url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client(world, persona).get(url).status_code == 200
        return len(ctx)

    add(2)
    with_two = {call: count(*call) for call in calls}
    add(8)
    for persona, url in calls:
        with django_assert_max_num_queries(with_two[persona, url]):
            assert client(world, persona).get(url).status_code == 200
    sessions = StudySession.objects.order_by("pk")
    session_counts = []
    for session in (sessions.first(), sessions.last()):
        assert session is not None
        session_counts.append(count("secretary_a", f"/hoc-tap/{session.pk}/"))
    assert session_counts[0] == session_counts[1]


# --- Odd input never fails the server ------------------------------------------------------------------

@pytest.mark.parametrize(("persona", "url"), [
    ("member", "/van-ban/?page=abc&org=NOPE&kind=poem&q=%00%27%22"),
    ("member", "/van-ban/?q=" + "đ" * 300),
    ("member", "/van-ban/99999/"),
    ("member", "/van-ban/99999/chua-doc/"),
    ("commune_staff", "/van-ban/moi/?org=NOPE"),
    ("commune_staff", "/hoc-tap/moi/?org=NOPE&document=abc"),
    ("commune_staff", "/hoc-tap/?q=%25%25&page=-1"),
    ("member", "/hoc-tap/99999/thu-hoach/"),
])
def test_odd_requests_get_a_page_not_a_server_error(world, persona, url):
    assert client(world, persona).get(url).status_code in (200, 400, 403, 404)


def test_odd_posts_are_refused_with_field_messages(world):
    c = client(world, "commune_staff")
    assert "organisation" in c.post("/van-ban/moi/", form(world, organisation="abc")).context["form"].errors
    response = c.post("/van-ban/moi/", form(world, file="not-a-file", number="x" * 60))
    assert response.status_code == 400 and "number" in response.context["form"].errors
    doc = publish(world)
    session = services.study_session_create(actor=None, organisation=world.org["A"], title="Học tập",
                                            held_on=D(2025, 9, 1), participants=[world.m["member"].person])
    assert client(world, "member").post(f"/hoc-tap/{session.pk}/thu-hoach/", {}).status_code == 400
    bad = client(world, "secretary_a").post(f"/hoc-tap/{session.pk}/sua/", {
        "title": "Học tập", "held_on": "01/09/2025", "documents": ["abc", str(doc.pk)], "participants": ["0"]})
    assert bad.status_code == 400 and set(bad.context["form"].errors) == {"documents", "participants"}
