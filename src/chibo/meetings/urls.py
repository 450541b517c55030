from __future__ import annotations

from django.urls import path

from chibo.meetings import views

urlpatterns = [
    path("to-chuc/<str:code>/sinh-hoat/", views.org_meetings, name="org-meetings"),
    path("to-chuc/<str:code>/sinh-hoat/con-thieu/", views.org_meeting_gaps, name="org-meeting-gaps"),
    path("hop/moi/", views.meeting_create, name="meeting-create"),
    path("hop/<int:pk>/", views.meeting_detail, name="meeting"),
    path("hop/<int:pk>/sua/", views.meeting_edit, name="meeting-edit"),
    path("hop/<int:pk>/cong-bo/", views.meeting_publish, name="meeting-publish"),
    path("hop/<int:pk>/tai-lieu/", views.meeting_material, name="meeting-material"),
    path("hop/<int:pk>/khach-moi/", views.meeting_guest, name="meeting-guest"),
    path("hop/<int:pk>/bieu-quyet/", views.meeting_vote, name="meeting-vote"),
    path("hop/<int:pk>/bieu-quyet/tinh-so/", views.meeting_voters, name="meeting-voters"),
    path("hop/<int:pk>/co-mat-ca/", views.meeting_all_present, name="meeting-all-present"),
    path("hop/<int:pk>/ket-thuc/", views.meeting_held, name="meeting-held"),
    path("hop/<int:pk>/huy/", views.meeting_cancel, name="meeting-cancel"),
    path("hop/<int:pk>/bao-vang/", views.meeting_absence, name="meeting-absence"),
    path("hop/<int:pk>/bao-vang/rut/", views.meeting_absence_withdraw, name="meeting-absence-withdraw"),
    path("hop/<int:pk>/bien-ban/", views.meeting_minutes, name="meeting-minutes"),
    path("hop/tai-lieu/<int:pk>/", views.material_file, name="meeting-material-file"),
    path("hop/bien-ban/<int:pk>.pdf", views.minutes_file, name="minutes-pdf"),
]
