"""The cell's resolutions as PDF (issue 6 point 8): proposing admission (6-KNĐ) and proposing
recognition as an official member — or removal — with the party heading, the vote figures and
the two-thirds arithmetic, readable by pdftotext with Vietnamese diacritics intact; each
download goes through chibo.access and is audited."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from chibo.audit.models import AuditEvent
from chibo.members import services as members
from chibo.recruitment import exports, services
from chibo.recruitment.models import REQUIRED_FILES, FileCode
from tests.conftest import person_data

D = dt.date
LIMIT_SECONDS = 1.5
ACCESS = {"secretary_a": 200, "secretary_b": 404, "commune_staff": 200, "member": 404}


def pdf_text(content: bytes, tmp_path: Path) -> str:
    assert shutil.which("pdftotext"), "pdftotext is missing: run scripts/bootstrap.sh (installs poppler-utils)"
    path = tmp_path / "nghi-quyet.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(out.split())  # lines wrapped by the layout read as one


def applicant(world):
    c = services.candidate_create(actor=None, organisation=world.org["A"], introduced_on=D(2025, 3, 1),
                                  introduced_by="Chi đoàn thôn Đông",
                                  person_data=person_data("Đinh", "Thị", "Hương", sex="F", birth=D(2000, 1, 1),
                                                          ethnicity="10", residence=world.loc["A"]))
    services.sympathiser_record(c, actor=None, on=D(2025, 5, 1), number="05-NQ/CB")
    services.file_receive(c, actor=None, code=FileCode.CERTIFICATE, received_on=D(2025, 6, 1))
    services.applicant_record(c, actor=None, on=D(2025, 8, 1))
    for code in REQUIRED_FILES:
        if code != FileCode.CERTIFICATE:
            services.file_receive(c, actor=None, code=code, received_on=D(2025, 9, 1))
    services.verification_record(c, actor=None, on=D(2025, 12, 1), result="Lý lịch rõ ràng")
    c.refresh_from_db()
    return c


def resolved(world, votes_for=8, official=9):
    return services.resolution_record(applicant(world), actor=None, on=D(2026, 1, 15), number="12-NQ/CB",
                                      votes_for=votes_for, against=official - votes_for, abstain=0, present=official,
                                      official=official)


def probationary(world):
    return members.member_create(actor=None, person_data=person_data("Lê", "Thị", "Mai", sex="F"),
                                 organisation=world.org["A"], status="probationary", admission_date=D(2025, 9, 15))


def timed_get(client, url):
    start = time.perf_counter()
    response = client.get(url)
    return response, time.perf_counter() - start


def check_access(world, url):
    got = {p: world.client(p).get(url).status_code for p in ACCESS}
    assert got == ACCESS, url


def test_the_resolution_proposing_admission(world, tmp_path):
    c = resolved(world)
    url = reverse("candidate-resolution-pdf", args=[c.pk])
    check_access(world, url)
    before = AuditEvent.objects.filter(action="export").count()
    response, seconds = timed_get(world.client("secretary_a"), url)
    print(f"candidate-resolution-pdf: {seconds:.3f} s")
    assert seconds <= LIMIT_SECONDS
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(b"".join(response.streaming_content), tmp_path)
    for expected in ("ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG BỘ XÃ MỘT", "CHI BỘ THÔN ĐÔNG", "Số 12-NQ/CB",
                     "Một, ngày 15 tháng 01 năm 2026", "NGHỊ QUYẾT", "Ngày 15 tháng 01 năm 2026, Chi bộ Thôn Đông đã họp", "Đề nghị kết nạp đảng viên",
                     "Đinh Thị Hương", "01/01/2000", "Nơi cư trú: Thôn Đông", "Gia-rai", "8/9", "88,9%", "9 × 2/3 = 6",
                     "ít nhất 6 đồng chí", "T/M CHI BỘ", "BÍ THƯ", "Ksor Thăng"):
        assert expected in text, expected
    assert AuditEvent.objects.filter(action="export").count() == before + 1
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert event.object_repr == "Đinh Thị Hương" and event.actor_id == world.users["secretary_a"].pk
    assert event.org_path == world.org["A"].path
    page = world.client("secretary_a").get(reverse("candidate", args=[c.pk])).content.decode()
    assert url in page


def test_a_resolution_not_passed_prints_so_and_one_not_recorded_is_404(world, tmp_path):
    c = applicant(world)
    url = reverse("candidate-resolution-pdf", args=[c.pk])
    assert world.client("secretary_a").get(url).status_code == 404
    assert url not in world.client("secretary_a").get(reverse("candidate", args=[c.pk])).content.decode()
    with translation.override("en"):  # the vote is read back whatever the language it was recorded in
        services.resolution_record(c, actor=None, on=D(2026, 1, 15), number="13-NQ/CB", votes_for=6, against=4,
                                   abstain=0, present=10, official=10)
    text = pdf_text(b"".join(world.client("secretary_a").get(url).streaming_content), tmp_path)
    assert "6/10" in text and "10 × 2/3 = 6,67" in text and "ít nhất 7 đồng chí" in text
    assert "không đạt" in text and "chưa đề nghị kết nạp" in text


def test_the_vote_is_read_back_from_the_recorded_basis_in_either_language():
    with translation.override("vi"):
        vi = "8 tán thành trên 9 đảng viên chính thức: cần 6 (2/3) — thông qua (Điều lệ)"
        assert exports.counts_from_basis(vi) == {"votes_for": 8, "official": 9}
    assert exports.counts_from_basis("8 for, out of 9 official members: 6 needed (2/3) — passed") == {
        "votes_for": 8, "official": 9}
    assert exports.counts_from_basis("something else") is None


def test_the_resolution_proposing_recognition(world, tmp_path):
    m = probationary(world)
    url = reverse("recognition-resolution-pdf", args=[m.pk])
    assert world.client("secretary_a").get(url).status_code == 404  # nothing recorded yet
    services.recognition_resolution(m, actor=None, proposal="recognise", on=D(2026, 11, 20), number="20-NQ/CB",
                                    votes_for=7, against=1, abstain=1, present=9, official=9)
    check_access(world, url)
    before = AuditEvent.objects.filter(action="export").count()
    response, seconds = timed_get(world.client("commune_staff"), url)
    print(f"recognition-resolution-pdf: {seconds:.3f} s")
    assert seconds <= LIMIT_SECONDS
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(response.streaming_content), tmp_path)
    for expected in ("ĐẢNG CỘNG SẢN VIỆT NAM", "CHI BỘ THÔN ĐÔNG", "Số 20-NQ/CB", "ngày 20 tháng 11 năm 2026",
                     "NGHỊ QUYẾT", "Đề nghị công nhận đảng viên chính thức", "Lê Thị Mai", "15/09/2025",
                     "7/9", "77,8%", "9 × 2/3 = 6", "ít nhất 6 đồng chí", "T/M CHI BỘ", "BÍ THƯ"):
        assert expected in text, expected
    assert AuditEvent.objects.filter(action="export").count() == before + 1
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert event.object_repr == "Lê Thị Mai" and event.actor_id == world.users["commune_staff"].pk
    page = world.client("secretary_a").get(reverse("member-recognition", args=[m.pk])).content.decode()
    assert url in page


def test_the_resolution_proposing_removal(world, tmp_path):
    m = probationary(world)
    first = services.recognition_resolution(m, actor=None, proposal="recognise", on=D(2026, 10, 1), number="1",
                                            votes_for=5, against=4, abstain=0, present=9, official=9)
    services.recognition_resolution(m, actor=None, proposal="remove", grounds="Không đủ tư cách đảng viên",
                                    on=D(2026, 10, 5), number="3-NQ/CB", votes_for=7, against=2, abstain=0,
                                    present=9, official=9)
    url = reverse("recognition-resolution-pdf", args=[m.pk])
    text = pdf_text(b"".join(world.client("secretary_a").get(url).streaming_content), tmp_path)
    assert "Đề nghị xóa tên đảng viên dự bị" in text and "Không đủ tư cách đảng viên" in text and "7/9" in text
    earlier = pdf_text(b"".join(world.client("secretary_a").get(f"{url}?r={first.pk}").streaming_content), tmp_path)
    assert "Đề nghị công nhận đảng viên chính thức" in earlier and "5/9" in earlier and "không đạt" in earlier
    assert world.client("secretary_a").get(f"{url}?r=999999").status_code == 404
    assert world.client("secretary_a").get(f"{url}?r=x").status_code == 404


@pytest.mark.parametrize("name", ["candidate-resolution-pdf", "recognition-resolution-pdf"])
def test_anonymous_users_are_sent_to_sign_in(world, name):
    response = world.client("anonymous").get(reverse(name, args=[1]))
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")



def test_the_admission_resolution_prints_every_count_of_the_vote(world, tmp_path):
    c = services.resolution_record(applicant(world), actor=None, on=D(2026, 1, 15), number="12-NQ/CB", votes_for=7,
                                   against=1, abstain=1, present=9, official=10)
    response = world.client("secretary_a").get(reverse("candidate-resolution-pdf", args=[c.pk]))
    text = pdf_text(b"".join(response.streaming_content), tmp_path)
    assert "Đảng viên chính thức có mặt: 9/10" in text
    cells = " ".join(text.split())
    assert "10 7 1 1" in cells  # official, for, against, abstaining: every count, none left as "……"
    assert "……" not in cells.split("Kết quả")[0]
