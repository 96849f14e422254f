"""Helpers of the findings tests: acting as a user, evidence photos, reloading."""
import hashlib
from datetime import UTC, datetime

from patrol_api.extensions import db
from patrol_api.findings import actions, intake, projection
from patrol_api.models import Finding, MediaBlob


def photo(name: str = "after") -> str:
    """The digest of a verified uploaded photo."""
    sha = hashlib.sha256(name.encode()).hexdigest()
    if db.session.get(MediaBlob, sha) is None:
        db.session.add(MediaBlob(sha256=sha, size=100, mime="image/jpeg",
                                 verified_at=datetime(2026, 1, 1, tzinfo=UTC)))
        db.session.commit()
    return sha


def exif(sha256: str, point=None, captured=None, offset_min=None, gps_time=None) -> str:
    """Record what the photo pipeline would have read from a photo's EXIF; the digest.

    `captured` is the camera's local time (naive), read with `offset_min` when given.
    """
    table = db.metadata.tables["media_metadata"]
    db.session.execute(table.insert().values(
        sha256=sha256, format="jpeg", width=1, height=1,
        latitude=point[0] if point else None, longitude=point[1] if point else None,
        captured_at_local=captured, captured_utc_offset_min=offset_min, gps_time=gps_time,
        created_at=datetime(2026, 1, 1, tzinfo=UTC)))
    db.session.commit()
    return sha256


def act(user, finding, name: str, **payload) -> Finding:
    """Take an action and commit; returns the reloaded finding."""
    actions.perform(user, finding.id, name, payload)
    db.session.commit()
    return reload(finding)


def reload(finding) -> Finding:
    """The finding as stored now."""
    db.session.expire_all()
    return db.session.get(Finding, finding.id)


def take(obs) -> Finding:
    """Run the intake job for an observation and return its finding."""
    finding_id = intake.process_observation(obs.id)
    db.session.expire_all()
    return db.session.get(Finding, finding_id)


def consistent(finding) -> bool:
    """True when the stored projection equals the one rebuilt from the events."""
    return projection.rebuild(finding.id) == projection.snapshot(reload(finding))
