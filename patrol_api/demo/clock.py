"""A simulated clock for loading past activity: the services stamp the times it shows.

The findings journal (`journal.now`, the hook its tests replace), the sync push's server
receive time and the photo pipeline's verification time read the clock through module
functions; while `SimulatedClock.running()` is active those functions return the simulated
moment instead, and jobs run in-process at once (never on rq, where a worker would stamp the
real time). Everything is restored on exit, also after an error.
"""
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from flask import current_app

# (module, attribute) of every clock function replaced while simulating
PATCHED = (
    ("patrol_api.findings.journal", "now"),
    ("sync.push", "utcnow"),
    ("sync.fastpath", "utcnow"),
    ("patrol_api.photos.ingest", "utcnow"),
)


class SimulatedClock:
    """The moment the simulation is at; move it forward with `set`."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("the simulated clock needs an aware datetime")
        self.now = start

    def set(self, moment: datetime) -> datetime:
        """Move to `moment` (never backwards: events of one finding must stay in order)."""
        self.now = max(self.now, moment)
        return self.now

    def read(self) -> datetime:
        """The simulated moment (what the patched functions return)."""
        return self.now

    @contextmanager
    def running(self) -> Iterator["SimulatedClock"]:
        """Within the block the services read this clock and jobs run in-process."""
        saved = []
        for module_name, attribute in PATCHED:
            module = importlib.import_module(module_name)
            saved.append((module, attribute, getattr(module, attribute)))
            setattr(module, attribute, self.read)
        extensions = current_app.extensions
        queue = extensions.get("jobs")
        extensions["jobs"] = None
        try:
            yield self
        finally:
            extensions["jobs"] = queue
            for module, attribute, original in saved:
                setattr(module, attribute, original)
