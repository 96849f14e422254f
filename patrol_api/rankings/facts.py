"""Stints: a department's turn on a finding, cut from the finding's events (pure functions).

A stint starts when a department receives the finding (routing or assignment, a transfer to
it, a reopening) and ends when it resolves it or loses it (transfer, reassignment, rejection,
merge, withdrawal). Business durations exclude the business time spent on hold. A rejection
is the department's (`reject`) unless a manager or an admin took it (`manager_reject`); a
finding closed because its reporters withdrew every observation ends as `withdrawn`.
"""
from datetime import datetime

ENDINGS = {"transfer": "transfer", "reject": "reject", "merge": "merge",
           "withdrawn": "withdrawn"}
OVERRULING_ROLES = ("manager", "admin")
REOPENS = ("fail_verification", "reopen")
ACKS = ("acknowledge", "start")
OPENERS = ("routed", "assign")


def _time(value):
    """A datetime from event data (ISO text) or as is."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


class Walk:
    """The state of a walk over one finding's events."""

    def __init__(self, calendar):
        self.calendar, self.stints, self.cur, self.last_resolved = calendar, [], None, None
        self.due = None

    def open(self, event, origin: str) -> None:
        """Start a stint of the event's department."""
        self.cur = {"department_id": event.department_id, "origin": origin,
                    "received_at": event.at, "acked_at": None, "resolved_at": None,
                    "ended_at": None, "end_kind": None, "verified_at": None,
                    "failed_at": None, "reopened_at": None, "holds": [], "held_from": None}
        self.stints.append(self.cur)

    def end(self, at, kind: str) -> None:
        """End the current stint without a resolution."""
        if self.cur is not None:
            self._close_hold(at)
            self.cur.update(ended_at=at, end_kind=kind, due_at=self.due)
            self.cur = None

    def _close_hold(self, at) -> None:
        """Close a hold still open on the current stint."""
        if self.cur is not None and self.cur["held_from"] is not None:
            self.cur["holds"].append((self.cur["held_from"], at))
            self.cur["held_from"] = None


def _resolve(walk: Walk, event) -> None:
    """The current stint is resolved."""
    cur = walk.cur
    if cur is None:
        return
    walk._close_hold(event.at)
    cur.update(resolved_at=event.at, due_at=walk.due)
    cur["acked_at"] = cur["acked_at"] or event.at
    walk.last_resolved, walk.cur = cur, None


def _reopen(walk: Walk, event) -> None:
    """The resolved stint is reopened; the department gets a new stint."""
    done = walk.last_resolved
    if done is not None and done["reopened_at"] is None:
        done["reopened_at"] = event.at
        if event.kind == "fail_verification":
            done["failed_at"] = event.at
    walk.last_resolved = None
    walk.end(event.at, "reassign")
    if event.department_id is not None:
        walk.open(event, "reopen")


def _verify(walk: Walk, event) -> None:
    """The resolved stint passed verification."""
    if walk.last_resolved is not None:
        walk.last_resolved["verified_at"] = event.at


def _transfer(walk: Walk, event) -> None:
    """The current stint ends by transfer; the receiving department starts one."""
    walk.end(event.at, "transfer")
    if event.department_id is not None:
        walk.open(event, "transfer")


def _other(walk: Walk, event) -> None:
    """Acknowledge, hold, resume, endings and (re)assignments."""
    cur, kind = walk.cur, event.kind
    if cur is not None and kind in ACKS:
        cur["acked_at"] = cur["acked_at"] or event.at
    elif cur is not None and kind == "hold":
        cur["held_from"] = event.at
    elif kind == "resume":
        walk._close_hold(event.at)
    elif kind in ENDINGS:
        walk.end(event.at, _ending(event))
    elif kind in OPENERS and event.department_id is not None and (
            cur is None or cur["department_id"] != event.department_id):
        walk.end(event.at, "reassign")
        walk.open(event, "routed")


def _ending(event) -> str:
    """The end kind of an ending event: a manager's rejection is not the department's."""
    if event.kind == "reject" and getattr(event, "actor_role", None) in OVERRULING_ROLES:
        return "manager_reject"
    return ENDINGS[event.kind]


STEPS = {"resolve": _resolve, "verify": _verify, "transfer": _transfer,
         "fail_verification": _reopen, "reopen": _reopen}


def stints(events, calendar) -> list[dict]:
    """The stints of one finding, from its events in order."""
    walk = Walk(calendar)
    for event in events:
        if "resolve_due_at" in (event.data or {}):
            walk.due = _time(event.data["resolve_due_at"])
        STEPS.get(event.kind, _other)(walk, event)
    for stint in walk.stints:
        stint.setdefault("due_at", walk.due)
    return [_timed(stint, calendar) for stint in walk.stints]


def _held(stint: dict, calendar, until) -> float:
    """Business seconds on hold between receipt and `until`."""
    return sum(calendar.business_seconds_between(max(start, stint["received_at"]),
                                                 min(end, until))
               for start, end in stint["holds"])


def _business(stint: dict, calendar, until) -> int | None:
    """Business seconds from receipt to `until`, holds excluded (None without `until`)."""
    if until is None:
        return None
    total = calendar.business_seconds_between(stint["received_at"], until)
    return round(total - _held(stint, calendar, until))


def _timed(stint: dict, calendar) -> dict:
    """The stint as a fact row: business durations added, walk-only keys dropped."""
    row = {key: value for key, value in stint.items() if key not in ("holds", "held_from")}
    row["ack_s"] = _business(stint, calendar, stint["acked_at"])
    row["resolve_s"] = _business(stint, calendar, stint["resolved_at"])
    reopened, resolved = stint["reopened_at"], stint["resolved_at"]
    row["reopen_after_s"] = (round((reopened - resolved).total_seconds())
                             if reopened and resolved else None)
    return row
