from __future__ import annotations

from django.urls import path

from chibo.recruitment import views

urlpatterns = [
    path("to-chuc/<str:code>/phat-trien-dang-vien/", views.recruitment, name="recruitment"),
    path("ket-nap/moi/", views.candidate_create, name="candidate-create"),
    path("ket-nap/<int:pk>/", views.candidate_detail, name="candidate"),
    path("ket-nap/<int:pk>/buoc/", views.candidate_act, name="candidate-act"),
    path("dang-vien/<int:pk>/cong-nhan/", views.member_recognition, name="member-recognition"),
]
