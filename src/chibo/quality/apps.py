from __future__ import annotations

from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "chibo.quality"
    label = "quality"
    default_auto_field = "django.db.models.BigAutoField"
