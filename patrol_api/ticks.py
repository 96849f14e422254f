"""The periodic work, as one table, and the timer that runs it inside the embedded server.

At scale cron or systemd timers run the CLI commands (`findings tick`, `patrols tick`,
`rankings tick`, `housekeeping`; docs/operations.md), which enqueue these steps. The embedded
server (one process, jobs in-process) has no crontab, so `Timer` enqueues each group on its
interval; the steps then run on the job thread, one at a time, like every other job.
"""
import logging
import os
import threading
import time
from dataclasses import dataclass

from flask import Flask

from patrol_api import jobs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Group:
    """Steps run together: a name, how often (seconds), (label, job function) pairs."""

    name: str
    every_s: int
    steps: tuple


def groups() -> list[Group]:
    """The periodic groups, with the intervals docs/operations.md recommends for cron."""
    from patrol_api import maintenance
    from patrol_api.findings import intake, notify, overdue
    from patrol_api.patrols import runs, schedules, warranty
    from patrol_api.photos.jobs import purge_expired_uploads
    from patrol_api.rankings import ticker
    from sync import pulled_campaigns, tombstones

    return [
        Group("findings", 60, (("deadlines", overdue.mark_overdue),
                               ("intake", intake.process_pending),
                               ("notifications sent", notify.deliver_due))),
        Group("patrols", 300, (("runs auto-closed", runs.auto_close_job),
                               ("schedules", schedules.tick_job),
                               ("warranty warnings", warranty.warn_job),
                               ("warranty plans", warranty.plan_job),
                               ("warranty ends followed", warranty.follow_job),
                               # their tombstones reach the phones
                               ("campaigns ended", pulled_campaigns.restamp_ended))),
        Group("rankings", 3600, (("rankings", ticker.tick_job),)),
        Group("housekeeping", 86400, (("tokens", maintenance.purge_dead_tokens),
                                      ("uploads", purge_expired_uploads),
                                      ("tombstones", tombstones.purge))),
    ]


def group(name: str) -> Group:
    """The group of this name."""
    return next(g for g in groups() if g.name == name)


def enqueue(chosen: Group) -> str:
    """Enqueue every step of a group (in an app context); one line naming the results."""
    return "  ".join(f"{label}: {jobs.enqueue(step)}" for label, step in chosen.steps)


class Timer:
    """A daemon thread enqueueing each group when its interval has passed since the last."""

    def __init__(self, app: Flask, chosen: list[Group] | None = None, clock=time.monotonic):
        self.app, self.groups, self.clock = app, chosen or groups(), clock
        start = clock()
        self.next_due = {g.name: start + g.every_s for g in self.groups}
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="ticks", daemon=True)

    def run_due(self) -> list[str]:
        """Enqueue the groups that are due; their names. A failing step is logged, and its
        group still comes again on its interval."""
        now, ran = self.clock(), []
        for chosen in self.groups:
            if now < self.next_due[chosen.name]:
                continue
            self.next_due[chosen.name] = now + chosen.every_s
            try:
                with self.app.app_context():
                    enqueue(chosen)
            except Exception:
                log.exception("periodic %s tick failed", chosen.name)
            ran.append(chosen.name)
        return ran

    def _loop(self) -> None:
        while not self._stop.wait(self._wait()):
            self.run_due()

    def _wait(self) -> float:
        """Seconds until the next group is due (at least a second)."""
        return max(1.0, min(self.next_due.values()) - self.clock())

    def start(self) -> "Timer":
        """Start the thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread (it ends within its current wait)."""
        self._stop.set()
        self.thread.join(timeout=5)


def run_in_process(app: Flask) -> None:
    """In a server process: keep a Timer running there, if TICKS_IN_PROCESS says so (by
    default when jobs run in-process, i.e. without Redis, where no rq worker and usually no
    cron is set up). Started on the process's first request, so that a server forking its
    workers after loading the app (gunicorn --preload) gets one timer in each, none dead."""
    setting = str(app.config.get("TICKS_IN_PROCESS", "auto")).lower()
    wanted = not app.config.get("REDIS_URL") if setting == "auto" else \
        setting in ("1", "true", "yes")
    if not wanted:
        return
    started: dict[int, Timer] = app.extensions.setdefault("tick_timers", {})  # pid -> Timer
    lock = threading.Lock()

    def ensure_timer() -> None:
        pid = os.getpid()
        if pid not in started:
            with lock:
                if pid not in started:
                    started[pid] = Timer(app).start()
                    log.info("periodic ticks run in this process (pid %d)", pid)

    app.before_request(ensure_timer)
