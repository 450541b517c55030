from __future__ import annotations

from django.urls import path

from chibo.channel import views

urlpatterns = [
    path("hoi-dap/", views.my_threads, name="threads"),
    path("hoi-dap/moi/", views.thread_create, name="thread-create"),
    path("hoi-dap/tra-loi/", views.inbox, name="thread-inbox"),
    path("hoi-dap/<int:pk>/", views.thread_detail, name="thread"),
    path("hoi-dap/<int:pk>/gui/", views.thread_reply, name="thread-reply"),
    path("hoi-dap/<int:pk>/dong/", views.thread_close, name="thread-close"),
]
