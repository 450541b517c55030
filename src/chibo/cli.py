"""The `chibo` console command: Django's management commands under one name.

`chibo demo`, `chibo indicators ORG`, `chibo bench` … are management commands of the
apps; `chibo serve` runs the app with gunicorn; anything else is passed to Django."""

from __future__ import annotations

import os
import subprocess
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")
    args = list(sys.argv if argv is None else ["chibo", *argv])
    if len(args) > 1 and args[1] == "serve":
        _serve(args[2:])
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


def _serve(extra: list[str]) -> None:
    """Migrate, collect static files, start the task worker and the daily reminder pass, then
    run gunicorn on 127.0.0.1:8000."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    bind = os.environ.get("CHIBO_BIND", "127.0.0.1:8000")
    workers = os.environ.get("CHIBO_WORKERS", "3")
    # The background worker (imports, large exports): a child that stops with the server,
    # since Ctrl-C reaches the whole process group.
    subprocess.Popen([sys.executable, "-m", "chibo", "db_worker", "--queue-name", "*"])
    # The daily pass (recurring tasks, reminders), at start-up and then each morning.
    subprocess.Popen([sys.executable, "-m", "chibo", "remind", "--every-day"])
    os.execvp(
        sys.executable,
        [sys.executable, "-m", "gunicorn", "chibo.wsgi", "--bind", bind, "--workers", workers,
         "--access-logfile", "-", *extra],
    )


if __name__ == "__main__":
    main()
