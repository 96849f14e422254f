"""Median and 90th percentile business times per department, by window functions in SQL.

Nearest rank: the p-th percentile of n sorted values is the value at rank ceil(p * n / 100)
(for an even count the median is the lower middle value).
"""
import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.models import RankingFact as F

NAMES = ("ack_p50_s", "ack_p90_s", "resolve_p50_s", "resolve_p90_s")


def _nearest(rank, count, percent: int):
    """rank = ceil(percent * count / 100), in integer arithmetic."""
    return sa.and_(rank * 100 >= count * percent, (rank - 1) * 100 < count * percent)


def _percentiles(scope: list, value, at, start, end, prefix: str) -> dict:
    """{department_id: {prefix_p50_s, prefix_p90_s}} of a value over facts timed in the month."""
    ordered = sa.select(
        F.department_id, value.label("v"),
        sa.func.row_number().over(partition_by=F.department_id, order_by=value).label("r"),
        sa.func.count().over(partition_by=F.department_id).label("n"),
    ).where(*scope, at >= start, at < end, value.is_not(None)).subquery()
    pick = {p: sa.func.max(sa.case((_nearest(ordered.c.r, ordered.c.n, p), ordered.c.v)))
            for p in (50, 90)}
    stmt = sa.select(ordered.c.department_id, pick[50].label(f"{prefix}_p50_s"),
                     pick[90].label(f"{prefix}_p90_s")).group_by(ordered.c.department_id)
    return {row.department_id: row._asdict() for row in db.session.execute(stmt)}


def times(scope: list, start, end) -> dict:
    """Acknowledge and resolve percentiles of the month, merged per department."""
    merged: dict = {}
    for part in (_percentiles(scope, F.ack_s, F.acked_at, start, end, "ack"),
                 _percentiles(scope, F.resolve_s, F.resolved_at, start, end, "resolve")):
        for dept_id, values in part.items():
            merged.setdefault(dept_id, {}).update(values)
    return merged
