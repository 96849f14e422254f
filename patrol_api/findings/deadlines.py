"""Due dates: acknowledge in business hours, resolve in business days, paused while on hold.

Targets come from the finding's category; a finding of a higher priority than its category's
default gets the priority's caps (FINDING_PRIORITY_CAPS) when they are tighter, an urgent one
always (at the category's own default priority the category's configured targets stand: 복지,
default high, keeps its 5 days); a finding that
came by a channel with a legal processing period (channels.py) is due by that period when it
ends first (and is acknowledged by then at the latest).
"""
from datetime import datetime

from flask import current_app

from patrol_api.findings import channels, settings
from patrol_api.findings.calendar import BusinessCalendar, calendar_from_config
from patrol_api.findings.startup import CALENDAR
from patrol_api.models.reference import PRIORITIES

ALWAYS_CAPPED = "urgent"  # an urgent finding gets the urgent caps whatever its category says


def calendar() -> BusinessCalendar:
    """The office calendar of the current app (cached per app)."""
    cached = current_app.extensions.get(CALENDAR)  # built at start-up (startup.init_app)
    if cached is None:
        cached = current_app.extensions[CALENDAR] = calendar_from_config(current_app.config)
    return cached


def targets(category, priority: str) -> tuple[float, int]:
    """(acknowledge hours, resolve days) for a category at a priority: the category's own, or
    the priority's caps when tighter and the priority is above the category's default (or
    urgent)."""
    ack, resolve = category.ack_hours, category.resolve_days
    cap = settings.get("FINDING_PRIORITY_CAPS").get(priority)
    if cap is not None and _raised(category, priority):
        ack, resolve = min(ack, cap[0]), min(resolve, cap[1])
    return ack, resolve


def _raised(category, priority: str) -> bool:
    """True when the priority is urgent or above the category's default priority."""
    default = category.default_priority or "normal"
    if priority == ALWAYS_CAPPED or priority not in PRIORITIES or default not in PRIORITIES:
        return True
    return PRIORITIES.index(priority) > PRIORITIES.index(default)


def due_dates(category, priority: str, start: datetime, channel: str | None = None) -> dict:
    """The acknowledge and resolve due dates of work received at `start` (by `channel`), and
    why."""
    ack, resolve = targets(category, priority)
    cal = calendar()
    capped = resolve < category.resolve_days
    dues = {"ack_due_at": cal.add_business_hours(start, ack),
            "resolve_due_at": cal.add_business_days(start, resolve),
            "due_reason": "priority" if capped else "category"}
    rule = channels.rule_of(channel)
    if rule is not None:
        legal = rule.due(cal, start)
        if legal <= dues["resolve_due_at"]:
            dues.update(resolve_due_at=legal, due_reason=rule.reason,
                        ack_due_at=min(dues["ack_due_at"], legal))
    return dues


def extended(due: datetime | None, held_from: datetime, held_to: datetime) -> datetime | None:
    """A due date pushed back by the business time spent on hold."""
    if due is None:
        return None
    cal = calendar()
    paused = cal.business_seconds_between(held_from, held_to)
    return cal.add_business_seconds(due, paused) if paused else due


def business_hours_between(start: datetime, end: datetime) -> float:
    """Working hours from start to end (0 when end is not later)."""
    return calendar().business_seconds_between(start, end) / 3600


def paused_seconds(events, since: datetime) -> float:
    """Business seconds spent on hold in completed holds that began at or after `since`."""
    cal, total, held_at = calendar(), 0.0, None
    for event in events:
        if event.kind == "hold" and event.at >= since:
            held_at = event.at
        elif event.kind == "resume" and held_at is not None:
            total += cal.business_seconds_between(held_at, event.at)
            held_at = None
    return total


def pushed_back(due: datetime, seconds: float) -> datetime:
    """A due date moved later by business seconds (unchanged for none)."""
    return calendar().add_business_seconds(due, seconds) if seconds else due
