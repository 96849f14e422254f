"""Monthly metrics per department, aggregated by the database over the stint facts.

Lateness belongs to the stint that held the finding when its deadline passed (it "stays
there": a later transfer, rejection or reassignment does not take it away). An item overdue
at the start of a month and still held counts as late again in that month. A stint on an
approved hold since before its due date, still open, is not due (the hold pauses it).
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.models import Department
from patrol_api.models import RankingFact as F
from patrol_api.models.base import utcnow
from patrol_api.rankings import facts, months, percentiles, settings

COUNTS = ("received", "transferred", "rejected", "resolved", "reopened", "due", "on_time",
          "carried_late", "lost_late", "verified", "failed", "backlog", "holds",
          "holds_unapproved")
SPEED_CAP = 2.0  # a relative time counts at most twice the target; an item not fixed: the cap


@dataclass(frozen=True)
class Filters:
    """What to count: department kind, dong areas, categories."""

    kind: str | None = None
    area_ids: tuple = field(default_factory=tuple)
    category_ids: tuple = field(default_factory=tuple)


def _count(condition):
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END)."""
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _within(column, start, end):
    """start <= column < end."""
    return sa.and_(column >= start, column < end)


def _scope(filters: Filters) -> list:
    """Conditions of the filters on the facts."""
    conditions = []
    if filters.area_ids:
        conditions.append(F.area_id.in_(filters.area_ids))
    if filters.category_ids:
        conditions.append(F.category_id.in_(filters.category_ids))
    if filters.kind:
        conditions.append(F.department_id.in_(
            sa.select(Department.id).where(Department.kind == filters.kind)))
    return conditions


def _grouped(scope: list, where, *columns) -> dict:
    """{department_id: row} of an aggregate over the facts."""
    stmt = sa.select(F.department_id, *columns).where(*scope, where).group_by(F.department_id)
    return {row.department_id: row._asdict() for row in db.session.execute(stmt)}


def _received(scope, start, end) -> dict:
    """Received (new work, not reopenings) and the holds of those stints."""
    return _grouped(scope, sa.and_(_within(F.received_at, start, end), F.origin != "reopen"),
                    sa.func.count().label("received"),
                    sa.func.sum(F.hold_count).label("holds"),
                    sa.func.sum(F.holds_unapproved).label("holds_unapproved"))


def _handed_on(scope, start, end) -> dict:
    """Transferred away and rejected by the department in the month (a later month's
    transfer never changes this month's figures)."""
    return _grouped(scope, _within(F.ended_at, start, end),
                    _count(F.end_kind == "transfer").label("transferred"),
                    _count(F.end_kind == "reject").label("rejected"))


def _resolved(scope, start, end) -> dict:
    """Resolved in the month, and reopened (or recurred) within the window."""
    window = settings.get("RANKING_REOPEN_WINDOW_DAYS") * 86400
    return _grouped(scope, _within(F.resolved_at, start, end),
                    sa.func.count().label("resolved"),
                    _count(F.reopen_after_s <= window).label("reopened"))


def paused():
    """SQL: the stint is open and on an approved hold begun before its due date (a warranty
    deadline never pauses: the facts leave `paused_since` empty then)."""
    return sa.and_(F.resolved_at.is_(None), F.ended_at.is_(None),
                   F.paused_since.is_not(None), F.paused_since < F.due_at)


def charged():
    """SQL: the stint answers for its deadline: it resolved the item, still holds it, passed
    it on by transfer (answerable until the cycle is settled), or lost it otherwise only
    after the deadline had passed."""
    return sa.or_(F.end_kind.is_(None), F.end_kind.in_(facts.TRANSFERS), F.ended_at > F.due_at)


def _held_at(moment):
    """SQL: the stint still held the finding at `moment` (not resolved, not handed on)."""
    return sa.and_(sa.or_(F.resolved_at.is_(None), F.resolved_at > moment),
                   sa.or_(F.ended_at.is_(None), F.ended_at > moment))


def _due(scope, start, end) -> dict:
    """Due in the month (up to now), charged to this stint and not paused: on time or late;
    plus the items overdue before the month and still held at its start (late again).

    Speed is measured over the same items: each item's business time relative to its
    category's target, capped at 2; an item not resolved by the department by the month's end
    (still open, or handed on after its deadline) and every carried item count as the cap."""
    on_time = sa.and_(F.accountable_until.is_not(None), F.accountable_until <= F.due_at)
    current = sa.and_(_within(F.due_at, start, end), charged(), sa.not_(paused()))
    carried = sa.and_(F.due_at < start, start < end, charged(), _held_at(start),
                      sa.not_(paused()))
    ratio = sa.cast(F.resolve_s, sa.Float) / F.expected_resolve_s
    capped = sa.case((ratio > SPEED_CAP, SPEED_CAP), else_=ratio)
    item = sa.case((sa.and_(current, F.resolved_at.is_not(None), F.resolved_at < end), capped),
                   (sa.and_(current, on_time), None),  # passed on, settled in time: no time
                   else_=SPEED_CAP)
    lost = sa.and_(current, F.resolved_at.is_(None), F.ended_at < end,
                   sa.not_(sa.and_(on_time, F.accountable_until < end)))
    return _grouped(scope, sa.or_(current, carried), sa.func.count().label("due"),
                    _count(sa.and_(current, on_time)).label("on_time"),
                    _count(carried).label("carried_late"), _count(lost).label("lost_late"),
                    sa.func.avg(item).label("relative_time"))


def _verification(scope, start, end) -> dict:
    """Verifications passed and failed in the month."""
    passed, failed = _within(F.verified_at, start, end), _within(F.failed_at, start, end)
    return _grouped(scope, sa.or_(passed, failed),
                    _count(passed).label("verified"), _count(failed).label("failed"))


def _backlog(scope, end) -> dict:
    """Still with the department at month end and received more than N days before it."""
    old = end - timedelta(days=settings.get("RANKING_BACKLOG_DAYS"))
    still = sa.and_(sa.or_(F.resolved_at.is_(None), F.resolved_at >= end),
                    sa.or_(F.ended_at.is_(None), F.ended_at >= end))
    return _grouped(scope, sa.and_(F.received_at < old, still),
                    sa.func.count().label("backlog"))


def departments(kind: str | None) -> list[Department]:
    """Live departments (of a kind), in a stable order."""
    stmt = sa.select(Department).where(Department.deleted_at.is_(None))
    if kind:
        stmt = stmt.where(Department.kind == kind)
    return list(db.session.execute(stmt.order_by(Department.kind, Department.code)).scalars())


def month_metrics(month: str, filters: Filters = Filters(),
                  as_of: datetime | None = None) -> list[dict]:
    """One metrics row per live department for a month."""
    start, end = months.bounds(month)
    due_end = min(end, as_of or utcnow())
    scope = _scope(filters)
    parts = [_received(scope, start, end), _handed_on(scope, start, end),
             _resolved(scope, start, end),
             _due(scope, start, due_end), _verification(scope, start, end),
             _backlog(scope, end), percentiles.times(scope, start, end)]
    rows = [_row(month, dept, parts) for dept in departments(filters.kind)]
    if filters.area_ids or filters.category_ids:  # only departments with work in that scope
        rows = [row for row in rows if any(row[name] for name in COUNTS)]
    return rows


def _row(month: str, dept: Department, parts: list[dict]) -> dict:
    """A department's metrics: the counts, the rates derived from them, the times."""
    row = {"month": month, "department_id": dept.id, "department_code": dept.code,
           "department_name": dept.name_ko, "department_kind": dept.kind, "area_id": dept.area_id}
    for part in parts:
        row.update({k: v for k, v in part.get(dept.id, {}).items() if k != "department_id"})
    for name in COUNTS:
        row[name] = int(row.get(name) or 0)
    row.setdefault("relative_time", None)
    row["speed"] = (None if row["relative_time"] is None
                    else 1 - min(row["relative_time"], SPEED_CAP) / SPEED_CAP)
    row.update(rates(row))
    for name in percentiles.NAMES:
        row.setdefault(name, None)
    return row


def _rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, None when nothing was counted."""
    return round(numerator / denominator, 4) if denominator else None


def rates(row: dict) -> dict:
    """The rates of a metrics row."""
    return {"on_time_rate": _rate(row["on_time"], row["due"]),
            "reopen_rate": _rate(row["reopened"], row["resolved"]),
            "transfer_rate": _rate(row["transferred"], row["received"]),
            "rejection_rate": _rate(row["rejected"], row["received"]),
            "verification_pass_rate": _rate(row["verified"], row["verified"] + row["failed"])}
