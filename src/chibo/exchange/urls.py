from __future__ import annotations

from django.urls import path

from chibo.exchange import views

urlpatterns = [
    path("dang-vien/xuat/", views.member_export, name="member-export"),
    path("to-chuc/xuat/", views.organisation_export, name="organisation-export"),
    path("nhap-du-lieu/mau.xlsx", views.import_template, name="import-template"),
    path("xuat-du-lieu/<int:pk>/", views.export_job, name="export-job"),
    path("xuat-du-lieu/<int:pk>/tai/", views.export_download, name="export-download"),
    path("nhap-du-lieu/", views.import_start, name="import"),
    path("nhap-du-lieu/<int:pk>/", views.import_job, name="import-job"),
    path("nhap-du-lieu/<int:pk>/nhap/", views.import_commit, name="import-commit"),
    path("nhap-du-lieu/<int:pk>/lam-lai/", views.import_retry, name="import-retry"),
    path("nhap-du-lieu/<int:pk>/loi.xlsx", views.import_rejected, name="import-rejected"),
]
