from __future__ import annotations

from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "chibo.plans"
    label = "plans"
    default_auto_field = "django.db.models.BigAutoField"
