"""URLs of the attendance and notes screen that works offline, and of its service worker
(at /hop/sw.js, so that its scope is /hop/)."""

from __future__ import annotations

from django.urls import path

from chibo.meetings import offline

urlpatterns = [
    path("hop/sw.js", offline.service_worker, name="meeting-sw"),
    path("hop/<int:pk>/diem-danh/", offline.attendance, name="meeting-attendance"),
    path("hop/<int:pk>/diem-danh/dong-bo/", offline.attendance_sync, name="meeting-attendance-sync"),
]
