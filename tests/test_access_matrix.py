"""Every web URL × every persona gets exactly what its scope allows.

Columns: member, secretary_a, secretary_b, commune_staff, other_commune_staff,
province_staff, admin. 404 = outside scope (existence not revealed); 403 = visible but
read-only for this persona. Anonymous users are always sent to sign in."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver
from django.utils import translation

from chibo.exchange.models import ImportJob
from chibo.members.models import Person
from chibo.members.services import unusable_number_message
from tests.conftest import PERSONAS
from tests.test_import import MEMBER_HEADERS, member_row, xlsx

MATRIX: dict[str, list[int]] = {
    "/":                                  [200, 200, 200, 200, 200, 200, 200],
    "/?org=A":                            [200, 200, 404, 200, 404, 200, 200],
    "/?org=C1":                           [404, 404, 404, 200, 404, 200, 200],
    "/?org=X":                            [404, 404, 404, 404, 200, 200, 200],
    "/to-chuc/":                          [200, 200, 200, 200, 200, 200, 200],
    "/to-chuc/?parent=C1":                [404, 404, 404, 200, 404, 200, 200],
    "/to-chuc/A/":                        [200, 200, 404, 200, 404, 200, 200],
    "/to-chuc/X/":                        [404, 404, 404, 404, 200, 200, 200],
    "/to-chuc/A/sua/":                    [403, 403, 404, 200, 404, 403, 200],
    "/to-chuc/moi/?parent=C1":            [403, 403, 403, 200, 404, 403, 200],
    "/dang-vien/":                        [404, 200, 200, 200, 200, 200, 200],
    "/dang-vien/?org=A":                  [404, 200, 404, 200, 404, 200, 200],
    "/dang-vien/?org=X":                  [404, 404, 404, 404, 200, 200, 200],
    "/dang-vien/xuat/?org=A&format=csv":  [404, 200, 404, 200, 404, 200, 200],
    "/to-chuc/xuat/?org=C1&format=xlsx":  [404, 404, 404, 200, 404, 200, 200],
    "/nhap-du-lieu/mau.xlsx":             [200, 200, 200, 200, 200, 200, 200],
    "/nhap-du-lieu/":                     [403, 200, 200, 200, 200, 403, 200],
    "/chat-luong-du-lieu/":               [404, 200, 200, 200, 200, 200, 200],
    "/chat-luong-du-lieu/?org=C1":        [404, 404, 404, 200, 404, 200, 200],
    "/dang-vien/{member}/":               [200, 200, 404, 200, 404, 200, 200],
    "/dang-vien/{x_member}/":             [404, 404, 404, 404, 200, 200, 200],
    "/dang-vien/{member}/sua/":           [403, 200, 404, 200, 404, 403, 200],
    "/dang-vien/{member}/su-kien/":       [403, 200, 404, 200, 404, 403, 200],
    "/dang-vien/moi/?org=A":              [403, 200, 404, 200, 404, 403, 200],
    "/chuc-vu/moi/?org=A":                [403, 200, 404, 200, 404, 403, 200],
    "/chuc-vu/moi/?locality=VA":          [404, 403, 404, 200, 404, 403, 200],
    "/chuc-vu/{committee_a}/ket-thuc/":   [404, 200, 404, 200, 404, 403, 200],
    "/chuc-vu/{head_a}/ket-thuc/":        [404, 403, 404, 200, 404, 403, 200],
    "/nguoi/moi/?locality=VA":            [404, 403, 404, 200, 404, 403, 200],
    "/dia-ban/VA/":                       [404, 200, 404, 200, 404, 200, 200],
    "/dia-ban/VA/sua/":                   [404, 403, 404, 200, 404, 403, 200],
    "/dia-ban/moi/?parent=LC1":           [404, 404, 404, 200, 404, 403, 200],
    "/dia-ban/VX/":                       [404, 404, 404, 404, 200, 200, 200],
    "/dia-ban/LC1/":                      [404, 404, 404, 200, 404, 200, 200],
    "/nhat-ky/":                          [404, 404, 404, 200, 200, 200, 200],
    "/nhat-ky/?org=C1":                   [404, 404, 404, 200, 404, 200, 200],
    "/cua-toi/":                          [200, 200, 200, 200, 200, 200, 200],
    "/tim-kiem/?q=nguyen+van":            [200, 200, 200, 200, 200, 200, 200],  # scope of results: tests/test_search.py
    "/tim-kiem/?q=chi+bo&nhom=to-chuc":   [200, 200, 200, 200, 200, 200, 200],
    "/quy-dinh/":                         [200, 200, 200, 200, 200, 200, 200],
    "/ngay-nghi/":                        [200, 200, 200, 200, 200, 200, 200],
    "/huong-dan/":                        [200, 200, 200, 200, 200, 200, 200],
    "/huong-dan/sinh-hoat/":              [200, 200, 200, 200, 200, 200, 200],
    "/huong-dan/bi-thu-chi-bo/":          [200, 200, 200, 200, 200, 200, 200],
    "/huong-dan/bi-thu-chi-bo.pdf":       [200, 200, 200, 200, 200, 200, 200],
    "/tai-khoan-cua-toi/":                [200, 200, 200, 200, 200, 200, 200],
    "/tai-khoan-cua-toi/xac-thuc-hai-buoc/": [200, 200, 200, 200, 200, 200, 200],
    "/tai-khoan/":                        [404, 404, 404, 200, 200, 200, 200],
    "/tai-khoan/?q=duc":                  [404, 404, 404, 200, 200, 200, 200],
    "/tai-khoan/{u_member}/":             [404, 404, 404, 200, 404, 200, 200],
    "/tai-khoan/{u_secretary_b}/":        [404, 404, 404, 200, 404, 200, 200],
    "/tai-khoan/{u_province_staff}/":     [404, 404, 404, 404, 404, 200, 200],
    "/tai-khoan/{u_admin}/":              [404, 404, 404, 404, 404, 404, 200],
    "/to-chuc/A/tai-khoan/":              [404, 200, 404, 200, 404, 404, 200],
    "/to-chuc/X/tai-khoan/":              [404, 404, 404, 404, 200, 404, 200],
}


def _url(template: str, world) -> str:
    ids = ({key: m.pk for key, m in world.m.items()} | {key: p.pk for key, p in world.posts.items()}
           | {f"u_{key}": u.pk for key, u in world.users.items()})
    return template.format(**ids)


@pytest.mark.parametrize("template", list(MATRIX))
def test_every_persona_gets_what_its_scope_allows(world, template):
    url = _url(template, world)
    got = [world.client(p).get(url).status_code for p in PERSONAS]
    assert got == MATRIX[template], f"{url}: {dict(zip(PERSONAS, got, strict=True))}"


@pytest.mark.parametrize("template", list(MATRIX))
def test_anonymous_users_are_sent_to_sign_in(world, template):
    response = world.client("anonymous").get(_url(template, world))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")


def test_every_web_url_is_in_the_matrix():
    web_names = {p.name for include in get_resolver().url_patterns
                 if not str(include.pattern).startswith("api/") for p in include.url_patterns}
    covered = {"home", "for-me", "rules", "rule-version", "holidays", "holiday-remove", "holiday-propose", "tree", "organisation", "organisation-edit", "province-compare", "province-compare-xlsx", "province-compare-recompute", "province-compare-progress", "organisation-create", "members", "member",
               "member-edit", "member-event", "member-create", "post-create", "post-end", "locality", "audit", "person-create", "locality-create", "locality-edit", "member-export", "organisation-export", "import-template", "quality", "import", "import-job", "import-commit", "import-retry", "import-rejected", "export-job", "export-download",
               "login", "logout", "my-tokens", "my-token-revoke",  # tests/test_sign_in_and_tokens.py
               "accounts", "account", "activate", "account-action", "account-create", "account-role-end", "account-role-grant", "onboarding",  # tests/test_accounts_admin.py
               "sign-in-code", "my-account", "my-password", "my-sessions-end", "my-language", "twostep-setup",
               "twostep-disable", "twostep-recovery",  # tests/test_twostep.py
               "resolutions", "resolution-create", "resolution", "resolution-edit", "resolution-file", "target-create", "target", "target-edit", "target-break-down", "target-measure", "measurement-file", "org-targets",  # plans: tests/test_access_plans.py
               "my-tasks", "task-create", "task", "task-edit", "task-act", "task-evidence", "org-plan", "org-due",
               "member-tasks", "notifications",  # tasks: tests/test_access_tasks.py
               "documents", "my-documents", "document-create", "document", "document-edit", "document-file", "document-read", "document-unread", "study-sessions", "study-session-create", "study-session", "study-session-edit", "study-reflection",  # tests/test_access_documents.py
               "threads", "thread-create", "thread-inbox", "thread", "thread-reply", "thread-close",  # tests/test_access_channel.py
               "meeting-attendance", "meeting-attendance-sync", "meeting-sw",  # tests/test_meetings_offline.py
               "org-meetings", "org-meeting-gaps", "meeting-create", "meeting", "meeting-edit", "meeting-publish",
               "meeting-material", "meeting-material-file", "meeting-guest", "meeting-vote", "meeting-voters", "meeting-held", "meeting-all-present", "meeting-absence", "meeting-absence-withdraw",
               "meeting-cancel", "meeting-minutes", "minutes-pdf",  # tests/test_access_meetings.py
               "org-targets-xlsx", "org-targets-pdf", "org-plan-xlsx", "org-plan-pdf",  # tests/test_plan_exports.py
               "org-due-dates", "org-badges", "member-exemption", "exemption",  # tests/test_access_lifecycle.py
               "member-transfer", "transfer-letter",  # tests/test_transfers.py
               "recruitment", "candidate-create", "candidate", "candidate-act", "member-recognition",
               "candidate-resolution-pdf", "recognition-resolution-pdf",  # tests/test_recruitment_pdfs.py  # tests/test_access_recruitment.py
               "help", "help-area", "help-secretary", "help-secretary-pdf",  # tests/test_help.py
               "manifest",  # tests/test_manifest.py
               "search"}  # tests/test_search.py
    assert web_names <= covered, f"add these to the matrix: {web_names - covered}"


def test_lists_show_only_what_is_in_scope(world):
    names = {"Phạm Văn Đức", "Nguyễn Văn Đức", "Lê Văn Bình"}
    expected = {
        "secretary_a": {"Nguyễn Văn Đức"},
        "secretary_b": {"Lê Văn Bình"},
        "commune_staff": {"Nguyễn Văn Đức", "Lê Văn Bình"},
        "other_commune_staff": {"Phạm Văn Đức"},
        "province_staff": names,
    }
    for persona, visible in expected.items():
        html = world.client(persona).get("/dang-vien/?q=van").content.decode()
        shown = {n for n in names if n in html}
        assert shown == visible, persona


def test_tree_lists_only_visible_children(world):
    html = world.client("commune_staff").get("/to-chuc/?parent=C1").content.decode()
    assert "Chi bộ Thôn Đông" in html and "Chi bộ Buôn Ma" not in html


def test_audit_log_shows_only_the_users_subtree(world):
    html = world.client("other_commune_staff").get("/nhat-ky/").content.decode()
    assert "Phạm Văn Đức" in html
    assert "Nguyễn Văn Đức" not in html


# --- Imports that touch other scopes ------------------------------------------------------------
# Each persona uploads one sheet, both rows in cell A, correcting the phone of a member of cell A
# (commune C1) and of a member of cell X (commune C2) matched by citizen ID. The row: the
# upload's status, then which of the two changed.
# A refused row names nobody: it is refused for the cell the file itself names, or with the one
# neutral message of members.services.unusable_number_message.

IMPORT_MATRIX: dict[str, tuple[int, set[str]]] = {
    "member":              (403, set()),
    "secretary_a":         (302, {"member"}),
    "secretary_b":         (302, set()),
    "commune_staff":       (302, {"member"}),
    "other_commune_staff": (302, set()),  # the file places both in cell A, outside C2
    "province_staff":      (403, set()),
    "admin":               (302, {"member", "x_member"}),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_imports_touching_other_scopes_change_only_the_personas_own(world, persona):
    def row(key: str, cell: str, village: str) -> list:
        p = world.m[key].person
        return member_row(p.full_name, p.citizen_id, **{
            "Giới tính": "Nam", "Ngày sinh": "17/05/1980", "Mã nơi cư trú": village, "Mã chi bộ": cell,
            "Ngày vào Đảng": "02/03/2010", "Ngày chính thức": "02/03/2011", "Số điện thoại": f"0905 000 {p.pk:03d}"})

    sheet = xlsx({"Đảng viên": [MEMBER_HEADERS, row("member", "A", "VA"), row("x_member", "A", "VX")]})
    c = world.client(persona)
    status = c.post("/nhap-du-lieu/", {"file": SimpleUploadedFile("ds.xlsx", sheet), "valid_only": "on"}).status_code
    job = ImportJob.objects.filter(user=world.users[persona]).first()
    if job is not None:
        c.post(f"/nhap-du-lieu/{job.pk}/nhap/")
        job.refresh_from_db()
    changed = {key for key in ("member", "x_member")
               if Person.objects.get(pk=world.m[key].person_id).phone.startswith("0905 000")}
    assert (status, changed) == IMPORT_MATRIX[persona]
    if job is not None:
        refused = [i["message"] for i in job.result["issues"] if i["severity"] == "error"]
        assert len(refused) == 2 - len(changed)
        names = [world.m[k].person.given_name for k in ("member", "x_member")]
        assert not [m for m in refused if any(n in m for n in names)], refused
        if persona in ("secretary_a", "commune_staff"):  # cell A is theirs: the ID is what they cannot use
            neutral = set()
            for language in ("vi", "en"):
                with translation.override(language):
                    neutral.add(unusable_number_message())
            assert len(refused) == 1 and refused[0] in neutral, refused
