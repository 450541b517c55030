"""The import journey through HTTP: upload, check, preview, import, done."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from chibo.exchange.models import ImportJob
from chibo.members.models import Person
from tests.test_import import MEMBER_HEADERS, member_row, xlsx


def upload(client, rows, valid_only=False, name="ds.xlsx"):
    data = {"file": SimpleUploadedFile(name, xlsx({"Đảng viên": [MEMBER_HEADERS, *rows]}))}
    if valid_only:
        data["valid_only"] = "on"
    return client.post("/nhap-du-lieu/", data)


def test_upload_check_preview_then_import(world):
    c = world.client("commune_staff")
    response = upload(c, [member_row("Mạc Thị Bưởi", "052190000501")])
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == f"/nhap-du-lieu/{job.pk}/"
    assert job.status == "preview" and job.result["outcomes"]["members"]["create"] == 1
    assert not Person.objects.filter(citizen_id="052190000501").exists()  # the check writes nothing
    page = c.get(response["Location"]).content.decode()
    assert 'id="commit"' in page
    assert c.post(f"/nhap-du-lieu/{job.pk}/nhap/").status_code == 302
    job.refresh_from_db()
    assert job.status == "done"
    assert Person.objects.filter(citizen_id="052190000501").exists()
    assert "/chat-luong-du-lieu/?org=C1" in c.get(f"/nhap-du-lieu/{job.pk}/").content.decode()


def test_a_file_with_errors_cannot_be_imported_but_lists_them(world):
    c = world.client("commune_staff")
    upload(c, [member_row("Tốt", "052190000511"), member_row("Xấu", "0521900005")])
    job = ImportJob.objects.get()
    page = c.get(f"/nhap-du-lieu/{job.pk}/").content.decode()
    assert 'id="commit"' not in page and "Số CCCD" in page
    c.post(f"/nhap-du-lieu/{job.pk}/nhap/")  # refused quietly: still a preview
    job.refresh_from_db()
    assert job.status == "preview"
    assert not Person.objects.filter(citizen_id="052190000511").exists()


def test_valid_rows_only_and_the_rejected_rows_file(world):
    c = world.client("commune_staff")
    upload(c, [member_row("Tốt", "052190000521"), member_row("Xấu", "0521900005")], valid_only=True)
    job = ImportJob.objects.get()
    c.post(f"/nhap-du-lieu/{job.pk}/nhap/")
    job.refresh_from_db()
    assert job.status == "done"
    assert Person.objects.filter(citizen_id="052190000521").exists()
    response = c.get(f"/nhap-du-lieu/{job.pk}/loi.xlsx")
    assert response.status_code == 200


def test_a_bad_file_is_refused_on_upload(world):
    c = world.client("commune_staff")
    response = c.post("/nhap-du-lieu/", {"file": SimpleUploadedFile("ds.xlsx", b"%PDF-1.4 this is not excel")})
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_jobs_are_private_and_importing_needs_a_role(world):
    upload(world.client("commune_staff"), [member_row("Riêng", "052190000531")])
    job = ImportJob.objects.get()
    assert world.client("other_commune_staff").get(f"/nhap-du-lieu/{job.pk}/").status_code == 404
    assert world.client("member").get("/nhap-du-lieu/").status_code == 403
    assert world.client("province_staff").get("/nhap-du-lieu/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_real_queue_and_worker_run_the_job(_migration_data, world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    c = world.client("commune_staff")
    upload(c, [member_row("Hàng Đợi", "052190000541")])
    job = ImportJob.objects.get()
    assert job.status == "checking"  # queued, not yet run
    assert 'hx-trigger="every 1s"' in c.get(f"/nhap-du-lieu/{job.pk}/").content.decode()
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*")
    job.refresh_from_db()
    assert job.status == "preview", job.error


def _age(job, minutes):
    """Make the job's last progress report `minutes` old, as if its worker had gone silent."""
    import os
    import time

    stamp = time.time() - minutes * 60
    os.utime(job.folder / "progress.json", (stamp, stamp))


def test_a_job_whose_worker_died_says_so_and_can_be_started_again(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # nothing runs by itself
    c = world.client("commune_staff")
    upload(c, [member_row("Mất Điện", "052190000561")])
    job = ImportJob.objects.get()
    job.status = ImportJob.Status.IMPORTING  # as a worker leaves it when it is killed mid-import
    job.save()
    job.write_progress("members", 0, 1)
    page = c.get(f"/nhap-du-lieu/{job.pk}/").content.decode()
    assert 'id="import-progress"' in page and 'id="retry"' not in page  # silent for a moment: still working
    assert c.post(f"/nhap-du-lieu/{job.pk}/lam-lai/").status_code == 302  # refused while not stalled

    _age(job, settings.CHIBO_JOB_STALE_MINUTES + 1)
    page = c.get(f"/nhap-du-lieu/{job.pk}/").content.decode()
    assert 'id="retry"' in page and "hx-trigger" not in page  # stopped: say so, stop polling
    assert world.client("other_commune_staff").post(f"/nhap-du-lieu/{job.pk}/lam-lai/").status_code == 404
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert c.post(f"/nhap-du-lieu/{job.pk}/lam-lai/").status_code == 302
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert Person.objects.filter(citizen_id="052190000561").count() == 1


def test_a_job_no_worker_picks_up_tells_the_user_why(world, settings):
    from django.utils import timezone

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    c = world.client("commune_staff")
    upload(c, [member_row("Chờ Mãi", "052190000571")])
    job = ImportJob.objects.get()
    c.cookies["django_language"] = "en"  # English chosen in this browser
    assert "background worker" not in c.get(f"/nhap-du-lieu/{job.pk}/").content.decode()
    ImportJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - timezone.timedelta(minutes=settings.CHIBO_JOB_WAIT_MINUTES + 1))
    page = c.get(f"/nhap-du-lieu/{job.pk}/").content.decode()
    assert "waiting for the background worker" in page and "chibo serve" in page


def test_a_crash_mid_import_leaves_nothing_written(world, monkeypatch):
    from chibo.members import services

    def boom(*args, **kwargs):
        raise RuntimeError("worker died")

    c = world.client("commune_staff")
    upload(c, [member_row("Một", "052190000551"), member_row("Hai", "052190000552")])
    job = ImportJob.objects.get()
    before = Person.objects.count()
    monkeypatch.setattr(services, "bulk_create_members", boom)
    c.post(f"/nhap-du-lieu/{job.pk}/nhap/")
    job.refresh_from_db()
    assert job.status == "failed" and job.error
    assert Person.objects.count() == before
