"""Changing a finding's priority (managers and admins), with a reason from a fixed list.

The change is an append-only event (`priority_changed`). When the finding has a department,
its due dates are recomputed from the new priority as if it had held that priority since the
department received it: the acknowledge date from the latest receipt (`assigned_at`), the
resolve date from the start of the resolve clock (the last routing, assignment or reopening),
both pushed back by the business time already spent on hold (a hold still running is added
on resume, as always), the resolve date capped by a running warranty. When a due date moves
earlier the department is notified (topic `due_earlier`).
"""
from datetime import datetime

from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.findings import deadlines, dispatch, journal, projection
from patrol_api.findings import lifecycle as lc
from patrol_api.findings.actions import load
from patrol_api.models import Finding, User
from patrol_api.models.reference import PRIORITIES
from patrol_api.preconditions import NONE, Precondition

WAITING_FOR_ACK = frozenset({lc.ASSIGNED, lc.REOPENED})


def change(user: User, finding_id: int, priority: str, reason: str, note: str | None,
           precondition: Precondition = NONE) -> Finding:
    """Set a new priority on an open finding; returns the finding. The caller commits."""
    finding = load(user, finding_id, precondition)
    if Role(user.role) not in lc.MANAGERS:
        raise ApiError(403, "forbidden", "Only managers change a finding's priority.")
    lc.check_reason("change_priority", reason)
    if priority not in PRIORITIES:
        raise ApiError(422, "validation_error", f"priority is one of {', '.join(PRIORITIES)}.",
                       "priority")
    if not finding.is_open:
        raise ApiError(409, "invalid_transition", f"Cannot change the priority of a finding "
                       f"that is {finding.state}.", "priority", state=finding.state)
    if priority == finding.priority:
        raise ApiError(422, "same_priority", "The finding has this priority already.",
                       "priority")
    data = {"priority": priority, "previous_priority": finding.priority}
    if finding.department_id is not None and finding.assigned_at is not None:
        data.update(recomputed(finding, priority))
    journal.append(finding, "priority_changed", actor=user, reason=reason, note=note,
                   data=data, at=journal.now())
    return finding


def recomputed(finding: Finding, priority: str) -> dict:
    """The due dates at the new priority, and whether one moved earlier."""
    events = projection.events_of(finding.id)
    ack_start, resolve_start = finding.assigned_at, resolve_clock_start(events)
    ack = dispatch.due_data(finding, ack_start, priority=priority,
                            paused_ack=deadlines.paused_seconds(events, ack_start))
    resolve = dispatch.due_data(finding, resolve_start, priority=priority,
                                paused_resolve=deadlines.paused_seconds(events, resolve_start))
    dues = {"ack_due_at": ack["ack_due_at"], "resolve_due_at": resolve["resolve_due_at"],
            "due_reason": resolve["due_reason"]}
    earlier = _earlier(dues["resolve_due_at"], finding.resolve_due_at) or (
        finding.state in WAITING_FOR_ACK and _earlier(dues["ack_due_at"], finding.ack_due_at))
    return {**dues, "due_earlier": earlier}


def resolve_clock_start(events) -> datetime:
    """When the resolve clock last started: the receipt of the last event setting both the
    receipt time and a resolve date (routing, assignment, reopening)."""
    start = None
    for event in events:
        if event.data.get("assigned_at") and event.data.get("resolve_due_at"):
            start = datetime.fromisoformat(event.data["assigned_at"])
    if start is None:
        raise ApiError(409, "no_deadline", "This finding has no running resolve clock.")
    return start


def _earlier(new: datetime | None, old: datetime | None) -> bool:
    """True when a due date moved earlier."""
    return new is not None and old is not None and new < old
