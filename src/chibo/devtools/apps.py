from __future__ import annotations

from django.apps import AppConfig

# The commands this app brings; `chibo` answers them under production settings with a
# sentence saying they are development tools (cli.py), not Django's "Unknown command".
COMMANDS = ("demo", "synth", "bench")


class DevtoolsConfig(AppConfig):
    name = "chibo.devtools"
    label = "devtools"
    default_auto_field = "django.db.models.BigAutoField"
