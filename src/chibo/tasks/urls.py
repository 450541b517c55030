from __future__ import annotations

from django.urls import path

from chibo.tasks import views

urlpatterns = [
    path("viec-cua-toi/", views.my_tasks, name="my-tasks"),
    path("viec/moi/", views.task_create, name="task-create"),
    path("viec/<int:pk>/", views.task_detail, name="task"),
    path("viec/<int:pk>/sua/", views.task_edit, name="task-edit"),
    path("viec/<int:pk>/cap-nhat/", views.task_act, name="task-act"),
    path("viec/minh-chung/<int:pk>/", views.update_file, name="task-evidence"),
    path("to-chuc/<str:code>/ke-hoach/", views.org_plan, name="org-plan"),
    path("to-chuc/<str:code>/viec-den-han/", views.org_due, name="org-due"),
    path("dang-vien/<int:pk>/viec/", views.member_record, name="member-tasks"),
]
