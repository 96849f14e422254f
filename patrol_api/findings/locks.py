"""Serialising the writers of findings on the change counter (see patrol_api.changefeed)."""
from patrol_api import changefeed
from patrol_api.extensions import db


def queue_behind_writers() -> None:
    """Wait for earlier writers to commit (lock the counter row) before reading findings."""
    changefeed.allocate(db.session, 0)


def allocate(count: int, name: str) -> int:
    """Numbers from a named counter (the row stays locked to commit)."""
    return changefeed.allocate(db.session, count, name)
