from __future__ import annotations

from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "chibo.tasks"
    label = "tasks"
    verbose_name = "Tasks"
    default_auto_field = "django.db.models.BigAutoField"
