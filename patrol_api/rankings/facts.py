"""Stints: a department's turn on a finding, cut from the finding's events (pure functions).

A stint starts when a department receives the finding (routing or assignment, a transfer to
it, a reopening) and ends when it resolves it or loses it (transfer, reassignment, rejection,
merge, withdrawal). A rejection is the department's (`reject`) unless a manager or an admin
took it (`manager_reject`), and likewise a transfer (`transfer`, `manager_transfer`); a
finding closed because its reporters withdrew every observation
ends as `withdrawn`.

The ranking keeps its own deadline per cycle of work (docs/rankings.md, "Who is late"):

- the first routing or assignment sets it; a transfer, a trip through coordination or a
  later assignment never moves it later (only earlier, e.g. a raised priority); a reopening
  (failed verification, reopen) starts a new cycle with the finding's new due date;
- a hold moves it later only when it counts: placed (or taken) by a manager or an admin, or
  within the `hold_allowance_s` business seconds a stint may hold on its own; a hold begun
  after the deadline has passed, or on a warranty deadline, never moves it;
- the first department of a cycle answers for that deadline; a department new to the cycle
  that receives the finding by a transfer or an assignment answers for the later of that
  deadline and its own receipt plus the category's target (a fair time of its own); a
  department getting the finding back in the same cycle answers for its first deadline with
  its clock running from its first receipt, and its earlier stints of the cycle no longer
  count as items due (one item, counted once).

Every stint records `accountable_until`: when the department stopped answering for the
finding — its resolution or its end, and, for a transfer (to a department or to the
coordination queue), the moment the cycle was settled by whoever settled it (None while it is
not): a transfer never takes a deadline away from the department that passed the item on.
"""
from datetime import datetime

ENDINGS = {"transfer": "transfer", "reject": "reject", "merge": "merge",
           "withdrawn": "withdrawn"}
CLOSINGS = ("reject", "manager_reject", "merge", "withdrawn")  # end kinds that close a finding
TRANSFERS = ("transfer", "manager_transfer")  # the sender answers until the cycle is settled
OVERRULING_ROLES = ("manager", "admin")
REOPENS = ("fail_verification", "reopen")
ACKS = ("acknowledge", "start")
OPENERS = ("routed", "assign")


def _time(value):
    """A datetime from event data (ISO text) or as is."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


class Walk:
    """The state of a walk over one finding's events."""

    def __init__(self, calendar, resolve_days=None, hold_allowance_s=0):
        self.calendar, self.stints, self.cur, self.last_resolved = calendar, [], None, None
        self.due, self.resolve_days, self.allowance = None, resolve_days, hold_allowance_s
        self.warranty, self.senders, self.seen, self.cycle = False, [], {}, []

    def open(self, event, origin: str) -> None:
        """Start a stint of the event's department with the deadline it answers for."""
        due, dept = self.due, event.department_id
        if dept not in self.seen and self.seen and self.resolve_days:
            own = self.calendar.add_business_days(event.at, self.resolve_days)
            due = own if due is None else max(due, own)
        for earlier in self.cycle:  # back in the same cycle: one item, counted once
            if earlier["department_id"] == dept:
                due = earlier["due"] if earlier["due"] is not None else due
                earlier["due"] = earlier["due_at"] = None
        self.seen.setdefault(dept, event.at)
        self.cur = {"due": due, "clock_from": self.seen[dept],
                    "department_id": event.department_id, "origin": origin,
                    "received_at": event.at, "acked_at": None, "resolved_at": None,
                    "ended_at": None, "end_kind": None, "verified_at": None,
                    "failed_at": None, "reopened_at": None, "holds": [], "held_from": None,
                    "held_approved": False, "allowance_left": self.allowance,
                    "accountable_until": None, "hold_count": 0, "holds_unapproved": 0,
                    "paused_since": None}
        self.stints.append(self.cur)
        self.cycle.append(self.cur)

    def end(self, at, kind: str) -> None:
        """End the current stint without a resolution; a transfer stays answerable until the
        cycle is settled, an ending that closes the finding settles it."""
        if self.cur is not None:
            self._close_hold(at)
            transfer = kind in TRANSFERS
            self.cur.update(ended_at=at, end_kind=kind, due_at=self.cur["due"],
                            accountable_until=None if transfer else at)
            if transfer:
                self.senders.append(self.cur)
            self.cur = None
        if kind in CLOSINGS:
            self.settle(at)

    def settle(self, at) -> None:
        """The cycle is settled (resolved or closed): the senders stop answering for it."""
        for sender in self.senders:
            sender["accountable_until"] = at
        self.senders = []

    def new_cycle(self) -> None:
        """A reopening starts a new cycle of work: a new deadline, nobody has held it yet."""
        self.senders, self.seen, self.cycle = [], {}, []

    def hold(self, event) -> None:
        """A hold begins: approved when a manager or an admin placed it."""
        cur = self.cur
        approved = getattr(event, "actor_role", None) in OVERRULING_ROLES
        cur.update(held_from=event.at, held_approved=approved,
                   hold_count=cur["hold_count"] + 1,
                   holds_unapproved=cur["holds_unapproved"] + (not approved))

    def _close_hold(self, at) -> None:
        """Close a hold still open on the current stint; move the deadline by what counts."""
        cur = self.cur
        if cur is None or cur["held_from"] is None:
            return
        start = cur["held_from"]
        counted = 0.0
        if not self.warranty and (cur["due"] is None or start < cur["due"]):
            held = self.calendar.business_seconds_between(start, at)
            counted = held if cur["held_approved"] else min(held, cur["allowance_left"])
            if not cur["held_approved"]:
                cur["allowance_left"] -= counted
            if counted and self.due is not None:
                self.due = self.calendar.add_business_seconds(self.due, counted)
            if counted and cur["due"] is not None:
                cur["due"] = self.calendar.add_business_seconds(cur["due"], counted)
        cur["holds"].append((start, at, counted))
        cur["held_from"] = None

    def set_due(self, event, value) -> None:
        """A due date written by an event: a new cycle on reopening, else only ever earlier."""
        if event.kind in REOPENS or self.due is None:
            self.due = value
        elif event.kind != "resume":  # the ranking moves its deadline on resume itself
            self.due = min(self.due, value)


def _resolve(walk: Walk, event) -> None:
    """The current stint is resolved."""
    cur = walk.cur
    if cur is None:
        return
    walk._close_hold(event.at)
    cur.update(resolved_at=event.at, due_at=cur["due"], accountable_until=event.at)
    cur["acked_at"] = cur["acked_at"] or event.at
    walk.last_resolved, walk.cur = cur, None
    walk.settle(event.at)


def _reopen(walk: Walk, event) -> None:
    """The resolved stint is reopened; the department gets a new stint."""
    done = walk.last_resolved
    if done is not None and done["reopened_at"] is None:
        done["reopened_at"] = event.at
        if event.kind == "fail_verification":
            done["failed_at"] = event.at
    walk.last_resolved = None
    walk.end(event.at, "reassign")
    walk.new_cycle()
    if event.department_id is not None:
        walk.open(event, "reopen")


def _verify(walk: Walk, event) -> None:
    """The resolved stint passed verification."""
    if walk.last_resolved is not None:
        walk.last_resolved["verified_at"] = event.at


def _transfer(walk: Walk, event) -> None:
    """The current stint ends by transfer; the receiving department starts one (or the
    finding waits in coordination, the sender still answerable for its deadline). A manager's
    or an admin's transfer is not the department's (`manager_transfer`: not in its rate)."""
    walk.end(event.at, "manager_transfer" if _overruling(event) else "transfer")
    if event.department_id is not None:
        walk.open(event, "transfer")


def _other(walk: Walk, event) -> None:
    """Acknowledge, hold, resume, endings and (re)assignments."""
    cur, kind = walk.cur, event.kind
    if cur is not None and kind in ACKS:
        cur["acked_at"] = cur["acked_at"] or event.at
    elif cur is not None and kind == "hold":
        walk.hold(event)
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
    if event.kind == "reject" and _overruling(event):
        return "manager_reject"
    return ENDINGS[event.kind]


def _overruling(event) -> bool:
    """True when a manager or an admin took the action (not the department's own choice)."""
    return getattr(event, "actor_role", None) in OVERRULING_ROLES


STEPS = {"resolve": _resolve, "verify": _verify, "transfer": _transfer,
         "fail_verification": _reopen, "reopen": _reopen}


def stints(events, calendar, resolve_days: int | None = None, hold_allowance_s: float = 0,
           recurred: list | None = None) -> list[dict]:
    """The stints of one finding, from its events in order. `resolve_days`: the category's
    resolve target (the deadline of a department receiving the finding after the cycle's
    deadline); `recurred`: when recurrences of this finding were reported (new findings)."""
    walk = Walk(calendar, resolve_days, hold_allowance_s)
    for event in events:
        data = event.data or {}
        if data.get("due_reason") == "warranty_end":
            walk.warranty = True
        if data.get("resolve_due_at"):
            walk.set_due(event, _time(data["resolve_due_at"]))
        STEPS.get(event.kind, _other)(walk, event)
    cur = walk.cur
    if cur is not None and cur["held_from"] is not None and cur["held_approved"] and (
            not walk.warranty):
        cur["paused_since"] = cur["held_from"]  # an approved hold still open
    for stint in walk.stints:
        stint.setdefault("due_at", stint["due"])
    _recurrences(walk.stints, recurred or [])
    return [_timed(stint, calendar) for stint in walk.stints]


def _recurrences(cut: list[dict], recurred: list) -> None:
    """A recurrence (a new finding at the same place) counts as a reopening of the last
    resolution before it, unless that resolution was already reopened earlier."""
    for at in sorted(recurred):
        done = [s for s in cut if s["resolved_at"] is not None and s["resolved_at"] <= at]
        if done and (done[-1]["reopened_at"] is None or done[-1]["reopened_at"] > at):
            done[-1]["reopened_at"] = at


def _held(stint: dict, calendar, until) -> float:
    """Counted business seconds on hold between receipt and `until`."""
    total = 0.0
    for start, end, counted in stint["holds"]:
        if counted and start < until:
            span = calendar.business_seconds_between(max(start, stint["clock_from"]),
                                                     min(end, until))
            total += min(span, counted)
    return total


def _business(stint: dict, calendar, until) -> int | None:
    """Business seconds from receipt to `until`, counted holds excluded (None without it)."""
    if until is None:
        return None
    total = calendar.business_seconds_between(stint["clock_from"], until)
    return round(total - _held(stint, calendar, until))


WALK_ONLY = ("holds", "held_from", "held_approved", "allowance_left", "due", "clock_from")


def _timed(stint: dict, calendar) -> dict:
    """The stint as a fact row: business durations added, walk-only keys dropped."""
    row = {key: value for key, value in stint.items() if key not in WALK_ONLY}
    row["ack_s"] = _business(stint, calendar, stint["acked_at"])
    row["resolve_s"] = _business(stint, calendar, stint["resolved_at"])
    reopened, resolved = stint["reopened_at"], stint["resolved_at"]
    row["reopen_after_s"] = (round((reopened - resolved).total_seconds())
                             if reopened and resolved else None)
    return row
