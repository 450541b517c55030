"""The `chibo` console command: Django's management commands under one name.

`chibo indicators ORG`, `chibo remind` … are management commands of the apps; `chibo serve`
runs the app with gunicorn; anything else is passed to Django. `chibo demo`, `synth` and
`bench` belong to chibo.devtools, which production settings do not install: there they say
so instead of Django's "Unknown command"."""

from __future__ import annotations

import os
import sys

# The commands of chibo.devtools (its apps.COMMANDS), named here so production never imports it.
DEV_COMMANDS = ("demo", "synth", "bench")


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")
    args = list(sys.argv if argv is None else ["chibo", *argv])
    if len(args) > 1 and args[1] == "serve":
        _serve(args[2:])
        return
    if len(args) > 1 and args[1] in DEV_COMMANDS:
        _refuse_outside_development(args[1])
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


def _refuse_outside_development(command: str) -> None:
    """Exit with a sentence (status 2) when the settings do not install chibo.devtools."""
    import django
    from django.apps import apps
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import gettext as _

    django.setup()
    if apps.is_installed("chibo.devtools"):
        return
    translation.activate(settings.LANGUAGE_CODE)
    sys.stderr.write(_("`chibo %(command)s` is a development tool: it writes invented people and is not "
                       "installed on a production server (CHIBO_ENV=production). Run it on a development "
                       "copy, without CHIBO_ENV=production.") % {"command": command} + "\n")
    sys.exit(2)


def _serve(extra: list[str]) -> None:
    """Migrate, collect static files, then supervise gunicorn on 127.0.0.1:8000 (no
    autoreloader), the task worker and the daily reminder pass (chibo/supervisor.py): a child
    that dies is started again, and stopping `chibo serve` stops them all."""
    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    from chibo.exchange.recovery import fail_abandoned_jobs
    from chibo.supervisor import Supervisor

    def recover(name: str = "worker") -> None:
        """Jobs left running by a worker that is gone are marked failed, never re-run."""
        if name == "worker":
            fail_abandoned_jobs()
            connections.close_all()

    recover()
    bind = os.environ.get("CHIBO_BIND", "127.0.0.1:8000")
    workers = os.environ.get("CHIBO_WORKERS", "3")
    python = [sys.executable, "-m"]
    supervisor = Supervisor({
        "web": [*python, "gunicorn", "chibo.wsgi", "--bind", bind, "--workers", workers, "--access-logfile", "-",
                "--graceful-timeout", "5", *extra],
        # The background worker (imports, large exports); never under the autoreloader, which
        # db_worker uses when DEBUG is on and which would leave a task half-run on a restart.
        "worker": [*python, "chibo", "db_worker", "--queue-name", "*", "--no-reload"],
        # The daily pass (recurring tasks, reminders), at start-up and then each morning.
        "remind": [*python, "chibo", "remind", "--every-day"],
    }, on_death=recover)
    sys.exit(supervisor.run())


if __name__ == "__main__":
    main()
