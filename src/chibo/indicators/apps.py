from __future__ import annotations

from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "chibo.indicators"
    label = "indicators"
    default_auto_field = "django.db.models.BigAutoField"
