from __future__ import annotations

from django.urls import path

from chibo.plans import export_views as views

urlpatterns = [
    path("to-chuc/<str:code>/chi-tieu.xlsx", views.org_targets_xlsx, name="org-targets-xlsx"),
    path("to-chuc/<str:code>/chi-tieu.pdf", views.org_targets_pdf, name="org-targets-pdf"),
    path("to-chuc/<str:code>/ke-hoach.xlsx", views.org_plan_xlsx, name="org-plan-xlsx"),
    path("to-chuc/<str:code>/ke-hoach.pdf", views.org_plan_pdf, name="org-plan-pdf"),
]
