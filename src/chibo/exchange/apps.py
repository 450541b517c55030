from __future__ import annotations

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """Bringing data in (Excel/CSV import) and out (exports, audited)."""

    name = "chibo.exchange"
    label = "exchange"
    default_auto_field = "django.db.models.BigAutoField"
