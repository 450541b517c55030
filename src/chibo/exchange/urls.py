from __future__ import annotations

from django.urls import path

from chibo.exchange import views

urlpatterns = [
    path("dang-vien/xuat/", views.member_export, name="member-export"),
    path("to-chuc/xuat/", views.organisation_export, name="organisation-export"),
    path("nhap-du-lieu/mau.xlsx", views.import_template, name="import-template"),
]
