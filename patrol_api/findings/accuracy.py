"""Routing accuracy: of the findings the routing sent to a department (by a rule or as a
warranty defect) in a period, how many stayed there — no later event of the finding moved
it to another department or to the coordination queue (transfer, ping-pong, reassignment).

Read from the events alone: the `routed` event and the department of every later event.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from patrol_api.extensions import db
from patrol_api.findings import defects, routing
from patrol_api.models import FindingEvent

SENT = (routing.DECIDED, defects.WARRANTY)


def _share(stayed: int, routed: int) -> float | None:
    """stayed / routed, rounded; None when nothing was routed."""
    return round(stayed / routed, 4) if routed else None


def measure(since: datetime, until: datetime) -> dict:
    """Routing accuracy of findings routed in [since, until): overall, by rule, by outcome."""
    routed = aliased(FindingEvent)
    later = aliased(FindingEvent)
    moved = sa.exists().where(
        later.finding_id == routed.finding_id, later.seq > routed.seq,
        sa.or_(later.department_id.is_(None), later.department_id != routed.department_id))
    rule_id = routed.data["routing_rule_id"].as_integer()
    outcome = routed.data["routing_outcome"].as_string()
    stayed = sa.func.sum(sa.case((moved, 0), else_=1))
    rows = db.session.execute(sa.select(outcome, rule_id, sa.func.count(), stayed).where(
        routed.kind == "routed", routed.at >= since, routed.at < until)
        .group_by(outcome, rule_id).order_by(outcome, rule_id)).all()
    by_rule = [{"routing_rule_id": rule, "outcome": kind, "routed": count,
                "stayed": int(kept), "accuracy": _share(int(kept), count)}
               for kind, rule, count, kept in rows if kind in SENT]
    sent = sum(row["routed"] for row in by_rule)
    kept = sum(row["stayed"] for row in by_rule)
    to_coordination = dict.fromkeys((routing.NO_RULE, routing.TIE), 0)
    for kind, _, count, _ in rows:
        if kind in to_coordination:
            to_coordination[kind] += count
    return {"since": since, "until": until, "routed": sent, "stayed": kept,
            "accuracy": _share(kept, sent), "by_rule": by_rule,
            "to_coordination": to_coordination}
