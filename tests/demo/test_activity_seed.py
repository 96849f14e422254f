"""The simulated history is reproducible: the same seed and day give the same history."""
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from database_reset import empty_database

from media.local_storage import LocalDiskStorage
from patrol_api import demo_loader, photos
from patrol_api.demo import activity
from patrol_api.extensions import db
from patrol_api.models import Finding, FindingEvent, Observation

DAY = datetime(2026, 9, 9, 9, 0, tzinfo=UTC)  # a week of September 2026


@pytest.fixture(autouse=True)
def store(ctx, tmp_path, monkeypatch):
    """Photos of these tests go to a temporary disk."""
    monkeypatch.setitem(ctx.extensions, photos.EXTENSION, LocalDiskStorage(tmp_path))


def _history(seed: int) -> tuple:
    """Load the district and a week of activity; what came of it, in comparable form."""
    empty_database()
    demo_loader.load()
    activity.load(1, now=DAY, seed=seed)
    findings = db.session.execute(sa.select(
        Finding.reference, Finding.state, Finding.lat, Finding.lon).order_by(Finding.id)).all()
    events = db.session.execute(sa.select(
        FindingEvent.kind, FindingEvent.at, FindingEvent.to_state).order_by(
        FindingEvent.id)).all()
    observations = db.session.execute(sa.select(Observation.client_id).order_by(
        Observation.id)).scalars().all()
    return findings, events, observations


def test_the_same_seed_and_day_give_the_same_history():
    first = _history(7)
    assert first[0] and first[1]
    assert _history(7) == first
    assert _history(8) != first
