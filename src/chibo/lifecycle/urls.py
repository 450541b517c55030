from __future__ import annotations

from django.urls import path

from chibo.lifecycle import views

urlpatterns = [
    path("to-chuc/<str:code>/den-han/", views.org_due_dates, name="org-due-dates"),
    path("to-chuc/<str:code>/huy-hieu/", views.org_badges, name="org-badges"),
]
