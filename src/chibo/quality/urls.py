from __future__ import annotations

from django.urls import path

from chibo.quality import views

urlpatterns = [
    path("chat-luong-du-lieu/", views.quality, name="quality"),
]
