from __future__ import annotations

from django.urls import path

from chibo.notifications import views

urlpatterns = [
    path("nhac-viec/", views.notification_list, name="notifications"),
]
