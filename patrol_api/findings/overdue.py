"""Deadlines job: flag overdue findings, remind before due dates, escalate long overdue ones.

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


def _remind(now) -> int:
    """Remind departments of resolve due dates within FINDING_REMIND_BEFORE_HOURS."""
    lead, count = settings.get("FINDING_REMIND_BEFORE_HOURS"), 0
    rows = _select(Finding.overdue.is_(False), Finding.resolve_due_at > now,
                   Finding.resolve_due_at <= now + REMIND_HORIZON)
    for finding in rows:
        due_at = finding.resolve_due_at
        if finding.reminded_due_at != due_at and (
                deadlines.business_hours_between(now, due_at) <= lead):
            journal.append(finding, "reminder", at=now, data={"due_at": due_at})
            count += 1
    return count


def mark_overdue(now=None) -> dict:
    """Job: overdue flags, escalations and reminders; returns the counts. Commits."""
    locks.queue_behind_writers()
    now = now or journal.now()
    counts = {"overdue": _late(now), "escalated": _escalate(now), "reminded": _remind(now)}
    db.session.commit()
    return counts
