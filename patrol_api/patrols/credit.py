"""Credit of reporters (citizen auditors, watchers, officers): accepted, pending, rejected.

A report (observation) is **accepted** when the finding it belongs to was taken on by a
department — acknowledged, in progress, on hold, resolved, verified or reopened — and
neither the finding nor the report was rejected. It is **rejected** when its finding was
rejected (any reason: not actionable, duplicate, private property, not found, mistaken) or
the report itself carries the rejected fate. Everything else is **pending**: no finding
yet (awaiting photos, intake), waiting in the coordination queue, or assigned but not yet
acknowledged. Reports the author withdrew (deleted) are not counted. Credit is computed
from the findings' current state, so it moves when a finding moves.
"""
import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.findings import lifecycle as lc
from patrol_api.models import Finding, Observation

ACCEPTED_STATES = (lc.ACKNOWLEDGED, lc.IN_PROGRESS, lc.ON_HOLD, lc.RESOLVED, lc.VERIFIED,
                   lc.REOPENED)
CREDITS = ("accepted", "pending", "rejected")
CREDIT_LABELS = {"accepted": ("인정", "Accepted"), "pending": ("검토 중", "Pending"),
                 "rejected": ("불인정", "Rejected")}


def credit_of():
    """SQL: the credit of an observation (Observation outer-joined to its Finding)."""
    return sa.case(
        (sa.or_(Finding.state == lc.REJECTED, Observation.fate == "rejected"), "rejected"),
        (Finding.state.in_(ACCEPTED_STATES), "accepted"), else_="pending")


def with_finding(stmt):
    """The select outer-joined to the finding of each observation."""
    return stmt.outerjoin(Finding, Finding.id == Observation.finding_id)


def counted(*where) -> list:
    """Conditions of the observations that count: not withdrawn, plus `where`."""
    return [Observation.deleted_at.is_(None), *where]


def totals(*where) -> dict:
    """{accepted, pending, rejected, total} over the counted observations matching `where`."""
    credit = credit_of().label("credit")
    stmt = with_finding(sa.select(credit, sa.func.count().label("n")).select_from(
        Observation)).where(*counted(*where)).group_by(credit)
    found = dict.fromkeys(CREDITS, 0)
    found.update({row.credit: row.n for row in db.session.execute(stmt)})
    return {**found, "total": sum(found.values())}


def of_user(user_id: int) -> dict:
    """The credit of one reporter over all their reports."""
    return totals(Observation.user_id == user_id)
