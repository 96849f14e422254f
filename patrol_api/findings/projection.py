"""The Finding row as a projection of its events: `apply` folds one event in, `rebuild` all.

Every event sets the responsible department and, when it moves the state, the state. Values
a service computed when the event happened (due dates, the position of the observations,
the routing outcome) travel in the event's data under the column's name; the reducers of
the kinds below derive the rest (counters, flags, times).
"""
from datetime import datetime
from types import SimpleNamespace

import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.findings.lifecycle import CLOSED_STATES
from patrol_api.models import Finding, FindingEvent

DATA_FIELDS = ("category_id", "site_id", "area_id", "priority", "lat", "lon", "cell_key",
               "first_seen_at", "last_seen_at", "observation_count", "routing_rule_id",
               "routing_outcome", "in_coordination", "assigned_at", "ack_due_at",
               "resolve_due_at", "due_reason", "recurrence_of_id", "merged_into_id")
TIME_FIELDS = frozenset({"first_seen_at", "last_seen_at", "assigned_at", "ack_due_at",
                         "resolve_due_at", "reminded_due_at"})
DUE_FIELDS = ("ack_due_at", "resolve_due_at")
DERIVED = ("state", "is_open", "department_id", "event_count", "transfer_count", "ping_pong",
           "overdue", "escalated", "reminded_due_at", "hold_reason", "held_since",
           "held_from_state", "exception_status", "acknowledged_at", "resolved_at",
           "closed_at", "recurrence_count")
FIELDS = DATA_FIELDS + DERIVED
BLANK = {"is_open": True, "transfer_count": 0, "ping_pong": False, "overdue": False,
         "escalated": False, "recurrence_count": 0, "in_coordination": False,
         "observation_count": 0, "event_count": 0}


def _value(name: str, value):
    """A data value in the column's type (times travel as ISO text)."""
    if name in TIME_FIELDS and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def apply(finding, event: FindingEvent) -> None:
    """Fold one event into the projection."""
    finding.event_count = event.seq
    finding.department_id = event.department_id
    moved = event.to_state is not None and event.to_state != event.from_state
    if event.to_state is not None:
        finding.state = event.to_state
        finding.is_open = event.to_state not in CLOSED_STATES
    for name in DATA_FIELDS:
        if name in event.data:
            setattr(finding, name, _value(name, event.data[name]))
    if moved or any(name in event.data for name in DUE_FIELDS):
        finding.overdue = finding.escalated = False
    REDUCERS.get(event.kind, _nothing)(finding, event)


def _nothing(finding, event) -> None:
    """Kinds whose effect is all in the generic part."""


def _acknowledge(finding, event) -> None:
    finding.acknowledged_at = event.at


def _hold(finding, event) -> None:
    finding.hold_reason, finding.held_since = event.reason, event.at
    finding.held_from_state = event.from_state


def _resume(finding, event) -> None:
    finding.hold_reason = finding.held_since = finding.held_from_state = None


def _resolve(finding, event) -> None:
    finding.resolved_at = event.at


def _close(finding, event) -> None:
    finding.closed_at = event.at


def _reopen(finding, event) -> None:
    finding.resolved_at = finding.closed_at = finding.exception_status = None
    finding.acknowledged_at = None


def _transfer(finding, event) -> None:
    finding.transfer_count = (finding.transfer_count or 0) + 1
    finding.ping_pong = finding.ping_pong or finding.transfer_count >= 2
    finding.acknowledged_at = None


def _exception(status: str):
    def reducer(finding, event) -> None:
        finding.exception_status = status
    return reducer


def _flag(name: str):
    def reducer(finding, event) -> None:
        setattr(finding, name, True)
    return reducer


def _reminder(finding, event) -> None:
    finding.reminded_due_at = _value("reminded_due_at", event.data.get("due_at"))


def _recurred(finding, event) -> None:
    finding.recurrence_count = (finding.recurrence_count or 0) + 1


def _unmerge(finding, event) -> None:
    finding.closed_at = None


REDUCERS = {
    "acknowledge": _acknowledge, "hold": _hold, "resume": _resume, "resolve": _resolve,
    "verify": _close, "reject": _close, "merge": _close, "fail_verification": _reopen,
    "reopen": _reopen, "transfer": _transfer, "request_exception": _exception("requested"),
    "approve_exception": _exception("approved"), "overdue": _flag("overdue"),
    "escalated": _flag("escalated"), "reminder": _reminder, "recurred": _recurred,
    "unmerge": _unmerge, "withdrawn": _close,
}


def snapshot(finding) -> dict:
    """The projected values of a finding (a row or a rebuilt namespace)."""
    return {name: getattr(finding, name, None) for name in FIELDS}


def replay(events) -> SimpleNamespace:
    """The projection of a list of events, from a blank finding."""
    finding = SimpleNamespace(**{**dict.fromkeys(FIELDS), **BLANK})
    for event in events:
        apply(finding, event)
    return finding


def events_of(finding_id: int) -> list[FindingEvent]:
    """A finding's events in order."""
    return list(db.session.execute(sa.select(FindingEvent).where(
        FindingEvent.finding_id == finding_id).order_by(FindingEvent.seq)).scalars())


def rebuild(finding_id: int, write: bool = False) -> dict:
    """Recompute a finding's projection from its events; store it when `write`."""
    rebuilt = snapshot(replay(events_of(finding_id)))
    if write:
        finding = db.session.get(Finding, finding_id)
        for name, value in rebuilt.items():
            setattr(finding, name, value)
    return rebuilt
