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
