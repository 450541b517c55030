from __future__ import annotations

from django.urls import path

from chibo.plans import views

urlpatterns = [
    path("nghi-quyet/", views.resolution_list, name="resolutions"),
    path("nghi-quyet/moi/", views.resolution_create, name="resolution-create"),
    path("nghi-quyet/<int:pk>/", views.resolution_detail, name="resolution"),
    path("nghi-quyet/<int:pk>/sua/", views.resolution_edit, name="resolution-edit"),
    path("nghi-quyet/<int:pk>/tep/", views.resolution_file, name="resolution-file"),
    path("nghi-quyet/<int:pk>/chi-tieu/moi/", views.target_create, name="target-create"),
    path("chi-tieu/<int:pk>/", views.target_detail, name="target"),
    path("chi-tieu/<int:pk>/sua/", views.target_edit, name="target-edit"),
    path("chi-tieu/<int:pk>/chia/", views.target_break_down, name="target-break-down"),
    path("chi-tieu/<int:pk>/so-lieu/", views.target_measure, name="target-measure"),
    path("so-lieu/<int:pk>/tep/", views.measurement_file, name="measurement-file"),
    path("to-chuc/<str:code>/chi-tieu/", views.org_targets, name="org-targets"),
]
