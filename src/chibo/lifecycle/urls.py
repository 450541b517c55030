from __future__ import annotations

from django.urls import path

from chibo.lifecycle import views

urlpatterns = [
    path("to-chuc/<str:code>/den-han/", views.org_due_dates, name="org-due-dates"),
    path("to-chuc/<str:code>/huy-hieu/", views.org_badges, name="org-badges"),
]
urlpatterns += [
    path("dang-vien/<int:pk>/chuyen-sinh-hoat/", views.member_transfer, name="member-transfer"),
    path("chuyen-sinh-hoat/<int:pk>/", views.transfer_letter, name="transfer-letter"),
]
urlpatterns += [
    path("dang-vien/<int:pk>/mien-sinh-hoat/", views.member_exemption, name="member-exemption"),
    path("mien-sinh-hoat/<int:pk>/", views.exemption, name="exemption"),
]
