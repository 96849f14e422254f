"""Appending events: the only way a finding changes, its projection updated in step."""
from datetime import UTC, datetime

from patrol_api.extensions import db
from patrol_api.findings import notify, projection
from patrol_api.models import Finding, FindingEvent
from patrol_api.models.base import utcnow

KEEP = object()  # department_id: keep the finding's current department


def now() -> datetime:
    """The time events are stamped with (tests replace it)."""
    return utcnow()


def jsonable(value):
    """Event data in JSON form: times as ISO text in UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def append(finding: Finding, kind: str, *, actor=None, to_state: str | None = None,
           reason: str | None = None, note: str | None = None, data: dict | None = None,
           department_id=KEEP, at: datetime | None = None) -> FindingEvent:
    """Record one event of the finding and fold it into the Finding row."""
    event = FindingEvent(
        finding_id=finding.id, seq=(finding.event_count or 0) + 1, kind=kind,
        from_state=finding.state if finding.event_count else None, to_state=to_state,
        actor_user_id=actor.id if actor is not None else None,
        actor_role=actor.role if actor is not None else None,
        department_id=finding.department_id if department_id is KEEP else department_id,
        at=at or now(), reason=reason, note=note, data=jsonable(data or {}))
    db.session.add(event)
    projection.apply(finding, event)
    notify.on_event(finding, event)
    return event
