from __future__ import annotations

from django.apps import AppConfig


class ChannelConfig(AppConfig):
    name = "chibo.channel"
    label = "channel"
    verbose_name = "Questions and opinions"
    default_auto_field = "django.db.models.BigAutoField"
