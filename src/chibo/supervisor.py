"""`chibo serve`'s supervisor: the web server, the background worker and the daily pass run
as children of one process, which restarts a child that dies and stops them all when it is
stopped.

Each child runs in its own process group (its own session), so that stopping it reaches its
own children too (gunicorn's workers). SIGTERM or SIGINT to the supervisor is passed on as
SIGTERM to every group; whatever still runs after the grace period is killed, so that every
process is gone within 10 seconds and none is left orphaned. A child that dies on its own is
logged and started again after a pause that doubles (up to a minute) while it keeps dying
soon after starting."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType

log = logging.getLogger("chibo.serve")

GRACE_SECONDS = 7.0  # then SIGKILL: everything is gone well within 10 s
STEADY_SECONDS = 60.0  # a child that ran this long before dying is restarted at once
MAX_PAUSE_SECONDS = 60.0


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    quick_deaths: int = 0
    restart_at: float = 0.0
    pids: list[int] = field(default_factory=list)  # every pid it has had (tests read the log)


class Supervisor:
    def __init__(self, children: dict[str, list[str]], *, on_death: Callable[[str], None] | None = None,
                 grace: float = GRACE_SECONDS) -> None:
        self.children = [Child(name, argv) for name, argv in children.items()]
        self.on_death = on_death
        self.grace = grace
        self.stopping: int | None = None

    def _signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = signum

    def _start(self, child: Child) -> None:
        child.process = subprocess.Popen(child.argv, start_new_session=True)
        child.started = time.monotonic()
        child.pids.append(child.process.pid)
        log.warning("started %s (pid %s)", child.name, child.process.pid)

    def run(self) -> int:
        previous = {s: signal.signal(s, self._signal) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            for child in self.children:
                self._start(child)
            while self.stopping is None:
                now = time.monotonic()
                for child in self.children:
                    if child.process is not None and child.process.poll() is not None:
                        self._died(child, now)
                    if child.process is None and now >= child.restart_at and self.stopping is None:
                        self._start(child)
                time.sleep(0.2)
            log.warning("received %s: stopping every child", signal.strsignal(self.stopping))
        finally:
            self.stop()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        return 0

    def _died(self, child: Child, now: float) -> None:
        assert child.process is not None
        code, pid = child.process.returncode, child.process.pid
        _kill_group(pid, signal.SIGKILL)  # what it leaves behind goes with it
        child.process = None
        child.quick_deaths = child.quick_deaths + 1 if now - child.started < STEADY_SECONDS else 0
        pause = min(MAX_PAUSE_SECONDS, 2.0 ** (child.quick_deaths - 1)) if child.quick_deaths else 0.5
        child.restart_at = now + pause
        log.error("%s (pid %s) stopped with status %s; starting it again in %.1f s", child.name, pid, code, pause)
        if self.on_death is not None:
            try:
                self.on_death(child.name)
            except Exception:  # recovering must never stop the supervisor
                log.exception("after %s died", child.name)

    def stop(self) -> None:
        running = [c.process for c in self.children if c.process is not None]
        for process in running:
            _kill_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        while time.monotonic() < deadline and any(p.poll() is None for p in running):
            time.sleep(0.1)
        for process in running:
            _kill_group(process.pid, signal.SIGKILL)  # the leader, or what it left in its group
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=2)


def _kill_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)
