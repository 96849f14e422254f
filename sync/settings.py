"""Sync settings: defaults, overridable in the Flask config under the same names."""
from flask import current_app

DEFAULTS = {
    "SYNC_MAX_MUTATIONS": 500,  # mutations per push
    "SYNC_PULL_LIMIT_MAX": 2000,  # changes per pull page
    "SYNC_TOMBSTONE_DAYS": 90,  # deleted records are kept this long, then purged
    "SYNC_CLOCK_TOLERANCE_S": 120,  # slack before a time is flagged as future or too early
    "SYNC_LARGE_OFFSET_S": 300,  # a device clock this far off flags what it delivers
}


def get(name: str) -> int:
    """A sync setting of the current app, or its default."""
    return current_app.config.get(name, DEFAULTS[name])
