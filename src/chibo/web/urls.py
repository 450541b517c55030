from __future__ import annotations

from django.urls import path

from chibo.accounts.views import SignInView
from chibo.web import compare, for_me, help, manifest, rulebook, search, security, views

urlpatterns = [
    path("dang-nhap/", SignInView.as_view(), name="login"),
    path("dang-xuat/", security.SignOutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("manifest.webmanifest", manifest.manifest, name="manifest"),
    path("cua-toi/", for_me.for_me, name="for-me"),
    path("tim-kiem/", search.search, name="search"),
    path("quy-dinh/", rulebook.rules, name="rules"),
    path("quy-dinh/<str:key>/phien-ban-moi/", rulebook.rule_version, name="rule-version"),
    path("huong-dan/", help.index, name="help"),
    path("huong-dan/bi-thu-chi-bo/", help.secretary, name="help-secretary"),
    path("huong-dan/bi-thu-chi-bo.pdf", help.secretary_pdf, name="help-secretary-pdf"),
    path("huong-dan/<slug:slug>/", help.area, name="help-area"),
    path("ngay-nghi/", rulebook.holidays, name="holidays"),
    path("ngay-nghi/de-xuat/", rulebook.holiday_propose, name="holiday-propose"),
    path("ngay-nghi/<int:pk>/xoa/", rulebook.holiday_remove, name="holiday-remove"),
    path("to-chuc/", views.organisation_tree, name="tree"),
    path("to-chuc/moi/", views.organisation_create, name="organisation-create"),
    path("to-chuc/<str:code>/", views.organisation_detail, name="organisation"),
    path("to-chuc/<str:code>/sua/", views.organisation_edit, name="organisation-edit"),
    path("to-chuc/<str:code>/so-sanh/", compare.province_compare, name="province-compare"),
    path("to-chuc/<str:code>/so-sanh/tinh-lai/", compare.province_compare_recompute, name="province-compare-recompute"),
    path("to-chuc/<str:code>/so-sanh/tien-do/", compare.province_compare_progress, name="province-compare-progress"),
    path("to-chuc/<str:code>/so-sanh.xlsx", compare.province_compare_xlsx, name="province-compare-xlsx"),
    path("dang-vien/", views.member_list, name="members"),
    path("dang-vien/moi/", views.member_create, name="member-create"),
    path("dang-vien/<int:pk>/", views.member_detail, name="member"),
    path("dang-vien/<int:pk>/sua/", views.member_edit, name="member-edit"),
    path("dang-vien/<int:pk>/su-kien/", views.member_event, name="member-event"),
    path("chuc-vu/moi/", views.post_create, name="post-create"),
    path("chuc-vu/<int:pk>/ket-thuc/", views.post_end, name="post-end"),
    path("nguoi/moi/", views.person_create, name="person-create"),
    path("dia-ban/moi/", views.locality_create, name="locality-create"),
    path("dia-ban/<str:code>/", views.locality_detail, name="locality"),
    path("dia-ban/<str:code>/sua/", views.locality_edit, name="locality-edit"),
    path("nhat-ky/", views.audit_log, name="audit"),
]
