"""Deadlines job: flag overdue findings, remind before due dates (acknowledge and resolve),
escalate long overdue ones.

Only the due date that applies counts: the acknowledge due date while a finding waits to be
acknowledged (assigned, reopened), the resolve due date while it is worked on. Findings on
hold, resolved or in the coordination queue are never late. Each flag change is an event.
"""
from datetime import timedelta

import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.findings import deadlines, journal, locks, settings
from patrol_api.findings import lifecycle as lc
from patrol_api.models import Finding

AWAITING_ACK = (lc.ASSIGNED, lc.REOPENED)
REMIND_HORIZON = timedelta(days=7)  # calendar span that surely covers the reminder lead


def _select(*conditions) -> list[Finding]:
    """Open findings being worked on that match the conditions."""
    return list(db.session.execute(sa.select(Finding).where(
        Finding.state.in_(lc.WORKING), *conditions).order_by(Finding.id)).scalars())


def which_due(finding: Finding, now) -> str | None:
    """'ack' or 'resolve' when that due date has passed, else None."""
    if finding.state in AWAITING_ACK and finding.ack_due_at and finding.ack_due_at < now:
        return "ack"
    if finding.resolve_due_at and finding.resolve_due_at < now:
        return "resolve"
    return None


def _late(now) -> int:
    """Flag newly overdue findings."""
    ack_late = sa.and_(Finding.state.in_(AWAITING_ACK), Finding.ack_due_at < now)
    rows = _select(Finding.overdue.is_(False),
                   sa.or_(ack_late, Finding.resolve_due_at < now))
    for finding in rows:
        due = which_due(finding, now)
        journal.append(finding, "overdue", at=now, data={
            "due": due, "due_at": getattr(finding, f"{due}_due_at")})
    return len(rows)


def _escalate(now) -> int:
    """Escalate findings overdue for longer than FINDING_ESCALATE_AFTER_HOURS."""
    limit, count = settings.get("FINDING_ESCALATE_AFTER_HOURS"), 0
    for finding in _select(Finding.overdue.is_(True), Finding.escalated.is_(False)):
        due = which_due(finding, now)
        due_at = getattr(finding, f"{due}_due_at") if due else None
        if due_at and deadlines.business_hours_between(due_at, now) >= limit:
            journal.append(finding, "escalated", at=now, data={"due": due, "due_at": due_at})
            count += 1
    return count


def next_due(finding: Finding, now) -> tuple[str, object] | None:
    """('ack' or 'resolve', date) of the next due date still ahead, or None.

    While a finding waits to be acknowledged both dates apply and the earlier one comes
    next; once acknowledged only the resolve date does. One reminder per date
    (`reminded_due_at`), so two dates close together never alternate reminders.
    """
    ahead = [(due_at, name) for name, due_at in (
        ("ack", finding.ack_due_at if finding.state in AWAITING_ACK else None),
        ("resolve", finding.resolve_due_at)) if due_at is not None and due_at > now]
    if not ahead:
        return None
    due_at, name = min(ahead)
    return name, due_at


def lead_hours(finding: Finding, due: str, due_at) -> float:
    """Business hours before a due date that its reminder goes out.

    Resolve dates: FINDING_REMIND_BEFORE_HOURS. Acknowledge dates:
    FINDING_REMIND_ACK_BEFORE_HOURS, but at most half the time the department was given, so
    that a short target never gets its reminder together with the assignment itself.
    """
    if due == "resolve":
        return settings.get("FINDING_REMIND_BEFORE_HOURS")
    lead = settings.get("FINDING_REMIND_ACK_BEFORE_HOURS")
    if finding.assigned_at is None:
        return lead
    return min(lead, deadlines.business_hours_between(finding.assigned_at, due_at) / 2)


def _remind(now) -> int:
    """Remind departments of the next acknowledge or resolve due date (once per date)."""
    count, horizon = 0, now + REMIND_HORIZON
    ack_soon = sa.and_(Finding.state.in_(AWAITING_ACK), Finding.ack_due_at > now,
                       Finding.ack_due_at <= horizon)
    resolve_soon = sa.and_(Finding.resolve_due_at > now, Finding.resolve_due_at <= horizon)
    for finding in _select(Finding.overdue.is_(False), sa.or_(ack_soon, resolve_soon)):
        due = next_due(finding, now)
        if due is None or finding.reminded_due_at == due[1]:
            continue
        if deadlines.business_hours_between(now, due[1]) <= lead_hours(finding, *due):
            journal.append(finding, "reminder", at=now, data={"due": due[0], "due_at": due[1]})
            count += 1
    return count


def mark_overdue(now=None) -> dict:
    """Job: overdue flags, escalations and reminders; returns the counts. Commits."""
    locks.queue_behind_writers()
    now = now or journal.now()
    counts = {"overdue": _late(now), "escalated": _escalate(now), "reminded": _remind(now)}
    db.session.commit()
    return counts
