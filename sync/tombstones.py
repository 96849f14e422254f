"""Tombstones: deleted observations and finding exits are kept SYNC_TOMBSTONE_DAYS, then
purged below a horizon.

A cursor older than the horizon may have missed a purged delete: its pull is answered
410 full_resync_required instead of silently skipping it. Reference tombstones are few and
other records refer to them, so they are kept.
"""
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from patrol_api import changefeed
from patrol_api.extensions import db
from patrol_api.models import Observation, ObservationPhoto, SequenceCounter
from patrol_api.models.base import utcnow
from sync import settings
from sync.exits import FindingExit

HORIZON = "tombstone_horizon"


def horizon(session: Session) -> int:
    """The highest change seq of a purged tombstone (0: nothing purged yet)."""
    return changefeed.current(session, HORIZON)


def purge(days: int | None = None, now: datetime | None = None) -> int:
    """Job: hard-delete tombstones and finding exits older than `days`; returns how many.

    Commits."""
    session = db.session
    days = settings.get("SYNC_TOMBSTONE_DAYS") if days is None else days
    cutoff = (now or utcnow()) - timedelta(days=days)
    rows = session.execute(sa.select(Observation.id, Observation.change_seq).where(
        Observation.deleted_at < cutoff)).all()
    if rows:
        ids = [row.id for row in rows]
        session.execute(sa.delete(ObservationPhoto).where(
            ObservationPhoto.observation_id.in_(ids)))
        session.execute(sa.delete(Observation).where(Observation.id.in_(ids)))
        _raise_horizon(session, max(row.change_seq for row in rows))
    exits = session.execute(sa.select(sa.func.max(FindingExit.seq), sa.func.count()).where(
        FindingExit.created_at < cutoff)).one()
    if exits[1]:
        session.execute(sa.delete(FindingExit).where(FindingExit.created_at < cutoff))
        _raise_horizon(session, exits[0])
    session.commit()
    return len(rows) + exits[1]


def _raise_horizon(session: Session, seq: int) -> None:
    """Move the horizon up to `seq` (never down)."""
    counter = session.get(SequenceCounter, HORIZON)
    if counter is None:
        session.add(SequenceCounter(name=HORIZON, value=seq))
    else:
        counter.value = max(counter.value, seq)
